/**
 * A map read through to a base map it never changes: `set` and `get` see the overlay first. A sweep's
 * combinations share the sweep file's positions this way instead of copying them once per combination.
 */
export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  readonly #base: ReadonlyMap<K, V>
  readonly #own = new Map<K, V>()

  constructor(base: ReadonlyMap<K, V>) {
    this.#base = base
  }

  get size(): number {
    let extra = 0
    for (const k of this.#own.keys()) if (!this.#base.has(k)) extra++
    return this.#base.size + extra
  }

  get(key: K): V | undefined {
    return this.#own.has(key) ? this.#own.get(key) : this.#base.get(key)
  }

  has(key: K): boolean {
    return this.#own.has(key) || this.#base.has(key)
  }

  set(key: K, value: V): this {
    this.#own.set(key, value)
    return this
  }

  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.#base) yield [k, this.#own.has(k) ? (this.#own.get(k) as V) : v]
    for (const entry of this.#own) if (!this.#base.has(entry[0])) yield entry
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this)
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries()
  }
}

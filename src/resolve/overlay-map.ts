/**
 * A map read through to a base map it never changes: `set` and `get` see the overlay first. A sweep's
 * combinations share the sweep file's positions this way instead of copying them once per combination.
 */
export class OverlayMap<K, V> {
  readonly #base: Pick<ReadonlyMap<K, V>, 'get' | 'has'>
  readonly #own = new Map<K, V>()

  constructor(base: Pick<ReadonlyMap<K, V>, 'get' | 'has'>) {
    this.#base = base
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
}

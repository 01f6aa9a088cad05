import { describe, expect, it } from 'vitest'
import { OverlayMap } from '../../src/resolve/overlay-map.js'

describe('OverlayMap: a map read through to a base it never changes', () => {
  it('get and has see the overlay first, then the base; set changes the overlay only', () => {
    const base = new Map([
      ['a', 1],
      ['b', 2],
    ])
    const m = new OverlayMap(base)
    expect(m.set('b', 20)).toBe(m)
    m.set('c', 30)
    expect(['a', 'b', 'c', 'd'].map((k) => m.get(k))).toEqual([1, 20, 30, undefined])
    expect(['a', 'b', 'c', 'd'].map((k) => m.has(k))).toEqual([true, true, true, false])
    expect([...base]).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    // An overlay value of undefined hides the base's.
    const u = new OverlayMap<string, number | undefined>(base)
    u.set('a', undefined)
    expect(u.get('a')).toBe(undefined)
  })
})

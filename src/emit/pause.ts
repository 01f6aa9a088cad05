/** Blocks the thread for `ms` (nothing when 0 or less): the test hooks' waits, which must hold up synchronous work. */
export function pause(ms = 0): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Exit codes: 0 ok, 1 spec errors or stale output, 2 bad usage, 70 internal error (a bug). */
export const EXIT = { ok: 0, specErrors: 1, usage: 2, internal: 70 } as const

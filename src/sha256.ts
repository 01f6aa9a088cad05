import { createRequire } from 'node:module'

type Crypto = typeof import('node:crypto')
let crypto: Crypto | undefined

/**
 * Hex SHA-256: how the no-op cache keys its inputs and checks racy files. node:crypto loads on first use only:
 * loading it is some 6 ms, a good part of compiling a handful of experiments that never need it.
 */
export function sha256(data: string | Uint8Array): string {
  return createSha256().update(data).digest('hex')
}

/** An incremental SHA-256, for input too large to join first. */
export function createSha256(): import('node:crypto').Hash {
  crypto ??= createRequire(import.meta.url)('node:crypto') as Crypto
  return crypto.createHash('sha256')
}

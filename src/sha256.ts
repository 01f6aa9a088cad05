import { createRequire } from 'node:module'

type Crypto = typeof import('node:crypto')
let crypto: Crypto | undefined

/**
 * Hex SHA-256: how the no-op cache checks racy files when there are too many to keep whole. node:crypto loads
 * on first use only: loading it is some 6 ms, a good part of compiling a handful of experiments, which never
 * need it.
 */
export function sha256(data: string | Uint8Array): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as Crypto
  return crypto.createHash('sha256').update(data).digest('hex')
}

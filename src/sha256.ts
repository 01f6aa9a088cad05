import { createHash } from 'node:crypto'

/** Hex SHA-256: how generated artifacts name the text they were built from, and how the cache checks files. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

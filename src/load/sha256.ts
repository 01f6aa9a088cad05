import { createRequire } from 'node:module'

let crypto: typeof import('node:crypto') | undefined

/**
 * The hex SHA-256 of a text's UTF-8 bytes, or of bytes. node:crypto loads on first use only: loading it (and
 * the stream modules it pulls in) is some 4 ms, which `finqa --version`, `--help` and every command that
 * hashes nothing would pay at start-up if it were imported at the top of a module in the bundle. One call,
 * not a Hash object: `crypto.hash` (Node 20.12) makes no stream object per digest, which at 10,000
 * experiments is some 20,000 of them.
 */
export function sha256Hex(data: string | Uint8Array): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
  return crypto.hash('sha256', data, 'hex')
}

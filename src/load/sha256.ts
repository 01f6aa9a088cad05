import { createRequire } from 'node:module'

let crypto: typeof import('node:crypto') | undefined

/**
 * A SHA-256 hasher from node:crypto, which loads on first use only: loading it (and the stream modules it
 * pulls in) is some 4 ms, which `finqa --version`, `--help` and every command that hashes nothing would pay
 * at start-up if it were imported at the top of a module in the bundle.
 */
export function sha256Hasher(): import('node:crypto').Hash {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
  return crypto.createHash('sha256')
}

import { sha256Hex } from './sha256.js'

/**
 * The content hash a launch script's run record names (`spec_sha256`): SHA-256 over the experiment's layers,
 * root first, each as its id (the file, or `file[size=4b,...]` for a sweep's combination), a NUL, the
 * SHA-256 of its file's text, a newline. Each file's text is hashed once per compile. Written into the
 * script at compile time, so the outputs stay a function of the specs.
 */
export function createSpecHasher(
  texts: ReadonlyMap<string, string>,
): (layers: readonly { readonly id: string; readonly file: string }[]) => string {
  const files = new Map<string, string>()
  const fileHash = (file: string): string => {
    let h = files.get(file)
    if (h === undefined) {
      h = sha256Hex(texts.get(file) ?? '')
      files.set(file, h)
    }
    return h
  }
  return (layers) => sha256Hex(layers.map(({ id, file }) => `${id}\0${fileHash(file)}\n`).join(''))
}

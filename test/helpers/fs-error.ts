/** An error as node:fs throws it (code, syscall, path), for the file-system seams of in-process tests. */
export const fsError = (code: string, syscall: string, path: string) =>
  Object.assign(new Error(`${code}: injected, ${syscall} '${path}'`), { code, syscall, path })

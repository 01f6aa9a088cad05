import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import type { Diagnostic } from '../diagnostics/diagnostic.js'

export interface SpecFiles {
  /** The spec folder as displayed: relative to cwd, forward slashes, no trailing slash. */
  readonly specDir: string
  /** Display path → text. */
  readonly specs: Map<string, string>
  /** Files that are not UTF-8, with the offset of the first bad byte. */
  readonly notUtf8: { file: string; offset: number }[]
}

export class SpecDirError extends Error {
  override name = 'SpecDirError'
}

/** Reads every *.yaml / *.yml below `dir`, sorted, keyed by cwd-relative display path. */
export function readSpecs(dir: string, cwd: string): SpecFiles {
  const absolute = resolve(cwd, dir)
  let stat: ReturnType<typeof statSync>
  try {
    stat = statSync(absolute)
  } catch {
    throw new SpecDirError(`spec folder ${dir} does not exist`)
  }
  if (!stat.isDirectory()) throw new SpecDirError(`${dir} is not a folder`)
  const specDir = toDisplay(relative(cwd, absolute)) || '.'
  const specs = new Map<string, string>()
  const notUtf8: { file: string; offset: number }[] = []
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const files = readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
    .map((d) => join(d.parentPath, d.name))
    .sort()
  for (const file of files) {
    const display = toDisplay(relative(cwd, file))
    const bytes = readFileSync(file)
    try {
      specs.set(display, decoder.decode(bytes).replace(/^\uFEFF/, ''))
    } catch {
      notUtf8.push({ file: display, offset: firstBadByte(bytes) })
    }
  }
  return { specDir, specs, notUtf8 }
}

export function toDisplay(path: string): string {
  return path.split(sep).join('/')
}

function firstBadByte(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let lo = 0
  let hi = bytes.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    try {
      decoder.decode(bytes.subarray(0, mid + 1))
      lo = mid + 1
    } catch {
      hi = mid
    }
  }
  // A truncated multi-byte character also fails; step back to its lead byte.
  return lo
}

/** A YAML_SYNTAX diagnostic for each spec file that is not UTF-8. */
export function encodingDiagnostics(notUtf8: SpecFiles['notUtf8']): Diagnostic[] {
  return notUtf8.map(({ file, offset }) => ({
    file,
    line: 1,
    col: 1,
    severity: 'error',
    code: 'YAML_SYNTAX',
    message: `the file is not valid UTF-8 (first bad byte at offset ${offset})`,
    suggestion: 're-save the file as UTF-8',
  }))
}

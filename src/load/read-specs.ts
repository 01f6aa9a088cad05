import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { compareStrings, type Diagnostic } from '../diagnostics/diagnostic.js'

export interface SpecFiles {
  /** The spec folder as displayed: relative to cwd, forward slashes, no trailing slash. */
  readonly specDir: string
  /** Display path → text. */
  readonly specs: Map<string, string>
  /** Files that are not UTF-8, with the offset of the first bad byte. */
  readonly notUtf8: { file: string; offset: number }[]
  /** Symbolic links that cannot be read as spec files: to a folder, or to nothing. */
  readonly badLinks: { file: string; target: 'folder' | 'nothing' }[]
}

export class SpecDirError extends Error {
  override name = 'SpecDirError'
}

/** Reads every *.yaml / *.yml below `dir` (not hidden ones), sorted, keyed by cwd-relative display path. */
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
  const badLinks: SpecFiles['badLinks'] = []
  const files: string[] = []
  for (const d of readdirSync(absolute, { recursive: true, withFileTypes: true })) {
    const path = join(d.parentPath, d.name)
    // Hidden files and folders are never specs: editors' lock files (Emacs's `.#base.yaml`, a symbolic link
    // to nowhere), macOS's `._base.yaml` metadata, `.git/`.
    if (isHidden(relative(absolute, path))) continue
    const isSpec = /\.ya?ml$/.test(d.name)
    if (d.isFile()) {
      if (isSpec) files.push(path)
      continue
    }
    if (!d.isSymbolicLink()) continue
    // A linked spec file is read through its link; a linked folder is not followed (it could loop, or hold
    // anything), and it must not be skipped without a word: its experiments would be missing.
    const target = statIfExists(path)
    const file = toDisplay(relative(cwd, path))
    if (target?.isDirectory()) badLinks.push({ file, target: 'folder' })
    else if (!isSpec) continue
    else if (target === undefined) badLinks.push({ file, target: 'nothing' })
    else if (target.isFile()) files.push(path)
  }
  files.sort()
  for (const file of files) {
    const display = toDisplay(relative(cwd, file))
    const bytes = readFileSync(file)
    try {
      specs.set(display, decoder.decode(bytes).replace(/^\uFEFF/, ''))
    } catch {
      notUtf8.push({ file: display, offset: firstBadByte(bytes) })
    }
  }
  badLinks.sort((a, b) => compareStrings(a.file, b.file))
  return { specDir, specs, notUtf8, badLinks }
}

function isHidden(relativePath: string): boolean {
  return relativePath.split(sep).some((segment) => segment.startsWith('.'))
}

function statIfExists(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
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

/**
 * A SPEC_LINK diagnostic for each symbolic link that is not read as a spec file: a warning for a folder (it
 * may hold no specs at all), an error for a spec file whose target is missing.
 */
export function linkDiagnostics(badLinks: SpecFiles['badLinks']): Diagnostic[] {
  return badLinks.map(({ file, target }) => ({
    file,
    line: 1,
    col: 1,
    severity: target === 'folder' ? 'warning' : 'error',
    code: 'SPEC_LINK',
    message:
      target === 'folder'
        ? `${file} is a symbolic link to a folder; finqa does not follow it, so any specs in it are left out`
        : `${file} is a symbolic link to a file that does not exist`,
    suggestion:
      target === 'folder'
        ? 'copy the folder into the spec folder, or link its spec files one by one'
        : 'fix or remove the link',
  }))
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

import {
  type BigIntStats,
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs'
import { basename, join, relative, resolve, sep } from 'node:path'
import { compareStrings, type Diagnostic } from '../diagnostics/diagnostic.js'
import { errorCode, osCause } from '../diagnostics/os-error.js'

export interface SpecFiles {
  /** The spec folder as displayed: relative to cwd, forward slashes, no trailing slash. */
  readonly specDir: string
  /** Display path → text. */
  readonly specs: Map<string, string>
  /** Files that are not UTF-8, with the offset of the first bad byte. */
  readonly notUtf8: { file: string; offset: number }[]
  /** Symbolic links that cannot be read as spec files: to a folder, or to nothing. */
  readonly badLinks: { file: string; target: 'folder' | 'nothing' }[]
  /**
   * Spec-named entries that are not regular spec files, never opened or never shown: a FIFO, device or socket
   * (or a link to one), a link to a file not named *.yaml / *.yml (`/proc/self/environ`, a key), a kernel
   * pseudo-file. `what` says which, as a phrase.
   */
  readonly notFiles: { file: string; what: string }[]
  /** Spec files and folders the operating system would not let finqa read, with the errno code. */
  readonly unreadable: { file: string; code: string }[]
}

export class SpecDirError extends Error {
  override name = 'SpecDirError'
}

const SPEC_NAME = /\.ya?ml$/

/**
 * The texts a process read before, by absolute path, with the identity of the file read (device, inode,
 * size, mtime, ctime): `readSpecs` takes a text again without reading it while the file's identity is the
 * same (a watching process reads only the files an edit changed). It adds what it reads.
 */
export type SpecReadCache = Map<string, { readonly identity: string; readonly text: string }>

/**
 * The identity (`fileIdentity`) of each spec file by absolute path, as a scan made just before the read found
 * it (a watching process's, src/cli/spec-watcher.ts): taken instead of a stat of each file. A file changed
 * after that scan may be taken from the cache once more; the scan that sees the change starts another compile.
 */
export type SpecIdentities = ReadonlyMap<string, string>

export interface ReadSpecsOptions {
  /** Texts read before, taken again while their file is the same; what is read is added. None by default. */
  readonly cache?: SpecReadCache
  /** The identities of a scan made just before (`SpecIdentities`); by default each cached file is stat-ed. */
  readonly identities?: SpecIdentities
  /**
   * A test hook: file-system calls that replace node:fs's (`ReaderFs`), so that an in-process test can make a
   * folder unlistable or a file unopenable (EACCES cannot be made as root), or a file change between the
   * listing and the read. Unset in real use.
   */
  readonly fs?: Partial<ReaderFs>
}

/** The reader's file-system calls; node:fs's in real use (`ReadSpecsOptions.fs`). */
export interface ReaderFs {
  readonly statSync: (path: string, options: { bigint: true }) => BigIntStats
  readonly readdirSync: (path: string, options: { withFileTypes: true }) => Dirent[]
  readonly openSync: (path: string, flags: number) => number
  readonly fstatSync: (fd: number, options: { bigint: true }) => BigIntStats
  readonly readFileSync: (fd: number) => Buffer
  readonly closeSync: (fd: number) => void
  readonly readlinkSync: (path: string) => string
  readonly realpathSync: (path: string) => string
}

const NODE_FS: ReaderFs = {
  statSync,
  readdirSync,
  openSync,
  fstatSync,
  readFileSync,
  closeSync,
  readlinkSync,
  realpathSync,
}

/**
 * Reads every *.yaml / *.yml below `dir` (not hidden ones), sorted, keyed by cwd-relative display path. Only
 * regular files are read: a FIFO would hang the compile, a device or a linked secret would print its
 * contents in a code frame. What cannot be read is listed (`notFiles`, `unreadable`), never skipped silently:
 * its experiments would be missing and their scripts removed.
 */
export function readSpecs(dir: string, cwd: string, options: ReadSpecsOptions = {}): SpecFiles {
  const { cache, identities } = options
  const io = { ...NODE_FS, ...options.fs }
  const absolute = resolve(cwd, dir)
  const specDir = toDisplay(relative(cwd, absolute)) || '.'
  const specs = new Map<string, string>()
  const notUtf8: SpecFiles['notUtf8'] = []
  const badLinks: SpecFiles['badLinks'] = []
  const notFiles: SpecFiles['notFiles'] = []
  const unreadable: SpecFiles['unreadable'] = []
  const result = { specDir, specs, notUtf8, badLinks, notFiles, unreadable }
  let stat: BigIntStats
  try {
    stat = statOf(absolute, io)
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === undefined)
      throw new SpecDirError(`spec folder ${dir} does not exist`)
    unreadable.push({ file: specDir, code })
    return result
  }
  if (!stat.isDirectory()) throw new SpecDirError(`${dir} is not a folder`)
  const display = (path: string) => toDisplay(relative(cwd, path))
  const files: { path: string; linked: boolean }[] = []
  const walk = (folder: string): void => {
    let entries: Dirent[]
    try {
      entries = io.readdirSync(folder, { withFileTypes: true })
    } catch (error) {
      unreadable.push({ file: display(folder) || '.', code: errorCode(error) ?? 'EIO' })
      return
    }
    for (const d of entries) {
      // Hidden files and folders are never specs: editors' lock files (Emacs's `.#base.yaml`, a symbolic link
      // to nowhere), macOS's `._base.yaml` metadata, `.git/`.
      if (d.name.startsWith('.')) continue
      const path = join(folder, d.name)
      const isSpec = SPEC_NAME.test(d.name)
      if (d.isDirectory()) walk(path)
      else if (d.isFile()) {
        if (isSpec) files.push({ path, linked: false })
      } else if (d.isSymbolicLink()) {
        // A linked spec file is read through its link; a linked folder is not followed (it could loop, or
        // hold anything), and it must not be skipped without a word: its experiments would be missing.
        const target = statIfExists(path, io)
        const file = display(path)
        if (target?.isDirectory()) badLinks.push({ file, target: 'folder' })
        else if (!isSpec) continue
        else if (target === undefined) badLinks.push({ file, target: 'nothing' })
        else if (target.isFile()) files.push({ path, linked: true })
        else notFiles.push({ file, what: `a symbolic link to ${kindOf(target)}` })
      } else if (isSpec) notFiles.push({ file: display(path), what: kindOf(d) })
    }
  }
  walk(absolute)
  files.sort((a, b) => compareStrings(a.path, b.path))
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for (const { path, linked } of files) {
    const file = display(path)
    const known = cache?.get(path)
    if (known !== undefined && known.identity === (identities?.get(path) ?? identityAt(path, io))) {
      specs.set(file, known.text)
      continue
    }
    const read = readSpecFile(path, linked, io)
    if ('code' in read) unreadable.push({ file, code: read.code })
    else if ('what' in read) notFiles.push({ file, what: read.what })
    else {
      try {
        // The decoder drops a byte order mark at the start (ignoreBOM is false).
        const text = decoder.decode(read.bytes)
        specs.set(file, text)
        if (read.settled) cache?.set(path, { identity: read.identity, text })
      } catch {
        notUtf8.push({ file, offset: firstBadByte(read.bytes) })
      }
    }
  }
  badLinks.sort((a, b) => compareStrings(a.file, b.file))
  notFiles.sort((a, b) => compareStrings(a.file, b.file))
  unreadable.sort((a, b) => compareStrings(a.file, b.file))
  return result
}

/**
 * A spec file's bytes, read from one descriptor: opened without waiting (O_NONBLOCK: a FIFO swapped in
 * meanwhile does not hang), checked on that descriptor to be a regular file, through a link only one whose
 * real name is *.yaml / *.yml, and not a kernel pseudo-file (size 0, yet it reads as text: /proc, /sys).
 */
function readSpecFile(
  path: string,
  linked: boolean,
  io: ReaderFs,
): { bytes: Buffer; identity: string; settled: boolean } | { what: string } | { code: string } {
  let fd: number
  try {
    fd = io.openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (error) {
    return { code: errorCode(error) ?? 'EIO' }
  }
  try {
    const stat = io.fstatSync(fd, { bigint: true })
    if (!stat.isFile()) return { what: linked ? `a symbolic link to ${kindOf(stat)}` : kindOf(stat) }
    if (linked) {
      const real = realPathOf(fd, path, io)
      if (!SPEC_NAME.test(basename(real)))
        return { what: `a symbolic link to ${real}, which is not a .yaml or .yml file` }
    }
    const bytes = io.readFileSync(fd)
    if (stat.size === 0n && bytes.length > 0)
      return { what: `${linked ? 'a symbolic link to ' : ''}a kernel pseudo-file (as in /proc or /sys)` }
    // A file changed (ctime: any change, whatever mtime says) within RACY_NS of reading it may change again
    // within the file system clock's tick, its identity the same: it is read again next time (as git's index
    // treats racy files).
    const settled = BigInt(Date.now()) * 1_000_000n - stat.ctimeNs > RACY_NS
    return { bytes, identity: fileIdentity(stat), settled }
  } catch (error) {
    return { code: errorCode(error) ?? 'EIO' }
  } finally {
    io.closeSync(fd)
  }
}

/** See `readSpecFile`: 100 ms, more than the coarse clock of file times ticks (≤ 10 ms). */
const RACY_NS = 100_000_000n

/** What identifies a file's content short of reading it (see `SpecReadCache`). */
export function fileIdentity(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`
}

/** The identity of the file at `path` (through a link), or undefined when it cannot be found. */
function identityAt(path: string, io: ReaderFs): string | undefined {
  const s = statIfExists(path, io)
  return s && fileIdentity(s)
}

/** The real path of an open file: what the descriptor names (Linux), else the path's links resolved. */
function realPathOf(fd: number, path: string, io: ReaderFs): string {
  try {
    return io.readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    return io.realpathSync(path)
  }
}

/** What a non-regular file is, as a phrase: `a FIFO`. */
function kindOf(entry: Dirent | BigIntStats): string {
  if (entry.isFIFO()) return 'a FIFO (named pipe)'
  if (entry.isCharacterDevice()) return 'a character device'
  if (entry.isBlockDevice()) return 'a block device'
  if (entry.isSocket()) return 'a socket'
  if (entry.isDirectory()) return 'a folder'
  return 'something that is not a regular file'
}

/** A stat through links, with times in nanoseconds (`fileIdentity`). */
function statOf(path: string, io: ReaderFs): BigIntStats {
  return io.statSync(path, { bigint: true })
}

function statIfExists(path: string, io: ReaderFs): BigIntStats | undefined {
  try {
    return statOf(path, io)
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

/**
 * A SPEC_NOT_FILE error for each spec-named entry that is not a regular spec file, and a SPEC_UNREADABLE
 * error for each file or folder that could not be read: its experiments would otherwise be missing.
 */
export function unreadDiagnostics(files: Pick<SpecFiles, 'notFiles' | 'unreadable'>): Diagnostic[] {
  const at = (file: string) => ({ file, line: 1, col: 1, severity: 'error' as const })
  return [
    ...files.notFiles.map(({ file, what }) => ({
      ...at(file),
      code: 'SPEC_NOT_FILE' as const,
      message: `${file} is ${what}; finqa reads only regular .yaml / .yml files as specs`,
      suggestion:
        'replace it with a regular spec file, or remove it (or rename it so it does not end in .yaml)',
    })),
    ...files.unreadable.map(({ file, code }) => {
      const { cause, suggestion } = osCause(code, 'spec')
      return {
        ...at(file),
        code: 'SPEC_UNREADABLE' as const,
        message: `cannot read ${file}: ${cause} (${code}); its experiments would be missing`,
        suggestion,
      }
    }),
  ]
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

import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
} from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { errorCode } from '../diagnostics/os-error.js'

/**
 * The output folder's real path: every symbolic link in it resolved, for as much of it as exists (the rest is
 * created below that). The writer, the lock and the cache all work on it, so that two spellings of one folder
 * (a link to it, a linked parent) are one folder, and nothing below it is reached through a link.
 */
export function realOutputPath(path: string, links = 0): string {
  try {
    return realpathSync.native(path)
  } catch (error) {
    const parent = dirname(path)
    if (errorCode(error) !== 'ENOENT' || parent === path) return path
    // A link to a folder not made yet is followed to where it points (at most 40 links, as the kernel).
    const target = links < 40 ? linkTarget(path) : undefined
    if (target !== undefined) return realOutputPath(resolve(parent, target), links + 1)
    return join(realOutputPath(parent, links), basename(path))
  }
}

function linkTarget(path: string): string | undefined {
  try {
    return readlinkSync(path)
  } catch {
    return undefined
  }
}

/** What stands at a path below the output folder, found without following any link below the folder. */
export type Slot =
  | { readonly kind: 'missing' }
  | { readonly kind: 'file'; readonly text: string; readonly mode: number }
  /** `at`: the link (the path itself, or one of its folders), relative to the output folder. */
  | { readonly kind: 'link'; readonly at: string }
  | { readonly kind: 'folder' }
  /** A FIFO, device or socket at the path, or a file where one of its folders should be (`at`). */
  | { readonly kind: 'other'; readonly at: string }

/**
 * Inspects `path` (relative, forward slashes) below `outDir` (a real path): each of its folders with lstat,
 * the file itself opened with O_NOFOLLOW and checked on its descriptor, so that a link swapped in meanwhile
 * is not read through. `folders` caches the folders' answers across calls (one lstat per folder per compile).
 */
export function inspectSlot(outDir: string, path: string, folders: Map<string, Slot | 'folder'>): Slot {
  const parts = path.split('/')
  for (let i = 1; i < parts.length; i++) {
    const at = parts.slice(0, i).join('/')
    let seen = folders.get(at)
    if (seen === undefined) {
      seen = folderSlot(join(outDir, at), at)
      folders.set(at, seen)
    }
    if (seen !== 'folder') return seen
  }
  return fileSlot(join(outDir, path), path)
}

function folderSlot(absolute: string, at: string): Slot | 'folder' {
  try {
    const stat = lstatSync(absolute)
    if (stat.isSymbolicLink()) return { kind: 'link', at }
    return stat.isDirectory() ? 'folder' : { kind: 'other', at }
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'missing' }
    throw error
  }
}

function fileSlot(absolute: string, at: string): Slot {
  let fd: number
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT') return { kind: 'missing' }
    // O_NOFOLLOW on a link: ELOOP (Linux), EMLINK (FreeBSD), EFTYPE (NetBSD).
    if (code === 'ELOOP' || code === 'EMLINK' || code === 'EFTYPE') return { kind: 'link', at }
    if (code === 'EISDIR') return { kind: 'folder' }
    throw error
  }
  try {
    const stat = fstatSync(fd)
    if (stat.isDirectory()) return { kind: 'folder' }
    if (!stat.isFile()) return { kind: 'other', at }
    return { kind: 'file', text: readFileSync(fd, 'utf8'), mode: stat.mode & 0o777 }
  } finally {
    closeSync(fd)
  }
}

/**
 * Whether a manifest entry names a path below the output folder: relative, forward slashes, no empty, `.` or
 * `..` segment, no NUL. Anything else (`../victim/notes.txt`, `/etc/passwd`) is never acted on.
 */
export function isPlainRelative(path: string): boolean {
  if (path === '' || path.includes('\0') || path.includes('\\') || path.startsWith('/')) return false
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..')
}

/**
 * `mkdir -p` that names the real cause: Node's recursive mkdir reports ENOENT for a parent that exists on a
 * read-only file system (EROFS) or cannot be written (EACCES). Returns the first folder it created, if any.
 */
export function makeFolder(path: string): string | undefined {
  try {
    return mkdirSync(path, { recursive: true })
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
    // Find the deepest folder that exists and make the next one by itself: its error is the real one.
    let missing = path
    while (dirname(missing) !== missing && !exists(dirname(missing))) missing = dirname(missing)
    mkdirSync(missing)
    return mkdirSync(path, { recursive: true }) ?? missing // made meanwhile by another process
  }
}

/**
 * The folders `mkdir -p folder` created when it returned `first` (the outermost it made), outermost first;
 * none when it made none.
 */
export function foldersMade(folder: string, first: string | undefined): string[] {
  if (first === undefined) return []
  const made = [folder]
  let f = folder
  while (f !== first && dirname(f) !== f) {
    f = dirname(f)
    made.unshift(f)
  }
  return made
}

function exists(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

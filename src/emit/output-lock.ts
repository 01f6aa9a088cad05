import {
  closeSync,
  openSync,
  readFileSync,
  rmSync,
  type Stats,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { makeFolder, realOutputPath } from './output-paths.js'
import { pause } from './pause.js'

/**
 * One finqa at a time per output folder. Two compiles into one folder (`--watch` and a compile by hand, two
 * terminals, parallel CI steps on one checkout, two login nodes of a cluster sharing a home folder over NFS)
 * would otherwise mix their files, and each clears the other's scratch folder as a killed run's.
 *
 * The lock is a file beside the output folder, `.<name>.finqa-lock` (beside, as a new folder is staged there
 * too), made exclusively. It names its holder: process id, host, boot and the process's start time. A lock is
 * taken over when its holder is known to be gone:
 * - on this machine (same host and boot), when the process has exited, or its id now belongs to a process
 *   that started at another time (ids are reused);
 * - from this host before a reboot, at once;
 * - from another machine, whose processes cannot be seen from here, when the holder has not touched the lock
 *   for `staleMs`: a holder touches it every `staleMs / 6` while it works (`OutputLock.refresh`).
 * A stale lock is removed under a second lock, `.<name>.finqa-lock.break`, and only if it is still the lock
 * that was judged stale, so that two processes taking over one stale lock at once cannot both go on.
 * Where the folder beside cannot be written (an output folder of one's own in a shared, read-only place),
 * finqa goes on without a lock, as before it had one.
 */
export interface OutputLock {
  /** Tells other machines the holder is still at work; cheap, call it often (it writes every `staleMs / 6`). */
  refresh(): void
  release(): void
}

export interface LockOptions {
  /** How long to wait for another finqa to finish with the folder, in ms. */
  readonly waitMs: number
  /** A lock from another machine untouched this long is a dead holder's. Default LOCK_STALE_MS. */
  readonly staleMs?: number
  /**
   * A test hook: wait this long between finding a lock stale and taking it over, so that a test can have two
   * processes find the same lock stale before either takes it (FINQA_TEST_LOCK_BREAK_DELAY_MS). 0 in real use.
   */
  readonly breakDelayMs?: number
  /**
   * A test hook: file-system calls that replace node:fs's (`LockFs`), so that an in-process test can make
   * taking the lock fail as a read-only folder or a full disk would (the tests run as root). Default node:fs.
   */
  readonly fs?: Partial<LockFs>
}

/** The calls that make a lock file (`LockOptions.fs`). */
export interface LockFs {
  readonly openSync: (path: string, flags: 'wx') => number
  readonly writeSync: (fd: number, text: string) => void
}

const NODE_FS: LockFs = { openSync, writeSync }

/** Who holds a lock, as written into it. Locks written by earlier builds of finqa hold only the process id. */
export interface LockHolder {
  readonly pid: number
  readonly host?: string
  /** The kernel's boot id (Linux): a process id means nothing across a reboot. */
  readonly boot?: string
  /** When the process started, in clock ticks since boot (Linux): tells a reused process id. */
  readonly start?: string
}

/** Another finqa process holds the output folder, longer than the wait. */
export class OutputBusy extends Error {
  override name = 'OutputBusy'
  readonly lock: string
  readonly holder: LockHolder | undefined
  constructor(lock: string, holder: LockHolder | undefined) {
    super(`${lock} is held by ${describeHolder(holder)}`)
    this.lock = lock
    this.holder = holder
  }
}

/** `process 123`, `process 123 on login2`, or `another process`. */
export function describeHolder(holder: LockHolder | undefined): string {
  return holder === undefined ? 'another process' : `process ${holder.pid}${remoteHost(holder)}`
}

/** ` on login2` when the holder is on another machine, else nothing. */
export function remoteHost(holder: LockHolder | undefined): string {
  const host = holder?.host
  return host === undefined || host === thisMachine().host ? '' : ` on ${host}`
}

/** A lock of another machine untouched for this long is a dead holder's: 6 missed refreshes. */
export const LOCK_STALE_MS = 30_000
/** A lock file with no holder yet is being written; one older than this was left by a crash. */
const EMPTY_LOCK_STALE_MS = 5_000
/** A break lock older than this was left by a process killed while breaking (it takes microseconds). */
const BREAK_STALE_MS = 10_000
const POLL_MS = 20

/** Takes the output folder for this process, waiting up to `waitMs` for another finqa to finish with it. */
export async function lockOutput(outPath: string, options: LockOptions): Promise<OutputLock> {
  const staleMs = options.staleMs ?? LOCK_STALE_MS
  // Keyed by the real path: a compile through a link to the folder takes turns with one into the folder.
  const outDir = realOutputPath(outPath)
  const parent = dirname(outDir)
  makeFolder(parent)
  const path = join(parent, `.${basename(outDir)}.finqa-lock`)
  const deadline = Date.now() + options.waitMs
  const mine = `${formatHolder(ownHolder())}\n`
  const io = { ...NODE_FS, ...options.fs }
  for (;;) {
    const created = tryCreate(path, mine, io)
    if (created === 'unwritable') return { refresh: () => {}, release: () => {} }
    if (created) return heldLock(path, staleMs)
    const seen = readLock(path)
    if (seen !== 'gone' && isStale(seen, staleMs)) {
      pause(options.breakDelayMs)
      // While another process breaks it, wait (and give up at the deadline) as for a held lock.
      if (breakLock(path, seen, mine, io) !== 'busy') continue
    }
    if (Date.now() >= deadline) throw new OutputBusy(path, seen === 'gone' ? undefined : seen.holder)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

function heldLock(path: string, staleMs: number): OutputLock {
  const every = staleMs / 6
  let touched = Date.now()
  return {
    refresh: () => {
      const now = Date.now()
      if (now - touched < every) return
      touched = now
      try {
        utimesSync(path, now / 1000, now / 1000)
      } catch {
        // Removed by hand meanwhile: there is nothing left to keep fresh.
      }
    },
    release: () => rmSync(path, { force: true }),
  }
}

/** A lock file as read: its holder (undefined while being written), and the file's identity and age. */
interface SeenLock {
  readonly holder: LockHolder | undefined
  readonly text: string
  readonly stat: Stats
}

function readLock(path: string): SeenLock | 'gone' {
  try {
    const stat = statSync(path)
    const text = readFileSync(path, 'utf8')
    return { holder: parseHolder(text), text, stat }
  } catch {
    return 'gone'
  }
}

function isStale(seen: SeenLock, staleMs: number): boolean {
  const age = Date.now() - seen.stat.mtimeMs
  const holder = seen.holder
  if (holder === undefined) return age > EMPTY_LOCK_STALE_MS
  const here = thisMachine()
  // A lock of an older finqa names no host: it was taken on a machine that shares this folder, most likely
  // this one, and is judged as before, by its process id alone.
  if (holder.host !== undefined && holder.host !== here.host) return age > staleMs
  if (holder.boot !== undefined && here.boot !== undefined && holder.boot !== here.boot) return true
  if (!isAlive(holder.pid)) return true
  const start = holder.start === undefined ? undefined : startTimeOf(holder.pid)
  return start !== undefined && start !== holder.start
}

/**
 * Removes a lock judged stale, unless another process got there first: under the break lock, and only when
 * the lock file is still the one judged (same inode and text: a new lock may reuse the inode, not the text).
 */
function breakLock(path: string, seen: SeenLock, mine: string, io: LockFs): 'done' | 'busy' {
  const breaker = `${path}.break`
  const got = tryCreate(breaker, mine, io)
  if (got !== true) {
    // A break lock left by a process killed while breaking is removed (look again at once); one younger
    // than that belongs to a process breaking it now.
    return got === false && removeIfOlder(breaker, BREAK_STALE_MS) ? 'done' : 'busy'
  }
  try {
    const now = readLock(path)
    if (now !== 'gone' && now.stat.ino === seen.stat.ino && now.text === seen.text)
      rmSync(path, { force: true })
  } finally {
    rmSync(breaker, { force: true })
  }
  return 'done'
}

/** Removes the file if it is older than `ms`; whether it is gone now. */
function removeIfOlder(path: string, ms: number): boolean {
  try {
    if (Date.now() - statSync(path).mtimeMs <= ms) return false
    rmSync(path, { force: true })
  } catch {
    // gone already
  }
  return true
}

function tryCreate(path: string, text: string, io: LockFs): boolean | 'unwritable' {
  let fd: number
  try {
    fd = io.openSync(path, 'wx')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'unwritable'
    throw error
  }
  try {
    io.writeSync(fd, text)
  } catch (error) {
    // A full disk: no empty lock left behind for the next compile to wait on.
    closeSync(fd)
    rmSync(path, { force: true })
    throw error
  }
  closeSync(fd)
  return true
}

/** One line: `pid host boot start`, `-` for what is unknown; the pid first, as older finqa wrote it alone. */
export function formatHolder(holder: LockHolder): string {
  const field = (value: string | undefined) => (value === undefined ? '-' : encodeURIComponent(value))
  return [String(holder.pid), field(holder.host), field(holder.boot), field(holder.start)].join(' ')
}

/** The holder a lock file names; undefined when it names none (being written, or broken). */
export function parseHolder(text: string): LockHolder | undefined {
  const [pidText = '', ...rest] = text.trim().split(/\s+/)
  const pid = Number(pidText)
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
  const field = (value: string) => {
    if (value === '-') return undefined
    try {
      return decodeURIComponent(value)
    } catch {
      return value
    }
  }
  const [host, boot, start] = rest.map(field)
  return { pid, host, boot, start }
}

let machine: { readonly host: string; readonly boot: string | undefined } | undefined

/** This machine: its host name and, on Linux, the id of its current boot. */
function thisMachine(): { readonly host: string; readonly boot: string | undefined } {
  machine ??= { host: hostname(), boot: readProc('/proc/sys/kernel/random/boot_id')?.trim() }
  return machine
}

/** This process, as its lock names it. */
export function ownHolder(): LockHolder {
  const here = thisMachine()
  return { pid: process.pid, host: here.host, boot: here.boot, start: startTimeOf(process.pid) }
}

/** When a process started, in clock ticks since boot (field 22 of Linux's /proc/PID/stat); elsewhere undefined. */
export function startTimeOf(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`)
  if (stat === undefined) return undefined
  // Field 2, the command name in parentheses, may itself hold spaces and parentheses: count after the last.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return fields[19]
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

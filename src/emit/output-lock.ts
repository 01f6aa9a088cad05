import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/**
 * One finqa at a time per output folder. Two compiles into one folder (`--watch` and a compile by hand, two
 * terminals, parallel CI steps on one checkout) would otherwise mix their files, and each clears the other's
 * scratch folder as a killed run's. The lock is a file beside the output folder, `.<name>.finqa-lock`
 * (beside, as a new folder is staged there too), made exclusively and holding the process id; a lock whose
 * process is gone (a killed compile) is taken over. Where the folder beside cannot be written (an output
 * folder of one's own in a shared, read-only place), finqa goes on without a lock, as before it had one.
 */
export interface OutputLock {
  release(): void
}

/** Another finqa process holds the output folder, longer than the wait. */
export class OutputBusy extends Error {
  override name = 'OutputBusy'
  readonly lock: string
  readonly pid: number | undefined
  constructor(lock: string, pid: number | undefined) {
    super(`${lock} is held by ${pid === undefined ? 'another process' : `process ${pid}`}`)
    this.lock = lock
    this.pid = pid
  }
}

/** A lock file with no process id yet is being written; one older than this was left by a crash. */
const EMPTY_LOCK_STALE_MS = 5_000
const POLL_MS = 20

/** Takes the output folder for this process, waiting up to `waitMs` for another finqa to finish with it. */
export async function lockOutput(outDir: string, waitMs: number): Promise<OutputLock> {
  const parent = dirname(outDir)
  mkdirSync(parent, { recursive: true })
  const path = join(parent, `.${basename(outDir)}.finqa-lock`)
  const deadline = Date.now() + waitMs
  for (;;) {
    const created = tryCreate(path)
    if (created === 'unwritable') return { release: () => {} }
    if (created) return { release: () => rmSync(path, { force: true }) }
    const holder = holderOf(path)
    if (holder === 'gone' || holder === 'stale' || (typeof holder === 'number' && !isAlive(holder))) {
      // A killed compile's lock. (Two processes taking over one stale lock at the same moment could both
      // go on; a lock is left stale only by a kill, so that is rare, and each file is still replaced whole.)
      rmSync(path, { force: true })
      continue
    }
    if (Date.now() >= deadline) throw new OutputBusy(path, typeof holder === 'number' ? holder : undefined)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

function tryCreate(path: string): boolean | 'unwritable' {
  let fd: number
  try {
    fd = openSync(path, 'wx')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'unwritable'
    throw error
  }
  try {
    writeSync(fd, `${process.pid}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

/** The lock's process id; 'busy' while it is being written, 'stale' when it never was, 'gone' when removed. */
function holderOf(path: string): number | 'busy' | 'stale' | 'gone' {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10)
    if (Number.isInteger(pid) && pid > 0) return pid
    return Date.now() - statSync(path).mtimeMs > EMPTY_LOCK_STALE_MS ? 'stale' : 'busy'
  } catch {
    return 'gone'
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

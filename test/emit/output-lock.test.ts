import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import {
  formatHolder,
  type LockHolder,
  lockOutput,
  OutputBusy,
  ownHolder,
  parseHolder,
  startTimeOf,
} from '../../src/emit/output-lock.js'
import { tempDir } from '../helpers/cli.js'
import { REPO } from '../helpers/compile-repo.js'

const busyOrNot = (p: Promise<{ release(): void }>) =>
  p.then(
    (lock) => {
      lock.release()
      return 'taken' as const
    },
    (error: unknown) => error,
  )

/** Writes a lock naming `holder`, last touched `ageMs` ago. */
function writeLock(path: string, holder: LockHolder, ageMs = 0): void {
  writeFileSync(path, `${formatHolder(holder)}\n`)
  const at = new Date(Date.now() - ageMs)
  utimesSync(path, at, at)
}

/** A live process that is not this one, stopped when the test finishes. */
function liveProcess(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' })
  onTestFinished(() => {
    child.kill()
  })
  return child.pid as number
}

describe('the output folder lock', () => {
  it('is held by one process at a time: another waits, then fails naming the holder', async () => {
    const out = join(tempDir('finqa-lock-'), 'out')
    const lock = await lockOutput(out, { waitMs: 0 })
    const path = join(out, '..', '.out.finqa-lock')
    expect(existsSync(path)).toBe(true)
    expect(parseHolder(readFileSync(path, 'utf8'))).toEqual(ownHolder())
    const busy = await lockOutput(out, { waitMs: 60 }).catch((error: unknown) => error)
    expect(busy).toBeInstanceOf(OutputBusy)
    expect((busy as OutputBusy).holder?.pid).toBe(process.pid)
    expect((busy as OutputBusy).message).toMatch(new RegExp(`held by process ${process.pid}$`))
    lock.release()
    expect(existsSync(path)).toBe(false)
    ;(await lockOutput(out, { waitMs: 0 })).release()
  })

  it('names its holder in one line whose first word is the process id, as earlier builds wrote it alone', () => {
    const holder = { pid: 42, host: 'login 2', boot: 'b-1', start: '7100' }
    const line = formatHolder(holder)
    expect(line).toBe('42 login%202 b-1 7100')
    expect(Number.parseInt(line, 10)).toBe(42)
    expect(parseHolder(`${line}\n`)).toEqual(holder)
    expect(parseHolder('42\n')).toEqual({ pid: 42 })
    expect(parseHolder('42 - - -\n')).toEqual({ pid: 42 })
    expect(parseHolder('')).toBeUndefined()
    expect(parseHolder('x 1 2 3')).toBeUndefined()
    if (existsSync('/proc/self/stat')) {
      expect(ownHolder().boot).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim())
      expect(ownHolder().start).toMatch(/^\d+$/)
    }
  })

  it("takes over a killed compile's lock: its process is gone, or it never wrote one", async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    const gone = spawnSync('true').pid as number // exited: no such process now
    writeFileSync(path, `${gone}\n`) // as earlier builds wrote it
    ;(await lockOutput(join(dir, 'out'), { waitMs: 0 })).release()
    writeLock(path, { ...ownHolder(), pid: gone, start: '1' })
    ;(await lockOutput(join(dir, 'out'), { waitMs: 0 })).release()
    writeFileSync(path, '') // created, never written: being written now, or left by a crash long ago
    expect(await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 60 }))).toBeInstanceOf(OutputBusy)
    utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000))
    expect(await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 0 }))).toBe('taken')
  })

  it.runIf(existsSync('/proc/self/stat'))(
    'takes over a lock whose process id now belongs to another process (ids are reused)',
    async () => {
      const dir = tempDir('finqa-lock-')
      const path = join(dir, '.out.finqa-lock')
      const pid = liveProcess()
      const start = startTimeOf(pid) as string
      expect(start).toMatch(/^\d+$/)
      // The live process is the holder: busy.
      writeLock(path, { ...ownHolder(), pid, start })
      expect(await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 60 }))).toBeInstanceOf(OutputBusy)
      // The lock's holder started at another time: that process is gone, its id taken by this one.
      writeLock(path, { ...ownHolder(), pid, start: String(Number(start) - 1) })
      expect(await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 0 }))).toBe('taken')
    },
  )

  it.runIf(existsSync('/proc/sys/kernel/random/boot_id'))(
    'takes over a lock of this host taken before it rebooted, whatever runs under that id now',
    async () => {
      const dir = tempDir('finqa-lock-')
      const path = join(dir, '.out.finqa-lock')
      writeLock(path, { ...ownHolder(), boot: 'an-earlier-boot' })
      expect(await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 0 }))).toBe('taken')
    },
  )

  it("judges another machine's lock by how recently its holder touched it, not by a process id", async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    const out = join(dir, 'out')
    // Its process id means nothing here, whether or not a process here has it.
    const remote = { pid: spawnSync('true').pid as number, host: 'login2', boot: 'b', start: '1' }
    writeLock(path, remote, 1_000)
    const busy = await busyOrNot(lockOutput(out, { waitMs: 60, staleMs: 30_000 }))
    expect(busy).toBeInstanceOf(OutputBusy)
    expect((busy as OutputBusy).message).toMatch(/held by process \d+ on login2$/)
    // Untouched for longer than the stale time: its holder is gone.
    writeLock(path, remote, 31_000)
    expect(await busyOrNot(lockOutput(out, { waitMs: 0, staleMs: 30_000 }))).toBe('taken')
  })

  it('is kept fresh by its holder, at most every sixth of the stale time', async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    const lock = await lockOutput(join(dir, 'out'), { waitMs: 0, staleMs: 600 })
    const old = new Date(Date.now() - 10_000)
    utimesSync(path, old, old)
    lock.refresh() // too soon after taking it: no write
    expect(Math.round(statSync(path).mtimeMs)).toBe(old.getTime())
    await new Promise((r) => setTimeout(r, 120))
    lock.refresh()
    expect(Date.now() - statSync(path).mtimeMs).toBeLessThan(1_000)
    lock.release()
  })

  it('lets only one of several processes that found the same lock stale take it over', async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    const log = join(dir, 'log')
    writeFileSync(log, '')
    writeLock(path, { ...ownHolder(), pid: spawnSync('true').pid as number })
    // Each process takes the lock, holds it 300 ms and logs when. The test hook makes each wait 300 ms between
    // finding the lock stale and taking it over, so that all of them find the killed compile's lock first.
    const script = `
      const { appendFileSync } = require('node:fs')
      import(${JSON.stringify(join(REPO, 'dist', 'emit', 'output-lock.js'))}).then(async ({ lockOutput }) => {
        const lock = await lockOutput(${JSON.stringify(join(dir, 'out'))}, { waitMs: 20000, breakDelayMs: 300 })
        const from = Date.now()
        await new Promise((r) => setTimeout(r, 300))
        appendFileSync(${JSON.stringify(log)}, from + ' ' + Date.now() + '\\n')
        lock.release()
      })`
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'inherit'] }),
    )
    const codes = await Promise.all(
      children.map((c) => new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)))),
    )
    expect(codes).toEqual([0, 0, 0, 0])
    const held = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number) as [number, number])
      .sort((a, b) => a[0] - b[0])
    expect(held).toHaveLength(4)
    for (let i = 1; i < held.length; i++) {
      const [from] = held[i] as [number, number]
      const [, to] = held[i - 1] as [number, number]
      expect(from, `holders ${i} and ${i + 1} held the lock at once`).toBeGreaterThanOrEqual(to)
    }
    expect(existsSync(path)).toBe(false)
    expect(existsSync(`${path}.break`)).toBe(false)
  }, 30_000)
})

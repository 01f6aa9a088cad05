import { spawn, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import {
  describeHolder,
  formatHolder,
  type LockHolder,
  lockOutput,
  OutputBusy,
  ownHolder,
  parseHolder,
  remoteHost,
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
    // This machine is looked up once per process, first here: its host name and boot id, as the system says.
    expect(ownHolder().host).toBe(hostname())
    if (existsSync('/proc/sys/kernel/random/boot_id'))
      expect(ownHolder().boot).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim())
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
    expect(Math.abs(Date.now() - statSync(path).mtimeMs)).toBeLessThan(1_000)
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

/** Sets a file's times to `ageMs` ago. */
function age(path: string, ageMs: number): void {
  const at = new Date(Date.now() - ageMs)
  utimesSync(path, at, at)
}

/** A process id that no process has now. */
const deadPid = () => spawnSync('true').pid as number

describe('the output folder lock, its rules one by one', () => {
  it('names a holder on this machine by its process id alone, one elsewhere with its host', () => {
    expect(ownHolder().host).toBe(hostname())
    expect(describeHolder(undefined)).toBe('another process')
    expect(describeHolder({ pid: 7 })).toBe('process 7')
    expect(describeHolder({ pid: 7, host: hostname() })).toBe('process 7')
    expect(describeHolder({ pid: 7, host: 'login2' })).toBe('process 7 on login2')
    expect(remoteHost(undefined)).toBe('')
    expect(remoteHost({ pid: 7, host: 'login 2' })).toBe(' on login 2')
    expect(new OutputBusy('/x/.out.finqa-lock', undefined)).toMatchObject({
      name: 'OutputBusy',
      lock: '/x/.out.finqa-lock',
      message: '/x/.out.finqa-lock is held by another process',
    })
  })

  it('writes `-` for what it does not know of the holder, and reads fields apart by any run of blanks', () => {
    expect(formatHolder({ pid: 42 })).toBe('42 - - -')
    expect(formatHolder({ pid: 42, start: '9' })).toBe('42 - - 9')
    expect(parseHolder('42  login2 \t b-1   7100\n')).toEqual({
      pid: 42,
      host: 'login2',
      boot: 'b-1',
      start: '7100',
    })
    // A field that is not valid percent-encoding is kept as written.
    expect(parseHolder('42 50%')).toEqual({ pid: 42, host: '50%' })
    expect(parseHolder('0 h')).toBeUndefined()
    expect(parseHolder('-3 h')).toBeUndefined()
    expect(parseHolder('4.5 h')).toBeUndefined()
  })

  it.runIf(existsSync('/proc/self/stat'))(
    "reads a process's start time after its name, whatever blanks and parentheses the name holds",
    async () => {
      const dir = tempDir('finqa-lock-')
      const program = join(dir, 'a) b (c')
      copyFileSync('/bin/sleep', program)
      const child = spawn(program, ['30'], { stdio: 'ignore' })
      onTestFinished(() => {
        child.kill()
      })
      const pid = child.pid as number
      while (readFileSync(`/proc/${pid}/comm`, 'utf8') !== 'a) b (c\n')
        await new Promise((r) => setTimeout(r, 10))
      // Field 22 of /proc/PID/stat, which splitting at blanks makes field 24 for this name.
      const awk = spawnSync('awk', ['{ print $24 }', `/proc/${pid}/stat`], { encoding: 'utf8' })
      expect(startTimeOf(pid)).toBe(awk.stdout.trim())
      expect(startTimeOf(pid)).toMatch(/^\d+$/)
      expect(startTimeOf(2 ** 30)).toBeUndefined()
    },
  )

  it('waits for the holder to let go, and takes the folder then', async () => {
    const out = join(tempDir('finqa-lock-'), 'out')
    const first = await lockOutput(out, { waitMs: 0 })
    setTimeout(() => first.release(), 100)
    expect(await busyOrNot(lockOutput(out, { waitMs: 20_000 }))).toBe('taken')
  })

  it('leaves a lock of a live process alone when the lock names no boot, no start time, or only the process', async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    const out = join(dir, 'out')
    for (const text of [
      `${process.pid} ${encodeURIComponent(hostname())} - -`,
      `${process.pid} ${encodeURIComponent(hostname())} ${ownHolder().boot ?? '-'} -`,
      `${process.pid}`,
    ]) {
      writeFileSync(path, `${text}\n`)
      const busy = await busyOrNot(lockOutput(out, { waitMs: 0 }))
      expect(busy, text).toBeInstanceOf(OutputBusy)
      expect((busy as OutputBusy).holder?.pid).toBe(process.pid)
    }
  })

  it("takes over another machine's lock after 30 s untouched when no stale time is given", async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    const out = join(dir, 'out')
    writeLock(path, { pid: 1, host: 'login2' }, 25_000)
    expect(await busyOrNot(lockOutput(out, { waitMs: 0 }))).toBeInstanceOf(OutputBusy)
    writeLock(path, { pid: 1, host: 'login2' }, 35_000)
    expect(await busyOrNot(lockOutput(out, { waitMs: 0 }))).toBe('taken')
  })

  it('leaves an empty lock younger than 5 s to the process writing it', async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    writeFileSync(path, '')
    age(path, 4_000)
    const busy = await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 0 }))
    expect(busy).toBeInstanceOf(OutputBusy)
    expect((busy as OutputBusy).message).toBe(`${path} is held by another process`)
    age(path, 6_000)
    expect(await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 0 }))).toBe('taken')
  })

  it('waits on a lock it cannot read (a folder in its place), naming no holder', async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    mkdirSync(path)
    const busy = await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 60 }))
    expect(busy).toBeInstanceOf(OutputBusy)
    expect((busy as OutputBusy).holder).toBeUndefined()
  })

  it('removes a break lock left by a process killed while breaking (older than 10 s), then takes the lock', async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    writeLock(path, { ...ownHolder(), pid: deadPid() })
    writeFileSync(`${path}.break`, '')
    age(`${path}.break`, 11_000)
    expect(await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 0 }))).toBe('taken')
    expect(existsSync(`${path}.break`)).toBe(false)
    expect(existsSync(path)).toBe(false)
  })

  it('waits, and gives up at its deadline, while another process holds the break lock of a stale lock', async () => {
    // Before, it tried again at once, without a pause or a look at its deadline, until the break lock was
    // 10 s old: a busy loop that then took the lock whatever the wait it was given.
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    writeLock(path, { ...ownHolder(), pid: deadPid() })
    writeFileSync(`${path}.break`, '')
    const busy = await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 100 }))
    expect(busy).toBeInstanceOf(OutputBusy)
    expect(existsSync(`${path}.break`)).toBe(true)
    expect(existsSync(path)).toBe(true)
  })

  it('does not remove a lock rewritten in place between finding it stale and breaking it', async () => {
    const dir = tempDir('finqa-lock-')
    const path = join(dir, '.out.finqa-lock')
    writeLock(path, { ...ownHolder(), pid: deadPid() })
    const inode = statSync(path).ino
    // A new holder writes its lock into the same file (same inode, new text) while this one waits.
    const child = spawn('sh', ['-c', 'sleep 0.3; printf "%s\\n" $$ > "$1"; exec sleep 30', 'sh', path], {
      stdio: 'ignore',
    })
    onTestFinished(() => {
      child.kill()
    })
    const busy = await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 0, breakDelayMs: 2_000 }))
    expect(busy).toBeInstanceOf(OutputBusy)
    expect((busy as OutputBusy).holder).toEqual({ pid: child.pid })
    expect(statSync(path).ino).toBe(inode)
    expect(existsSync(`${path}.break`)).toBe(false)
  })

  it('passes on an error other than "exists" when making the lock (a name too long)', async () => {
    const out = join(tempDir('finqa-lock-'), 'o'.repeat(250))
    await expect(lockOutput(out, { waitMs: 0 })).rejects.toMatchObject({ code: 'ENAMETOOLONG' })
  })

  it('is released and refreshed without error after the lock file was removed by hand', async () => {
    const dir = tempDir('finqa-lock-')
    const lock = await lockOutput(join(dir, 'out'), { waitMs: 0, staleMs: 6 })
    rmSync(join(dir, '.out.finqa-lock'))
    await new Promise((r) => setTimeout(r, 20))
    expect(() => lock.refresh()).not.toThrow()
    expect(() => lock.release()).not.toThrow()
  })
})

describe('the output folder lock where it cannot be written (LockOptions.fs)', () => {
  /** An error as node:fs throws it. */
  const fsError = (code: string) => Object.assign(new Error(`${code}: injected`), { code, syscall: 'open' })

  it('goes on without a lock where the folder beside is read-only or not its own (EACCES, EPERM, EROFS)', async () => {
    const dir = tempDir('finqa-lock-')
    for (const code of ['EACCES', 'EPERM', 'EROFS']) {
      const lock = await lockOutput(join(dir, 'out'), {
        waitMs: 0,
        fs: {
          openSync: () => {
            throw fsError(code)
          },
        },
      })
      expect(existsSync(join(dir, '.out.finqa-lock')), code).toBe(false)
      expect(() => lock.refresh()).not.toThrow()
      expect(() => lock.release()).not.toThrow()
    }
  })

  it('leaves no empty lock behind when its holder cannot be written (a full disk), and says why', async () => {
    const dir = tempDir('finqa-lock-')
    const full = lockOutput(join(dir, 'out'), {
      waitMs: 0,
      fs: {
        writeSync: () => {
          throw Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC', syscall: 'write' })
        },
      },
    })
    await expect(full).rejects.toMatchObject({ code: 'ENOSPC' })
    expect(existsSync(join(dir, '.out.finqa-lock'))).toBe(false)
    expect(await busyOrNot(lockOutput(join(dir, 'out'), { waitMs: 0 }))).toBe('taken')
  })
})

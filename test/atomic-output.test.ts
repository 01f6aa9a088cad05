import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeSyntheticTree } from '../scripts/synthetic-tree.mjs'
import { BIN, filesBelow, finqa, tempDir } from './helpers/cli.js'

function files(dir: string): Map<string, string> {
  return new Map(filesBelow(dir).map((path) => [path, readFileSync(join(dir, path), 'utf8')]))
}

/** finqa's scratch files and folders (`*.finqa-tmp`), or a file inside one. */
const isScratch = (path: string): boolean => path.split('/').some((s) => s.endsWith('.finqa-tmp'))

/** Kills `finqa compile` with SIGKILL `extraMs` after it starts replacing files. */
async function compileAndKill(cwd: string, out: string, extraMs: number): Promise<void> {
  // The test hook slows each rename by 1 ms, so that the kill lands while files are being replaced.
  const child = spawn(process.execPath, [BIN, 'compile', 'experiments', '--out', 'out'], {
    cwd,
    stdio: 'ignore',
    env: { ...process.env, FINQA_TEST_RENAME_DELAY_MS: '1' },
  })
  // Changed files are staged while the compile runs and renamed into place at the end: the first rename
  // replaces this file (a new inode).
  const probe = join(out, 'run_synthetic_0.sh')
  const before = statSync(probe).ino
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  for (;;) {
    if (child.exitCode !== null) break
    if (statSync(probe).ino !== before) {
      await new Promise((r) => setTimeout(r, extraMs))
      child.kill('SIGKILL')
      break
    }
    await new Promise((r) => setTimeout(r, 2))
  }
  await exited
}

/** A compile of version B of a 100-experiment tree over version A, started and held in its renames. */
async function firstCompileInItsRenames(
  dir: string,
  env: Record<string, string> = {},
): Promise<{ exit: Promise<number | null>; stderr: () => string }> {
  writeSyntheticTree(join(dir, 'experiments'), 100, { lr: '1.0e-6' })
  expect(finqa(['compile', 'experiments', '--out', 'out'], dir).code).toBe(0)
  rmSync(join(dir, 'experiments'), { recursive: true })
  writeSyntheticTree(join(dir, 'experiments'), 100, { lr: '2.0e-6' })
  // Held in its renames (3 ms each unless `env` says otherwise) when this returns.
  const first = spawn(process.execPath, [BIN, 'compile', 'experiments', '--out', 'out'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FINQA_NO_CACHE: '1', FINQA_TEST_RENAME_DELAY_MS: '3', ...env },
  })
  let stderr = ''
  first.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exit = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)))
  const probe = join(dir, 'out', 'run_synthetic_0.sh')
  const before = statSync(probe).ino
  while (first.exitCode === null && statSync(probe).ino === before) await new Promise((r) => setTimeout(r, 2))
  expect(first.exitCode, 'the first compile ended before its renames').toBeNull()
  return { exit, stderr: () => stderr }
}

/** The second compile waited for the first: both succeeded, and it found every file already replaced. */
async function expectOneAfterTheOther(
  dir: string,
  first: { exit: Promise<number | null>; stderr: () => string },
  second: { code: number | null; stdout: string; stderr: string },
): Promise<void> {
  expect(second.stderr).toBe('')
  expect(second.code).toBe(0)
  expect(second.stdout).toContain(' 0 written, ')
  expect(await first.exit, first.stderr()).toBe(0)
  expect(finqa(['compile', 'experiments', '--out', 'out', '--check'], dir).code).toBe(0)
  expect(readdirSync(dir).filter((n) => n.includes('.finqa-lock'))).toEqual([])
}

/** unshare's options for a process as on another machine: its own host name, process ids and /proc. */
const ANOTHER_MACHINE = ['--uts', '--pid', '--fork', '--mount', '--mount-proc']

/**
 * Whether this machine can start a process as on another machine: its own host name, process ids and /proc
 * (util-linux's unshare, as root). Under CI=true it must.
 */
function canUnshare(): boolean {
  const ok = spawnSync('unshare', [...ANOTHER_MACHINE, 'hostname', 'probe']).status === 0
  if (!ok && process.env.CI === 'true') throw new Error('unshare (as root) is required under CI=true')
  return ok
}

/** Runs `command` as on another machine sharing this one's files: host name other-host, its own process ids. */
function onAnotherMachine(command: string[], cwd: string, env: Record<string, string>) {
  const r = spawnSync(
    'unshare',
    [...ANOTHER_MACHINE, 'sh', '-c', 'hostname other-host && exec "$@"', 'sh', ...command],
    { cwd, encoding: 'utf8', env: { ...process.env, ...env } },
  )
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('interrupted compiles', () => {
  it('never leave a truncated or half-written file; --check reports the mix; the next compile repairs it', async () => {
    const dir = tempDir('finqa-atomic-')
    const count = 300
    // Version A of every output, then version B (a changed base lr changes every script).
    writeSyntheticTree(join(dir, 'experiments'), count, { lr: '1.0e-6' })
    expect(finqa(['compile', 'experiments', '--out', 'out'], dir).code).toBe(0)
    const versionA = files(join(dir, 'out'))
    rmSync(join(dir, 'experiments'), { recursive: true })
    writeSyntheticTree(join(dir, 'experiments'), count, { lr: '2.0e-6' })
    expect(finqa(['compile', 'experiments', '--out', 'out-b'], dir).code).toBe(0)
    const versionB = files(join(dir, 'out-b'))
    rmSync(join(dir, 'out-b'), { recursive: true })

    let sawMix = false
    for (const extraMs of [0, 5, 20, 50, 200]) {
      // Back to version A everywhere, then interrupt the compile to version B.
      rmSync(join(dir, 'out'), { recursive: true })
      for (const [path, content] of versionA) {
        mkdirSync(dirname(join(dir, 'out', path)), { recursive: true })
        writeFileSync(join(dir, 'out', path), content, { mode: path.endsWith('.json') ? 0o644 : 0o755 })
      }
      await compileAndKill(dir, join(dir, 'out'), extraMs)

      const now = files(join(dir, 'out'))
      let fromA = 0
      let fromB = 0
      for (const [path, content] of now) {
        if (isScratch(path)) continue // staged, never renamed into place; the next compile removes it
        const isA = versionA.get(path) === content
        const isB = versionB.get(path) === content
        expect(isA || isB, `${path} is neither the old nor the new version`).toBe(true)
        if (isB && !isA) fromB++
        else fromA++
      }
      if (fromA > 0 && fromB > 0) {
        sawMix = true
        const check = finqa(['compile', 'experiments', '--out', 'out', '--check'], dir)
        expect(check.code).toBe(1)
        expect(check.stderr).toContain('stale: out/')
      }
      const repair = finqa(['compile', 'experiments', '--out', 'out'], dir)
      expect(repair.code).toBe(0)
      const repaired = files(join(dir, 'out'))
      expect([...repaired.keys()].filter(isScratch)).toEqual([])
      expect(repaired).toEqual(versionB)
      expect(finqa(['compile', 'experiments', '--out', 'out', '--check'], dir).code).toBe(0)
    }
    expect(sawMix, 'no kill landed while files were being replaced').toBe(true)
  }, 300_000)

  it('two compiles into one folder at once: the second waits for the first, both succeed, nothing mixed', async () => {
    const dir = tempDir('finqa-atomic-two-')
    const first = await firstCompileInItsRenames(dir)
    const second = finqa(['compile', 'experiments', '--out', 'out'], dir, { FINQA_NO_CACHE: '1' })
    await expectOneAfterTheOther(dir, first, second)
  }, 60_000)

  it('two compiles through two spellings of one folder (a link to it) take turns: the lock is on its real path', async () => {
    const dir = tempDir('finqa-atomic-alias-')
    const first = await firstCompileInItsRenames(dir)
    symlinkSync('out', join(dir, 'alias'))
    const second = finqa(['compile', 'experiments', '--out', 'alias'], dir, { FINQA_NO_CACHE: '1' })
    await expectOneAfterTheOther(dir, first, second)
  }, 60_000)

  // Two login nodes of a cluster sharing the project folder over NFS: neither sees the other's processes.
  it.runIf(canUnshare())(
    'two compiles on two machines sharing the folder: the second waits while the first keeps its lock fresh',
    async () => {
      const dir = tempDir('finqa-atomic-hosts-')
      // Locks of another machine go stale after 400 ms untouched here; the first compile renames for longer
      // (10 ms for each of the 100 changed launch scripts).
      const stale = { FINQA_TEST_LOCK_STALE_MS: '400' }
      const first = await firstCompileInItsRenames(dir, { ...stale, FINQA_TEST_RENAME_DELAY_MS: '10' })
      // The second runs on "another machine": its own host name and process ids (it cannot see the first).
      const second = onAnotherMachine(
        [process.execPath, BIN, 'compile', 'experiments', '--out', 'out'],
        dir,
        {
          FINQA_NO_CACHE: '1',
          ...stale,
        },
      )
      await expectOneAfterTheOther(dir, first, second)
    },
    60_000,
  )

  it('into a new output folder: it appears whole or not at all, and the next compile clears the scratch', async () => {
    const dir = tempDir('finqa-atomic-fresh-')
    writeSyntheticTree(join(dir, 'experiments'), 300)
    expect(finqa(['compile', 'experiments', '--out', 'want'], dir).code).toBe(0)
    const want = files(join(dir, 'want'))
    // Killed at some point after the scratch folder appears (the test hook holds the one rename back 1 s, so
    // every kill lands before it), and once left to finish.
    for (const afterScratchMs of [0, 10, 50, 200, 600, -1]) {
      rmSync(join(dir, 'out'), { recursive: true, force: true })
      const child = spawn(process.execPath, [BIN, 'compile', 'experiments', '--out', 'out'], {
        cwd: dir,
        stdio: 'ignore',
        env: { ...process.env, FINQA_TEST_RENAME_DELAY_MS: afterScratchMs < 0 ? '0' : '1000' },
      })
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
      let sawScratch = false
      while (child.exitCode === null && afterScratchMs >= 0) {
        if (readdirSync(dir).some(isScratch)) {
          sawScratch = true
          await new Promise((r) => setTimeout(r, afterScratchMs))
          break
        }
        await new Promise((r) => setTimeout(r, 2))
      }
      if (afterScratchMs >= 0) {
        expect(sawScratch, 'the compile made no scratch folder').toBe(true)
        child.kill('SIGKILL')
      }
      await exited
      let exists = true
      try {
        statSync(join(dir, 'out'))
      } catch {
        exists = false
      }
      if (afterScratchMs >= 0) expect(exists, 'a killed compile left an output folder').toBe(false)
      else expect(files(join(dir, 'out'))).toEqual(want)
      expect(finqa(['compile', 'experiments', '--out', 'out'], dir).code).toBe(0)
      expect(files(join(dir, 'out'))).toEqual(want)
      expect(readdirSync(dir).filter(isScratch)).toEqual([])
    }
  }, 300_000)
})

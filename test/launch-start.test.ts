import { spawnSync } from 'node:child_process'
import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { settingsOrderOf } from '../src/render/render-experiment.js'
import { tempDir } from './helpers/cli.js'
import { REPO } from './helpers/compile-repo.js'
import { runScript } from './helpers/run-script.js'

// Issue 18, point 3: a launch script's start costs little bash (bench/run.mjs times it). What the cheaper
// start does differently must not show: the lib found without readlink, git asked in the background, the
// user name without `id`, the settings sorted in bash.

const SCRIPTS = join(REPO, 'dist-scripts')

function recordOf(root: string): Record<string, unknown> {
  const text = readFileSync(join(root, 'qwen3_4b_default', 'finqa-runs.jsonl'), 'utf8')
  return JSON.parse(text.trim()) as Record<string, unknown>
}

describe('launch script start', () => {
  it('finds its lib/ when run by its bare name from its folder and through a link elsewhere', () => {
    const root = tempDir('finqa-ckpt-')
    const env = { CHECKPOINT_ROOT: root, FINQA_SKIP_PREFLIGHT: '1', USER: 'alice' }
    const bare = runScript('run_4b.sh', { cwd: SCRIPTS, env })
    expect(bare.status, bare.stderr).toBe(0)
    expect(bare.calls).toHaveLength(1)
    const links = tempDir('finqa-links-')
    symlinkSync(join(SCRIPTS, 'run_4b.sh'), join(links, 'run_4b.sh'))
    const linked = runScript(join(links, 'run_4b.sh'), { env: { ...env, EXP_NAME: 'linked' } })
    expect(linked.status, linked.stderr).toBe(0)
    expect(linked.calls).toHaveLength(1)
  })

  it('VERL inherits no descriptor a bare bash would not pass it (the background git call is closed)', () => {
    const root = tempDir('finqa-ckpt-')
    const bin = tempDir('finqa-fds-')
    // The stub lists the descriptors it inherited (and the one ls reads the list with).
    writeFileSync(join(bin, 'python3'), '#!/bin/sh\nexec ls /proc/self/fd >"$FDS"\n')
    chmodSync(join(bin, 'python3'), 0o755)
    const env = { PATH: `${bin}:${process.env.PATH}`, CHECKPOINT_ROOT: root, FINQA_SKIP_PREFLIGHT: '1' }
    const fds = (name: string, argv: string[]): string => {
      const file = join(bin, name)
      const r = spawnSync('bash', argv, { encoding: 'utf8', env: { ...env, FDS: file } })
      expect(r.status, r.stderr).toBe(0)
      return readFileSync(file, 'utf8')
    }
    const bare = fds('bare', ['-c', 'exec python3'])
    expect(bare.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(4)
    expect(fds('script', [join(SCRIPTS, 'run_4b.sh'), 'trainer.val_before_train=False'])).toBe(bare)
    expect(recordOf(root).git).toEqual({
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      dirty: expect.any(Boolean),
    })
  })

  it('records the name of the user as `id -un` says when USER is unset', () => {
    const root = tempDir('finqa-ckpt-')
    const r = runScript(join(SCRIPTS, 'run_4b.sh'), {
      env: { CHECKPOINT_ROOT: root, FINQA_SKIP_PREFLIGHT: '1' },
    })
    expect(r.status, r.stderr).toBe(0)
    const id = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim()
    expect(id).not.toBe('')
    expect(recordOf(root).user).toBe(id)
  })

  it('keeps the settings in byte order, extra arguments and masked credentials among them', () => {
    const root = tempDir('finqa-ckpt-')
    const extra = [
      '+data.x_y=3',
      '+data.x.y=2',
      '+data.X=5',
      '+data.x0=4',
      '+data.x=1',
      '+trainer.hub_token=abc',
      'trainer.val_before_train=False',
    ]
    const r = runScript(join(SCRIPTS, 'run_4b.sh'), {
      args: extra,
      env: { CHECKPOINT_ROOT: root, FINQA_SKIP_PREFLIGHT: '1', USER: 'alice' },
    })
    expect(r.status, r.stderr).toBe(0)
    const settings = recordOf(root).settings as string[]
    // `+` sorts before letters; `.` before digits before `=` before `_`; capitals before small letters.
    expect(settings.slice(0, 6)).toEqual([
      '+data.X=5',
      '+data.x.y=2',
      '+data.x0=4',
      '+data.x=1',
      '+data.x_y=3',
      '+trainer.hub_token=***',
    ])
    expect(settings.at(-1)).toBe('trainer.total_epochs=10')
    expect(settings).not.toContain('trainer.val_before_train=False')
    const file = readFileSync(join(root, 'qwen3_4b_default', 'finqa-settings'), 'utf8').split('\0')
    expect(file.slice(0, -1)).toEqual(settings)
    expect(file.at(-1)).toBe('')
  })
})

describe('settingsOrderOf: the order of the run record settings of a script, known at compile time', () => {
  const word = (key: string, wordKey?: string) => ({
    key,
    word: `${wordKey ?? key}=1`,
    checkLine: `C['${key}']=1`,
    wordKey,
  })
  it('orders by KEY= in bytes: `.` and digits before `=`, capitals before small letters, `+` first', () => {
    const order = settingsOrderOf([
      word('data.x_y'),
      word('data.x.y'),
      word('data.X'),
      word('data.x0'),
      word('data.x'),
      word('data.z', '+data.z'),
    ])
    expect(order).toEqual([6, 3, 2, 4, 5, 1])
  })
  it('leaves the order to the script when two words share a key or a key is not ASCII', () => {
    expect(settingsOrderOf([word('a.b'), word('a.c'), word('a.b')])).toEqual([])
    expect(settingsOrderOf([word('a.b'), word('a.é')])).toEqual([])
    expect(settingsOrderOf([])).toEqual([])
  })
})

import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeSyntheticTree } from '../scripts/synthetic-tree.mjs'
import { BIN, filesBelow, finqa, project, tempDir } from './helpers/cli.js'
import { REPO } from './helpers/compile-repo.js'

/** How many files the shipped experiments produce (the committed dist-scripts/, less the manifest). */
const OUTPUTS = filesBelow(join(REPO, 'dist-scripts')).filter((f) => f !== '.finqa-manifest.json').length

describe('finqa compile (the built CLI, in a temp project)', () => {
  it('writes the eight scripts executable, then nothing when nothing changed', () => {
    const dir = project()
    const first = finqa(['compile', 'experiments/'], dir)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(`${OUTPUTS} written`)
    for (const name of ['run_4b.sh', 'run_8b_rollout12.sh']) {
      expect(statSync(join(dir, 'dist-scripts', name)).mode & 0o777).toBe(0o755)
      expect(readFileSync(join(dir, 'dist-scripts', name), 'utf8')).toBe(
        readFileSync(join(REPO, 'dist-scripts', name), 'utf8'),
      )
    }
    const mtime = statSync(join(dir, 'dist-scripts', 'run_4b.sh')).mtimeMs
    const second = finqa(['compile', 'experiments'], dir)
    expect(second.code).toBe(0)
    expect(second.stdout).toContain(`0 written, ${OUTPUTS} unchanged, 0 removed`)
    expect(statSync(join(dir, 'dist-scripts', 'run_4b.sh')).mtimeMs).toBe(mtime)
  })

  it('rewrites only the file whose spec changed, and restores a lost executable bit', () => {
    const dir = project()
    finqa(['compile'], dir)
    const spec = join(dir, 'experiments', '4b', 'rollout4.yaml')
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('  n: 4', '  n: 16'))
    spawnSync('chmod', ['644', join(dir, 'dist-scripts', 'run_8b.sh')])
    const r = finqa(['compile'], dir)
    expect(r.code).toBe(0)
    expect(
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('wrote'))
        .sort(),
    ).toEqual([
      'wrote dist-scripts/README.md',
      'wrote dist-scripts/run_4b_rollout4.sh',
      'wrote dist-scripts/run_8b.sh',
    ])
    expect(statSync(join(dir, 'dist-scripts', 'run_8b.sh')).mode & 0o777).toBe(0o755)
  })

  it('removes the outputs of a deleted spec, but never a file it did not write', () => {
    const dir = project()
    finqa(['compile'], dir)
    writeFileSync(join(dir, 'dist-scripts', 'notes.txt'), 'mine\n')
    unlinkSync(join(dir, 'experiments', '8b', 'rollout12.yaml'))
    const r = finqa(['compile'], dir)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('removed dist-scripts/run_8b_rollout12.sh')
    expect(existsSync(join(dir, 'dist-scripts', 'run_8b_rollout12.sh'))).toBe(false)
    expect(readFileSync(join(dir, 'dist-scripts', 'notes.txt'), 'utf8')).toBe('mine\n')
    expect(r.stderr).toContain('dist-scripts/notes.txt is not produced by any spec')
  })

  it('--check writes nothing and lists stale, missing and extra files with exit 1', () => {
    const dir = project()
    finqa(['compile', '--out', 'out'], dir)
    expect(finqa(['compile', '--out', 'out', '--check'], dir).code).toBe(0)
    writeFileSync(join(dir, 'out', 'run_4b.sh'), 'edited by hand\n')
    unlinkSync(join(dir, 'out', 'run_8b.sh'))
    writeFileSync(join(dir, 'out', 'stray.sh'), '')
    const r = finqa(['compile', '--out', 'out', '--check'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('stale: out/run_4b.sh')
    expect(r.stderr).toContain('missing: out/run_8b.sh')
    expect(r.stderr).toContain(
      'warning: out/stray.sh is not produced by any spec; finqa leaves it; remove it if unwanted',
    )
    expect(readFileSync(join(dir, 'out', 'run_4b.sh'), 'utf8')).toBe('edited by hand\n')
    expect(existsSync(join(dir, 'out', 'run_8b.sh'))).toBe(false)
  })

  it('--check fails only for what compile would change: a file finqa never wrote is a warning', () => {
    const dir = project()
    finqa(['compile', 'experiments'], dir)
    writeFileSync(join(dir, 'dist-scripts', 'NOTES.md'), 'x\n')
    expect(finqa(['compile', 'experiments'], dir).code).toBe(0)
    const check = finqa(['compile', 'experiments', '--check'], dir)
    expect(check.code).toBe(0)
    expect(check.stderr).toBe(
      'warning: dist-scripts/NOTES.md is not produced by any spec; finqa leaves it; remove it if unwanted\n',
    )
    expect(check.stdout).toMatch(/^finqa: dist-scripts is up to date \(\d+ files\)$/m)
    expect(
      JSON.parse(finqa(['compile', 'experiments', '--check', '--json'], dir).stdout).files,
    ).toMatchObject({
      stale: [],
      missing: [],
      orphaned: [],
      extra: ['dist-scripts/NOTES.md'],
    })

    // A file finqa wrote that no spec produces any more: compile would remove it, so --check fails, and the
    // compile it advises makes the folder pass.
    unlinkSync(join(dir, 'experiments', '8b', 'rollout12.yaml'))
    const stale = finqa(['compile', 'experiments', '--check'], dir)
    expect(stale.code).toBe(1)
    expect(stale.stderr).toContain(
      'orphaned: dist-scripts/run_8b_rollout12.sh (finqa wrote it; no spec produces it now)',
    )
    expect(stale.stderr).toContain('finqa: dist-scripts is not up to date; run finqa compile experiments')
    expect(finqa(['compile', 'experiments'], dir).code).toBe(0)
    expect(finqa(['compile', 'experiments', '--check'], dir).code).toBe(0)
    expect(readFileSync(join(dir, 'dist-scripts', 'NOTES.md'), 'utf8')).toBe('x\n')
  })

  it('a spec error exits 1 with file:line:col and writes nothing', () => {
    const dir = project()
    finqa(['compile'], dir)
    const before = readFileSync(join(dir, 'dist-scripts', 'run_4b.sh'), 'utf8')
    const spec = join(dir, 'experiments', 'base.yaml')
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('  n: 8', '  n: eight'))
    const r = finqa(['compile'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^experiments\/base\.yaml:\d+:6 error SCHEMA `rollout\.n` must be an integer$/m)
    expect(r.stderr).toContain('nothing written')
    expect(readFileSync(join(dir, 'dist-scripts', 'run_4b.sh'), 'utf8')).toBe(before)
  })

  it('usage errors exit 2; --help and --version exit 0', () => {
    const dir = project()
    expect(finqa(['compile', '--bogus'], dir).code).toBe(2)
    expect(finqa(['frobnicate'], dir).code).toBe(2)
    expect(finqa(['compile', 'a', 'b'], dir).code).toBe(2)
    expect(finqa([], dir).code).toBe(2)
    const help = finqa(['--help'], dir)
    expect(help.code).toBe(0)
    expect(help.stdout).toContain(
      'finqa compile [SPEC_DIR | --specs DIR] [--out DIR] [--check | --watch] [--json]',
    )
    const version = finqa(['--version'], dir)
    expect(version.code).toBe(0)
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version)
  })

  it('compiles a spec folder named through .. and still refuses an extends that leaves it', () => {
    const dir = project()
    mkdirSync(join(dir, 'work'))
    const ok = finqa(['compile', '../experiments', '--out', '../out'], join(dir, 'work'))
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain(`${OUTPUTS} written`)
    writeFileSync(join(dir, 'outside.yaml'), 'abstract: true\n')
    writeFileSync(join(dir, 'experiments', 'escape.yaml'), 'extends: ../outside.yaml\n')
    const bad = finqa(['compile', '../experiments', '--out', '../out'], join(dir, 'work'))
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('../experiments/escape.yaml:1:10 error EXTENDS_OUTSIDE')
  })

  it('stops quietly when the reader closes the pipe early (`| head -1`)', () => {
    const dir = tempDir('finqa-pipe-')
    writeSyntheticTree(join(dir, 'experiments'), 1000) // some 100 KB of "wrote ..." lines: more than a pipe holds
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${BIN}" compile experiments --out out | head -1; exit \${PIPESTATUS[0]}`,
      ],
      { cwd: dir, encoding: 'utf8' },
    )
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/^wrote out\//)
    expect(r.status).toBe(0)
    expect(finqa(['compile', 'experiments', '--out', 'out', '--check'], dir).code).toBe(0)
  })

  // Standard output may be a non-blocking pipe (a program that started finqa made it so; here Node itself,
  // by creating process.stdout before the bin runs). Writing more than the pipe holds to a slow reader then
  // meets EAGAIN, and must wait instead of failing or losing output.
  it('writes all of its output to a full non-blocking pipe', () => {
    const dir = tempDir('finqa-pipe-')
    writeSyntheticTree(join(dir, 'experiments'), 1000) // some 300 KB of JSON: several pipes full
    const run = [
      'process.stdout.write(String())',
      `process.argv.splice(1, 0, ${JSON.stringify(BIN)})`,
      `require(${JSON.stringify(BIN)})`,
    ].join(';')
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" -e '${run}' compile experiments --out out --json | (sleep 1; cat); exit \${PIPESTATUS[0]}`,
      ],
      { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, FINQA_NO_CACHE: '1' } },
    )
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const report = JSON.parse(r.stdout) as { files: { written: string[] } }
    expect(r.stdout.length).toBeGreaterThan(200_000)
    expect(report.files.written).toHaveLength(3005)
  })

  it('an output folder that cannot be written is an error (exit 1, no stack), not a bug', () => {
    const dir = project()
    writeFileSync(join(dir, 'taken'), 'a file where the output folder should be\n')
    const r = finqa(['compile', 'experiments', '--out', 'taken'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      'taken:1:1 error OUTPUT_UNWRITABLE cannot write the output folder taken: a file stands where a folder should be (ENOTDIR',
    )
    expect(r.stderr).toContain('give --out a folder, not a file')
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
    expect(readFileSync(join(dir, 'taken'), 'utf8')).toBe('a file where the output folder should be\n')
    expect(readdirSync(dir).filter((f) => f.endsWith('.finqa-tmp'))).toEqual([])
  })

  it('never replaces a file it did not write (`--out .`): exit 1, OUTPUT_CONFLICT, nothing written', () => {
    const dir = project()
    writeFileSync(join(dir, 'README.md'), '# My project\n')
    writeFileSync(join(dir, 'run_4b.sh'), 'echo mine\n', { mode: 0o700 })
    const before = filesBelow(dir)
    const r = finqa(['compile', 'experiments', '--out', '.'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      'README.md:1:1 error OUTPUT_CONFLICT README.md was not written by finqa, and this compile would replace it',
    )
    expect(r.stderr).toContain('run_4b.sh:1:1 error OUTPUT_CONFLICT')
    expect(r.stderr).toContain('move or delete it, or compile into another folder (--out DIR)')
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('# My project\n')
    expect(statSync(join(dir, 'run_4b.sh')).mode & 0o777).toBe(0o700)
    expect(filesBelow(dir)).toEqual(before)
  })

  it('replaces files that say finqa generated them, even without its manifest (an older finqa)', () => {
    const dir = project()
    finqa(['compile'], dir)
    unlinkSync(join(dir, 'dist-scripts', '.finqa-manifest.json'))
    writeFileSync(join(dir, 'dist-scripts', 'run_4b.sh'), '#!/usr/bin/env bash\n# Generated by finqa (old)\n')
    const r = finqa(['compile'], dir)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('wrote dist-scripts/run_4b.sh')
    expect(readFileSync(join(dir, 'dist-scripts', 'run_4b.sh'), 'utf8')).toBe(
      readFileSync(join(REPO, 'dist-scripts', 'run_4b.sh'), 'utf8'),
    )
  })

  // A folder may hold more files than a JavaScript call takes arguments (`--out /tmp`, 495,000 files here,
  // once crashed with "Maximum call stack size exceeded"). A small stack makes 20,000 files enough to show it.
  it('compiles into and checks a folder of 20,000 files it did not write, and lists only a few of them', () => {
    const dir = project()
    mkdirSync(join(dir, 'busy', 'junk'), { recursive: true })
    for (let i = 0; i < 20_000; i++) writeFileSync(join(dir, 'busy', 'junk', `f${i}`), '')
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['--stack-size=100', BIN, 'compile', 'experiments', '--out', 'busy', ...args],
        {
          cwd: dir,
          encoding: 'utf8',
          env: { ...process.env, FINQA_NO_CACHE: '1', NO_COLOR: '1' },
        },
      )
    const write = run()
    expect(write.stderr).not.toContain('internal error')
    expect(write.status).toBe(0)
    expect(write.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toHaveLength(21)
    expect(write.stderr).toContain('warning: and 19,980 more files no spec produces (--json lists them all)')
    const check = run('--check')
    expect(check.stderr).not.toContain('internal error')
    expect(check.status).toBe(0)
    expect(check.stderr).toContain('warning: and 19,980 more files no spec produces (--json lists them all)')
    expect(JSON.parse(run('--check', '--json').stdout).files.extra).toHaveLength(20_000)
  })

  it('an output folder another finqa holds is waited for, then an error naming it (OUTPUT_BUSY)', () => {
    const dir = project()
    finqa(['compile'], dir)
    const before = filesBelow(join(dir, 'dist-scripts'))
    writeFileSync(join(dir, 'experiments', 'base.yaml'), '\n', { flag: 'a' })
    writeFileSync(join(dir, '.dist-scripts.finqa-lock'), `${process.pid}\n`) // this test: a live process
    const r = finqa(['compile'], dir, { FINQA_TEST_LOCK_WAIT_MS: '200' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      `dist-scripts:1:1 error OUTPUT_BUSY another finqa (process ${process.pid}) is still writing dist-scripts after 0.2 s`,
    )
    expect(r.stderr).toContain('if no finqa is running, delete .dist-scripts.finqa-lock')
    expect(filesBelow(join(dir, 'dist-scripts'))).toEqual(before)
  })

  it('a missing spec folder exits 1 with a clear message', () => {
    const r = finqa(['compile', 'nope'], project())
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('spec folder nope does not exist')
  })

  it('`npx finqa compile experiments/ --check` works from the repo root', () => {
    const r = spawnSync('npx', ['--no-install', 'finqa', 'compile', 'experiments/', '--check'], {
      cwd: REPO,
      encoding: 'utf8',
    })
    expect(r.stderr).toBe('')
    expect(r.stdout).toContain('is up to date')
    expect(r.status).toBe(0)
  })
})

describe('internal errors', () => {
  it('a bug prints a short request for a report, no stack trace, and exits 70', async () => {
    const { main } = await import('../src/cli/main.js')
    let stderr = ''
    const code = await main(['--version'], {
      cwd: REPO,
      stdout: {
        write: () => {
          throw new TypeError('simulated bug')
        },
      },
      stderr: { write: (t: string) => (stderr += t) },
    })
    expect(code).toBe(70)
    expect(stderr).toBe(
      'finqa: internal error: simulated bug\nThis is a bug in finqa; please report it with the command you ran and your specs.\n',
    )
  })
})

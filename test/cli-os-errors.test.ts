import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, filesBelow, finqa, project } from './helpers/cli.js'

/** Every file below `dir` with its mode and content: to prove a failed command changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const file of filesBelow(dir)) {
    const path = join(dir, file)
    out[file] = `${(statSync(path).mode & 0o7777).toString(8)} ${readFileSync(path, 'utf8')}`
  }
  return out
}

/** finqa's scratch files and locks anywhere below `dir`. */
const leftovers = (dir: string) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((p) => p.includes('.finqa-tmp') || p.includes('.finqa-lock'))

/** No stack trace, no "internal error": a user's mistake, told as one. */
function expectDiagnostic(r: { code: number | null; stderr: string }, code = 1): void {
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
  expect(r.code, r.stderr).toBe(code)
}

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups']
/** Whether this machine can run a command as nobody (setpriv, as root). Under CI=true it must. */
const canDropRoot = (() => {
  const ok = process.getuid?.() === 0 && spawnSync('setpriv', [...NOBODY, 'true']).status === 0
  if (!ok && process.env.CI === 'true') throw new Error('setpriv (as root) is required under CI=true')
  return ok
})()
const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0

/** The built CLI as user nobody (root reads and writes anything: permission errors need another user). */
function asNobody(args: string[], cwd: string) {
  const r = spawnSync('setpriv', [...NOBODY, process.execPath, BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FINQA_NO_CACHE: '1' },
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/**
 * Shell `script` in a private user and mount namespace (where it may bind read-only or mount a small tmpfs);
 * `"$@"` in it runs the built CLI.
 */
function inNamespace(script: string, cwd: string) {
  const r = spawnSync('unshare', ['-rm', 'sh', '-ec', script, 'sh', process.execPath, BIN], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FINQA_NO_CACHE: '1' },
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Changes the base layer's learning rate: every launch script changes (a real compile, not a no-op). */
function changeEveryScript(dir: string): void {
  const base = join(dir, 'experiments', 'base.yaml')
  writeFileSync(base, readFileSync(base, 'utf8').replace('lr: 1.0e-6', 'lr: 2.0e-6'))
}

/** A project compiled once into dist-scripts/, readable by everyone (nobody runs finqa in it). */
function compiledProject(): string {
  const dir = project()
  expect(finqa(['compile', 'experiments'], dir).code).toBe(0)
  chmodSync(dir, 0o755)
  return dir
}

describe('the output folder is never acted on through a link inside it', () => {
  it("a manifest entry through a link deletes nothing outside: OUTPUT_MANIFEST at the entry's line", () => {
    const dir = compiledProject()
    mkdirSync(join(dir, 'victim'))
    writeFileSync(join(dir, 'victim', 'notes.txt'), 'precious\n')
    symlinkSync('../victim', join(dir, 'dist-scripts', 'link'))
    const manifest = join(dir, 'dist-scripts', '.finqa-manifest.json')
    const listed = JSON.parse(readFileSync(manifest, 'utf8')) as { files: string[] }
    writeFileSync(
      manifest,
      `${JSON.stringify({ ...listed, files: [...listed.files, 'link/notes.txt'] }, null, 2)}\n`,
    )
    const before = snapshot(join(dir, 'dist-scripts'))

    const r = finqa(['compile', 'experiments'], dir, { FINQA_NO_CACHE: '1' })

    expect(readFileSync(join(dir, 'victim', 'notes.txt'), 'utf8')).toBe('precious\n')
    expect(snapshot(join(dir, 'dist-scripts'))).toEqual(before)
    expectDiagnostic(r)
    expect(r.stderr).toContain(
      `dist-scripts/.finqa-manifest.json:${listed.files.length + 4}:5 error OUTPUT_MANIFEST dist-scripts/.finqa-manifest.json lists link/notes.txt, which is reached through the symbolic link dist-scripts/link`,
    )
    expect(r.stderr).toContain('; nothing written')
  })

  it('a folder of outputs replaced by a link is OUTPUT_LINK; nothing is written into its target', () => {
    const dir = compiledProject()
    mkdirSync(join(dir, 'elsewhere'))
    spawnSync('mv', [join(dir, 'dist-scripts', 'slurm'), join(dir, 'slurm-old')])
    symlinkSync('../elsewhere', join(dir, 'dist-scripts', 'slurm'))
    changeEveryScript(dir)

    const r = finqa(['compile', 'experiments'], dir, { FINQA_NO_CACHE: '1' })

    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([])
    expectDiagnostic(r)
    expect(r.stderr).toContain(
      'dist-scripts/slurm/run_4b.sbatch:1:1 error OUTPUT_LINK dist-scripts/slurm is a symbolic link, and this compile writes dist-scripts/slurm/run_4b.sbatch below it',
    )
  })
})

describe('a compile that cannot finish changes nothing', () => {
  it('a folder where an output file goes (EISDIR) is OUTPUT_CONFLICT before any file is replaced', () => {
    const dir = compiledProject()
    changeEveryScript(dir)
    const out = join(dir, 'dist-scripts')
    spawnSync('rm', [join(out, 'run_8b.sh')])
    mkdirSync(join(out, 'run_8b.sh', 'mine'), { recursive: true })
    const before = snapshot(out)
    const r = finqa(['compile', 'experiments'], dir, { FINQA_NO_CACHE: '1' })
    // README.md and the 4b scripts sort before run_8b.sh: none of them may have been replaced.
    expect(snapshot(out)).toEqual(before)
    expectDiagnostic(r)
    expect(r.stderr).toContain(
      'dist-scripts/run_8b.sh:1:1 error OUTPUT_CONFLICT dist-scripts/run_8b.sh is a folder where this compile writes a file',
    )
    expect(r.stderr).toContain('; nothing written')
    expect(leftovers(dir)).toEqual([])
  })
})

describe('--out must be a folder outside the spec folder', () => {
  it("--out '', the spec folder, a folder inside it, or a link into it, is a usage error (exit 2), nothing written", () => {
    const dir = project()
    symlinkSync('experiments/gen', join(dir, 'gen-link'))
    const before = filesBelow(dir)
    for (const out of [
      '',
      'experiments',
      'experiments/',
      'experiments/4b/out',
      './experiments/../experiments/x',
      'gen-link',
    ]) {
      const r = finqa(['compile', 'experiments', '--out', out], dir)
      expectDiagnostic(r, 2)
      expect(r.stderr, out).toMatch(/--out .*(names no folder|is the spec folder|is inside the spec folder)/)
      expect(filesBelow(dir), out).toEqual(before)
    }
    expect(finqa(['compile', 'experiments', '--out', 'experiments-out'], dir).code).toBe(0)
  })
})

describe('a spec that is not a regular .yaml file is refused, never read or shown', () => {
  it('a link to /proc/self/environ: SPEC_NOT_FILE, and no environment in the code frame', () => {
    const dir = compiledProject()
    symlinkSync('/proc/self/environ', join(dir, 'experiments', 'env.yaml'))
    const before = snapshot(join(dir, 'dist-scripts'))
    const r = finqa(['compile', 'experiments'], dir, { HF_TOKEN: 'hf_leakedTokenValue' })
    expect(r.stderr).not.toContain('hf_leakedTokenValue')
    expectDiagnostic(r)
    expect(r.stderr).toContain(
      'experiments/env.yaml:1:1 error SPEC_NOT_FILE experiments/env.yaml is a symbolic link to /proc/',
    )
    expect(snapshot(join(dir, 'dist-scripts'))).toEqual(before)
  })

  it('a FIFO, a link to a FIFO, a link to a device, a link to a file not named .yaml: each SPEC_NOT_FILE, at once', () => {
    const dir = compiledProject()
    const before = snapshot(join(dir, 'dist-scripts'))
    spawnSync('mkfifo', [join(dir, 'experiments', 'pipe.yaml'), join(dir, 'fifo')])
    symlinkSync('../fifo', join(dir, 'experiments', 'to-fifo.yaml'))
    symlinkSync('/dev/zero', join(dir, 'experiments', 'zero.yaml'))
    writeFileSync(join(dir, 'id_rsa'), 'PRIVATE KEY: do not print\n')
    symlinkSync('../id_rsa', join(dir, 'experiments', 'key.yaml'))
    // A FIFO read would wait for a writer forever: the compile must end by itself, well before this.
    const started = Date.now()
    const r = spawnSync(process.execPath, [BIN, 'compile', 'experiments'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(r.stderr).not.toContain('do not print')
    expectDiagnostic({ code: r.status, stderr: r.stderr })
    const found = r.stderr.match(/^\S+ error SPEC_NOT_FILE .*$/gm)
    expect(found).toEqual([
      'experiments/key.yaml:1:1 error SPEC_NOT_FILE experiments/key.yaml is a symbolic link to ' +
        `${join(dir, 'id_rsa')}, which is not a .yaml or .yml file; finqa reads only regular .yaml / .yml files as specs`,
      'experiments/pipe.yaml:1:1 error SPEC_NOT_FILE experiments/pipe.yaml is a FIFO (named pipe); finqa reads only regular .yaml / .yml files as specs',
      'experiments/to-fifo.yaml:1:1 error SPEC_NOT_FILE experiments/to-fifo.yaml is a symbolic link to a FIFO (named pipe); finqa reads only regular .yaml / .yml files as specs',
      'experiments/zero.yaml:1:1 error SPEC_NOT_FILE experiments/zero.yaml is a symbolic link to a character device; finqa reads only regular .yaml / .yml files as specs',
    ])
    expect(snapshot(join(dir, 'dist-scripts'))).toEqual(before)
  })
})

describe.runIf(canDropRoot)(
  'operating-system errors a user can cause are diagnostics (exit 1), not bugs (exit 70)',
  () => {
    it('a spec file or folder you cannot read: SPEC_UNREADABLE naming it, with a suggestion', () => {
      const dir = compiledProject()
      chownSync(join(dir, 'dist-scripts'), 65534, 65534)
      const before = snapshot(join(dir, 'dist-scripts'))
      chmodSync(join(dir, 'experiments', 'base.yaml'), 0o600)
      chmodSync(join(dir, 'experiments', '8b'), 0o700)
      const r = asNobody(['compile', 'experiments'], dir)
      expectDiagnostic(r)
      expect(r.stderr).toContain(
        'experiments/8b:1:1 error SPEC_UNREADABLE cannot read experiments/8b: permission denied (EACCES); its experiments would be missing',
      )
      expect(r.stderr).toContain(
        'experiments/base.yaml:1:1 error SPEC_UNREADABLE cannot read experiments/base.yaml: permission denied (EACCES)',
      )
      expect(r.stderr).toContain('suggestion: make it readable for you')
      expect(snapshot(join(dir, 'dist-scripts'))).toEqual(before)
    })

    for (const state of ['with files', 'empty']) {
      it(`an output folder you cannot write (${state}) is reported as read-only, and stays as it was`, () => {
        const dir = compiledProject()
        changeEveryScript(dir)
        const out = join(dir, state === 'empty' ? 'empty-out' : 'dist-scripts')
        mkdirSync(out, { recursive: true })
        chmodSync(out, 0o555)
        chmodSync(dir, 0o777) // nobody can write beside it (the lock), not in it
        const before = { files: snapshot(out), mode: statSync(out).mode, ino: statSync(out).ino }
        const r = asNobody(['compile', 'experiments', '--out', out.slice(dir.length + 1)], dir)
        expectDiagnostic(r)
        expect(r.stderr).toMatch(
          /OUTPUT_UNWRITABLE cannot write the output folder \S+: it is read-only for you \(permission denied\) \(EACCES/,
        )
        expect(r.stderr).toContain(
          'suggestion: check its permissions and owner (ls -ld), or give --out another folder',
        )
        expect({ files: snapshot(out), mode: statSync(out).mode, ino: statSync(out).ino }).toEqual(before)
        expect(leftovers(dir)).toEqual([])
      })
    }

    it('init into a folder you cannot write: exit 1 with a suggestion, nothing created', () => {
      const dir = compiledProject()
      mkdirSync(join(dir, 'locked'), { mode: 0o555 })
      const r = asNobody(['init', 'locked'], dir)
      expectDiagnostic(r)
      expect(r.stderr).toMatch(
        /^locked:1:1 error OUTPUT_UNWRITABLE cannot write locked: it is read-only for you \(permission denied\) \(EACCES: mkdir locked\//m,
      )
      expect(r.stderr).toContain(
        'suggestion: check its permissions and owner (ls -ld), or choose another folder',
      )
      expect(r.stderr).toContain('finqa init: nothing written')
      expect(filesBelow(join(dir, 'locked'))).toEqual([])
    })
  },
)

describe.runIf(canUnshare)('file-system errors in a private mount namespace', () => {
  it('a read-only file system (EROFS) is reported as read-only, not as ENOENT', () => {
    const dir = compiledProject()
    changeEveryScript(dir)
    const out = join(dir, 'dist-scripts')
    const before = snapshot(out)
    const r = inNamespace(
      `mount --bind ${out} ${out}; mount -o remount,ro,bind ${out}; exec "$@" compile experiments`,
      dir,
    )
    expectDiagnostic(r)
    expect(r.stderr).toContain(
      'dist-scripts:1:1 error OUTPUT_UNWRITABLE cannot write the output folder dist-scripts: it is read-only: the file system is mounted read-only (EROFS',
    )
    expect(snapshot(out)).toEqual(before)
    const ro = join(dir, 'ro')
    const init = inNamespace(
      `mkdir -p ${ro}; mount --bind ${ro} ${ro}; mount -o remount,ro,bind ${ro}; exec "$@" init ro`,
      dir,
    )
    expectDiagnostic(init)
    expect(init.stderr).toContain(
      'ro:1:1 error OUTPUT_UNWRITABLE cannot write ro: it is read-only: the file system is mounted read-only (EROFS',
    )
  })

  // The outputs take 316 KiB of pages and 33 inodes on a tmpfs: they fit once, not with a changed version staged.
  for (const limit of ['size=360k', 'nr_inodes=40']) {
    it(`a full disk (tmpfs ${limit}): "the disk is full", the scratch and lock are gone, the folder as before`, () => {
      const dir = compiledProject()
      const disk = join(dir, 'disk')
      mkdirSync(disk)
      changeEveryScript(dir)
      const r = inNamespace(
        [
          `mount -t tmpfs -o ${limit} none ${disk}`,
          `cp -a ${dir}/dist-scripts ${disk}/out`,
          `"$@" compile experiments --out disk/out > ${dir}/stdout 2> ${dir}/stderr || echo $? > ${dir}/code`,
          `cp -a ${disk}/. ${dir}/after`,
        ].join('\n'),
        dir,
      )
      expect(r.code, r.stderr).toBe(0)
      const stderr = readFileSync(join(dir, 'stderr'), 'utf8')
      expectDiagnostic({ code: Number(readFileSync(join(dir, 'code'), 'utf8')), stderr })
      expect(stderr).toMatch(
        /OUTPUT_UNWRITABLE cannot write the output folder disk\/out: the disk is full \(no space or no free inodes left\) \(ENOSPC/,
      )
      expect(stderr).toContain(
        'suggestion: free some space on it (df -h; df -i), or give --out another folder',
      )
      expect(stderr).toContain('; nothing written')
      expect(existsSync(join(dir, 'after', 'out'))).toBe(true)
      expect(snapshot(join(dir, 'after', 'out'))).toEqual(snapshot(join(dir, 'dist-scripts')))
      expect(leftovers(join(dir, 'after'))).toEqual([])
    })
  }
})

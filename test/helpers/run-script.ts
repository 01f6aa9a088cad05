import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'

export interface ScriptRun {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  /** The argv each call of the stub python3 received, in call order; empty when it never ran. */
  readonly calls: string[][]
}

/**
 * A temp dir with a stub `python3` that records its argv (NUL-separated, one file per call) and exits
 * with STUB_EXIT (default 0), or with 1 when one of its arguments contains STUB_FAIL_ON (to fail one call
 * of several). Removed when the test finishes.
 */
export function makeStubDir(): { dir: string; bin: string; calls: () => string[][] } {
  const dir = mkdtempSync(join(tmpdir(), 'finqa-stub-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const bin = join(dir, 'bin')
  const log = join(dir, 'calls')
  writeFileSync(join(dir, '.keep'), '')
  spawnSync('mkdir', ['-p', bin, log])
  writeFileSync(
    join(bin, 'python3'),
    [
      '#!/usr/bin/env bash',
      `n=$(ls ${JSON.stringify(log)} | wc -l)`,
      `printf '%s\\0' "$@" > ${JSON.stringify(log)}/$(printf '%04d' "$n")`,
      'if [[ -n $STUB_FAIL_ON ]]; then for a in "$@"; do [[ $a != *"$STUB_FAIL_ON"* ]] || exit 1; done; fi',
      `exit "\${STUB_EXIT:-0}"`,
      '',
    ].join('\n'),
  )
  chmodSync(join(bin, 'python3'), 0o755)
  const calls = (): string[][] => {
    const list = spawnSync('ls', [log], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort()
    return list.map((f) => readFileSync(join(log, f), 'utf8').split('\0').slice(0, -1))
  }
  return { dir, bin, calls }
}

/** Runs `bash SCRIPT ARGS...` with the stub python3 first on PATH and only the given extra environment. */
export function runScript(
  script: string,
  options: {
    args?: string[]
    env?: Record<string, string>
    cwd?: string
    /**
     * Run without root's power over file permissions: as root, in a new user namespace (`unshare -U`),
     * where the files keep their owner but root's capabilities no longer apply to them, so a mode of 000
     * is refused as it is for a researcher.
     */
    unprivileged?: boolean
  } = {},
): ScriptRun {
  const stub = makeStubDir()
  const argv = ['bash', script, ...(options.args ?? [])]
  const [cmd, ...args] = options.unprivileged && process.getuid?.() === 0 ? ['unshare', '-U', ...argv] : argv
  const result = spawnSync(cmd as string, args, {
    encoding: 'utf8',
    cwd: options.cwd ?? stub.dir,
    env: {
      PATH: `${stub.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: stub.dir,
      ...options.env,
    },
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: stub.calls() }
}

import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
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
  const created = createdByRun(script, options.env ?? {})
  const result = spawnSync(cmd as string, args, {
    encoding: 'utf8',
    cwd: options.cwd ?? stub.dir,
    env: {
      PATH: `${stub.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: stub.dir,
      ...options.env,
    },
  })
  // A start writes its run record into CHECKPOINT_ROOT/EXP_NAME: what the run created outside this test's
  // folders (the seed's /checkpoints, a spec's root) goes again, so the suite leaves the machine as it was.
  if (created !== undefined) rmSync(created, { recursive: true, force: true })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: stub.calls() }
}

/**
 * The topmost folder of the script's checkpoint folder (CHECKPOINT_ROOT/EXP_NAME, from the environment or
 * the script's defaults) that does not exist yet, outside the temp folder: what a run of it would create.
 */
function createdByRun(script: string, env: Record<string, string>): string | undefined {
  let text: string
  try {
    text = readFileSync(script, 'utf8')
  } catch {
    return undefined
  }
  const fallback = (name: string): string | undefined => {
    const m = new RegExp(`^${name}=\\$\\{${name}:-'?([^'}]*)'?\\}`, 'm').exec(text)
    return m?.[1]
  }
  const root = env.CHECKPOINT_ROOT ?? fallback('CHECKPOINT_ROOT')
  const name = env.EXP_NAME ?? fallback('EXP_NAME')
  if (root === undefined || name === undefined || !root.startsWith('/') || root.startsWith(tmpdir()))
    return undefined
  // The seed's root is shared by test files running at once: test/global-setup.ts removes it at the end.
  if (`${root}/`.startsWith('/checkpoints/')) return undefined
  let top: string | undefined
  for (let p = join(root, name); !existsSync(p) && p !== dirname(p); p = dirname(p)) top = p
  return top
}

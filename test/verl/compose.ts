import { spawnSync } from 'node:child_process'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/cli.js'
import { REPO } from '../helpers/compile-repo.js'

/** Debian's python3, where python3-omegaconf installs (a pyenv or venv python3 earlier on PATH may lack it). */
export const SYSTEM_PYTHON = '/usr/bin/python3'

/**
 * Whether VERL's config can be composed here (python3-omegaconf). A laptop without it skips; under CI=true
 * it is a failure, as .ci/run installs it.
 */
export function hasOmegaConf(): boolean {
  const ok = spawnSync(SYSTEM_PYTHON, ['-c', 'import omegaconf'], { encoding: 'utf8' }).status === 0
  if (!ok && process.env.CI === 'true') {
    throw new Error('python3-omegaconf is required under CI=true but is not installed (.ci/run installs it)')
  }
  return ok
}

export interface Composed {
  readonly reward: { readonly path: string | null; readonly name: string | null }
  readonly values: Record<string, { readonly value: unknown; readonly type: string }>
}

/** Composes VERL main_ppo overrides (argv after `-m verl.trainer.main_ppo`) with a release's real config. */
export function compose(
  version: string,
  overrides: readonly string[],
): { status: number | null; stderr: string; result?: Composed } {
  const config = join(REPO, 'vendor', 'verl', `v${version}`, '_generated_ppo_trainer.yaml')
  const r = spawnSync(
    SYSTEM_PYTHON,
    [join(REPO, 'test', 'verl', 'compose.py'), config, version, '--', ...overrides],
    {
      encoding: 'utf8',
    },
  )
  return {
    status: r.status,
    stderr: r.stderr,
    result: r.status === 0 ? (JSON.parse(r.stdout) as Composed) : undefined,
  }
}

/**
 * The shipped experiments compiled for one VERL release into a temp project (`verl.version` added to the
 * base layer), by the built CLI; returns the output folder.
 */
export function compileShippedFor(version: string): string {
  const root = tempDir('finqa-verl-')
  cpSync(join(REPO, 'experiments'), join(root, 'experiments'), { recursive: true })
  cpSync(join(REPO, 'schema'), join(root, 'schema'), { recursive: true })
  const base = join(root, 'experiments', 'base.yaml')
  writeFileSync(base, `${readFileSync(base, 'utf8')}\nverl:\n  version: "${version}"\n`)
  const r = spawnSync(
    process.execPath,
    [join(REPO, 'bin', 'finqa.js'), 'compile', 'experiments', '--out', 'out'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
  if (r.status !== 0) throw new Error(`compile for VERL ${version} failed:\n${r.stdout}${r.stderr}`)
  return join(root, 'out')
}

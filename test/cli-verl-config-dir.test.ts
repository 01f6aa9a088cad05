import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { filesBelow, finqa, project, tempDir } from './helpers/cli.js'
import { REPO } from './helpers/compile-repo.js'

/** Every file below a folder with its content. */
/**
 * Every output file's text. The spec hash a script names for its run record differs, as it must: the base
 * layer here has one more line; everything else must be the same.
 */
const contents = (dir: string) =>
  filesBelow(dir).map((f) => [
    f,
    readFileSync(join(dir, f), 'utf8').replace(
      /^FINQA_SPEC_SHA256=[0-9a-f]{64}$/m,
      'FINQA_SPEC_SHA256=<hash>',
    ),
  ])

/** The shipped experiments with `verl.config_dir` set in the base layer. */
function withConfigDir(dir: string): string {
  const root = project()
  const base = join(root, 'experiments', 'base.yaml')
  writeFileSync(base, `${readFileSync(base, 'utf8')}\nverl:\n  config_dir: ${dir}\n`)
  return root
}

/** A VERL checkout's config folder: v0.9.0's config, less the lines given. */
function configFolder(drop: RegExp | undefined): string {
  const dir = join(tempDir('finqa-verl-cfg-'), 'verl', 'trainer', 'config')
  mkdirSync(dir, { recursive: true })
  const text = readFileSync(join(REPO, 'vendor', 'verl', 'v0.9.0', '_generated_ppo_trainer.yaml'), 'utf8')
  const lines = text.split('\n').filter((l) => drop === undefined || !drop.test(l))
  writeFileSync(join(dir, '_generated_ppo_trainer.yaml'), lines.join('\n'))
  return dir
}

describe('verl.config_dir: keys are also checked against the VERL checkout the spec names', () => {
  it('a key that checkout lacks is an error naming the folder, and nothing is written', () => {
    const dir = configFolder(/^ {2}total_epochs:/)
    const root = withConfigDir(dir)
    const r = finqa(['compile', 'experiments'], root)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /experiments\/base\.yaml:\d+:\d+ error VERL_CONFIG_DIR `trainer\.total_epochs`, which run_\w+\.sh passes, is not a key of the VERL at /,
    )
    expect(r.stderr).toContain(dir)
  })

  it('a checkout that has every key: the same outputs as without config_dir', () => {
    const plain = project()
    expect(finqa(['compile', 'experiments'], plain).code).toBe(0)
    const root = withConfigDir(configFolder(undefined))
    const r = finqa(['compile', 'experiments'], root)
    expect(r.stderr).not.toContain('VERL_CONFIG_DIR')
    expect(r.code).toBe(0)
    expect(contents(join(root, 'dist-scripts'))).toEqual(contents(join(plain, 'dist-scripts')))
  })

  it('an unreadable folder is said in one warning; the outputs do not depend on it', () => {
    const plain = project()
    finqa(['compile', 'experiments'], plain)
    const root = withConfigDir('/nowhere/verl/trainer/config')
    const r = finqa(['compile', 'experiments'], root)
    expect(r.code).toBe(0)
    expect(r.stderr.match(/VERL_CONFIG_DIR/g)).toHaveLength(1)
    expect(r.stderr).toContain(
      'verl.config_dir /nowhere/verl/trainer/config: _generated_ppo_trainer.yaml is not readable here (ENOENT)',
    )
    expect(contents(join(root, 'dist-scripts'))).toEqual(contents(join(plain, 'dist-scripts')))
  })
})

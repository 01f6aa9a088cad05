import { describe, expect, it } from 'vitest'
import { readSchema, readTemplates } from '../src/cli/package-files.js'
import { type CompileInput, type CompileMemo, compile, compileChanges } from '../src/compile.js'
import { readSpecs } from '../src/load/read-specs.js'
import { REPO } from './helpers/compile-repo.js'

/**
 * `compileChanges` (the compile under `finqa compile --watch`) after edits that move experiments between the
 * README's groups and change what the upload and submit scripts read: the output folder it leaves equals a
 * full compile's, file for file; a file made from all experiments whose text did not change is kept unread.
 */
describe('compileChanges after edits', () => {
  const { specs, specDir } = readSpecs('experiments', REPO)
  const base: CompileInput = { specs, specDir, templates: readTemplates(), schema: readSchema() }

  /** The folder as the last watch compile left it, by path; how each file of the last compile came. */
  let folder = new Map<string, string>()
  let memo: CompileMemo | undefined
  let input = base
  const came = new Map<string, 'rendered' | 'kept'>()

  const step = (file: string, from: string, to: string) => {
    const text = input.specs.get(`experiments/${file}`) as string
    expect(text).toContain(from)
    input = { ...input, specs: new Map(input.specs).set(`experiments/${file}`, text.replace(from, to)) }
    const run = compileChanges(input, memo)
    const next = new Map<string, string>()
    came.clear()
    for (let s = run.next(); ; s = run.next()) {
      if (s.done === true) {
        expect(s.value.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
        memo = s.value.memo
        break
      }
      const item = s.value
      if ('kept' in item) {
        expect(folder.has(item.path)).toBe(true)
        next.set(item.path, folder.get(item.path) as string)
        came.set(item.path, 'kept')
      } else {
        next.set(item.path, item.content)
        came.set(item.path, 'rendered')
      }
    }
    folder = next
    const full = compile(input)
    expect(full.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect([...folder.keys()].sort()).toEqual(full.files.map((f) => f.path))
    for (const f of full.files) expect(folder.get(f.path), f.path).toBe(f.content)
  }

  it('leaves what a full compile writes, and keeps unread the files made from all experiments that did not change', () => {
    step('4b/rollout4.yaml', '  n: 4', '  n: 4') // the first compile: everything rendered
    expect(came.get('slurm/submit_all.sh')).toBe('rendered')

    step('4b/rollout4.yaml', '  n: 4', '  n: 5')
    expect(folder.get('README.md')).toContain('| `run_4b_rollout4.sh` | Qwen3-4B | 5 |')
    // Nothing the two scripts read changed: kept unread.
    expect(came.get('slurm/submit_all.sh')).toBe('kept')
    expect(came.get('upload_to_hf.sh')).toBe('kept')
    expect(came.get('README.md')).toBe('rendered')

    // A description with Markdown's characters, and a model's label: the README's cells of kept experiments.
    step('4b/rollout4.yaml', 'description: Qwen3-4B with 4 rollouts per prompt', 'description: a *new* | one')
    expect(folder.get('README.md')).toContain('a \\*new\\* \\| one')
    step('qwen3-8b.yaml', 'label: Qwen3-8B', 'label: Qwen3 8B')
    expect(folder.get('README.md')).toContain('| `run_8b_rollout12.sh` | Qwen3 8B | 12 |')

    // An ablation that changes nothing is a base configuration (a group less, a base row more).
    step('8b/rollout12.yaml', 'rollout:\n  n: 12\n', '')
    expect(folder.get('README.md')).not.toContain('run_8b_rollout12.sh` | Qwen3 8B | 12 |')
    step('8b/rollout12.yaml', 'description:', 'rollout:\n  n: 12\ndescription:')

    // Another setting in a new group, and a VERL override: the settings table grows a row.
    step('8b/rollout4.yaml', 'rollout:\n  n: 4', 'rollout:\n  n: 4\nverl_overrides:\n  data.seed: 7')
    expect(folder.get('README.md')).toContain('| `data.seed` |')

    // What the upload script reads of one experiment, then what submit_all.sh reads.
    step('8b/rollout4.yaml', 'description:', 'upload:\n  namespace: other-team\ndescription:')
    expect(came.get('upload_to_hf.sh')).toBe('rendered')
    expect(folder.get('upload_to_hf.sh')).toContain('other-team')
    expect(came.get('slurm/submit_all.sh')).toBe('kept')
    step('8b/rollout4.yaml', 'description:', 'slurm:\n  output: logs/8b/%x-%j.out\ndescription:')
    expect(came.get('slurm/submit_all.sh')).toBe('rendered')
    expect(folder.get('slurm/submit_all.sh')).toContain("'logs/8b'")
  })
})

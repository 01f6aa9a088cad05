import { describe, expect, it } from 'vitest'
import { compileTexts } from '../helpers/compile-repo.js'
import { BASE } from '../helpers/inline-specs.js'

/** The base with an upload section and an upload job after training: every kind of output is made. */
const FULL_BASE = `${BASE}upload:
  namespace: afeng
  backend: fsdp
slurm:
  upload:
    enabled: true
`

const leaf = (name: string, script: string, extra = '') =>
  `extends: ./base.yaml\nname: ${name}\nscript: ${script}\n${extra}`

const compileScripts = (scripts: readonly string[], extra: readonly string[] = []) =>
  compileTexts({
    'experiments/base.yaml': FULL_BASE,
    ...Object.fromEntries(
      scripts.map((script, i) => [`experiments/e${i}.yaml`, leaf(`e${i}`, script, extra[i] ?? '')]),
    ),
  })

const codes = (r: ReturnType<typeof compileTexts>) =>
  r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)

describe('two generated files at one output path are DUPLICATE_OUTPUT', () => {
  it('script run_4b.upload.sh beside run_4b.sh: both make slurm/run_4b.upload.sbatch', () => {
    const result = compileScripts(['run_4b.sh', 'run_4b.upload.sh'])
    expect(codes(result)).toEqual(['experiments/e1.yaml:3:9 DUPLICATE_OUTPUT'])
    const [d] = result.diagnostics
    expect(d?.message).toContain('slurm/run_4b.upload.sbatch')
    expect(d?.related).toMatchObject([{ file: 'experiments/e0.yaml', line: 3, col: 9 }])
    expect(result.files).toEqual([])
  })

  it('the clash is found whichever experiment comes first', () => {
    const result = compileScripts(['run_4b.upload.sh', 'run_4b.sh'])
    expect(codes(result)).toEqual(['experiments/e1.yaml:3:9 DUPLICATE_OUTPUT'])
  })

  it('a script that differs only in case from the upload script, Upload_To_HF.sh, is DUPLICATE_OUTPUT', () => {
    const result = compileScripts(['run_a.sh', 'Upload_To_HF.sh'])
    expect(codes(result)).toEqual(['experiments/e1.yaml:3:9 DUPLICATE_OUTPUT'])
  })

  it('batch files that differ only in case are DUPLICATE_OUTPUT: RUN_4B.upload.sh beside run_4b.sh', () => {
    const result = compileScripts(['run_4b.sh', 'RUN_4B.upload.sh'])
    expect(codes(result)).toEqual(['experiments/e1.yaml:3:9 DUPLICATE_OUTPUT'])
    expect(result.diagnostics[0]?.message).toContain('differ only in case')
  })

  it('one diagnostic per pair of experiments, however many of their files clash', () => {
    const result = compileScripts(['run.sh', 'run.sh'])
    expect(codes(result)).toEqual(['experiments/e1.yaml:3:9 DUPLICATE_OUTPUT'])
  })

  it('a clash is reported beside an error in another experiment (one run reports all)', () => {
    const result = compileScripts(
      ['run_bad.sh', 'run_4b.sh', 'run_4b.upload.sh'],
      ['rollout:\n  tensor_parallel_size: 3\n'],
    )
    expect(codes(result)).toContain('experiments/e2.yaml:3:9 DUPLICATE_OUTPUT')
    expect(codes(result)).toContain('experiments/e0.yaml:5:25 VERL_CHECK')
  })

  // The oracle knows nothing of how paths are made: it compiles each experiment alone and looks for two of
  // their files that one case-insensitive file system would make one.
  const POOL = [
    'run_4b.sh',
    'run_4b.upload.sh',
    'RUN_4B.sh',
    'run_4B.upload.sh',
    'run_4b.upload.upload.sh',
    'upload_to_hf.sh',
    'Upload_To_HF.sh',
    'submit_all.sh',
    'README.sh',
    'slurm.sh',
  ]
  const alone = new Map(POOL.map((s) => [s, compileScripts([s])]))
  const pairs = POOL.flatMap((a) => POOL.map((b) => [a, b] as const))

  it.each(pairs)('scripts %s and %s: an error exactly when two of their files would be one', (a, b) => {
    const own = (s: string) => {
      const r = alone.get(s)
      if (r === undefined) throw new Error(s)
      return r
    }
    const result = compileScripts([a, b])
    // Files made from all experiments (README.md, upload_to_hf.sh, slurm/submit_all.sh, lib/) are one per compile.
    const shared = [
      'readme.md',
      'upload_to_hf.sh',
      'slurm/submit_all.sh',
      'lib/finqa-launch.sh',
      'lib/verl-0.9.0.sh',
    ]
    const paths = [...own(a).files, ...own(b).files]
      .map((f) => f.path.toLowerCase())
      .filter((p) => !shared.includes(p))
    const clash = codes(own(a)).length > 0 || codes(own(b)).length > 0 || new Set(paths).size !== paths.length
    if (clash) {
      expect(codes(result).some((c) => c.endsWith('DUPLICATE_OUTPUT'))).toBe(true)
      expect(result.files).toEqual([])
    } else {
      expect(codes(result)).toEqual([])
      const made = result.files.map((f) => f.path.toLowerCase())
      expect(new Set(made).size).toBe(made.length)
    }
  })
})

import { describe, expect, it } from 'vitest'
import { brief, compileOnSlurmBase } from '../helpers/compile-repo.js'

/**
 * finqa's own cross-field rules (src/validate/rules.ts), each proved on a compile of the Slurm fixtures' base
 * plus one experiment layer: the rule fires at the value at fault, and stays quiet on the value next to it.
 */

describe('a launch script does not take the name of the upload script', () => {
  it('script upload_to_hf.sh is an error at the script, naming the upload script', () => {
    const r = compileOnSlurmBase('', 'x', 'upload_to_hf.sh')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:3:9 error DUPLICATE_OUTPUT'])
    expect(r.diagnostics[0]?.message).toBe(
      'script `upload_to_hf.sh` is the name of the generated checkpoint upload script',
    )
    expect(r.diagnostics[0]?.suggestion).toBe(
      'choose another name for the launch script, e.g. run_<experiment>.sh',
    )
    expect(r.files).toEqual([])
  })

  it('a script differing only in case is an error that says so', () => {
    const r = compileOnSlurmBase('', 'x', 'Upload_To_HF.sh')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:3:9 error DUPLICATE_OUTPUT'])
    expect(r.diagnostics[0]?.message).toBe(
      'script `Upload_To_HF.sh` differs only in case from the generated checkpoint upload script upload_to_hf.sh: one file on macOS and Windows',
    )
  })

  it('a script that only starts like the upload script is fine', () => {
    expect(compileOnSlurmBase('', 'x', 'upload_to_hf2.sh').diagnostics).toEqual([])
  })
})

describe('checkpoints of the experiment get a valid Hub repo name', () => {
  // `${name}_step-1000000` may have 96 characters: a name of 83 is the longest.
  const name83 = `q${'x'.repeat(82)}`
  const name84 = `q${'x'.repeat(83)}`

  it('a name of 83 characters (96 with the step suffix) gets no warning', () => {
    expect(name83).toHaveLength(83)
    expect(compileOnSlurmBase('', name83).diagnostics).toEqual([])
  })

  it('a name of 84 characters (97 with the step suffix) is a warning at the name, with the numbers', () => {
    const r = compileOnSlurmBase('', name84)
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:2:7 warning RULE'])
    expect(r.diagnostics[0]?.message).toBe(
      `name \`${name84}\` is too long for a Hub repo name: \`${name84}_step-1000000\` has 97 characters, the Hub allows 96, so upload_to_hf.sh cannot upload its checkpoints`,
    )
    expect(r.diagnostics[0]?.suggestion).toBe('shorten the name to at most 83 characters')
    expect(r.files.length).toBeGreaterThan(0)
  })

  it('a name with `--` or `..` is a warning at the name', () => {
    for (const name of ['a--b', 'a..b']) {
      const r = compileOnSlurmBase('', name)
      expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:2:7 warning RULE'])
      expect(r.diagnostics[0]?.message).toBe(
        `name \`${name}\` contains \`--\` or \`..\`, which the Hub does not allow in a repo name, so upload_to_hf.sh cannot upload its checkpoints`,
      )
      expect(r.diagnostics[0]?.suggestion).toBe('use single `.`, `_` or `-` between letters and digits')
    }
  })

  it('single `-` and `.` between letters are fine', () => {
    expect(compileOnSlurmBase('', 'a-b.c_d').diagnostics).toEqual([])
  })
})

describe('a slurm upload job needs an upload section', () => {
  it('slurm.upload.enabled without an upload section is an error at enabled', () => {
    const r = compileOnSlurmBase('upload: null\nslurm:\n  upload:\n    enabled: true\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:7:14 error RULE'])
    expect(r.diagnostics[0]?.message).toBe(
      'slurm.upload.enabled is true, but the experiment has no `upload:` section, so there is no upload script to run',
    )
    expect(r.diagnostics[0]?.suggestion).toBe(
      'add `upload:` (namespace, backend) to a layer, or set slurm.upload.enabled: false',
    )
  })

  it('slurm.upload.enabled false without an upload section is fine', () => {
    expect(compileOnSlurmBase('upload: null\nslurm:\n  upload:\n    enabled: false\n').diagnostics).toEqual(
      [],
    )
  })

  it('slurm.upload.enabled with an upload section is fine', () => {
    expect(compileOnSlurmBase('slurm:\n  upload:\n    enabled: true\n').diagnostics).toEqual([])
  })
})

describe('reward files differ', () => {
  it('the same file for plain and uncertain rewards is a warning at reward.plain_file', () => {
    const r = compileOnSlurmBase('reward:\n  plain_file: reward_uncertain_versatile.py\n')
    expect(r.diagnostics.map(brief)).toEqual(['experiments/x.yaml:5:15 warning RULE'])
    expect(r.diagnostics[0]?.message).toBe(
      'reward.plain_file and reward.uncertain_file name the same file, so USE_UNCERTAINTY would change nothing',
    )
    expect(r.diagnostics[0]?.suggestion).toBeUndefined()
    expect(r.files.length).toBeGreaterThan(0)
  })
})

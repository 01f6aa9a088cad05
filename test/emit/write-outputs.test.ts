import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type OutputPlan, openOutputs } from '../../src/emit/write-outputs.js'
import type { RenderedFile } from '../../src/render/render-experiment.js'
import { tempDir } from '../helpers/cli.js'

const files = (tag: string): RenderedFile[] => [
  { path: 'run_a.sh', content: `#!/bin/bash\necho a ${tag}\n`, mode: 0o755 },
  { path: 'slurm/run_a.sbatch', content: `#!/bin/bash\n#SBATCH --job-name=a ${tag}\n`, mode: 0o644 },
]
/** Writes every file of a compile through one writer and commits. */
async function writeOutputs(outDir: string, list: readonly RenderedFile[]): Promise<OutputPlan> {
  const writer = openOutputs(outDir)
  for (const file of list) await writer.add(file)
  return writer.commit()
}

const scratch = (dir: string) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((p) => p.includes('.finqa-tmp'))

describe('writing outputs', () => {
  it('a new folder appears in one rename: nothing of it exists before commit, no scratch after', async () => {
    const root = tempDir()
    const out = join(root, 'deep', 'out')
    const writer = openOutputs(out)
    for (const f of files('1')) await writer.add(f)
    expect(() => statSync(out)).toThrow()
    const plan = await writer.commit()
    expect(plan.written).toEqual(['run_a.sh', 'slurm/run_a.sbatch'])
    expect(readFileSync(join(out, 'run_a.sh'), 'utf8')).toContain('echo a 1')
    expect(statSync(join(out, 'run_a.sh')).mode & 0o777).toBe(0o755)
    expect(scratch(root)).toEqual([])
  })

  it('an aborted compile leaves an existing folder as it was and removes its scratch', async () => {
    const out = tempDir()
    await writeOutputs(out, files('1'))
    const before = readFileSync(join(out, 'run_a.sh'), 'utf8')
    const writer = openOutputs(out)
    for (const f of files('2')) await writer.add(f)
    expect(scratch(out).length).toBeGreaterThan(0) // staged, not in place
    expect(readFileSync(join(out, 'run_a.sh'), 'utf8')).toBe(before)
    await writer.abort()
    expect(readFileSync(join(out, 'run_a.sh'), 'utf8')).toBe(before)
    expect(scratch(out)).toEqual([])
  })

  it('into a symlink to an empty folder: files land in the target, one by one', async () => {
    const root = tempDir()
    mkdirSync(join(root, 'target'))
    symlinkSync(join(root, 'target'), join(root, 'out'))
    const plan = await writeOutputs(join(root, 'out'), files('1'))
    expect(plan.written).toEqual(['run_a.sh', 'slurm/run_a.sbatch'])
    expect(readFileSync(join(root, 'target', 'slurm', 'run_a.sbatch'), 'utf8')).toContain('a 1')
    expect(scratch(root)).toEqual([])
  })

  it("a killed run's scratch is removed by the next compile; a file finqa never wrote stays", async () => {
    const root = tempDir()
    const out = join(root, 'out')
    mkdirSync(join(root, '.out.0123456789ab.finqa-tmp'))
    await writeOutputs(out, files('1'))
    mkdirSync(join(out, '.abcdefabcdef.finqa-tmp', 'slurm'), { recursive: true })
    writeFileSync(join(out, '.abcdefabcdef.finqa-tmp', 'slurm', 'half'), 'x')
    writeFileSync(join(out, 'notes.txt'), 'mine')
    const plan = await writeOutputs(out, files('2'))
    expect(plan.written).toEqual(['run_a.sh', 'slurm/run_a.sbatch'])
    expect(plan.foreign).toEqual(['notes.txt'])
    expect(scratch(root)).toEqual([])
  })
})

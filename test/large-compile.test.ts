import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeSyntheticTree } from '../scripts/synthetic-tree.mjs'
import { LARGE_COMPILE_FILES } from '../src/cli/commands/compile.js'
import { main } from '../src/cli/main.js'
import { filesBelow, tempDir } from './helpers/cli.js'
import { REPO } from './helpers/compile-repo.js'

describe('a large compile', () => {
  it('is announced to the process once (bin/finqa.js then limits V8 heap growth), a small one never', async () => {
    const dir = tempDir('finqa-large-')
    writeSyntheticTree(join(dir, 'experiments'), 700)
    const sink = { write: () => true }
    const calls = { large: 0, small: 0, check: 0 }
    const run = (argv: string[], key: keyof typeof calls) =>
      main(argv, { cwd: dir, stdout: sink, stderr: sink, onLargeCompile: () => calls[key]++ })
    expect(await run(['compile', 'experiments', '--out', 'out'], 'large')).toBe(0)
    expect(filesBelow(join(dir, 'out')).length).toBeGreaterThan(LARGE_COMPILE_FILES)
    expect(await run(['compile', 'experiments', '--out', 'out', '--check'], 'check')).toBe(0)
    expect(await run(['compile', join(REPO, 'experiments'), '--out', 'small'], 'small')).toBe(0)
    expect(calls).toEqual({ large: 1, check: 1, small: 0 })
  })
})

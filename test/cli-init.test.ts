import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readScaffold } from '../src/cli/package-files.js'
import { filesBelow, finqa, tempDir } from './helpers/cli.js'

const SPECS = [
  'experiments/4b/default.yaml',
  'experiments/4b/no-uncertain.yaml',
  'experiments/base.yaml',
  'experiments/qwen3-4b.yaml',
]

describe('finqa init', () => {
  it('scaffolds specs, a README and a CI workflow that compile at once', () => {
    const dir = tempDir()
    const r = finqa(['init', 'proj'], dir)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const root = join(dir, 'proj')
    expect(filesBelow(root)).toEqual([
      '.github/workflows/finqa.yml',
      'experiments/4b/default.yaml',
      'experiments/4b/no-uncertain.yaml',
      'experiments/README.md',
      'experiments/base.yaml',
      'experiments/qwen3-4b.yaml',
    ])
    expect(r.stdout).toContain('created proj/experiments/base.yaml')
    expect(r.stdout).toContain('npx finqa compile experiments')

    const compiled = finqa(['compile', 'experiments'], root)
    expect(compiled.stderr).toBe('')
    expect(compiled.code).toBe(0)
    expect(compiled.stdout).toMatch(/finqa: 2 experiments, \d+ written/)
    for (const script of ['run_4b.sh', 'run_4b_no_uncertain.sh']) {
      const path = join(root, 'dist-scripts', script)
      expect(statSync(path).mode & 0o777).toBe(0o755)
      expect(spawnSync('bash', ['-n', path]).status).toBe(0)
    }
    // What the CI step runs.
    const workflow = readFileSync(join(root, '.github/workflows/finqa.yml'), 'utf8')
    expect(workflow).toContain('run: npx finqa compile experiments --check')
    expect(finqa(['compile', 'experiments', '--check'], root).code).toBe(0)
  })

  it('points every spec at the schema of the installed package', () => {
    const dir = tempDir()
    finqa(['init'], dir)
    for (const spec of SPECS) {
      const first = readFileSync(join(dir, spec), 'utf8').split('\n')[0] ?? ''
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first)
      expect(match, spec).not.toBeNull()
      expect(resolve(dirname(join(dir, spec)), match?.[1] ?? '')).toBe(
        join(dir, 'node_modules', 'finqa', 'schema', 'layer.schema.json'),
      )
    }
  })

  it('refuses to overwrite: exit 1, names the files, writes nothing', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'experiments'))
    writeFileSync(join(dir, 'experiments', 'base.yaml'), 'mine: true\n')
    const r = finqa(['init'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('experiments/base.yaml')
    expect(r.stderr).toContain('nothing written')
    expect(r.stdout).toBe('')
    expect(filesBelow(dir)).toEqual(['experiments/base.yaml'])
    expect(readFileSync(join(dir, 'experiments', 'base.yaml'), 'utf8')).toBe('mine: true\n')

    const again = tempDir()
    expect(finqa(['init'], again).code).toBe(0)
    const before = readFileSync(join(again, 'experiments', 'base.yaml'), 'utf8')
    const second = finqa(['init'], again)
    expect(second.code).toBe(1)
    expect(second.stderr.match(/^ {2}\S+$/gm)).toHaveLength(readScaffold().size)
    expect(readFileSync(join(again, 'experiments', 'base.yaml'), 'utf8')).toBe(before)
  })

  it('a file where a folder should be is a conflict too, not a crash', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'experiments'), '')
    const r = finqa(['init'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('experiments/base.yaml')
    expect(existsSync(join(dir, '.github'))).toBe(false)
  })

  it('usage errors exit 2', () => {
    const dir = tempDir()
    expect(finqa(['init', 'a', 'b'], dir).code).toBe(2)
    const r = finqa(['init', '--check'], dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--check is not an option of init')
    expect(filesBelow(dir)).toEqual([])
  })
})

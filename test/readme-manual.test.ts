import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { COMMANDS } from '../src/cli/command-table.js'

// Issue 20, point 7: the repository's README is a user's manual, in the order of use, with a section per
// command; the benchmark's notes live in bench/README.md and the contributor set-up in CONTRIBUTING.md.
const readme = readFileSync('README.md', 'utf8')
const headings = (level: string): string[] =>
  readme
    .split('\n')
    .filter((l) => l.startsWith(`${level} `))
    .map((l) => l.slice(level.length + 1))

describe('README.md is a manual in the order of use', () => {
  it('has its chapters in the order a user needs them', () => {
    expect(headings('##')).toEqual([
      'Install',
      'Start a project: `finqa init`',
      'First compile',
      'Running an experiment',
      'Environment overrides',
      'Uploading checkpoints',
      'Slurm',
      'Where the runs are: `finqa status`',
      'Spec reference',
      'CLI reference',
      'Speed',
    ])
  })

  it('has a section for every command in the CLI reference', () => {
    const reference = readme.slice(readme.indexOf('\n## CLI reference\n'), readme.indexOf('\n## Speed\n'))
    const sections = reference
      .split('\n')
      .filter((l) => l.startsWith('### `finqa '))
      .map((l) => l.slice('### `finqa '.length, -1))
    expect(sections).toEqual(['compile', 'init', 'explain', 'plan', 'diff', 'status'])
    expect(COMMANDS.map((c) => c.name).sort()).toEqual([...sections].sort())
  })

  it('keeps the two set-up commands of a fresh machine at the top, and sends contributors elsewhere', () => {
    const top = readme.slice(0, readme.indexOf('\n## Install\n'))
    expect(top).toContain('npm ci && npx finqa compile experiments')
    expect(top).toContain('npm ci && npm test')
    expect(top).toContain('[CONTRIBUTING.md](CONTRIBUTING.md)')
    expect(readme).not.toMatch(/\n## (Development|Set up \(this repository\))\n/)
  })

  it('keeps the benchmark to its table and a summary; the notes are in bench/README.md', () => {
    const speed = readme.slice(readme.indexOf('\n## Speed\n'))
    expect(speed).toContain('[bench/README.md](bench/README.md)')
    const prose = speed.replace(/<!-- bench:results[\s\S]*?<!-- \/bench:results -->/, '')
    expect(prose.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(6)
    expect(readFileSync('bench/README.md', 'utf8')).toMatch(/^# finqa's benchmark\n/)
  })
})

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { parseYaml } from '../src/load/parse-yaml.js'
import { compileTexts } from './helpers/compile-repo.js'
import { BASE, positionOf } from './helpers/inline-specs.js'
import { cancelJobs, ensureCluster } from './helpers/slurm.js'
import { hasTool } from './helpers/tools.js'

const leaf = (extra: string) => `extends: ./base.yaml\nname: a\nscript: a.sh\n${extra}`
const compileLeaf = (extra: string) =>
  compileTexts({ 'experiments/base.yaml': BASE, 'experiments/a.yaml': leaf(extra) })
const errors = (r: ReturnType<typeof compileLeaf>) =>
  r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)
const fileOf = (r: ReturnType<typeof compileLeaf>, path: string) =>
  r.files.find((f) => f.path === path)?.content ?? expect.fail(`no ${path}`)

describe('a line break in a value that lands in an #SBATCH line is refused at its position', () => {
  it('the issue\'s `comment: "x\\ntouch /tmp/p; : <<X\\n"` and a CR are SCHEMA errors at the value', () => {
    const extra =
      'slurm:\n  sbatch_options:\n    comment: "x\\ntouch /tmp/p; : <<X\\n"\n    mail-user: "a@b\\r"\n'
    const r = compileLeaf(extra)
    const text = leaf(extra)
    const at = (needle: string) => {
      const p = positionOf(text, needle)
      return `experiments/a.yaml:${p.line}:${p.col} SCHEMA`
    }
    expect(errors(r)).toEqual([at('"x\\n'), at('"a@b')])
    expect(r.files).toEqual([])
  })

  it('a NUL, ESC, tab or C1 control character in an sbatch option is refused too', () => {
    for (const bad of ['\\0', '\\e[31m', '\\t', '\\x85'])
      expect(errors(compileLeaf(`slurm:\n  sbatch_options:\n    comment: "a${bad}b"\n`)), bad).toEqual([
        'experiments/a.yaml:6:14 SCHEMA',
      ])
  })

  it('quotes, backslashes, #, $() and backquotes in an sbatch option are written quoted for sbatch, and bash runs none of it', () => {
    const r = compileLeaf(
      `slurm:\n  sbatch_options:\n    comment: 'a "b" #c \\d $(touch canary) \`touch canary\`; *'\n`,
    )
    expect(errors(r)).toEqual([])
    const batch = fileOf(r, 'slurm/a.sbatch')
    expect(batch).toContain('#SBATCH --comment="a \\"b\\" \\#c \\\\d $(touch canary) `touch canary`; *"\n')
    const dir = mkdtempSync(join(tmpdir(), 'finqa-sbatch-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'a.sbatch'), batch)
    spawnSync('bash', ['a.sbatch'], { cwd: dir, env: { PATH: '/usr/bin:/bin', SLURM_JOB_ID: '1' } })
    expect(readdirSync(dir)).toEqual(['a.sbatch'])
  })

  it.runIf(hasTool('sbatch'))('sbatch reads such an option back exactly (real local Slurm, held job)', () => {
    ensureCluster()
    const comment = `a "b" #c \\d $(x) \`y\`; * é`
    const r = compileLeaf(`slurm:\n  sbatch_options:\n    comment: ${JSON.stringify(comment)}\n`)
    const dir = mkdtempSync(join(tmpdir(), 'finqa-sbatch-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'a.sbatch'), fileOf(r, 'slurm/a.sbatch'))
    const submit = spawnSync('sbatch', ['--parsable', '--hold', '--gpus-per-node=0', 'a.sbatch'], {
      cwd: dir,
      encoding: 'utf8',
    })
    const id = submit.stdout.trim().split(';')[0] ?? ''
    expect(id, submit.stderr).toMatch(/^\d+$/)
    onTestFinished(() => cancelJobs([id]))
    const shown = spawnSync('squeue', ['-h', '-j', id, '-o', '%k'], { encoding: 'utf8' }).stdout
    expect(shown).toBe(`${comment}\n`)
  })
})

describe('custom YAML tags are errors, not dropped', () => {
  it('!env and !!python/object are YAML_SYNTAX errors at their value', () => {
    const text = 'model:\n  path: !env MODEL\nrollout:\n  n: !!python/object:os.system 8\n!foo key: 1\n'
    const doc = parseYaml('a.yaml', text)
    expect(doc.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message.split(';')[0]}`)).toEqual([
      '2:14 YAML_SYNTAX YAML tags (!env) are not supported in specs',
      '4:32 YAML_SYNTAX YAML tags (!!python/object:os.system) are not supported in specs',
      '5:6 YAML_SYNTAX YAML tags (!foo) are not supported in specs',
    ])
  })

  it('!!binary, !!set, !!timestamp and a bare ! are errors too; the core tags (!!str 1e-6) keep their meaning', () => {
    for (const tagged of ['!!binary aGk=', '!!set {a}', '!!timestamp 2001-12-14', '! x', '!!omap [a: 1]'])
      expect(
        parseYaml('a.yaml', `a: ${tagged}\n`).diagnostics.map((d) => d.code),
        tagged,
      ).toEqual(['YAML_SYNTAX'])
    const plain = parseYaml('a.yaml', 'a: !!str 1e-6\nb: !!int "8"\nc: !!bool true\n')
    expect(plain.diagnostics).toEqual([])
    expect(plain.value).toEqual({ a: '1e-6', b: 8, c: true })
  })
})

describe('valid UTF-8 holding U+FFFD is ordinary text', () => {
  it('a description with U+FFFD compiles, and reaches the script comment and the README', () => {
    const r = compileLeaf('description: "replacement \uFFFD character"\n')
    expect(errors(r)).toEqual([])
    expect(fileOf(r, 'a.sh')).toContain('# Experiment a: replacement \uFFFD character\n')
    expect(fileOf(r, 'README.md')).toContain('replacement \uFFFD character')
  })
})

describe('free text reaches the generated README escaped; control characters are refused', () => {
  it('a model label and a description with Markdown and HTML show as written, and break no table', () => {
    const label = 'Qwen*3* | <b>x</b> `code` [l](http://e) _i_ ~~s~~ $m$ &amp;'
    const r = compileLeaf(
      `description: ${JSON.stringify(label)}\nmodel:\n  label: ${JSON.stringify(label)}\n`,
    )
    expect(errors(r)).toEqual([])
    const readme = fileOf(r, 'README.md')
    const escaped =
      'Qwen\\*3\\* \\| &lt;b&gt;x&lt;/b&gt; \\`code\\` \\[l\\](http://e) \\_i\\_ \\~\\~s\\~\\~ \\$m\\$ &amp;amp;'
    expect(readme).toContain(`Launch scripts for training ${escaped} on`)
    const row = readme.split('\n').find((l) => l.startsWith('| `a.sh` |')) ?? expect.fail('no row for a.sh')
    expect(row).toBe(`| \`a.sh\` | ${escaped} | \`/checkpoints/a\` | ${escaped} |`)
    expect(readme).not.toContain('<b>')
  })

  it('a control character in model.label or description is a SCHEMA error at the value', () => {
    for (const bad of ['\\n', '\\r', '\\e[31m', '\\x85', '\\t'])
      expect(errors(compileLeaf(`model:\n  label: "Q${bad}"\ndescription: "d${bad}"\n`)), bad).toEqual([
        'experiments/a.yaml:5:10 SCHEMA',
        'experiments/a.yaml:6:14 SCHEMA',
      ])
  })
})

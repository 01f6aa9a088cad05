import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { readSchema, readTemplates } from '../../src/cli/package-files.js'
import { markdownCode, markdownText } from '../../src/render/encoders.js'
import { createTemplates } from '../../src/render/handlebars-env.js'
import { launchViewOf } from '../../src/render/render-experiment.js'
import { slurmViewOf, submitViewOf, uploadJobViewOf } from '../../src/render/render-slurm.js'
import { uploadViewOf } from '../../src/render/render-upload.js'
import { verlLibViewOf } from '../../src/render/render-verl-lib.js'
import { hasControlCharacter, sbatchQuote, shellQuote, UnencodableValue } from '../../src/render/shell.js'
import { encodersOf, TEMPLATE_SLOTS } from '../../src/render/template-slots.js'
import { docsViewOf } from '../../src/report/docs-view.js'
import { targetFor } from '../../src/verl/index.js'
import { compileDir } from '../helpers/compile-repo.js'

/**
 * Property: whatever a slot of a template holds, the template refuses it (UnencodableValue) or writes a file
 * that bash parses and runs without running anything the value holds; values reach their reader intact.
 */
const work = mkdtempSync(join(tmpdir(), 'finqa-slots-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const { experiments } = compileDir()
const first = experiments[0] as (typeof experiments)[number]
const templates = createTemplates(readTemplates())
const specDir = 'experiments'
const uploads = experiments.flatMap(({ experiment, spec }) =>
  experiment.upload === undefined ? [] : [{ name: experiment.name, upload: experiment.upload, spec }],
)
const VIEWS: Record<string, () => object> = {
  'launch.sh.hbs': () => launchViewOf(first.experiment, first.spec.chain, specDir, 'a'.repeat(64)),
  'slurm.sbatch.hbs': () => slurmViewOf(first.experiment, first.spec.chain, specDir),
  'slurm-upload.sbatch.hbs': () => uploadJobViewOf(first.experiment, first.spec.chain, specDir),
  'slurm-submit-all.sh.hbs': () =>
    submitViewOf(
      experiments.map((c) => c.experiment),
      specDir,
    ),
  'upload_to_hf.sh.hbs': () => {
    // The shipped experiments share their upload settings: add a `case` branch, so that its slots are written.
    const view = uploadViewOf(uploads, specDir)
    return { ...view, cases: [{ pattern: first.experiment.name, settings: view.defaults }] }
  },
  'README.md.hbs': () => docsViewOf(experiments, { specDir, schema: readSchema() }),
  'launch-lib.sh.hbs': () => ({ specDir, finqaVersion: '0.1.0' }),
  'verl-lib.sh.hbs': () => verlLibViewOf(targetFor(undefined)),
}

/** Every hostile class of issue 17: line breaks, NUL, quotes, backslash, $(), backquotes, `;`, globs, ESC. */
const INJECTIONS = [
  '\ntouch canary\n',
  'x\ntouch canary; : <<X\n',
  '\rtouch canary',
  'a\0b',
  "'; touch canary; '",
  '"; touch canary; "',
  '\\',
  '$(touch canary)',
  '`touch canary`',
  '; touch canary',
  '*',
  '?[a]',
  '\u001b[31mred',
  '#',
  '\nEOF\ntouch canary\nEOF\n',
  '\n```\n<script>x</script>',
  '--> <b>x</b>',
  '| x |',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${HOME} is the hostile input
  '${HOME}',
  '',
  '-x',
]
const hostile = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc
    .tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...INJECTIONS), fc.string({ maxLength: 6 }))
    .map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 20 }),
)

/** The encoder of each item of a list encoder's list. */
const LIST_ITEM: Readonly<Record<string, string>> = {
  bashLines: 'bash',
  cfgAssignLines: 'cfgAssign',
  intWords: 'int',
}

/**
 * The forms a value can take in a view: as written, or already encoded the way render code does; for a list
 * encoder, lists of those (one item, and all of them) and the value not in a list.
 */
const forms = (encoder: string, v: string): unknown[] => {
  const item = LIST_ITEM[encoder]
  if (item !== undefined) {
    const items = forms(item, v)
    return [v, ...items.map((f) => [f]), items]
  }
  const encoded: unknown[] = [v]
  const attempt = (f: () => unknown) => {
    try {
      encoded.push(f())
    } catch (e) {
      if (!(e instanceof UnencodableValue)) throw e
    }
  }
  if (encoder === 'bash' || encoder === 'envDefault') attempt(() => shellQuote(v))
  if (encoder === 'directive') attempt(() => `--comment=${sbatchQuote(v)}`)
  if (encoder === 'markdown') attempt(() => `${markdownCode(v)} ${markdownText(v)}`)
  if (encoder === 'int') encoded.push(v.length, 1.5, Number.NaN)
  if (encoder === 'mdTable') encoded.push({ header: [v], rows: [[markdownText(v)]] })
  return encoded
}

/** A copy of the view with the slot (`a.b`, `list[].c`, `list[]`) set to `value` everywhere it occurs. */
function withSlot(view: object, slot: string, value: unknown): object {
  const copy = structuredClone(view) as Record<string, unknown>
  const set = (node: unknown, parts: readonly string[]): unknown => {
    const [head, ...rest] = parts
    if (head === undefined) return value
    const list = head.endsWith('[]')
    const key = list ? head.slice(0, -2) : head
    const record = node as Record<string, unknown>
    const child = record[key]
    if (list) {
      const items = Array.isArray(child) && child.length > 0 ? child : [rest.length === 0 ? '' : {}]
      record[key] = items.map((item) => set(item, rest))
    } else record[key] = rest.length === 0 ? value : set(child ?? {}, rest)
    return node
  }
  return set(copy, slot.split('.')) as object
}

function stub(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/usr/bin/env bash\n${body}\n`)
  chmodSync(join(dir, name), 0o755)
}

/** Runs a generated bash file as it would run (stub python3, sbatch, srun, scontrol; a fake job). */
function runBash(template: string, content: string): { syntax: string; canary: boolean } {
  const dir = mkdtempSync(join(work, 'run-'))
  const bin = join(dir, 'bin')
  const scripts = join(dir, 'scripts')
  mkdirSync(bin)
  mkdirSync(scripts)
  for (const tool of ['python3', 'srun', 'scontrol']) stub(bin, tool, 'exit 0')
  stub(bin, 'sbatch', 'echo 42')
  for (const script of [first.experiment.script, 'upload_to_hf.sh']) stub(scripts, script, 'exit 0')
  const file = join(dir, 'generated')
  writeFileSync(file, content)
  const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' }).stderr
  const env = {
    PATH: `${bin}:/usr/bin:/bin`,
    HOME: dir,
    FINQA_SKIP_PREFLIGHT: '1',
    FINQA_SCRIPTS_DIR: scripts,
    SLURM_JOB_ID: '7',
    SLURM_CPUS_PER_TASK: '2',
  }
  const runs: string[][] = [[]]
  if (template === 'upload_to_hf.sh.hbs') {
    const ckpt = join(dir, first.experiment.name)
    mkdirSync(join(ckpt, 'global_step_5', 'actor', 'huggingface'), { recursive: true })
    writeFileSync(join(ckpt, 'global_step_5', 'actor', 'fsdp_config.json'), '{}')
    writeFileSync(join(ckpt, 'latest_checkpointed_iteration.txt'), '5')
    runs.splice(0, 1, ['--help'], [ckpt, '--no-upload', '--dry-run'])
  }
  for (const args of runs)
    spawnSync('bash', [file, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 20_000 })
  const canary = readdirSync(dir).includes('canary')
  rmSync(dir, { recursive: true, force: true })
  return { syntax, canary }
}

/** The Markdown shape of the README: fenced blocks, the one-line HTML comment, table rows' cell counts. */
function markdownShape(readme: string): string[] {
  const lines = readme.split('\n')
  return [
    `fences ${lines.filter((l) => /^\s*(```|~~~)/.test(l)).length}`,
    `line 1 is one comment: ${lines[0]?.startsWith('<!--') && lines[0].indexOf('-->') === lines[0].length - 3}`,
    ...lines
      .filter((l) => l.startsWith('|'))
      .map((l) => `cells ${l.replace(/\\\\|\\\|/g, '').split('|').length}`),
  ].filter((l, i, all) => !l.startsWith('cells') || all.indexOf(l) === i)
}

const fenceCount = (shape: readonly string[]): number =>
  Number(shape.find((l) => l.startsWith('fences '))?.slice('fences '.length))

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('every template slot, written with hostile values, is refused or runs nothing it holds', () => {
  for (const [template, slots] of Object.entries(TEMPLATE_SLOTS)) {
    // A partial's slots are its callers' (`target=script`), fuzzed through them.
    if (template.startsWith('partials/')) continue
    const render = templates.get(template)
    const view = VIEWS[template]
    if (render === undefined || view === undefined) throw new Error(`no view for ${template}`)
    const baseShape = template === 'README.md.hbs' ? markdownShape(render(view())) : []
    for (const [slot, entry] of Object.entries(slots)) {
      const [encoder] = encodersOf(entry)
      // finqa's own code from src/verl/ (see TEMPLATE_SLOTS): no spec value reaches it.
      if (encoder === 'code') continue
      const check = (v: string): void => {
        for (const value of forms(encoder as string, v)) {
          let content: string
          try {
            content = render(withSlot(view(), slot, value))
          } catch (error) {
            expect(error, `${JSON.stringify(value)}: ${String(error)}`).toBeInstanceOf(UnencodableValue)
            continue
          }
          if (template === 'README.md.hbs') {
            // Markdown runs nothing; its structure must stay that of the file without the value (the diagram
            // may be a sentence alone, as render-mermaid writes past Mermaid's limits: one fenced block less).
            const allowed =
              slot === 'mermaid' ? [...baseShape, `fences ${fenceCount(baseShape) - 2}`] : baseShape
            const shape = markdownShape(content)
            for (const line of shape.filter((l) => !l.startsWith('cells'))) expect(allowed).toContain(line)
            continue
          }
          const { syntax, canary } = runBash(template, content)
          expect(syntax, JSON.stringify(value)).toBe('')
          expect(canary, JSON.stringify(value)).toBe(false)
        }
      }
      it(`${template} ${slot} (${encoder})`, async () => {
        // Every class of hostile input, then random ones around them.
        for (const v of INJECTIONS) {
          await tick()
          check(v)
        }
        await fc.assert(
          fc.asyncProperty(hostile, async (v) => {
            await tick()
            check(v)
          }),
          { numRuns: 4 },
        )
      })
    }
  }
})

describe('encoders carry values intact', () => {
  const printed = (shellText: string): string =>
    spawnSync('bash', ['-c', `printf %s ${shellText}`], { encoding: 'utf8' }).stdout

  it('shellQuote: bash reads back the exact value, whatever it holds but a NUL', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.string({ unit: 'binary' })), (v) => {
        if (v.includes('\0')) expect(() => shellQuote(v)).toThrow(UnencodableValue)
        else expect(printed(shellQuote(v))).toBe(v)
      }),
      { numRuns: 60 },
    )
  })

  it('sbatchQuote: a line break, CR, NUL, ESC or other control character is refused', () => {
    for (const v of ['x\ntouch /tmp/p', 'a\rb', 'a\0b', '\u001b[31m', 'a\u0085b', '\t'])
      expect(() => sbatchQuote(v), JSON.stringify(v)).toThrow(UnencodableValue)
    expect(sbatchQuote('a "b" #c \\d')).toBe('"a \\"b\\" \\#c \\\\d"')
  })

  it('markdownText and markdownCode: the text shown is the value', () => {
    // A reader's view of Markdown: backslash escapes and entities undone, a code span's fence stripped.
    const shown = (md: string) =>
      md
        .replace(/\\([\\`*_[\]|~$#!])/g, '$1')
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&amp;', '&')
    const spanText = (md: string) => {
      const fence = /^`+/.exec(md)?.[0] ?? ''
      const inner = md.slice(fence.length, md.length - fence.length)
      return inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() !== '' ? inner.slice(1, -1) : inner
    }
    const printable = fc.string({ maxLength: 30 }).filter((s) => !hasControlCharacter(s))
    fc.assert(
      fc.property(
        fc.oneof(printable, fc.constantFrom('`a`', '``', 'x`y', '<b>', '&amp;', '*a*', '|')),
        (v) => {
          expect(shown(markdownText(v))).toBe(v)
          const span = markdownCode(v)
          expect(spanText(span)).toBe(v)
          expect(/[^\\]\|/.test(markdownText(v))).toBe(false)
        },
      ),
      { numRuns: 200 },
    )
    expect(markdownText('Qwen3-4B')).toBe('Qwen3-4B')
    expect(markdownText('a_b*c*<x>')).toBe('a\\_b\\*c\\*&lt;x&gt;')
    expect(markdownCode('a`b')).toBe('``a`b``')
  })
})

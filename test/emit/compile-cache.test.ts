import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readSchema, readTemplates } from '../../src/cli/package-files.js'
import { type CacheInputs, openCompileCache } from '../../src/emit/compile-cache.js'
import { tempDir } from '../helpers/cli.js'

/** An output folder holding `files` (name → size in bytes), and a cache of it in its own folder. */
function outputs(files: Record<string, number>) {
  const outDir = tempDir('finqa-out-')
  for (const [name, size] of Object.entries(files)) writeFileSync(join(outDir, name), 'x'.repeat(size))
  const cacheDir = tempDir('finqa-cache-')
  const inputs: CacheInputs = {
    cwd: outDir,
    outDir,
    specDir: 'experiments',
    specs: new Map([['experiments/a.yaml', 'name: a\n']]),
    templates: new Map([['launch.sh.hbs', '{{name}}\n']]),
    schema: { type: 'object' },
    version: '0.0.0',
  }
  const open = (changed: Partial<CacheInputs> = {}) =>
    openCompileCache({ ...inputs, ...changed }, { FINQA_CACHE_DIR: cacheDir })
  const compiled = { experiments: [], diagnostics: [], files: Object.keys(files) }
  const entryFile = () => join(cacheDir, readdirSync(cacheDir)[0] as string)
  const entry = () => JSON.parse(readFileSync(entryFile(), 'utf8'))
  return { outDir, inputs, open, compiled, entryFile, entry }
}

describe('the no-op cache, inputs', () => {
  it('misses when any input differs: a spec, a template, the schema, shipped or not', () => {
    const out = outputs({ a: 10 })
    const own: Pick<CacheInputs, 'templates' | 'schema'> = out.inputs
    const shipped: Pick<CacheInputs, 'templates' | 'schema'> = {
      templates: readTemplates(),
      schema: readSchema(),
    }
    for (const base of [own, shipped]) {
      out.open(base).record(out.compiled)
      expect(out.open(base).lookup()?.files).toEqual(['a'])
      const templates = new Map(base.templates)
      templates.set('launch.sh.hbs', `${templates.get('launch.sh.hbs')}#\n`)
      const schema = { ...base.schema, title: 'changed' }
      const specs = new Map([['experiments/a.yaml', 'name: b\n']])
      const changes: Partial<CacheInputs>[] = [{ templates }, { schema }, { specs }]
      for (const changed of changes) expect(out.open({ ...base, ...changed }).lookup()).toBeUndefined()
    }
    // The shipped schema and templates are part of the build: the entry names them, without their text.
    expect(readFileSync(out.entryFile()).length).toBeLessThan(2_000)
  })
})

describe('the no-op cache, racy files', () => {
  it('keeps racy files whole while they are small, and compares their content', () => {
    const out = outputs({ a: 100, b: 200 })
    out.open().record(out.compiled)
    const [a, b] = out.entry().stats
    expect(a[6]).toEqual({ latin1: 'x'.repeat(100) })
    expect(b[6]).toEqual({ latin1: 'x'.repeat(200) })
    expect(out.open().lookup()?.files).toEqual(['a', 'b'])
    // An edit that leaves every stat as recorded, simulated by changing what was recorded.
    const changed = out.entry()
    changed.stats[0][6].latin1 = `y${'x'.repeat(99)}`
    writeFileSync(out.entryFile(), JSON.stringify(changed))
    expect(out.open().lookup()).toBeUndefined()
  })

  it('records what the compile produced, not what is on disk, so a file changed meanwhile is not taken for its own', () => {
    const out = outputs({ a: 3, b: 3, c: 3 })
    const cache = out.open()
    cache.keep({ path: 'a', content: 'xxx' })
    // Changed on disk by someone else between the write and the record, within one tick of the clock.
    cache.keep({ path: 'b', content: 'é' })
    cache.record(out.compiled)
    const [a, b, c] = out.entry().stats
    expect(a[6]).toEqual({ latin1: 'xxx' })
    // UTF-8 bytes as latin1: 'é' is C3 A9.
    expect(b[6]).toEqual({ latin1: '\u00c3\u00a9' })
    // Not kept (the manifest, written last): read back.
    expect(c[6]).toEqual({ latin1: 'xxx' })
    expect(out.open().lookup()).toBeUndefined()
    writeFileSync(join(out.outDir, 'b'), 'é')
    const fixed = out.open()
    for (const path of ['a', 'b', 'c'])
      fixed.keep({ path, content: readFileSync(join(out.outDir, path), 'utf8') })
    fixed.record(out.compiled)
    expect(out.open().lookup()?.files).toEqual(['a', 'b', 'c'])
  })

  it('reads racy files back once the kept content passes 1 MiB', () => {
    const out = outputs({ a: 600_000, b: 10 })
    const cache = out.open()
    cache.keep({ path: 'a', content: 'y'.repeat(600_000) })
    cache.keep({ path: 'b', content: 'y'.repeat(500_000) })
    cache.record({ ...out.compiled, files: ['b'] })
    expect(out.entry().stats[0][6]).toEqual({ latin1: 'x'.repeat(10) })
  })

  it('keeps a SHA-256 of each instead when they are more than 1 MiB in all (the last files of a large tree)', () => {
    const out = outputs({ a: 600_000, b: 600_000 })
    out.open().record(out.compiled)
    const [a, b] = out.entry().stats
    expect(a[6]).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(b[6]).toEqual(a[6])
    expect(readFileSync(out.entryFile()).length).toBeLessThan(10_000)
    expect(out.open().lookup()?.files).toEqual(['a', 'b'])
    const changed = out.entry()
    changed.stats[1][6].sha256 = '0'.repeat(64)
    writeFileSync(out.entryFile(), JSON.stringify(changed))
    expect(out.open().lookup()).toBeUndefined()
  })
})

import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readSchema, readTemplates } from '../../src/cli/package-files.js'
import { type CacheInputs, openCompileCache } from '../../src/emit/compile-cache.js'
import { readCacheEntry, writeCacheEntry } from '../helpers/cache-entry.js'
import { tempDir } from '../helpers/cli.js'
import { REPO } from '../helpers/compile-repo.js'

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
  const entry = () => readCacheEntry(entryFile())
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
    writeCacheEntry(out.entryFile(), changed)
    expect(out.open().lookup()).toBeUndefined()
  })

  it('keeps racy contents as their bytes after the line of JSON, and compares them byte for byte', () => {
    const text = 'a "quoted" \\ back\tslash\nline é\u0000'
    const out = outputs({ a: 0, b: 0 })
    for (const name of ['a', 'b']) writeFileSync(join(out.outDir, name), text)
    const cache = out.open()
    cache.keep({ path: 'a', content: text })
    cache.record(out.compiled)
    const raw = readFileSync(out.entryFile())
    const line = raw.indexOf(0x0a)
    const bytes = Buffer.from(text)
    // Not escaped as JSON: the JSON line names where each file's bytes are; they follow it as they are.
    expect(raw.subarray(line + 1)).toEqual(Buffer.concat([bytes, bytes]))
    expect(JSON.parse(raw.toString('utf8', 0, line)).stats.map((s: unknown[]) => s[6])).toEqual([
      { at: 0, bytes: bytes.length },
      { at: bytes.length, bytes: bytes.length },
    ])
    expect(out.open().lookup()?.files).toEqual(['a', 'b'])
    // One byte different, or recorded where the entry has no bytes (a cut-off entry): not the same file.
    const changed = Buffer.from(raw)
    changed.writeUInt8(changed.readUInt8(changed.length - 2) ^ 1, changed.length - 2)
    writeFileSync(out.entryFile(), changed)
    expect(out.open().lookup()).toBeUndefined()
    writeFileSync(out.entryFile(), raw.subarray(0, raw.length - 1))
    expect(out.open().lookup()).toBeUndefined()
    writeFileSync(out.entryFile(), raw.subarray(0, line))
    expect(out.open().lookup()).toBeUndefined()
    writeFileSync(out.entryFile(), raw)
    expect(out.open().lookup()?.files).toEqual(['a', 'b'])
  })

  it('misses for a content recorded at an offset that is not whole, before the start, or longer than the file', () => {
    const out = outputs({ a: 3 })
    writeFileSync(join(out.outDir, 'a'), 'abc')
    out.open().record(out.compiled)
    expect(out.open().lookup()?.files).toEqual(['a'])
    const raw = readFileSync(out.entryFile())
    const head = JSON.parse(raw.toString('utf8', 0, raw.indexOf(0x0a)))
    const rewrite = (content: unknown, bytes: string) => {
      head.stats[0][6] = content
      writeFileSync(out.entryFile(), `${JSON.stringify(head)}\n${bytes}`)
      return out.open().lookup()
    }
    // Each would find "abc" in the bytes if taken as is: a fraction rounds, a negative counts from the end,
    // and a slice longer than what follows stops at the end.
    expect(rewrite({ at: 0, bytes: 3 }, 'abcXYZ')?.files).toEqual(['a'])
    expect(rewrite({ at: 0.5, bytes: 3 }, 'abcXYZ')).toBeUndefined()
    expect(rewrite({ at: -6, bytes: 3 }, 'abcXYZ')).toBeUndefined()
    expect(rewrite({ at: 3, bytes: 5 }, 'XYZabc')).toBeUndefined()
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
    writeCacheEntry(out.entryFile(), changed)
    expect(out.open().lookup()).toBeUndefined()
  })
})

/** Sets a file's times to `ageMs` ago (a negative age: in the future). */
function age(path: string, ageMs: number): void {
  const at = new Date(Date.now() - ageMs)
  utimesSync(path, at, at)
}

/** Waits until the files written so far are no longer racy (written more than 100 ms before recording). */
const settle = () => new Promise((r) => setTimeout(r, 150))

describe('the no-op cache, its rules one by one', () => {
  it('names its entry by the end of the output path and the FNV-1a hash of all of it', () => {
    const cacheDir = tempDir('finqa-cache-')
    const outDir = '/nonexistent/finqa cache/a-much-longer-prefix/x  y//z (w)/outputs.of_the-slug'
    const inputs: CacheInputs = {
      cwd: cacheDir,
      outDir,
      specDir: 'experiments',
      specs: new Map(),
      templates: new Map(),
      schema: { type: 'object' },
      version: '0.0.0',
    }
    openCompileCache(inputs, { FINQA_CACHE_DIR: cacheDir }).record({
      experiments: [],
      diagnostics: [],
      files: [],
    })
    expect(readdirSync(cacheDir)).toEqual(['a-much-longer-prefix_x_y_z_w_outputs.of_the-slug.ec55f4b0.json'])
    // A hash below 0x10000000 is padded to eight digits.
    openCompileCache({ ...inputs, outDir: '/nonexistent/out413' }, { FINQA_CACHE_DIR: cacheDir }).record({
      experiments: [],
      diagnostics: [],
      files: [],
    })
    expect(readdirSync(cacheDir).sort()).toEqual([
      '_nonexistent_out413.005b4cd6.json',
      'a-much-longer-prefix_x_y_z_w_outputs.of_the-slug.ec55f4b0.json',
    ])
  })

  it('keys an entry by every input, each prefixed by its length, the build by its module file', () => {
    const out = outputs({})
    out.open().record(out.compiled)
    const module = statSync(join(REPO, 'src', 'emit', 'compile-cache.ts'))
    const build = `${module.size}:${module.mtimeMs}`
    const { cwd } = out.inputs
    expect(out.entry().key).toBe(
      `1:55:0.0.0${build.length}:${build}${cwd.length}:${cwd}${cwd.length}:${cwd}11:experiments` +
        '18:t{"type":"object"}1:113:launch.sh.hbs10:t{{name}}\n1:118:experiments/a.yaml8:name: a\n',
    )
    // The shipped schema and templates stand as `p`.
    out
      .open({
        schema: readSchema(),
        templates: new Map([['launch.sh.hbs', readTemplates().get('launch.sh.hbs') as string]]),
      })
      .record(out.compiled)
    expect(out.entry().key).toContain('11:experiments1:p1:113:launch.sh.hbs1:p1:1')
  })

  it('misses with no entry, an entry of another format, or one that is not JSON', () => {
    const out = outputs({ a: 1 })
    expect(out.open().lookup()).toBeUndefined()
    out.open().record(out.compiled)
    expect(out.open().lookup()?.files).toEqual(['a'])
    const entry = out.entry()
    writeCacheEntry(out.entryFile(), entry)
    expect(out.open().lookup()?.files).toEqual(['a'])
    writeCacheEntry(out.entryFile(), { ...entry, format: 4 })
    expect(out.open().lookup()).toBeUndefined()
    writeFileSync(out.entryFile(), `${JSON.stringify({ ...entry, stats: {} })}\n`)
    expect(out.open().lookup()).toBeUndefined()
    writeFileSync(out.entryFile(), `${JSON.stringify(entry).slice(0, -1)}\n`)
    expect(out.open().lookup()).toBeUndefined()
  })

  it('misses when the output folder is gone, even for a compile that wrote no files', () => {
    const out = outputs({})
    out.open().record(out.compiled)
    expect(out.open().lookup()).toEqual({ experiments: [], diagnostics: [], files: [] })
    rmSync(out.outDir, { recursive: true })
    expect(out.open().lookup()).toBeUndefined()
  })

  it('compares the stats of a file written long enough ago, and not its content', async () => {
    const out = outputs({ a: 3, b: 3 })
    await settle()
    out.open().record(out.compiled)
    const [a] = out.entry().stats
    expect(a).toHaveLength(6)
    expect(a[0]).toBe('a')
    expect(a[5]).toBe(statSync(join(out.outDir, 'a')).mode)
    expect(out.open().lookup()?.files).toEqual(['a', 'b'])
    chmodSync(join(out.outDir, 'b'), 0o600)
    expect(out.open().lookup()).toBeUndefined()
    out.open().record(out.compiled)
    rmSync(join(out.outDir, 'a'))
    expect(out.open().lookup()).toBeUndefined()
  })

  it('takes a file as racy when either its ctime or its mtime is within 100 ms of recording', async () => {
    const out = outputs({ old: 3, future: 3 })
    // Set back: the ctime is now.
    age(join(out.outDir, 'old'), 3_600_000)
    // Set ahead, then left to age: only the mtime is recent.
    age(join(out.outDir, 'future'), -3_600_000)
    await settle()
    out.open().record({ ...out.compiled, files: ['future'] })
    expect(out.entry().stats[0][6]).toEqual({ latin1: 'xxx' })
    age(join(out.outDir, 'old'), 3_600_000)
    out.open().record({ ...out.compiled, files: ['old'] })
    expect(out.entry().stats[0][6]).toEqual({ latin1: 'xxx' })
  })

  it('keeps exactly 1 MiB of racy content whole, and uses what was kept up to then', () => {
    const out = outputs({ a: 1 << 20 })
    const cache = out.open()
    cache.keep({ path: 'a', content: 'y'.repeat(1 << 20) })
    cache.record(out.compiled)
    const [a] = out.entry().stats
    expect(a[6].latin1).toHaveLength(1 << 20)
    expect(a[6].latin1.slice(0, 3)).toBe('yyy')
  })

  it('writes an entry of more than a thousand files in parts that make one list', () => {
    const names = Array.from({ length: 1001 }, (_, i) => `f${String(i).padStart(4, '0')}`)
    const out = outputs(Object.fromEntries(names.map((n) => [n, 1])))
    out.open().record({ ...out.compiled, files: names })
    expect(out.entry().stats).toHaveLength(1001)
    expect(out.open().lookup()?.files).toEqual(names)
    const thousand = outputs(Object.fromEntries(names.slice(0, 1000).map((n) => [n, 1])))
    thousand.open().record({ ...thousand.compiled, files: names.slice(0, 1000) })
    expect(thousand.open().lookup()?.files).toHaveLength(1000)
  })

  it('removes its entry when a record fails, so that it cannot answer for the new outputs', () => {
    const out = outputs({ a: 1 })
    out.open().record(out.compiled)
    const file = out.entryFile()
    out.open().record({ ...out.compiled, files: ['a', 'missing'] })
    expect(() => statSync(file)).toThrow()
    expect(out.open().lookup()).toBeUndefined()
  })

  it('prunes entries and scratch files unused for 30 days when recording, and keeps a used one fresh', () => {
    const out = outputs({ a: 1 })
    out.open().record(out.compiled)
    const own = out.entryFile()
    const dir = dirname(own)
    for (const [name, days] of [
      ['old.json', 31],
      ['old.tmp', 31],
      ['old.txt', 31],
      ['recent.json', 29],
    ] as const) {
      writeFileSync(join(dir, name), '{}')
      age(join(dir, name), days * 24 * 3600 * 1000)
    }
    age(own, 40 * 24 * 3600 * 1000)
    // A hit makes the entry fresh again.
    expect(out.open().lookup()?.files).toEqual(['a'])
    expect(Date.now() - statSync(own).mtimeMs).toBeLessThan(24 * 3600 * 1000)
    out.open().record(out.compiled)
    expect(readdirSync(dir).sort()).toEqual([own.slice(dir.length + 1), 'old.txt', 'recent.json'].sort())
  })
})

describe('the no-op cache, where it lives', () => {
  const record = (cwd: string, env: Record<string, string>) =>
    openCompileCache(
      {
        cwd,
        outDir: join(cwd, 'out'),
        specDir: 'experiments',
        specs: new Map(),
        templates: new Map(),
        schema: {},
        version: '0',
      },
      env,
    ).record({ experiments: [], diagnostics: [], files: [] })

  it('below node_modules of the working folder, else in $XDG_CACHE_HOME', () => {
    const withModules = tempDir('finqa-cwd-')
    mkdirSync(join(withModules, 'node_modules'))
    const xdg = tempDir('finqa-xdg-')
    record(withModules, { XDG_CACHE_HOME: xdg })
    expect(readdirSync(join(withModules, 'node_modules', '.cache', 'finqa'))).toHaveLength(1)
    const plain = tempDir('finqa-cwd-')
    record(plain, { XDG_CACHE_HOME: xdg })
    expect(readdirSync(join(xdg, 'finqa'))).toHaveLength(1)
  })
})

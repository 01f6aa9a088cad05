import { chmodSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type EntryJson, readCacheEntry, writeCacheEntry } from './helpers/cache-entry.js'
import { finqa, project, tempDir } from './helpers/cli.js'

/** A project with the shipped experiments and its own cache folder, compiled once. */
function compiled(): { dir: string; cache: string; run: (...args: string[]) => ReturnType<typeof finqa> } {
  const dir = project()
  const cache = tempDir('finqa-cache-')
  const run = (...args: string[]) =>
    finqa(['compile', 'experiments', '--out', 'out', ...args], dir, { FINQA_CACHE_DIR: cache })
  expect(run().code).toBe(0)
  return { dir, cache, run }
}

/** The one cache entry in `cache`. */
function entryFile(cache: string): string {
  const [entry] = readdirSync(cache)
  expect(entry).toBeDefined()
  return join(cache, entry as string)
}

/**
 * Rewrites a cache entry: `change` edits it, and its experiment names are marked, so that a report read from
 * the entry shows it.
 */
function editEntry(file: string, change: (entry: EntryJson) => void = () => {}): void {
  const data = readCacheEntry(file)
  change(data)
  data.experiments = data.experiments.map((e: { name: string }) => ({ ...e, name: `cached_${e.name}` }))
  writeCacheEntry(file, data)
}

const markCache = (cache: string) => editEntry(entryFile(cache))

const fromCache = (stdout: string) =>
  JSON.parse(stdout).experiments.some((e: { name: string }) => e.name.startsWith('cached_'))

describe('the no-op cache', () => {
  it('answers an unchanged recompile without compiling, with the same report', () => {
    const { dir, cache, run } = compiled()
    // A full compile of the unchanged tree, for the report the cache must repeat.
    const full = finqa(['compile', 'experiments', '--out', 'out', '--json'], dir, {
      FINQA_CACHE_DIR: cache,
      FINQA_NO_CACHE: '1',
    })
    expect(JSON.parse(full.stdout).files.written).toEqual([])
    markCache(cache)
    const again = run('--json')
    expect(again.code).toBe(0)
    expect(fromCache(again.stdout)).toBe(true)
    const a = JSON.parse(full.stdout)
    const b = JSON.parse(again.stdout)
    expect(b.files).toEqual(a.files)
    expect(b.diagnostics).toEqual(a.diagnostics)
    expect(b.summary).toEqual(a.summary)
    expect(run().stdout).toContain('8 experiments, 0 written, 29 unchanged, 0 removed')
  })

  it('is not used by --check, with FINQA_NO_CACHE=1, or for changed inputs', () => {
    const { dir, cache, run } = compiled()
    run()
    markCache(cache)
    const check = finqa(['compile', 'experiments', '--out', 'out', '--check', '--json'], dir, {
      FINQA_CACHE_DIR: cache,
    })
    expect(check.code).toBe(0)
    expect(fromCache(check.stdout)).toBe(false)
    const off = finqa(['compile', 'experiments', '--out', 'out', '--json'], dir, {
      FINQA_CACHE_DIR: cache,
      FINQA_NO_CACHE: '1',
    })
    expect(fromCache(off.stdout)).toBe(false)

    const spec = join(dir, 'experiments', '4b', 'rollout12.yaml')
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('  n: 12', '  n: 16'))
    const changed = run('--json')
    expect(fromCache(changed.stdout)).toBe(false)
    expect(JSON.parse(changed.stdout).files.written).toEqual(
      ['out/run_4b_rollout12.sh', 'out/README.md'].sort(),
    )
    expect(readFileSync(join(dir, 'out', 'run_4b_rollout12.sh'), 'utf8')).toContain('ROLLOUT_N:-16')
  })

  it('sees every change to an output: edited at once (same size), touched back, removed, chmod', () => {
    const { dir, run } = compiled()
    const script = join(dir, 'out', 'run_4b.sh')
    const original = readFileSync(script, 'utf8')
    const expectRepaired = () => {
      const r = run()
      expect(r.stdout).toContain('wrote out/run_4b.sh')
      expect(readFileSync(script, 'utf8')).toBe(original)
      expect(statSync(script).mode & 0o777).toBe(0o755)
    }

    // Right after the compile, the same size.
    const r = run()
    expect(r.code).toBe(0)
    writeFileSync(script, original.replace('#!/usr/bin/env bash', '#!/usr/bin/env dash'))
    expectRepaired()

    const { atime, mtime } = statSync(script)
    writeFileSync(script, original.replace('set -euo pipefail', 'set -eu  pipefail'))
    utimesSync(script, atime, mtime)
    expectRepaired()

    rmSync(script)
    expectRepaired()

    chmodSync(script, 0o644)
    expectRepaired()
  })

  it('a file written moments before the entry was recorded is compared by content, not by its stats', () => {
    const { dir, cache, run } = compiled()
    // The compile recorded its entry within milliseconds of writing its files: they are racy (on a loaded
    // machine the first ones may not be, the last ones always are), so the entry holds their content. An edit
    // in the same tick of the file system's clock leaves every stat as recorded; that is simulated the other
    // way round, by changing the recorded content of one racy file.
    const file = entryFile(cache)
    const entry = readCacheEntry(file)
    const racy = entry.stats.filter((s: unknown[]) => s.length === 7)
    expect(racy.length).toBeGreaterThan(0)
    const name: string = racy.at(-1)[0]
    const recorded = (e: EntryJson) => e.stats.find((s: string[]) => s[0] === name)
    expect(recorded(entry)[6]).toEqual({ latin1: readFileSync(join(dir, 'out', name), 'latin1') })
    editEntry(file)
    expect(fromCache(run('--json').stdout)).toBe(true)

    editEntry(file, (e) => {
      recorded(e)[6].latin1 = `${recorded(e)[6].latin1} `
    })
    const missed = run('--json')
    expect(fromCache(missed.stdout)).toBe(false)
    expect(JSON.parse(missed.stdout).files.written).toEqual([])
  })

  it('entries neither recorded nor used for 30 days are removed; a hit keeps its entry fresh', () => {
    const cache = tempDir('finqa-cache-')
    const day = 24 * 3600
    const ago = (days: number) => Date.now() / 1000 - days * day
    const plant = (name: string, days: number) => {
      writeFileSync(join(cache, name), '{}')
      utimesSync(join(cache, name), ago(days), ago(days))
    }
    plant('gone.json', 31)
    plant('gone.json.x1.tmp', 31)
    plant('recent.json', 29)
    plant('notes.txt', 400) // not the cache's: left alone
    const dir = project()
    const run = () => finqa(['compile', 'experiments', '--out', 'out'], dir, { FINQA_CACHE_DIR: cache })
    expect(run().code).toBe(0)
    const entries = readdirSync(cache).sort()
    expect(entries).toEqual(expect.arrayContaining(['notes.txt', 'recent.json']))
    expect(entries).not.toContain('gone.json')
    expect(entries).not.toContain('gone.json.x1.tmp')
    const own = entries.find((e) => !['notes.txt', 'recent.json'].includes(e)) as string
    expect(own).toMatch(/^[A-Za-z0-9._-]+\.[0-9a-f]{8}\.json$/)
    // A hit (the report comes from the entry) refreshes the entry it answered from.
    editEntry(join(cache, own))
    utimesSync(join(cache, own), ago(20), ago(20))
    const hit = finqa(['compile', 'experiments', '--out', 'out', '--json'], dir, { FINQA_CACHE_DIR: cache })
    expect(fromCache(hit.stdout)).toBe(true)
    expect(statSync(join(cache, own)).mtimeMs).toBeGreaterThan(Date.now() - 60_000)
  })

  it('a cache folder that cannot be written costs only the shortcut', () => {
    const dir = project()
    const cache = join(tempDir('finqa-cache-'), 'file')
    writeFileSync(cache, 'not a folder')
    const run = () => finqa(['compile', 'experiments', '--out', 'out'], dir, { FINQA_CACHE_DIR: cache })
    expect(run().code).toBe(0)
    const again = run()
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('0 written, 29 unchanged')
  })
})

import { spawnSync } from 'node:child_process'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUILD_LINE, loadCli } from '../bin/load-bundle.js'
import { tempDir } from './helpers/cli.js'
import { REPO } from './helpers/compile-repo.js'

/** Runs the loaded CLI in process; its stdout. */
async function run(cli: ReturnType<typeof loadCli>['cli'], args: string[], cwd: string) {
  let out = ''
  const code = await cli.main(args, {
    cwd,
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true },
  })
  return { code, out }
}

// global-setup builds dist/, the bundle and its code cache included (scripts/bundle.mjs).
describe('the bundled CLI (dist/bundle/finqa.cjs, what bin/finqa.js loads)', () => {
  const bundle = join(REPO, 'dist', 'bundle', 'finqa.cjs')

  it('requires nothing but Node built-ins (ajv and the Handlebars compiler load only on demand)', () => {
    const text = readFileSync(bundle, 'utf8')
    const required = [...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? '')
    expect(required.filter((s) => !isBuiltin(s))).toEqual([])
  })

  it('calls nothing that loads ICU locale data (toLocaleString, localeCompare, Intl): 7 MB of memory at start-up', () => {
    // A `toLocaleString('en-US')` run at module load made every command 7 MB larger (2026-11-25).
    const text = readFileSync(bundle, 'utf8')
    expect(text.match(/\.toLocale[A-Za-z]*String\(|\.localeCompare\(|\bIntl\./g) ?? []).toEqual([])
  })

  it('loads no node:crypto at start-up: it and the stream modules it pulls in cost some 4 ms of every command', () => {
    // Node's own list of the built-in modules it loaded, before and after the bundle and `--version`, in a
    // fresh process (this one has loaded far more). node:crypto came in with the run record's spec hash.
    const probe = [
      `const { loadCli } = require(${JSON.stringify(join(REPO, 'bin', 'load-bundle.js'))})`,
      'const before = new Set(process.moduleLoadList)',
      `const { cli } = loadCli(${JSON.stringify(bundle)})`,
      "cli.main(['--version'], { cwd: process.cwd(), stdout: { write: () => true }, stderr: { write: () => true } })",
      "  .then(() => require('node:fs').writeSync(1, process.moduleLoadList.filter((m) => !before.has(m)).join('\\n')))",
    ].join('\n')
    const r = spawnSync(process.execPath, ['-e', probe], { cwd: REPO, encoding: 'utf8' })
    expect(r.stderr).toBe('')
    const loaded = r.stdout.split('\n')
    expect(loaded).toContain('NativeModule os') // the probe sees what the bundle loads
    expect(loaded.filter((m) => /^NativeModule (crypto|stream|internal\/crypto\/)/.test(m))).toEqual([])
  })

  it('loads with its code cache, which V8 accepts, and runs', async () => {
    const { cli, cacheRejected } = loadCli(bundle)
    expect(cacheRejected).toBe(false)
    const { code, out } = await run(cli, ['--version'], REPO)
    expect(code).toBe(0)
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('ignores a code cache written for another build of the bundle', async () => {
    const dir = tempDir('finqa-bundle-')
    const copy = join(dir, 'finqa.cjs')
    copyFileSync(bundle, copy)
    const cache = readFileSync(`${bundle}.cache`)
    // Another build's id: the cache's first bytes are the id from the bundle's last line.
    expect(readFileSync(copy, 'latin1').endsWith(`\n${BUILD_LINE}${cache.toString('latin1', 0, 64)}\n`)).toBe(
      true,
    )
    writeFileSync(`${copy}.cache`, Buffer.concat([Buffer.from('0'.repeat(64)), cache.subarray(64)]))
    const { cli, cacheRejected } = loadCli(copy)
    expect(cacheRejected).toBeUndefined()
    const { code, out } = await run(cli, ['--help'], dir)
    expect(code).toBe(0)
    expect(out).toContain('finqa compile')
  })
})

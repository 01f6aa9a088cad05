import { readFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadCli } from '../bin/load-bundle.js'
import { REPO } from './helpers/compile-repo.js'

// global-setup builds dist/, the bundle and its code cache included (scripts/bundle.mjs).
describe('the bundled CLI (dist/bundle/finqa.cjs, what bin/finqa.js loads)', () => {
  const bundle = join(REPO, 'dist', 'bundle', 'finqa.cjs')

  it('requires nothing but Node built-ins (ajv and the Handlebars compiler load only on demand)', () => {
    const text = readFileSync(bundle, 'utf8')
    const required = [...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? '')
    expect(required.filter((s) => !isBuiltin(s))).toEqual([])
  })

  it('loads with its code cache, which V8 accepts, and runs', async () => {
    const { cli, cacheRejected } = loadCli(bundle)
    expect(cacheRejected).toBe(false)
    let out = ''
    const code = await cli.main(['--version'], {
      cwd: REPO,
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => true },
    })
    expect(code).toBe(0)
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })
})

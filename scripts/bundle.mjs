#!/usr/bin/env node
// Bundles the CLI (src/cli/main.ts and everything it imports, dependencies included) into one CommonJS file,
// dist/bundle/finqa.cjs, which bin/finqa.js loads through bin/load-bundle.js: start-up reads one file
// instead of resolving and compiling some hundred modules. Then compiles the shipped specs once with it and
// saves V8's code cache (dist/bundle/finqa.cjs.cache), so later runs skip parsing and compiling too.
// Part of `npm run build`; the package ships dist/.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { analyzeMetafile, build } from 'esbuild'
import { loadCli } from '../bin/load-bundle.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'dist', 'bundle')
const bundle = join(outdir, 'finqa.cjs')
rmSync(outdir, { recursive: true, force: true })
const result = await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile: bundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // CommonJS has no import.meta: the bundle's own file URL stands in (package root, createRequire).
  define: { 'import.meta.url': '__finqaUrl' },
  banner: { js: "const __finqaUrl = require('node:url').pathToFileURL(__filename).href;" },
  // ajv and the Handlebars compiler load through createRequire only when a schema or template was not
  // precompiled; they stay in node_modules (both are dependencies).
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
})
if (process.env.FINQA_BUNDLE_ANALYZE) process.stdout.write(await analyzeMetafile(result.metafile))

// Warm up: compile the shipped specs (the scaffold's in a package without experiments/) into a temp folder.
const { cli, saveCache } = loadCli(bundle)
const out = mkdtempSync(join(tmpdir(), 'finqa-warm-'))
let output = ''
const sink = { write: (text) => (output += text) }
try {
  for (const specs of [join(root, 'experiments'), join(root, 'scaffold', 'experiments')]) {
    const code = await cli.main(['compile', specs, '--out', out], { cwd: root, stdout: sink, stderr: sink })
    if (code === 0) break
  }
} finally {
  rmSync(out, { recursive: true, force: true })
}
saveCache()

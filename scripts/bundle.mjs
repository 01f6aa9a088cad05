#!/usr/bin/env node
// Bundles the CLI (src/cli/main.ts and everything it imports, dependencies included) into one CommonJS file,
// dist/bundle/finqa.cjs, which bin/finqa.js loads through bin/load-bundle.js: start-up reads one file
// instead of resolving and compiling some hundred modules. Then compiles the shipped specs once with it and
// saves V8's code cache (dist/bundle/finqa.cjs.cache), so later runs skip parsing and compiling too.
// Part of `npm run build`; the package ships dist/.
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import Module from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { analyzeMetafile, build } from 'esbuild'
import { BUILD_LINE, loadCli } from '../bin/load-bundle.js'

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
  // Non-ASCII characters escaped: bin/load-bundle.js reads the bundle as latin1, which is faster than utf8
  // and decodes ASCII to the same text.
  charset: 'ascii',
  // Written below: wrapped, with the build id.
  write: false,
  metafile: true,
  logLevel: 'warning',
})
if (process.env.FINQA_BUNDLE_ANALYZE) process.stdout.write(await analyzeMetafile(result.metafile))
const text = result.outputFiles[0]?.text ?? ''
// Any character beyond ASCII takes more than one byte in UTF-8.
if (Buffer.byteLength(text) !== text.length)
  throw new Error('the bundle is not ASCII; bin/load-bundle.js reads it as latin1')
// The file holds the CommonJS module already wrapped in its module function, exactly as Node's Module.wrap
// wraps it, so that bin/load-bundle.js compiles the text as read instead of concatenating and flattening a
// copy of it on every run (the file is for load-bundle.js, not for require). Its last line is the id that
// ties the code cache to this bundle: a hash of the code, so that the same sources give the same bundle.
const id = createHash('sha256').update(text).digest('hex')
mkdirSync(outdir, { recursive: true })
writeFileSync(bundle, `${Module.wrap(text)}\n${BUILD_LINE}${id}\n`)

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

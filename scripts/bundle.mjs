#!/usr/bin/env node
// Bundles the CLI (src/cli/main.ts and everything it imports, dependencies included) into
// dist/bundle/finqa.mjs, which bin/finqa.js loads: start-up reads one file instead of resolving and
// compiling some hundred modules. Commands only some runs need (init, explain, plan, diff, --watch) are
// split into chunks beside it and load on demand. Part of `npm run build`; the package ships dist/.
import { rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { analyzeMetafile, build } from 'esbuild'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'dist', 'bundle')
rmSync(outdir, { recursive: true, force: true })
const result = await build({
  entryPoints: { finqa: join(root, 'src', 'cli', 'main.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // ajv and the Handlebars compiler load through createRequire only when a schema or template was not
  // precompiled; they stay in node_modules (both are dependencies).
  // Bundled CommonJS (yaml, handlebars) may require Node built-ins; give ESM output a require.
  banner: {
    js: "import { createRequire as __finqaCreateRequire } from 'node:module'\nconst require = __finqaCreateRequire(import.meta.url)",
  },
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
  minify: true,
})
if (process.env.FINQA_BUNDLE_ANALYZE) process.stdout.write(await analyzeMetafile(result.metafile))

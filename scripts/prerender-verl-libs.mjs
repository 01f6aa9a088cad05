#!/usr/bin/env node
// Renders, for each VERL release finqa supports, what the shipped template verl-lib.sh.hbs makes of it
// (a launch script's lib/verl-<version>.sh: the release's key list and start-up checks) into
// dist/generated/verl/lib-<version>.sh, which a compile then reads instead of rendering it
// (src/render/render-verl-lib.ts, prebuiltVerlLib). Then replaces the copy of each release's derived key
// data there with its lean form, which defines the same target with less to parse (src/verl/release-data.ts,
// leanReleaseData). Both are functions of the release and finqa's own code only, all in dist/ as tsc built it
// just before: part of scripts/build.mjs, after tsc and the copy of src/generated/verl/.
import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dist = (path) => import(join(root, 'dist', path))
const { TEMPLATES } = await dist('generated/templates.js')
const { createTemplates } = await dist('render/handlebars-env.js')
const { verlLibViewOf } = await dist('render/render-verl-lib.js')
const { allTargets } = await dist('verl/index.js')
const { leanReleaseData, readReleaseData } = await dist('verl/release-data.js')

const name = 'verl-lib.sh.hbs'
const out = join(root, 'dist', 'generated', 'verl')
for (const f of readdirSync(out)) if (/^lib-.*\.sh$/.test(f)) rmSync(join(out, f))
const lib = createTemplates(new Map([[name, TEMPLATES[name].source]])).get(name)
try {
  const texts = allTargets().map((target) => [target.version, lib(verlLibViewOf(target))])
  for (const [version, text] of texts) writeFileSync(join(out, `lib-${version}.sh`), text)
} catch (error) {
  // src/generated/templates.ts older than a view it renders (`npm run gen` builds before it regenerates
  // the templates, then builds again): without these files a compile renders the libs itself.
  process.stderr.write(`finqa build: ${name} not rendered ahead (${error.message}); compiles render it\n`)
}

// The targets were defined from the copies of the derived data, read before this replaces them.
for (const target of allTargets()) {
  const lean = leanReleaseData(readReleaseData(target.tag), target)
  writeFileSync(join(out, `${target.tag}.json`), `${JSON.stringify(lean)}\n`)
}

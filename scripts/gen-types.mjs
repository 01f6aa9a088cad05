#!/usr/bin/env node
// Generates what derives from schema/experiment.schema.json and templates/, all committed:
//   src/generated/experiment.ts   TypeScript types (json-schema-to-typescript)
//   schema/layer.schema.json      the schema for one layer file, which editors use (nothing required, null deletes)
//   src/generated/validators.ts   the validator precompiled (ajv standalone), for the shipped schema only
//   src/generated/templates.ts    every template precompiled (Handlebars), each with its source text
// Needs the built dist/ (npm run build). test/generated.test.ts fails when any is stale.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderGenerated } from '../dist/generate.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const schema = JSON.parse(readFileSync(join(root, 'schema', 'experiment.schema.json'), 'utf8'))
const files = await renderGenerated(schema)
for (const [path, content] of Object.entries(files)) {
  writeFileSync(join(root, path), content)
  console.log(`wrote ${path}`)
}

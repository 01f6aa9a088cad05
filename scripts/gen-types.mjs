#!/usr/bin/env node
// Generates what derives from schema/experiment.schema.json, both committed:
//   src/generated/experiment.ts   TypeScript types (json-schema-to-typescript)
//   schema/layer.schema.json      the schema for one layer file, which editors use (nothing required, null deletes)
// Needs the built dist/ (npm run build). test/generated.test.ts fails when either is stale.
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

#!/usr/bin/env node
// Writes test/fixtures/parquet/train_4b_model_forecast_20000.parquet: a real parquet file of 150 rows in the
// shape VERL reads (data_source, prompt, ability, reward_model, extra_info; nested values as JSON strings),
// whose footer row count (150) disagrees with the spec's data.train_rows (20000). Committed; rerun only to
// change the fixture. test/report/plan.test.ts reads its row count back with hyparquet.
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parquetWriteFile } from 'hyparquet-writer'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'test', 'fixtures', 'parquet', 'train_4b_model_forecast_20000.parquet')
const rows = 150
const ids = Array.from({ length: rows }, (_, i) => i)
mkdirSync(dirname(out), { recursive: true })
parquetWriteFile({
  filename: out,
  columnData: [
    { name: 'data_source', data: ids.map(() => 'fin_text_qa'), type: 'STRING' },
    {
      name: 'prompt',
      data: ids.map((i) =>
        JSON.stringify([{ role: 'user', content: `Question ${i}: will the stock rise?` }]),
      ),
      type: 'JSON',
    },
    { name: 'ability', data: ids.map(() => 'forecast'), type: 'STRING' },
    {
      name: 'reward_model',
      data: ids.map((i) => JSON.stringify({ style: 'rule', ground_truth: i % 2 === 0 ? 'up' : 'down' })),
      type: 'JSON',
    },
    { name: 'extra_info', data: ids.map((i) => JSON.stringify({ index: i })), type: 'JSON' },
  ],
})
console.log(`wrote ${out} (${rows} rows)`)

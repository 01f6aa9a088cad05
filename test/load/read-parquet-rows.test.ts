import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readParquetRows } from '../../src/load/read-parquet-rows.js'
import { tempDir } from '../helpers/cli.js'
import { REPO } from '../helpers/compile-repo.js'

const FIXTURES = join(REPO, 'test', 'fixtures', 'parquet')

describe('readParquetRows', () => {
  it("reads the row count from the fixture's footer (150 rows)", async () => {
    expect(await readParquetRows(join(FIXTURES, 'train_4b_model_forecast_20000.parquet'))).toEqual({
      kind: 'rows',
      rows: 150,
    })
  })

  it('no file, or a folder, at the path is missing (the data lives on the cluster)', async () => {
    expect(await readParquetRows(join(FIXTURES, 'nope.parquet'))).toEqual({ kind: 'missing' })
    expect(await readParquetRows(FIXTURES)).toEqual({ kind: 'missing' })
  })

  it("a file that is not parquet is unreadable, with the parquet reader's words", async () => {
    const path = join(tempDir('finqa-parquet-'), 'train.parquet')
    writeFileSync(path, 'name,answer\nq1,yes\n')
    expect(await readParquetRows(path)).toEqual({
      kind: 'unreadable',
      message: 'parquet file invalid (footer != PAR1)',
    })
  })
})

import { statSync } from 'node:fs'
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet'

export type ParquetRows =
  | { readonly kind: 'rows'; readonly rows: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly message: string }

/**
 * The row count a parquet file's footer records (FileMetaData.num_rows), reading only the footer.
 * `missing` when there is no file at `path` (the data lives on the cluster), `unreadable` when it is not parquet.
 */
export async function readParquetRows(path: string): Promise<ParquetRows> {
  try {
    if (!statSync(path).isFile()) return { kind: 'missing' }
  } catch {
    return { kind: 'missing' }
  }
  try {
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path))
    return { kind: 'rows', rows: Number(metadata.num_rows) }
  } catch (error) {
    return { kind: 'unreadable', message: (error as Error).message }
  }
}

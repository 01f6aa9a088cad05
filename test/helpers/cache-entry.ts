import { readFileSync, writeFileSync } from 'node:fs'

// biome-ignore lint/suspicious/noExplicitAny: an entry as JSON, read and edited by tests
export type EntryJson = any

/**
 * A no-op cache entry (src/emit/compile-cache.ts), read the way its format is written down there: a line of
 * JSON, then the racy files' bytes. Each racy file's `{ at, bytes }` is shown as `{ latin1 }`, its bytes as
 * latin1 text, so that tests can read and change them.
 */
export function readCacheEntry(file: string): EntryJson {
  const data = readFileSync(file)
  const end = data.indexOf(0x0a)
  const entry = JSON.parse(data.toString('utf8', 0, end))
  const contents = data.subarray(end + 1)
  for (const stat of entry.stats) {
    const content = stat[6]
    if (content !== undefined && 'at' in content)
      stat[6] = { latin1: contents.toString('latin1', content.at, content.at + content.bytes) }
  }
  return entry
}

/** Writes an entry as readCacheEntry gives it: each `{ latin1 }` back as `{ at, bytes }` and its bytes. */
export function writeCacheEntry(file: string, entry: EntryJson): void {
  const contents: string[] = []
  let at = 0
  const stats = entry.stats.map((stat: EntryJson[]) => {
    const content = stat[6]
    if (content === undefined || !('latin1' in content)) return stat
    contents.push(content.latin1)
    const recorded = { at, bytes: content.latin1.length }
    at += content.latin1.length
    return [...stat.slice(0, 6), recorded]
  })
  writeFileSync(
    file,
    Buffer.concat([
      Buffer.from(`${JSON.stringify({ ...entry, stats })}\n`),
      Buffer.from(contents.join(''), 'latin1'),
    ]),
  )
}

import {
  type BigIntStats,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Diagnostic } from '../diagnostics/diagnostic.js'
import { sha256Hex } from '../load/sha256.js'
import { isPrecompiledTemplate } from '../render/handlebars-env.js'
import { isPrecompiled, type Schema, schemaText } from '../validate/schema.js'
import { scratchId } from './write-outputs.js'

/**
 * The no-op cache (ADR 0004). A compile that wrote a tree records what went in (every spec text, the
 * templates, the schema and the finqa build, kept whole) and what came out (each output file's size, mtime,
 * ctime, inode and mode). A later compile with the same inputs whose outputs still have the same stats has
 * nothing to do, and says so without compiling. `--check` never uses it: it always compiles and compares
 * contents.
 *
 * Stats cannot see a change made within one tick of the file system's coarse clock after finqa wrote a file
 * (same size, same inode, same ctime). Like git's index, files written that recently are "racy": the cache
 * keeps their content (or, past INLINE_BYTES of it, a SHA-256) and a lookup reads and compares it. The content
 * kept is what the compile produced (`keep`), not what is on disk when recording, while there is little of it:
 * no file is read back, and a file changed by someone else in that tick is not taken for finqa's own.
 *
 * Inputs are kept whole and compared as text, not hashed: that is exact, and a compile of a few experiments
 * would otherwise spend a tenth of its time loading node:crypto. The specs are small beside the outputs
 * (about 1 MB at 10,000 experiments). Racy files are too while there are few: all 27 files of the 8 shipped
 * experiments are racy when recorded (120 KB), but the last 100 ms of writing 10,000 experiments are some
 * 2,000 files (8 MB), which would make every no-op read an entry three times larger.
 */

const FORMAT = 5
/** An entry neither recorded nor used for this many days is removed by the next compile that records one. */
const STALE_DAYS = 30
/** Files whose ctime is this close to the time of recording are racy (the coarse clock ticks every ≤10 ms). */
const RACY_MS = 100
/** Racy files up to this many bytes in all are kept whole; more are kept as SHA-256s. */
const INLINE_BYTES = 1 << 20

/** What a cached compile reports: enough to print the same report a full compile would. */
export interface CachedCompile {
  readonly experiments: readonly { name: string; script: string; chain: readonly string[] }[]
  /** Warnings only: a compile with errors is never recorded. */
  readonly diagnostics: readonly Diagnostic[]
  /** Output files relative to the output folder, the manifest included. */
  readonly files: readonly string[]
}

/** One output file as recorded: path, size, mtime and ctime (ns), inode, mode, and for a racy file its content. */
type FileStat = [
  path: string,
  size: string,
  mtimeNs: string,
  ctimeNs: string,
  ino: string,
  mode: number,
  content?: RecordedContent,
]

/**
 * A racy file's bytes: whole, as `bytes` bytes at offset `at` of the entry's content part (see
 * writeEntry), or as the hex SHA-256 of them.
 */
type RecordedContent = { readonly at: number; readonly bytes: number } | { readonly sha256: string }

/** On disk: the report less its file list, which the stats carry. */
interface CacheEntry extends Omit<CachedCompile, 'files'> {
  readonly format: number
  readonly key: string
  readonly stats: readonly FileStat[]
}

/** An entry as read: its JSON part, and the racy files' contents that follow it. */
interface ReadEntry extends CacheEntry {
  readonly contents: Buffer
}

export interface CacheInputs {
  readonly cwd: string
  readonly outDir: string
  readonly specDir: string
  readonly specs: ReadonlyMap<string, string>
  readonly templates: ReadonlyMap<string, string>
  readonly schema: Schema
  readonly version: string
}

export interface CompileCache {
  /** The cached report when the inputs are the same and every output is as recorded; else undefined. */
  lookup(): CachedCompile | undefined
  /**
   * Notes a file the compile produced, before it is written: `record` keeps this content for a racy file
   * instead of reading the file back (up to INLINE_BYTES in all; past that, files are read back).
   */
  keep(file: { readonly path: string; readonly content: string }): void
  /** Records a successful compile's outputs (best effort: a cache that cannot be written is skipped). */
  record(compiled: CachedCompile): void
}

/**
 * The cache of one output folder. It lives in `node_modules/.cache/finqa` below the working directory when
 * there is a node_modules there, else in `$XDG_CACHE_HOME/finqa` (`~/.cache/finqa`); FINQA_CACHE_DIR
 * overrides both. Never in the output folder: stats differ between clones, so they must not be committed.
 */
export function openCompileCache(
  inputs: CacheInputs,
  env: Readonly<Record<string, string | undefined>>,
): CompileCache {
  const dir =
    env.FINQA_CACHE_DIR ??
    (existsSync(join(inputs.cwd, 'node_modules'))
      ? join(inputs.cwd, 'node_modules', '.cache', 'finqa')
      : join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'finqa'))
  const file = join(dir, entryName(inputs.outDir))
  const key = inputKey(inputs)
  const kept = new Map<string, string>()
  let keptLength = 0
  return {
    keep: ({ path, content }) => {
      // Characters, not bytes: a bound, as UTF-8 takes at least one byte each.
      keptLength += content.length
      if (keptLength <= INLINE_BYTES) kept.set(path, content)
    },
    lookup: () => {
      // A missing output folder (say, just deleted to build afresh) needs a compile: skip reading the entry.
      if (!existsSync(inputs.outDir)) return undefined
      const entry = readEntry(file)
      if (entry === undefined || entry.key !== key) return undefined
      for (const recorded of entry.stats) {
        if (!sameFile(join(inputs.outDir, recorded[0]), recorded, entry.contents)) return undefined
      }
      // In use: not stale (see `prune`).
      try {
        const now = new Date()
        utimesSync(file, now, now)
      } catch {}
      return {
        experiments: entry.experiments,
        diagnostics: entry.diagnostics,
        files: entry.stats.map(([path]) => path),
      }
    },
    record: (compiled) => {
      try {
        const now = BigInt(Date.now()) * 1_000_000n
        const { stats, contents } = recordStats(inputs.outDir, compiled.files, now, kept)
        const { experiments, diagnostics } = compiled
        const head: Omit<CacheEntry, 'stats'> = { format: FORMAT, key, experiments, diagnostics }
        mkdirSync(dir, { recursive: true })
        const temp = `${file}.${scratchId()}.tmp`
        writeEntry(temp, head, stats, contents)
        renameSync(temp, file)
        prune(dir, file)
      } catch {
        // A read-only or missing cache folder only costs the next no-op compile its shortcut; an entry that
        // could not be replaced must not answer for the new outputs.
        try {
          rmSync(file, { force: true })
        } catch {}
      }
    },
  }
}

/**
 * Removes the entries (and scratch files) of this cache folder that no compile has recorded or used for
 * STALE_DAYS: their output folders are gone or long unused, and would otherwise pile up, one per folder ever
 * compiled. A later compile there only misses its shortcut once. Best effort, like the rest of the cache.
 */
function prune(dir: string, keep: string): void {
  const oldest = Date.now() - STALE_DAYS * 24 * 3600 * 1000
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (path === keep || !(name.endsWith('.json') || name.endsWith('.tmp'))) continue
    try {
      if (statSync(path).mtimeMs < oldest) rmSync(path, { force: true })
    } catch {}
  }
}

/**
 * The entry's file name: the output folder's last characters, readable, and a hash of its whole path. Two
 * folders with the same name would only take turns with the one entry: the key holds the whole path.
 */
function entryName(outDir: string): string {
  // FNV-1a, 32 bits.
  let hash = 0x811c9dc5
  for (let i = 0; i < outDir.length; i++) hash = Math.imul(hash ^ outDir.charCodeAt(i), 0x01000193)
  const slug = outDir.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-48)
  return `${slug}.${(hash >>> 0).toString(16).padStart(8, '0')}.json`
}

/**
 * The inputs' identity, whole: every spec (path and text), the templates, the schema, finqa's version and
 * build, each part prefixed by its length so that no two different inputs join to the same text. The shipped
 * schema and templates are precompiled into the build, which `buildId` names: a marker stands for their text
 * (57 KB of an entry of the 8 shipped experiments).
 */
function inputKey(inputs: CacheInputs): string {
  const parts: string[] = []
  const add = (text: string) => parts.push(`${text.length}:`, text)
  add(String(FORMAT))
  add(inputs.version)
  add(buildId())
  add(inputs.cwd)
  add(inputs.outDir)
  add(inputs.specDir)
  const shipped = 'p'
  add(isPrecompiled(inputs.schema) ? shipped : `t${schemaText(inputs.schema)}`)
  add(String(inputs.templates.size))
  for (const [name, text] of inputs.templates) {
    add(name)
    add(isPrecompiledTemplate(name, text) ? shipped : `t${text}`)
  }
  add(String(inputs.specs.size))
  for (const [name, text] of inputs.specs) {
    add(name)
    add(text)
  }
  return parts.join('')
}

/**
 * The build of finqa that runs: the size and mtime of this module's file (the bundle, in a package), so that
 * rebuilding finqa in a checkout invalidates what an older build cached.
 */
function buildId(): string {
  try {
    const stat = statSync(fileURLToPath(import.meta.url))
    return `${stat.size}:${stat.mtimeMs}`
  } catch {
    return 'unknown'
  }
}

/**
 * The stats of the output files, each as its JSON text (a FileStat), and the content of the racy ones (see
 * INLINE_BYTES), each as latin1 text (one character per byte, so that any bytes round-trip exactly): as kept
 * when the compile produced it, else as read now. As text, not arrays: 30,003 of them are 3 MB instead of 8.
 */
function recordStats(
  outDir: string,
  files: readonly string[],
  now: bigint,
  kept: ReadonlyMap<string, string>,
): { stats: string[]; contents: string[] } {
  const racyFrom = now - BigInt(RACY_MS) * 1_000_000n
  const stats: string[] = []
  const racy: { index: number; stat: FileStat }[] = []
  let racyBytes = 0n
  for (const path of files) {
    const s = lstatSync(join(outDir, path), { bigint: true })
    const stat: FileStat = [path, ...identity(s)]
    if (s.ctimeNs >= racyFrom || s.mtimeNs >= racyFrom) {
      racy.push({ index: stats.length, stat })
      racyBytes += s.size
      stats.push('') // written below, with its content
    } else stats.push(JSON.stringify(stat))
  }
  // One file at a time: the last 100 ms of a large compile are thousands of files.
  const inline = racyBytes <= BigInt(INLINE_BYTES)
  const contents: string[] = []
  let at = 0
  for (const { index, stat } of racy) {
    const content = kept.get(stat[0])
    if (inline) {
      const bytes =
        content !== undefined ? latin1Of(content) : readFileSync(join(outDir, stat[0])).toString('latin1')
      stat.push({ at, bytes: bytes.length })
      contents.push(bytes)
      at += bytes.length
    } else stat.push({ sha256: sha256Hex(readFileSync(join(outDir, stat[0]))) })
    stats[index] = JSON.stringify(stat)
  }
  return { stats, contents }
}

/** The latin1 form of a text's UTF-8 bytes: the text itself when it is ASCII. */
function latin1Of(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, control characters included
  return /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1')
}

/**
 * Writes an entry: its JSON on the first line (JSON has no raw line break), its stats a thousand at a time
 * (the JSON of a whole 10,000-experiment entry is 6 MB, and its bytes 6 MB more, at the moment a compile holds
 * the most); then the racy files' contents, as they are: escaping them for JSON was some 1% of a compile of
 * the 8 shipped experiments.
 */
function writeEntry(
  path: string,
  head: Omit<CacheEntry, 'stats'>,
  stats: readonly string[],
  contents: readonly string[],
): void {
  const fd = openSync(path, 'w')
  try {
    writeSync(fd, `${JSON.stringify(head).slice(0, -1)},"stats":[`)
    for (let i = 0; i < stats.length; i += 1000) {
      writeSync(fd, `${i === 0 ? '' : ','}${stats.slice(i, i + 1000).join(',')}`)
    }
    writeSync(fd, ']}\n')
    writeSync(fd, contents.join(''), null, 'latin1')
  } finally {
    closeSync(fd)
  }
}

/** What identifies a file's content, short of reading it. */
function identity(s: BigIntStats): [string, string, string, string, number] {
  return [String(s.size), String(s.mtimeNs), String(s.ctimeNs), String(s.ino), Number(s.mode)]
}

function sameFile(path: string, recorded: FileStat, contents: Buffer): boolean {
  let s: BigIntStats
  try {
    s = lstatSync(path, { bigint: true })
  } catch {
    return false
  }
  const now = identity(s)
  for (let i = 0; i < now.length; i++) if (now[i] !== recorded[i + 1]) return false
  const content = recorded[6]
  if (content === undefined) return true
  const bytes = readFileSync(path)
  if ('sha256' in content) return sha256Hex(bytes) === content.sha256
  // An entry edited or cut off answers for nothing: a whole offset from the start, the file's length (a
  // slice past the end is shorter, so unequal), and the same bytes.
  const { at, bytes: length } = content
  return (
    Number.isSafeInteger(at) &&
    at >= 0 &&
    length === bytes.length &&
    bytes.equals(contents.subarray(at, at + length))
  )
}

/** The entry in `file`: its first line is the JSON, the racy files' contents follow (see writeEntry). */
function readEntry(file: string): ReadEntry | undefined {
  try {
    const data = readFileSync(file)
    const end = data.indexOf(0x0a)
    if (end < 0) return undefined
    const entry = JSON.parse(data.toString('utf8', 0, end)) as Partial<CacheEntry>
    if (entry.format !== FORMAT || !Array.isArray(entry.stats)) return undefined
    return { ...(entry as CacheEntry), contents: data.subarray(end + 1) }
  } catch {
    return undefined
  }
}

import {
  chmod,
  chmodSync,
  type Dirent,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFile,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join, relative, sep } from 'node:path'
import type { RenderedFile } from '../render/render-experiment.js'
import { MANIFEST, parseManifest, renderManifest } from './manifest.js'
import { pause } from './pause.js'

export interface OutputPlan {
  readonly written: string[]
  readonly unchanged: string[]
  readonly removed: string[]
  /** Files in the output folder that finqa did not write and does not produce. */
  readonly foreign: string[]
}

export interface CheckReport {
  readonly stale: string[]
  readonly missing: string[]
  readonly extra: string[]
  /** Produced files that match the output folder. */
  readonly unchanged: string[]
}

/** Names ending so are finqa's own scratch files and folders: never output, removed by the next compile. */
const TEMP_SUFFIX = '.finqa-tmp'

/**
 * A name part for scratch files and folders: the process id keeps concurrent runs apart, a random part the
 * names one run makes. Not for secrets: Math.random, not node:crypto.
 */
export function scratchId(): string {
  return `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 10)}`
}

/**
 * Takes the files of one compile as they are rendered and compares each with the output folder at once, so
 * that no file needs to be held until the end; `finish` reports what is stale, missing or extra.
 */
export interface OutputCheck {
  add(file: RenderedFile): void
  finish(): CheckReport
}

export function checkOutputsIncrementally(outDir: string): OutputCheck {
  const report: CheckReport = { stale: [], missing: [], extra: [], unchanged: [] }
  const produced: string[] = []
  const compare = (file: RenderedFile): void => {
    const state = onDisk(outDir, file)
    if (state === 'missing') report.missing.push(file.path)
    else if (state !== 'same') report.stale.push(file.path)
    else if (file.path !== MANIFEST) report.unchanged.push(file.path)
  }
  return {
    add: (file) => {
      produced.push(file.path)
      compare(file)
    },
    finish: () => {
      compare(manifestFile(produced))
      report.unchanged.sort()
      // One at a time: a folder may hold more files than a call takes arguments (`--out` a busy folder).
      for (const path of foreignFiles(listFiles(outDir), new Set(produced))) report.extra.push(path)
      report.stale.sort()
      report.missing.sort()
      return report
    },
  }
}

/**
 * Takes the files of one compile as they are rendered and stages the ones that changed; `commit` puts them in
 * place once the whole compile is known to be good, `abort` forgets them and leaves the output folder as it
 * was. Atomic per file: every file is written complete under a scratch name, then renamed into place. Into a
 * missing or empty output folder, the whole tree is staged beside it and renamed into place at once.
 */
export interface OutputWriter {
  /**
   * Writes run in the background (libuv's thread pool) while the caller renders the next files; the promise,
   * when there is one, says to wait: enough writes are under way.
   */
  add(file: RenderedFile): Promise<void> | undefined
  /**
   * Puts the staged files in place, sets modes, removes files an earlier compile wrote that no compile
   * produces now (the manifest lists them), and writes the manifest. Files finqa never wrote stay.
   */
  commit(): Promise<OutputPlan>
  /** Removes what was staged; the output folder is untouched. */
  abort(): Promise<void>
}

export interface OutputOptions {
  /**
   * A test hook: wait this long before each rename into place (each file's, or a new folder's one), so that a
   * test can kill the compile while it replaces files (FINQA_TEST_RENAME_DELAY_MS). 0 in real use.
   */
  readonly renameDelayMs?: number
  /**
   * Called as each file is put in place: a compile that replaces thousands of files on a slow network file
   * system keeps its output lock fresh through it (`OutputLock.refresh`).
   */
  readonly onProgress?: () => void
}

export function openOutputs(outDir: string, options: OutputOptions = {}): OutputWriter {
  const existing = listDir(outDir)
  return existing === undefined || existing.length === 0
    ? freshOutputs(outDir, options)
    : updateOutputs(outDir, options)
}

/**
 * A new output folder: every file goes into a scratch folder beside it, `.<name>.<random>.finqa-tmp`, which
 * becomes the output folder with one rename. A compile killed before that leaves only the scratch folder,
 * which the next compile into the same folder removes.
 */
function freshOutputs(outDir: string, options: OutputOptions): OutputWriter {
  const parent = dirname(outDir)
  mkdirSync(parent, { recursive: true })
  const prefix = `.${basename(outDir)}.`
  for (const name of listDir(parent) ?? []) {
    if (name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX))
      rmSync(join(parent, name), { recursive: true, force: true })
  }
  const stage = join(parent, `${prefix}${scratchId()}${TEMP_SUFFIX}`)
  const write = stagedWriter(stage)
  const produced: string[] = []
  return {
    add: (file) => {
      produced.push(file.path)
      return write.file(file.path, file.content, file.mode)
    },
    commit: async () => {
      const manifest = manifestFile(produced)
      await write.file(manifest.path, manifest.content, manifest.mode)
      await write.drain()
      pause(options.renameDelayMs)
      try {
        renameSync(stage, outDir) // replaces an empty folder
      } catch (error) {
        // The folder filled meanwhile, is a symlink or a mount point: put the files in one by one instead.
        if (!isCode(error, 'ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EXDEV', 'EBUSY')) throw error
        return updateFrom(outDir, stage, produced, options)
      }
      return { written: [...produced].sort(), unchanged: [], removed: [], foreign: [] }
    },
    abort: () => write.discard(),
  }
}

/**
 * An output folder with files in it: each produced file is compared with the one there; a changed one is
 * staged in `<out>/.<random>.finqa-tmp/` and renamed into place on commit.
 */
function updateOutputs(outDir: string, options: OutputOptions): OutputWriter {
  mkdirSync(outDir, { recursive: true })
  // One listing: scratch files of a killed run go; the rest is what was there before this run.
  const before = listFiles(outDir, { removeTemps: true })
  const current = readIfExists(join(outDir, MANIFEST))?.text
  const previous = parseManifest(current)
  const owned = new Set(previous)
  const stage = join(outDir, `.${scratchId()}${TEMP_SUFFIX}`)
  const write = stagedWriter(stage)
  const plan: OutputPlan = { written: [], unchanged: [], removed: [], foreign: [] }
  const produced: string[] = []
  const staged: string[] = []
  const chmods: RenderedFile[] = []
  /** Files in the way that finqa did not write: nothing is replaced while there is one. */
  const conflicts: string[] = []
  const consider = (file: RenderedFile): Promise<void> | undefined => {
    const existing = readIfExists(join(outDir, file.path))
    const state = compare(existing, file)
    if (state === 'same') plan.unchanged.push(file.path)
    else if (state === 'mode') chmods.push(file)
    else if (existing !== undefined && !owned.has(file.path) && !isGenerated(existing.text))
      conflicts.push(file.path)
    else {
      staged.push(file.path)
      return write.file(file.path, file.content, file.mode)
    }
    return undefined
  }
  return {
    add: (file) => {
      produced.push(file.path)
      return consider(file)
    },
    commit: async () => {
      if (conflicts.length > 0) {
        await write.discard()
        throw new OutputConflict(conflicts.sort())
      }
      const manifest = manifestFile(produced)
      if (current !== manifest.content) await write.file(manifest.path, manifest.content, manifest.mode)
      await write.drain()
      moveInto(outDir, stage, staged, options)
      for (const file of chmods) chmodSync(join(outDir, file.path), file.mode)
      for (const path of staged) plan.written.push(path)
      for (const file of chmods) plan.written.push(file.path)
      plan.written.sort()
      plan.unchanged.sort()
      const known = new Set(produced)
      for (const path of previous.sort()) {
        if (known.has(path)) continue
        const target = join(outDir, path)
        if (isFile(target) && isInside(outDir, target)) {
          rmSync(target)
          plan.removed.push(path)
        }
      }
      const removed = new Set(plan.removed)
      for (const path of foreignFiles(before, known)) if (!removed.has(path)) plan.foreign.push(path)
      // The manifest goes last: a compile killed before this point still removes what it orphaned next time.
      if (current !== manifest.content) moveInto(outDir, stage, [MANIFEST])
      rmSync(stage, { recursive: true, force: true })
      return plan
    },
    abort: () => write.discard(),
  }
}

/** The fall-back of a fresh output folder that filled meanwhile: the staged tree is compared and moved in. */
async function updateFrom(
  outDir: string,
  stage: string,
  produced: readonly string[],
  options: OutputOptions,
): Promise<OutputPlan> {
  const writer = updateOutputs(outDir, options)
  try {
    for (const path of produced) {
      const staged = readIfExists(join(stage, path))
      if (staged !== undefined) await writer.add({ path, content: staged.text, mode: staged.mode as 0o644 })
    }
  } finally {
    rmSync(stage, { recursive: true, force: true })
  }
  return writer.commit()
}

/** Renames staged files (paths relative to both folders) into the output folder, creating folders once. */
function moveInto(
  outDir: string,
  stage: string,
  paths: readonly string[],
  options: OutputOptions = {},
): void {
  const folderOf = folderMaker()
  for (const path of paths) {
    pause(options.renameDelayMs)
    options.onProgress?.()
    const target = join(outDir, path)
    folderOf(target)
    renameSync(join(stage, path), target)
  }
}

/** Makes the folder of each path it is given (once per folder, however many files go there). */
function folderMaker(): (path: string) => void {
  const made = new Set<string>()
  return (path) => {
    const folder = dirname(path)
    if (made.has(folder)) return
    mkdirSync(folder, { recursive: true })
    made.add(folder)
  }
}

/** At most this many writes under way at once: enough to keep the disk busy, few enough to bound memory. */
const WRITES_IN_FLIGHT = 64

interface StagedWriter {
  /** Starts writing a file below the scratch folder; a promise when the caller should wait for room. */
  file(path: string, content: string, mode: number): Promise<void> | undefined
  /** Waits for every write under way; throws the first write error. */
  drain(): Promise<void>
  /** Waits for every write under way, ignoring errors, and removes the scratch folder. */
  discard(): Promise<void>
}

/**
 * Writes files below a scratch folder, made on first use, each folder created once, in the background. The
 * mode is set at creation; a umask that narrows it is corrected with chmod (checked once per mode, with a
 * synchronous first write: the umask is per process).
 */
function stagedWriter(stage: string): StagedWriter {
  const folderOf = folderMaker()
  const umaskNarrows = new Map<number, boolean>()
  let inFlight = 0
  let failure: Error | undefined
  let wake: (() => void) | undefined
  const done = (error: Error | null) => {
    inFlight--
    if (error !== null) failure ??= error
    const w = wake
    wake = undefined
    w?.()
  }
  const room = () => new Promise<void>((resolve) => (wake = resolve))
  const drain = async () => {
    while (inFlight > 0) await room()
  }
  return {
    file: (path, content, mode) => {
      if (failure !== undefined) throw failure
      const target = join(stage, path)
      folderOf(target)
      // No fsync: rename makes the swap atomic for every reader and for a killed compile; a power cut may
      // lose the newest files, and the next compile (or --check) finds and repairs them.
      const narrows = umaskNarrows.get(mode)
      if (narrows === undefined) {
        writeFileSync(target, content, { mode })
        const narrowed = (statSync(target).mode & 0o777) !== mode
        umaskNarrows.set(mode, narrowed)
        if (narrowed) chmodSync(target, mode)
        return undefined
      }
      inFlight++
      writeFile(target, content, { mode }, (error) => {
        if (error !== null || !narrows) done(error)
        else chmod(target, mode, done)
      })
      return inFlight >= WRITES_IN_FLIGHT ? room() : undefined
    },
    drain: async () => {
      await drain()
      if (failure !== undefined) throw failure
    },
    discard: async () => {
      await drain()
      rmSync(stage, { recursive: true, force: true })
    },
  }
}

/** Of the files listed in an output folder, those finqa does not produce (nor the manifest). */
function foreignFiles(listed: readonly string[], produced: ReadonlySet<string>): string[] {
  return listed.filter((path) => !produced.has(path) && path !== MANIFEST)
}

/** Files in the output folder that are not `produced` (nor the manifest, nor finqa's scratch files). */
export function foreignOutputs(outDir: string, produced: ReadonlySet<string>): string[] {
  return foreignFiles(listFiles(outDir), produced)
}

/** How the output folder's copy of a file compares with it. */
function onDisk(outDir: string, file: RenderedFile): 'missing' | 'content' | 'mode' | 'same' {
  return compare(readIfExists(join(outDir, file.path)), file)
}

function compare(
  current: { text: string; mode: number } | undefined,
  file: RenderedFile,
): 'missing' | 'content' | 'mode' | 'same' {
  if (current === undefined) return 'missing'
  if (current.text !== file.content) return 'content'
  return current.mode === file.mode ? 'same' : 'mode'
}

/**
 * Output files that a compile would replace although finqa did not write them: neither the last compile's
 * manifest lists them nor do they say they were generated by finqa (every output's first lines do). A
 * compile into a folder of one's own (`--out .`: its README.md) stops instead of overwriting them.
 */
export class OutputConflict extends Error {
  override name = 'OutputConflict'
  readonly paths: readonly string[]
  constructor(paths: readonly string[]) {
    super(`${paths.length} output files are in the way: ${paths.slice(0, 3).join(', ')}`)
    this.paths = paths
  }
}

/** Whether a file's first lines say finqa generated it (see the templates' headers). */
function isGenerated(text: string): boolean {
  return text.slice(0, 500).includes('Generated by finqa')
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

function manifestFile(paths: readonly string[]): RenderedFile {
  return { path: MANIFEST, content: renderManifest(paths), mode: 0o644 }
}

function readIfExists(path: string): { text: string; mode: number } | undefined {
  try {
    const stat = statSync(path)
    if (!stat.isFile()) return undefined
    return { text: readFileSync(path, 'utf8'), mode: stat.mode & 0o777 }
  } catch {
    return undefined
  }
}

/** The names in a folder; undefined when it does not exist. */
function listDir(dir: string): string[] | undefined {
  try {
    return readdirSync(dir)
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined
    throw error
  }
}

/**
 * Files below `dir`, relative, sorted; never finqa's scratch files or folders (`*.finqa-tmp`), which
 * `removeTemps` deletes (a killed run's).
 */
function listFiles(dir: string, options: { readonly removeTemps?: boolean } = {}): string[] {
  const out: string[] = []
  const walk = (folder: string): void => {
    let entries: Dirent[]
    try {
      entries = readdirSync(folder, { withFileTypes: true })
    } catch {
      return
    }
    for (const d of entries) {
      const path = join(folder, d.name)
      if (d.name.endsWith(TEMP_SUFFIX)) {
        if (options.removeTemps) rmSync(path, { recursive: true, force: true })
      } else if (d.isDirectory()) walk(path)
      else if (d.isFile()) out.push(relative(dir, path).split(sep).join('/'))
    }
  }
  walk(dir)
  return out.sort()
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep)
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException | undefined)?.code ?? '')
}

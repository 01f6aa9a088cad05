import {
  chmod,
  chmodSync,
  copyFileSync,
  type Dirent,
  linkSync,
  lstatSync,
  opendirSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFile,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { errorCode } from '../diagnostics/os-error.js'
import type { RenderedFile } from '../render/render-experiment.js'
import { MANIFEST, parseManifest, renderManifest } from './manifest.js'
import {
  foldersMade,
  inspectSlot,
  isPlainRelative,
  makeFolder,
  realOutputPath,
  type Slot,
} from './output-paths.js'
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
  /** Files an earlier compile wrote (the manifest lists them) that no spec produces now: compile removes them. */
  readonly orphaned: string[]
  /** Files finqa neither produces nor wrote: compile leaves them, so they do not make the folder stale. */
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
 * that no file needs to be held until the end; `finish` reports what is stale, missing, orphaned or extra.
 */
export interface OutputCheck {
  add(file: RenderedFile): void
  finish(): CheckReport
}

export function checkOutputsIncrementally(outPath: string): OutputCheck {
  const outDir = realOutputPath(outPath)
  const report: CheckReport = { stale: [], missing: [], orphaned: [], extra: [], unchanged: [] }
  const produced: string[] = []
  const folders = new Map<string, Slot | 'folder'>()
  const check = (file: RenderedFile): void => {
    // A link (or anything not a plain file) where a file belongs is stale: compile replaces or refuses it.
    const slot = inspectSlot(outDir, file.path, folders)
    const state = slot.kind === 'file' || slot.kind === 'missing' ? compare(fileOf(slot), file) : 'content'
    if (state === 'missing') report.missing.push(file.path)
    else if (state !== 'same') report.stale.push(file.path)
    else if (file.path !== MANIFEST) report.unchanged.push(file.path)
  }
  return {
    add: (file) => {
      produced.push(file.path)
      check(file)
    },
    finish: () => {
      check(manifestFile(produced))
      report.unchanged.sort()
      const known = new Set(produced)
      // What compile would remove: the plain files the manifest lists that no spec produces now.
      const manifest = inspectSlot(outDir, MANIFEST, folders)
      for (const entry of parseManifest(manifest.kind === 'file' ? manifest.text : undefined)) {
        if (!isPlainRelative(entry) || entry === MANIFEST || known.has(entry)) continue
        if (inspectSlot(outDir, entry, folders).kind === 'file') {
          report.orphaned.push(entry)
          known.add(entry)
        }
      }
      report.orphaned.sort()
      // One at a time: a folder may hold more files than a call takes arguments (`--out` a busy folder).
      for (const path of foreignFiles(listFiles(outDir), known)) report.extra.push(path)
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
  /** True when the output folder does not exist yet: every file must be added (none kept). */
  readonly fresh: boolean
  /**
   * Writes run in the background (libuv's thread pool) while the caller renders the next files; the promise,
   * when there is one, says to wait: enough writes are under way.
   */
  add(file: RenderedFile): Promise<void> | undefined
  /**
   * Counts `path` as produced and unchanged without reading it: the caller wrote it in an earlier compile and
   * would write the same now (`KeptFile`, under `finqa compile --watch`). Only into an existing folder.
   */
  keep(path: string): void
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
  /**
   * A test hook: file-system calls that replace node:fs's (`WriterFs`), so that an in-process test can make a
   * rename or a hard link fail halfway, or a file come out narrower than its mode (a umask). Unset in real use.
   */
  readonly fs?: Partial<WriterFs>
}

/**
 * The writer's file-system calls that can fail after some files are in place (a rename, a hard link, an
 * undo step) or that the umask narrows (creating a file); node:fs's in real use (`OutputOptions.fs`).
 */
export interface WriterFs {
  readonly renameSync: (from: string, to: string) => void
  readonly linkSync: (existing: string, alias: string) => void
  readonly rmdirSync: (path: string) => void
  readonly chmodSync: (path: string, mode: number) => void
  readonly writeFileSync: (path: string, content: string, options: { mode: number }) => void
  readonly writeFile: (
    path: string,
    content: string,
    options: { mode: number },
    done: (error: Error | null) => void,
  ) => void
}

const NODE_FS: WriterFs = { renameSync, linkSync, rmdirSync, chmodSync, writeFileSync, writeFile }

/**
 * The writer of one compile into `outPath`, worked on at its real path (`realOutputPath`). Only a folder that
 * does not exist yet is made in one rename; an existing one, even empty, keeps its inode, and so its mode,
 * owner and group (a setgid team folder stays one).
 */
export function openOutputs(outPath: string, options: OutputOptions = {}): OutputWriter {
  const outDir = realOutputPath(outPath)
  // Opened once first: a file in its place fails here, named (ENOTDIR).
  return folderExists(outDir) ? updateOutputs(outDir, options) : freshOutputs(outDir, options)
}

/**
 * A new output folder: every file goes into a scratch folder beside it, `.<name>.<random>.finqa-tmp`, which
 * becomes the output folder with one rename. A compile killed before that leaves only the scratch folder,
 * which the next compile into the same folder removes.
 */
function freshOutputs(outDir: string, options: OutputOptions): OutputWriter {
  const parent = dirname(outDir)
  makeFolder(parent)
  const prefix = `.${basename(outDir)}.`
  for (const name of listDir(parent) ?? []) {
    if (name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX))
      rmSync(join(parent, name), { recursive: true, force: true })
  }
  const stage = join(parent, `${prefix}${scratchId()}${TEMP_SUFFIX}`)
  const io = { ...NODE_FS, ...options.fs }
  const write = stagedWriter(stage, io)
  const produced: string[] = []
  return {
    fresh: true,
    add: (file) => {
      produced.push(file.path)
      return write.file(file.path, file.content, file.mode)
    },
    keep: (path) => {
      throw new Error(`${path} cannot be kept: the output folder ${outDir} is new`)
    },
    commit: async () => {
      try {
        const manifest = manifestFile(produced)
        await write.file(manifest.path, manifest.content, manifest.mode)
        await write.drain()
        pause(options.renameDelayMs)
        io.renameSync(stage, outDir)
      } catch (error) {
        // The folder was made meanwhile (by hand, or it is a mount point): put the files in one by one.
        if (isCode(error, 'ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EXDEV', 'EBUSY') && existsAt(outDir))
          return updateFrom(outDir, stage, produced, options)
        await write.discard()
        throw new OutputWriteFailed(error, true)
      }
      return { written: [...produced].sort(), unchanged: [], removed: [], foreign: [] }
    },
    abort: () => write.discard(),
  }
}

/**
 * An output folder that exists: each produced file is compared with the one there; a changed one is staged
 * in `<out>/.<random>.finqa-tmp/` and renamed into place on commit. Nothing below the folder is read, written
 * or removed through a symbolic link: a link in the way of a file, and a manifest entry outside the folder or
 * through a link, stop the compile (`OutputRefused`) before anything changes.
 */
function updateOutputs(outDir: string, options: OutputOptions): OutputWriter {
  // One listing: scratch files of a killed run go; the rest is what was there before this run.
  const before = listFiles(outDir, { removeTemps: true })
  const folders = new Map<string, Slot | 'folder'>()
  const manifestSlot = inspectSlot(outDir, MANIFEST, folders)
  const current = manifestSlot.kind === 'file' ? manifestSlot.text : undefined
  const problems: OutputProblem[] = []
  if (manifestSlot.kind === 'link' || manifestSlot.kind === 'other' || manifestSlot.kind === 'folder')
    problems.push({ kind: 'link', path: MANIFEST })
  /**
   * What the last compile wrote, and so may replace or remove: entries below the folder. Those this compile
   * does not produce are inspected at commit (a produced one is inspected as it is added): one reached through
   * a link is refused.
   */
  const owned = new Set<string>()
  for (const entry of parseManifest(current)) {
    if (isPlainRelative(entry) && entry !== MANIFEST) owned.add(entry)
    else
      problems.push({
        kind: 'manifest-outside',
        path: entry,
        ...(current === undefined ? undefined : positionIn(current, entry)),
      })
  }
  const id = scratchId()
  const stage = join(outDir, `.${id}${TEMP_SUFFIX}`)
  const io = { ...NODE_FS, ...options.fs }
  const write = stagedWriter(stage, io)
  const plan: OutputPlan = { written: [], unchanged: [], removed: [], foreign: [] }
  const produced: string[] = []
  /** Files to put in place, and whether each replaces a file. */
  const staged: { path: string; existed: boolean }[] = []
  const chmods: { path: string; mode: number; was: number }[] = []
  const consider = (file: RenderedFile): Promise<void> | undefined => {
    const slot = inspectSlot(outDir, file.path, folders)
    if (slot.kind === 'link') problems.push({ kind: 'link', path: file.path, link: slot.at })
    else if (slot.kind === 'folder') problems.push({ kind: 'folder', path: file.path })
    else if (slot.kind === 'other') problems.push({ kind: 'other', path: file.path, link: slot.at })
    else {
      const state = compare(fileOf(slot), file)
      if (state === 'same') plan.unchanged.push(file.path)
      else if (state === 'mode' && slot.kind === 'file')
        chmods.push({ path: file.path, mode: file.mode, was: slot.mode })
      else if (slot.kind === 'file' && !owned.has(file.path) && !isGenerated(slot.text))
        problems.push({ kind: 'conflict', path: file.path })
      else {
        staged.push({ path: file.path, existed: slot.kind === 'file' })
        return write.file(file.path, file.content, file.mode)
      }
    }
    return undefined
  }
  return {
    fresh: false,
    add: (file) => {
      produced.push(file.path)
      return consider(file)
    },
    keep: (path) => {
      produced.push(path)
      plan.unchanged.push(path)
    },
    commit: async () => {
      const known = new Set(produced)
      const stale: string[] = []
      for (const entry of owned) {
        if (known.has(entry)) continue
        const slot = inspectSlot(outDir, entry, folders)
        if (slot.kind !== 'link') stale.push(entry)
        else
          problems.push({
            kind: 'manifest-link',
            path: entry,
            link: slot.at,
            ...(current === undefined ? undefined : positionIn(current, entry)),
          })
      }
      stale.sort()
      if (problems.length > 0) {
        await write.discard()
        throw new OutputRefused(problems)
      }
      const manifest = manifestFile(produced)
      try {
        if (current !== manifest.content) await write.file(manifest.path, manifest.content, manifest.mode)
        await write.drain()
      } catch (error) {
        await write.discard()
        throw new OutputWriteFailed(error, true)
      }
      const swap = reversibleSwap(outDir, stage, join(outDir, `.${id}-old${TEMP_SUFFIX}`), io)
      try {
        for (const { path, existed } of staged) {
          pause(options.renameDelayMs)
          options.onProgress?.()
          swap.replace(path, existed)
        }
        for (const { path, mode, was } of chmods) swap.chmod(path, mode, was)
        for (const path of stale) if (swap.remove(path)) plan.removed.push(path)
        // The manifest goes last: a compile killed before this point still removes what it orphaned next time.
        if (current !== manifest.content) swap.replace(MANIFEST, current !== undefined)
      } catch (error) {
        const restored = swap.undo()
        await write.discard()
        throw new OutputWriteFailed(error, restored)
      }
      swap.done()
      await write.discard()
      for (const { path } of staged) plan.written.push(path)
      for (const { path } of chmods) plan.written.push(path)
      plan.written.sort()
      plan.unchanged.sort()
      const removed = new Set(plan.removed)
      for (const path of foreignFiles(before, known)) if (!removed.has(path)) plan.foreign.push(path)
      return plan
    },
    abort: () => write.discard(),
  }
}

/**
 * Puts staged files in place so that it can be undone: a replaced file keeps its old inode under a hard
 * link in `backup` (a copy where the file system has no hard links), a removed one is moved there, a changed
 * mode is remembered. Each file is still swapped by one rename, so a reader never sees it missing or half
 * written. `undo` puts every old file back; `done` forgets them.
 */
function reversibleSwap(outDir: string, stage: string, backup: string, io: WriterFs) {
  const undos: (() => void)[] = []
  const folderOf = folderMaker()
  const backupFolder = folderMaker()
  /** What `backup` holds, so that `done` removes it without listing it. */
  const backups: string[] = []
  const backupFolders: string[] = []
  const backupPath = (path: string): string => {
    const kept = join(backup, path)
    for (const made of backupFolder(kept)) backupFolders.push(made)
    backups.push(kept)
    return kept
  }
  /** Keeps the old file at `path` in `backup` (a hard link, or a copy); returns how to put it back. */
  const keep = (path: string): (() => void) => {
    const kept = backupPath(path)
    const target = join(outDir, path)
    try {
      io.linkSync(target, kept)
    } catch (error) {
      if (!isCode(error, 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV')) throw error
      copyFileSync(target, kept)
    }
    return () => io.renameSync(kept, target)
  }
  return {
    /** Renames the staged file into place; `existed`: a file was there (it is kept to be put back). */
    replace: (path: string, existed: boolean): void => {
      const target = join(outDir, path)
      for (const made of folderOf(target)) undos.push(() => io.rmdirSync(made))
      // Put back only what was replaced: a rename that fails leaves the old file where it was.
      const putBack = existed ? keep(path) : () => rmSync(target, { force: true })
      io.renameSync(join(stage, path), target)
      undos.push(putBack)
    },
    chmod: (path: string, mode: number, was: number): void => {
      const target = join(outDir, path)
      io.chmodSync(target, mode)
      undos.push(() => io.chmodSync(target, was))
    },
    /** Removes a plain file an earlier compile wrote; false when there is none (gone, or now a folder). */
    remove: (path: string): boolean => {
      let stat: ReturnType<typeof lstatSync>
      try {
        stat = lstatSync(join(outDir, path))
      } catch (error) {
        if (isCode(error, 'ENOENT', 'ENOTDIR')) return false
        throw error
      }
      if (!stat.isFile()) return false
      const kept = backupPath(path)
      io.renameSync(join(outDir, path), kept)
      undos.push(() => io.renameSync(kept, join(outDir, path)))
      return true
    },
    /** Reverses every step, newest first; false when one could not be reversed. */
    undo: (): boolean => {
      let restored = true
      for (const step of undos.reverse()) {
        try {
          step()
        } catch {
          restored = false
        }
      }
      undos.length = 0
      if (restored) removeQuietly(backup)
      return restored
    },
    done: (): void => {
      try {
        for (const kept of backups) unlinkSync(kept)
        for (const folder of backupFolders.reverse()) io.rmdirSync(folder)
      } catch {
        removeQuietly(backup)
      }
    },
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
  const folders = new Map<string, Slot | 'folder'>()
  try {
    for (const path of produced) {
      const staged = fileOf(inspectSlot(stage, path, folders))
      if (staged !== undefined) await writer.add({ path, content: staged.text, mode: staged.mode as 0o644 })
    }
  } catch (error) {
    await writer.abort()
    throw new OutputWriteFailed(error, true)
  } finally {
    removeQuietly(stage)
  }
  return writer.commit()
}

/**
 * Makes the folder of each path it is given (once per folder, however many files go there); returns the
 * folders it created, outermost first.
 */
function folderMaker(): (path: string) => string[] {
  const made = new Set<string>()
  return (path) => {
    const folder = dirname(path)
    if (made.has(folder)) return []
    const first = makeFolder(folder)
    made.add(folder)
    return foldersMade(folder, first)
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
function stagedWriter(stage: string, io: WriterFs): StagedWriter {
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
        io.writeFileSync(target, content, { mode })
        const narrowed = (statSync(target).mode & 0o777) !== mode
        umaskNarrows.set(mode, narrowed)
        if (narrowed) io.chmodSync(target, mode)
        return undefined
      }
      inFlight++
      io.writeFile(target, content, { mode }, (error) => {
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
      removeQuietly(stage)
    },
  }
}

/** Of the files listed in an output folder, those finqa does not produce (nor the manifest). */
function foreignFiles(listed: readonly string[], produced: ReadonlySet<string>): string[] {
  return listed.filter((path) => !produced.has(path) && path !== MANIFEST)
}

/** Files in the output folder that are not `produced` (nor the manifest, nor finqa's scratch files). */
export function foreignOutputs(outDir: string, produced: ReadonlySet<string>): string[] {
  return foreignFiles(listFiles(realOutputPath(outDir)), produced)
}

/** A slot's file, or undefined when a plain file is not what stands there. */
function fileOf(slot: Slot): { text: string; mode: number } | undefined {
  return slot.kind === 'file' ? slot : undefined
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
 * Why a compile may not change the output folder, found before anything changed:
 * - `conflict`: a file finqa would replace although it did not write it: neither the last compile's manifest
 *   lists it nor does it say it was generated by finqa (every output's first lines do). A compile into a
 *   folder of one's own (`--out .`: its README.md) stops instead of overwriting it.
 * - `link`: a produced file (or the manifest) is a symbolic link, or one of its folders is (`link`): finqa
 *   never writes through a link in its output folder.
 * - `folder`: a folder stands where a file goes; `other`: a FIFO or device does, or a file stands where one
 *   of its folders goes (`link` names it).
 * - `manifest-outside`, `manifest-link`: the manifest lists a path outside the folder (`../victim/notes.txt`,
 *   absolute), or one through a symbolic link (`link` names it): finqa never removes it. `line`/`col`: where
 *   the manifest lists it.
 */
export interface OutputProblem {
  readonly kind: 'conflict' | 'link' | 'folder' | 'other' | 'manifest-outside' | 'manifest-link'
  /** Relative to the output folder (for a manifest entry: the entry as written). */
  readonly path: string
  readonly link?: string
  readonly line?: number
  readonly col?: number
}

export class OutputRefused extends Error {
  override name = 'OutputRefused'
  readonly problems: readonly OutputProblem[]
  constructor(problems: readonly OutputProblem[]) {
    const sorted = [...problems].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    super(
      `the output folder cannot be updated: ${sorted
        .slice(0, 3)
        .map((p) => `${p.path} (${p.kind})`)
        .join(', ')}`,
    )
    this.problems = sorted
  }
}

/**
 * Writing the output failed (a full disk, a rename refused): the scratch folder is gone and, when `restored`,
 * the output folder is exactly as before; when not, some files could not be put back (see `cause`).
 */
export class OutputWriteFailed extends Error {
  override name = 'OutputWriteFailed'
  override readonly cause: unknown
  readonly restored: boolean
  constructor(cause: unknown, restored: boolean) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.cause = cause
    this.restored = restored
  }
}

/** Whether a file's first lines say finqa generated it (see the templates' headers). */
function isGenerated(text: string): boolean {
  return text.slice(0, 500).includes('Generated by finqa')
}

function manifestFile(paths: readonly string[]): RenderedFile {
  return { path: MANIFEST, content: renderManifest(paths), mode: 0o644 }
}

/** Whether anything (a link included) is at `path`. */
function existsAt(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch (error) {
    if (isCode(error, 'ENOENT')) return false
    throw error
  }
}

/** Where the manifest's text lists `entry` (line and column, 1-based), when it can be found. */
function positionIn(text: string, entry: string): { line: number; col: number } | undefined {
  const index = text.indexOf(JSON.stringify(entry))
  if (index < 0) return undefined
  const before = text.slice(0, index)
  const line = before.split('\n').length
  return { line, col: index - before.lastIndexOf('\n') }
}

/** Removes a scratch folder, best effort: what is left, the next compile removes. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true })
  } catch {}
}

/** The names in a folder; undefined when it does not exist. */
/** Whether `dir` exists, opened (not read: it may hold 30,000 files); a file there is ENOTDIR. */
function folderExists(dir: string): boolean {
  try {
    opendirSync(dir).closeSync()
    return true
  } catch (error) {
    if (isCode(error, 'ENOENT')) return false
    throw error
  }
}

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
  // `prefix`: the folder's path below `dir` with a trailing slash, joined by hand (a folder may hold 30,000
  // files, and path.relative for each is a good part of listing them).
  const walk = (folder: string, prefix: string): void => {
    let entries: Dirent[]
    try {
      entries = readdirSync(folder, { withFileTypes: true })
    } catch {
      return
    }
    for (const d of entries) {
      if (d.name.endsWith(TEMP_SUFFIX)) {
        if (options.removeTemps) rmSync(join(folder, d.name), { recursive: true, force: true })
      } else if (d.isDirectory()) walk(join(folder, d.name), `${prefix}${d.name}/`)
      else if (d.isFile()) out.push(`${prefix}${d.name}`)
    }
  }
  walk(dir, '')
  return out.sort()
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes(errorCode(error) ?? '')
}

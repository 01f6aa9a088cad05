import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  type Dirent,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import type { RenderedFile } from '../render/render-experiment.js'
import { MANIFEST, parseManifest, renderManifest } from './manifest.js'

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
}

/** Compares the produced files with the output folder: what is stale, missing, or extra. */
export function checkOutputs(outDir: string, files: readonly RenderedFile[]): CheckReport {
  const report: CheckReport = { stale: [], missing: [], extra: [] }
  const produced = new Set(files.map((f) => f.path))
  for (const file of [...files, manifestFile(files)]) {
    const current = readIfExists(join(outDir, file.path))
    if (current === undefined) report.missing.push(file.path)
    else if (current.text !== file.content || current.mode !== file.mode) report.stale.push(file.path)
  }
  for (const path of listFiles(outDir)) {
    if (!produced.has(path) && path !== MANIFEST) report.extra.push(path)
  }
  return report
}

/**
 * Writes what changed, each file atomically (a temp file in the same folder, then rename), sets modes,
 * and removes files an earlier compile wrote that no spec produces now. Files it never wrote are left alone.
 */
export function writeOutputs(outDir: string, files: readonly RenderedFile[]): OutputPlan {
  const plan: OutputPlan = { written: [], unchanged: [], removed: [], foreign: [] }
  mkdirSync(outDir, { recursive: true })
  // One listing: temp files of a killed run go; the rest is what was there before this run.
  const before = listFiles(outDir, { removeTemps: true })
  const writer = atomicWriter(outDir)
  const previous = new Set(parseManifest(readIfExists(join(outDir, MANIFEST))?.text))
  const produced = new Set(files.map((f) => f.path))
  for (const file of files) {
    const target = join(outDir, file.path)
    const current = readIfExists(target)
    if (current?.text === file.content && current.mode === file.mode) {
      plan.unchanged.push(file.path)
      continue
    }
    if (current?.text === file.content) chmodSync(target, file.mode)
    else writer(target, file.content, file.mode)
    plan.written.push(file.path)
  }
  for (const path of [...previous].sort()) {
    if (produced.has(path)) continue
    const target = join(outDir, path)
    if (readIfExists(target) !== undefined && isInside(outDir, target)) {
      rmSync(target)
      plan.removed.push(path)
    }
  }
  for (const path of before) {
    if (!produced.has(path) && path !== MANIFEST && !plan.removed.includes(path)) plan.foreign.push(path)
  }
  const manifest = manifestFile(files)
  if (readIfExists(join(outDir, MANIFEST))?.text !== manifest.content) {
    writer(join(outDir, MANIFEST), manifest.content, manifest.mode)
  }
  return plan
}

function manifestFile(files: readonly RenderedFile[]): RenderedFile {
  return { path: MANIFEST, content: renderManifest(files.map((f) => f.path)), mode: 0o644 }
}

/**
 * Writes files atomically (a temp file in the same folder, then rename). Temp names are a random prefix per
 * run plus a counter; each folder is created once.
 */
function atomicWriter(outDir: string): (target: string, content: string, mode: number) => void {
  const prefix = randomBytes(6).toString('hex')
  const folders = new Set<string>([outDir])
  let count = 0
  return (target, content, mode) => {
    const folder = dirname(target)
    if (!folders.has(folder)) {
      mkdirSync(folder, { recursive: true })
      folders.add(folder)
    }
    writeAtomic(target, join(folder, `.${prefix}${(count++).toString(16)}.finqa-tmp`), content, mode)
  }
}

function writeAtomic(target: string, temp: string, content: string, mode: number): void {
  try {
    // No fsync: rename makes the swap atomic for every reader and for a killed compile; a power cut may
    // lose the newest files, and the next compile (or --check) finds and repairs them.
    writeFileSync(temp, content, { mode })
    chmodSync(temp, mode) // umask may have narrowed the mode
    renameSync(temp, target)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
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

/** Files below `dir`, relative, sorted; never temp files, which `removeTemps` deletes (a killed run's). */
function listFiles(dir: string, options: { readonly removeTemps?: boolean } = {}): string[] {
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true })
  } catch {
    return []
  }
  const out: string[] = []
  for (const d of entries) {
    if (!d.isFile()) continue
    if (d.name.endsWith('.finqa-tmp')) {
      if (options.removeTemps) rmSync(join(d.parentPath, d.name), { force: true })
      continue
    }
    out.push(relative(dir, join(d.parentPath, d.name)).split(sep).join('/'))
  }
  return out.sort()
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep)
}

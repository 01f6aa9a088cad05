import { randomBytes } from 'node:crypto'
import {
  chmodSync,
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
  removeLeftoverTemps(outDir)
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
    else writeAtomic(target, file.content, file.mode)
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
  for (const path of listFiles(outDir)) {
    if (!produced.has(path) && path !== MANIFEST && !plan.removed.includes(path)) plan.foreign.push(path)
  }
  const manifest = manifestFile(files)
  if (readIfExists(join(outDir, MANIFEST))?.text !== manifest.content) {
    writeAtomic(join(outDir, MANIFEST), manifest.content, manifest.mode)
  }
  return plan
}

function manifestFile(files: readonly RenderedFile[]): RenderedFile {
  return { path: MANIFEST, content: renderManifest(files.map((f) => f.path)), mode: 0o644 }
}

function writeAtomic(target: string, content: string, mode: number): void {
  mkdirSync(dirname(target), { recursive: true })
  const temp = join(dirname(target), `.${randomBytes(6).toString('hex')}.finqa-tmp`)
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

/** Temp files of a run that was killed between write and rename. */
function removeLeftoverTemps(dir: string): void {
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (d.isFile() && d.name.endsWith('.finqa-tmp')) rmSync(join(d.parentPath, d.name), { force: true })
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

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && !d.name.endsWith('.finqa-tmp'))
      .map((d) => relative(dir, join(d.parentPath, d.name)).split(sep).join('/'))
      .sort()
  } catch {
    return []
  }
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep)
}

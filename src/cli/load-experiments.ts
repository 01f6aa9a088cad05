import { isAbsolute, relative, resolve } from 'node:path'
import { type CompileInput, type CompileResult, compile } from '../compile.js'
import { type Diagnostic, hasErrors } from '../diagnostics/diagnostic.js'
import { formatDiagnostic, formatSummary } from '../diagnostics/format.js'
import {
  encodingDiagnostics,
  linkDiagnostics,
  readSpecs,
  SpecDirError,
  type SpecIdentities,
  type SpecReadCache,
  toDisplay,
  unreadDiagnostics,
} from '../load/read-specs.js'
import type { CliContext } from './cli-context.js'
import { EXIT } from './exit-codes.js'
import { printJson } from './json-envelope.js'
import { readSchema, readTemplates } from './package-files.js'

/** A spec folder read and compiled: the result, with the read's own diagnostics in front. */
export interface CompiledFolder {
  readonly result: CompileResult
  /** Encoding and missing-folder diagnostics, then the compiler's. */
  readonly diagnostics: readonly Diagnostic[]
  /** Spec texts by display path, for code frames. */
  readonly sources: ReadonlyMap<string, string>
  /** The spec folder as displayed: relative to cwd, forward slashes. */
  readonly specDir: string
  readonly schema: { [key: string]: unknown }
}

/** A spec folder read: what to compile, or the NO_SPECS diagnostic of a missing folder. */
export interface ReadFolder {
  /** Undefined when the folder is missing. */
  readonly input?: CompileInput
  /** Encoding or missing-folder diagnostics, found before compiling. */
  readonly diagnostics: readonly Diagnostic[]
  readonly sources: ReadonlyMap<string, string>
  readonly specDir: string
  readonly schema: { [key: string]: unknown }
}

/** The package's files a compile reads besides the specs. */
export interface PackageFiles {
  readonly schema: { [key: string]: unknown }
  readonly templates: ReadonlyMap<string, string>
}

/**
 * Reads a spec folder and the package's templates and schema (or takes them as `packageFiles`: a watching
 * process reads them once, and spec files through `specCache`). A missing folder is a NO_SPECS diagnostic.
 */
export function readFolder(
  specDir: string,
  cwd: string,
  packageFiles?: PackageFiles,
  specCache?: SpecReadCache,
  identities?: SpecIdentities,
): ReadFolder {
  const schema = packageFiles?.schema ?? readSchema()
  let specFiles: ReturnType<typeof readSpecs>
  try {
    specFiles = readSpecs(specDir, cwd, { cache: specCache, identities })
  } catch (error) {
    if (!(error instanceof SpecDirError)) throw error
    const display = displayPath(cwd, specDir)
    const diagnostic: Diagnostic = {
      file: display,
      line: 1,
      col: 1,
      severity: 'error',
      code: 'NO_SPECS',
      message: error.message,
      suggestion: 'run finqa from your project root, or name the spec folder: finqa compile experiments',
    }
    return { diagnostics: [diagnostic], sources: new Map(), specDir: display, schema }
  }
  return {
    input: {
      specs: specFiles.specs,
      specDir: specFiles.specDir,
      templates: packageFiles?.templates ?? readTemplates(),
      schema,
    },
    diagnostics: [
      ...linkDiagnostics(specFiles.badLinks),
      ...unreadDiagnostics(specFiles),
      ...encodingDiagnostics(specFiles.notUtf8),
    ],
    sources: specFiles.specs,
    specDir: specFiles.specDir,
    schema,
  }
}

/** Reads a spec folder and compiles it in memory, every source map kept. A missing folder is NO_SPECS. */
export function compileFolder(specDir: string, cwd: string): CompiledFolder {
  const folder = readFolder(specDir, cwd)
  const result =
    folder.input === undefined
      ? { files: [], experiments: [], diagnostics: folder.diagnostics }
      : compile(folder.input)
  return {
    result,
    diagnostics:
      folder.input === undefined ? folder.diagnostics : [...folder.diagnostics, ...result.diagnostics],
    sources: folder.sources,
    specDir: folder.specDir,
    schema: folder.schema,
  }
}

/** A path as the user gave it, for messages: absolute stays absolute, else relative to cwd; forward slashes. */
export function displayPath(cwd: string, path: string): string {
  if (isAbsolute(path)) return toDisplay(resolve(path))
  return toDisplay(relative(cwd, resolve(cwd, path))) || '.'
}

/** A path below a displayed folder (see `displayPath`), as shown: `dist-scripts/run_4b.sh`, or the path itself for `.`. */
export function joinDisplay(dir: string, path: string): string {
  return dir === '.' ? path : `${dir}/${path}`
}

/**
 * Reads and compiles a spec folder for the reporting commands, printing its diagnostics to stderr (with
 * `json`, printing nothing unless it fails: then the JSON envelope of that command).
 * Returns an exit code instead when the folder is missing or a spec has errors.
 */
export function loadExperiments(
  specDir: string,
  ctx: CliContext,
  json?: { readonly command: string },
): CompiledFolder | number {
  const folder = compileFolder(specDir, ctx.cwd)
  const failed = hasErrors(folder.diagnostics)
  if (json !== undefined)
    return failed ? printJson(ctx, json.command, EXIT.specErrors, folder.diagnostics, {}) : folder
  printDiagnostics(folder.diagnostics, folder.sources, ctx)
  if (failed) {
    ctx.stderr.write(`finqa: ${formatSummary(folder.diagnostics)}\n`)
    return EXIT.specErrors
  }
  return folder
}

export function printDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  ctx: CliContext,
): void {
  for (const d of diagnostics) ctx.stderr.write(`${formatDiagnostic(d, { sources })}\n`)
}

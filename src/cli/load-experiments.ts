import { isAbsolute, relative, resolve } from 'node:path'
import { type CompileResult, compile } from '../compile.js'
import { type Diagnostic, hasErrors } from '../diagnostics/diagnostic.js'
import { formatDiagnostic, formatSummary } from '../diagnostics/format.js'
import { encodingDiagnostics, readSpecs, SpecDirError, toDisplay } from '../load/read-specs.js'
import { type CliContext, EXIT } from './main.js'
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

/** Reads a spec folder and compiles it in memory. A missing folder is a NO_SPECS diagnostic. */
export function compileFolder(specDir: string, cwd: string): CompiledFolder {
  const schema = readSchema()
  let specFiles: ReturnType<typeof readSpecs>
  try {
    specFiles = readSpecs(specDir, cwd)
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
    return {
      result: { files: [], experiments: [], diagnostics: [diagnostic] },
      diagnostics: [diagnostic],
      sources: new Map(),
      specDir: display,
      schema,
    }
  }
  const result = compile({
    specs: specFiles.specs,
    specDir: specFiles.specDir,
    templates: readTemplates(),
    schema,
  })
  return {
    result,
    diagnostics: [...encodingDiagnostics(specFiles.notUtf8), ...result.diagnostics],
    sources: specFiles.specs,
    specDir: specFiles.specDir,
    schema,
  }
}

/** A path as the user gave it, for messages: absolute stays absolute, else relative to cwd; forward slashes. */
export function displayPath(cwd: string, path: string): string {
  if (isAbsolute(path)) return toDisplay(resolve(path))
  return toDisplay(relative(cwd, resolve(cwd, path))) || '.'
}

/**
 * Reads and compiles a spec folder for the reporting commands, printing its diagnostics to stderr.
 * Returns an exit code instead when the folder is missing or a spec has errors.
 */
export function loadExperiments(specDir: string, ctx: CliContext): CompiledFolder | number {
  const folder = compileFolder(specDir, ctx.cwd)
  printDiagnostics(folder.diagnostics, folder.sources, ctx)
  if (hasErrors(folder.diagnostics)) {
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

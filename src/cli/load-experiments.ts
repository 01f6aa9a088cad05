import { type CompileResult, compile } from '../compile.js'
import { type Diagnostic, hasErrors } from '../diagnostics/diagnostic.js'
import { formatDiagnostic, formatSummary } from '../diagnostics/format.js'
import { encodingDiagnostics, readSpecs, SpecDirError } from '../load/read-specs.js'
import { type CliContext, EXIT } from './main.js'
import { readSchema, readTemplates } from './package-files.js'

export interface LoadedSpecs {
  readonly result: CompileResult
  /** Spec texts by display path, for code frames. */
  readonly sources: ReadonlyMap<string, string>
  readonly specDir: string
  readonly schema: { [key: string]: unknown }
}

/**
 * Reads and compiles a spec folder for the reporting commands, printing its diagnostics to stderr.
 * Returns an exit code instead when the folder is missing or a spec has errors.
 */
export function loadExperiments(specDir: string, ctx: CliContext): LoadedSpecs | number {
  let specFiles: ReturnType<typeof readSpecs>
  try {
    specFiles = readSpecs(specDir, ctx.cwd)
  } catch (error) {
    if (!(error instanceof SpecDirError)) throw error
    ctx.stderr.write(
      `${specDir}:1:1 error NO_SPECS ${error.message}\n  suggestion: run finqa from your project root, or name the spec folder\n`,
    )
    return EXIT.specErrors
  }
  const encodingErrors = encodingDiagnostics(specFiles.notUtf8)
  const schema = readSchema()
  const result = compile({
    specs: specFiles.specs,
    specDir: specFiles.specDir,
    templates: readTemplates(),
    schema,
  })
  const diagnostics = [...encodingErrors, ...result.diagnostics]
  printDiagnostics(diagnostics, specFiles.specs, ctx)
  if (hasErrors(diagnostics)) {
    ctx.stderr.write(`finqa: ${formatSummary(diagnostics)}\n`)
    return EXIT.specErrors
  }
  return { result, sources: specFiles.specs, specDir: specFiles.specDir, schema }
}

export function printDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  ctx: CliContext,
): void {
  for (const d of diagnostics) ctx.stderr.write(`${formatDiagnostic(d, { sources })}\n`)
}

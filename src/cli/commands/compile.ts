import { join } from 'node:path'
import { compile } from '../../compile.js'
import { type Diagnostic, hasErrors } from '../../diagnostics/diagnostic.js'
import { formatDiagnostic, formatSummary } from '../../diagnostics/format.js'
import { checkOutputs, writeOutputs } from '../../emit/write-outputs.js'
import { readSpecs, SpecDirError } from '../../load/read-specs.js'
import { type CliContext, EXIT } from '../main.js'
import { readSchema, readTemplates } from '../package-files.js'

export interface CompileOptions {
  readonly specDir: string
  readonly outDir: string
  readonly check: boolean
}

export function compileCommand(options: CompileOptions, ctx: CliContext): number {
  let specFiles: ReturnType<typeof readSpecs>
  try {
    specFiles = readSpecs(options.specDir, ctx.cwd)
  } catch (error) {
    if (!(error instanceof SpecDirError)) throw error
    ctx.stderr.write(
      `${options.specDir}:1:1 error NO_SPECS ${error.message}\n  suggestion: run finqa from your project root, or name the spec folder: finqa compile experiments\n`,
    )
    return EXIT.specErrors
  }
  const encodingErrors: Diagnostic[] = specFiles.notUtf8.map(({ file, offset }) => ({
    file,
    line: 1,
    col: 1,
    severity: 'error',
    code: 'YAML_SYNTAX',
    message: `the file is not valid UTF-8 (first bad byte at offset ${offset})`,
    suggestion: 're-save the file as UTF-8',
  }))
  const result = compile({
    specs: specFiles.specs,
    specDir: specFiles.specDir,
    templates: readTemplates(),
    schema: readSchema(),
  })
  const diagnostics = [...encodingErrors, ...result.diagnostics]
  for (const d of diagnostics) ctx.stderr.write(`${formatDiagnostic(d, { sources: specFiles.specs })}\n`)
  if (hasErrors(diagnostics)) {
    ctx.stderr.write(`finqa: ${formatSummary(diagnostics)}; nothing written\n`)
    return EXIT.specErrors
  }

  const outDir = join(ctx.cwd, options.outDir)
  if (options.check) {
    const report = checkOutputs(outDir, result.files)
    const problems = [
      ...report.stale.map((f) => `stale: ${options.outDir}/${f}`),
      ...report.missing.map((f) => `missing: ${options.outDir}/${f}`),
      ...report.extra.map((f) => `extra: ${options.outDir}/${f} (no spec produces it)`),
    ]
    if (problems.length > 0) {
      ctx.stderr.write(
        `${problems.join('\n')}\nfinqa: ${options.outDir} is not up to date; run finqa compile ${specFiles.specDir}\n`,
      )
      return EXIT.specErrors
    }
    ctx.stdout.write(`finqa: ${options.outDir} is up to date (${result.files.length} files)\n`)
    return EXIT.ok
  }
  const plan = writeOutputs(outDir, result.files)
  for (const f of plan.written) ctx.stdout.write(`wrote ${options.outDir}/${f}\n`)
  for (const f of plan.removed) ctx.stdout.write(`removed ${options.outDir}/${f}\n`)
  for (const f of plan.foreign)
    ctx.stderr.write(
      `warning: ${options.outDir}/${f} is not produced by any spec; delete it if it is stale\n`,
    )
  ctx.stdout.write(
    `finqa: ${result.experiments.length} experiments, ${plan.written.length} written, ${plan.unchanged.length} unchanged, ${plan.removed.length} removed\n`,
  )
  return EXIT.ok
}

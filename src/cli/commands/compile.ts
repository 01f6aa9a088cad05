import { resolve } from 'node:path'
import { type Diagnostic, hasErrors } from '../../diagnostics/diagnostic.js'
import { formatDiagnostic, formatSummary, paint } from '../../diagnostics/format.js'
import { diagnosticToJson } from '../../diagnostics/json.js'
import { checkOutputs, writeOutputs } from '../../emit/write-outputs.js'
import { useColor } from '../color.js'
import { compileFolder, displayPath } from '../load-experiments.js'
import { type CliContext, EXIT } from '../main.js'
import { readPackageJson } from '../package-files.js'

export interface CompileOptions {
  readonly specDir: string
  readonly outDir: string
  readonly check: boolean
  /** Print one JSON object (see `CompileJson`) instead of text. */
  readonly json?: boolean
}

/** What one compile (or check) did, before it is printed as text or JSON. */
export interface CompileReport {
  readonly mode: 'write' | 'check'
  readonly exitCode: number
  /** The spec and output folders as displayed: relative to cwd, forward slashes. */
  readonly specDir: string
  readonly outDir: string
  readonly experiments: readonly { name: string; script: string; chain: readonly string[] }[]
  readonly diagnostics: readonly Diagnostic[]
  /** Spec texts by display path, for code frames. */
  readonly sources: ReadonlyMap<string, string>
  /** Output files, relative to the output folder. Only `write` writes or removes; only `check` finds stale. */
  readonly files: {
    readonly written: readonly string[]
    readonly unchanged: readonly string[]
    readonly removed: readonly string[]
    readonly stale: readonly string[]
    readonly missing: readonly string[]
    /** In the output folder, but no spec produces it (write leaves these alone). */
    readonly extra: readonly string[]
  }
}

const NO_FILES = { written: [], unchanged: [], removed: [], stale: [], missing: [], extra: [] }

export function compileCommand(options: CompileOptions, ctx: CliContext): number {
  const report = runCompile(options, ctx)
  printReport(report, options, ctx)
  return report.exitCode
}

/** Reads the specs, compiles, and writes (or checks) the output folder. Prints nothing. */
export function runCompile(options: CompileOptions, ctx: CliContext): CompileReport {
  const mode: CompileReport['mode'] = options.check ? 'check' : 'write'
  const outAbsolute = resolve(ctx.cwd, options.outDir)
  const outDir = displayPath(ctx.cwd, options.outDir)
  const folder = compileFolder(options.specDir, ctx.cwd)
  const { result, diagnostics } = folder
  if (hasErrors(diagnostics)) {
    return {
      mode,
      exitCode: EXIT.specErrors,
      specDir: folder.specDir,
      outDir,
      experiments: [],
      diagnostics,
      sources: folder.sources,
      files: NO_FILES,
    }
  }

  const base = {
    mode,
    specDir: folder.specDir,
    outDir,
    experiments: result.experiments.map(({ experiment, spec }) => ({
      name: experiment.name,
      script: experiment.script,
      chain: spec.chain,
    })),
    diagnostics,
    sources: folder.sources,
  } as const
  const produced = result.files.map((f) => f.path)
  if (options.check) {
    const { stale, missing, extra } = checkOutputs(outAbsolute, result.files)
    const upToDate = stale.length + missing.length + extra.length === 0
    return {
      ...base,
      exitCode: upToDate ? EXIT.ok : EXIT.specErrors,
      files: {
        ...NO_FILES,
        unchanged: produced.filter((f) => !stale.includes(f) && !missing.includes(f)),
        stale,
        missing,
        extra,
      },
    }
  }
  const plan = writeOutputs(outAbsolute, result.files)
  return {
    ...base,
    exitCode: EXIT.ok,
    files: {
      ...NO_FILES,
      written: plan.written,
      unchanged: plan.unchanged,
      removed: plan.removed,
      extra: plan.foreign,
    },
  }
}

export function printReport(report: CompileReport, options: CompileOptions, ctx: CliContext): void {
  if (options.json) ctx.stdout.write(`${JSON.stringify(reportToJson(report))}\n`)
  else printHuman(report, ctx)
}

/** `finqa compile --json`: one object; every path relative to the working directory. */
export interface CompileJson {
  readonly finqa: string
  readonly command: 'compile'
  readonly mode: 'write' | 'check'
  readonly ok: boolean
  readonly exitCode: number
  readonly specDir: string
  readonly outDir: string
  readonly summary: { experiments: number; errors: number; warnings: number }
  readonly experiments: CompileReport['experiments']
  readonly diagnostics: ReturnType<typeof diagnosticToJson>[]
  readonly files: { readonly [K in keyof CompileReport['files']]: string[] }
}

export function reportToJson(report: CompileReport): CompileJson {
  const inOut = (files: readonly string[]) => files.map((f) => joinDisplay(report.outDir, f))
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length
  return {
    finqa: readPackageJson().version,
    command: 'compile',
    mode: report.mode,
    ok: report.exitCode === EXIT.ok,
    exitCode: report.exitCode,
    specDir: report.specDir,
    outDir: report.outDir,
    summary: {
      experiments: report.experiments.length,
      errors,
      warnings: report.diagnostics.length - errors,
    },
    experiments: report.experiments,
    diagnostics: report.diagnostics.map(diagnosticToJson),
    files: {
      written: inOut(report.files.written),
      unchanged: inOut(report.files.unchanged),
      removed: inOut(report.files.removed),
      stale: inOut(report.files.stale),
      missing: inOut(report.files.missing),
      extra: inOut(report.files.extra),
    },
  }
}

function printHuman(report: CompileReport, ctx: CliContext): void {
  const errColor = useColor(ctx.stderr, ctx.env)
  const outColor = useColor(ctx.stdout, ctx.env)
  const out = (f: string) => joinDisplay(report.outDir, f)
  for (const d of report.diagnostics)
    ctx.stderr.write(`${formatDiagnostic(d, { sources: report.sources, color: errColor })}\n`)
  if (hasErrors(report.diagnostics)) {
    ctx.stderr.write(
      `finqa: ${paint(errColor, formatSummary(report.diagnostics), 'red', 'bold')}; nothing written\n`,
    )
    return
  }
  const { files } = report
  if (report.mode === 'check') {
    const problems = [
      ...files.stale.map((f) => `stale: ${out(f)}`),
      ...files.missing.map((f) => `missing: ${out(f)}`),
      ...files.extra.map((f) => `extra: ${out(f)} (no spec produces it)`),
    ]
    if (problems.length > 0) {
      ctx.stderr.write(
        `${problems.map((p) => paint(errColor, p, 'yellow')).join('\n')}\nfinqa: ${report.outDir} is not up to date; run finqa compile ${report.specDir}\n`,
      )
      return
    }
    ctx.stdout.write(
      `finqa: ${paint(outColor, `${report.outDir} is up to date`, 'green')} (${files.unchanged.length} files)\n`,
    )
    return
  }
  for (const f of files.written) ctx.stdout.write(`${paint(outColor, 'wrote', 'green')} ${out(f)}\n`)
  for (const f of files.removed) ctx.stdout.write(`${paint(outColor, 'removed', 'yellow')} ${out(f)}\n`)
  for (const f of files.extra)
    ctx.stderr.write(
      `${paint(errColor, 'warning:', 'yellow', 'bold')} ${out(f)} is not produced by any spec; delete it if it is stale\n`,
    )
  ctx.stdout.write(
    `finqa: ${report.experiments.length} experiments, ${files.written.length} written, ${files.unchanged.length} unchanged, ${files.removed.length} removed\n`,
  )
}

/** A folder as shown to the user: relative to cwd with forward slashes, or absolute when given so. */
function joinDisplay(dir: string, file: string): string {
  return dir === '.' ? file : `${dir}/${file}`
}

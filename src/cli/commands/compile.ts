import { relative, resolve } from 'node:path'
import {
  type ChangesSummary,
  type CompileInput,
  type CompileMemo,
  type CompileSummary,
  compileChanges,
  compileFiles,
  type KeptFile,
} from '../../compile.js'
import {
  type Diagnostic,
  type DiagnosticCode,
  hasErrors,
  sortDiagnostics,
} from '../../diagnostics/diagnostic.js'
import { formatDiagnostic, formatSummary, paint } from '../../diagnostics/format.js'
import { isSystemError, osCause } from '../../diagnostics/os-error.js'
import { openCompileCache } from '../../emit/compile-cache.js'
import { MANIFEST } from '../../emit/manifest.js'
import {
  describeHolder,
  lockOutput,
  OutputBusy,
  type OutputLock,
  remoteHost,
} from '../../emit/output-lock.js'
import { realOutputPath } from '../../emit/output-paths.js'
import {
  checkOutputsIncrementally,
  foreignOutputs,
  type OutputProblem,
  OutputRefused,
  OutputWriteFailed,
  openOutputs,
} from '../../emit/write-outputs.js'
import type { SpecIdentities, SpecReadCache } from '../../load/read-specs.js'
import type { RenderedFile } from '../../render/render-experiment.js'
import { groupDigits } from '../../report/text-table.js'
import type { CliContext } from '../cli-context.js'
import { useColor } from '../color.js'
import { EXIT } from '../exit-codes.js'
import { type JsonEnvelope, jsonEnvelope } from '../json-envelope.js'
import { displayPath, joinDisplay, type PackageFiles, readFolder } from '../load-experiments.js'
import { readPackageJson, readSchema, readTemplates } from '../package-files.js'
import { checkVerlConfigDirs } from '../verl-config-dir.js'

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
  /**
   * True when writing failed after files were replaced and not all could be put back: the output folder is
   * part old, part new (a diagnostic says why). Otherwise a failed compile changed nothing.
   */
  readonly partial?: boolean
  /**
   * Under `--watch`, once a compile's files are in place: how many experiments the next compile kept as that
   * one wrote them (not compiled again, their files not read). The others were compiled again.
   */
  readonly kept?: number
  /** Output files, relative to the output folder. Only `write` writes or removes; only `check` finds stale. */
  readonly files: {
    readonly written: readonly string[]
    readonly unchanged: readonly string[]
    readonly removed: readonly string[]
    readonly stale: readonly string[]
    readonly missing: readonly string[]
    /** Only `check`: files an earlier compile wrote that no spec produces now (write would remove them). */
    readonly orphaned: readonly string[]
    /** In the output folder, but no spec produces it and finqa never wrote it (write leaves these alone). */
    readonly extra: readonly string[]
  }
}

const NO_FILES = {
  written: [],
  unchanged: [],
  removed: [],
  stale: [],
  missing: [],
  orphaned: [],
  extra: [],
}

/** How long a compile waits for another finqa to finish with the same output folder (src/emit/output-lock.ts). */
const LOCK_WAIT_MS = 60_000

/** A compile that produces this many files is large: see `CliContext.onLargeCompile`. */
export const LARGE_COMPILE_FILES = 2000

export async function compileCommand(options: CompileOptions, ctx: CliContext): Promise<number> {
  const report = await runCompile(options, ctx)
  printReport(report, options, ctx)
  return report.exitCode
}

/**
 * What a run of compiles into one output folder (`--watch`) carries from one to the next: the memo of the last
 * compile whose files are in the output folder, so that the next one compiles and writes only what changed.
 */
export interface CompileSession {
  /** Read by the first compile; the same objects each time let the memo know them at a glance. */
  packageFiles?: PackageFiles
  /** Spec texts read before: a file whose identity has not changed is not read again. */
  readonly specCache?: SpecReadCache
  /** The spec files' identities as the watcher's last scan found them (`SpecIdentities`). */
  identities?: () => SpecIdentities
  memo?: CompileMemo
  /** Inputs the no-op cache answered for: `warmSession` compiles them in memory to make the memo. */
  unmemoized?: CompileInput
}

/**
 * Makes the session's memo from the inputs the no-op cache answered for (their outputs are in the folder, as
 * the cache checked), compiling in memory only: the next compile then needs to render only what changed.
 */
export function warmSession(session: CompileSession): void {
  const input = session.unmemoized
  session.unmemoized = undefined
  if (input === undefined || session.memo !== undefined) return
  const run = compileChanges(input, undefined)
  let step = run.next()
  while (step.done !== true) step = run.next()
  session.memo = step.value.memo
}

/**
 * Reads the specs, compiles, and writes (or checks) the output folder. Prints nothing. Each file goes to the
 * output folder as soon as it is rendered (staged until the whole compile is known to be good), so that a
 * compile never holds every file at once. With a `session`, a compile after the first renders and writes only
 * the experiments whose layers changed (and the files made from all experiments); the rest it leaves as the
 * session's earlier compiles wrote them.
 */
export async function runCompile(
  options: CompileOptions,
  ctx: CliContext,
  session?: CompileSession,
): Promise<CompileReport> {
  // The real path: two spellings of one folder (a link to it) share its lock, cache entry and files.
  const outAbsolute = realOutputPath(resolve(ctx.cwd, options.outDir))
  if (session !== undefined) session.packageFiles ??= { schema: readSchema(), templates: readTemplates() }
  const folder = readFolder(
    options.specDir,
    ctx.cwd,
    session?.packageFiles,
    session?.specCache,
    session?.identities?.(),
  )
  const shown = {
    mode: options.check ? 'check' : 'write',
    specDir: folder.specDir,
    outDir: displayPath(ctx.cwd, options.outDir),
    sources: folder.sources,
  } as const
  const failed = (diagnostics: readonly Diagnostic[]): CompileReport => ({
    ...shown,
    exitCode: EXIT.specErrors,
    experiments: [],
    diagnostics,
    files: NO_FILES,
  })
  if (folder.input === undefined) return failed(folder.diagnostics)

  // A write whose inputs and outputs are as a previous compile left them has nothing to do.
  // Only for a command line (an environment given): in-process callers get a full compile every time.
  // A session with a memo knows its outputs better than the cache, and records none (a stat of every output).
  const cache =
    options.check || ctx.env === undefined || ctx.env.FINQA_NO_CACHE === '1' || session?.memo !== undefined
      ? undefined
      : openCompileCache(
          {
            cwd: ctx.cwd,
            outDir: outAbsolute,
            specDir: folder.specDir,
            specs: folder.input.specs,
            templates: folder.input.templates,
            schema: folder.input.schema,
            version: readPackageJson().version,
          },
          ctx.env,
        )
  const cached = folder.diagnostics.length === 0 ? cache?.lookup() : undefined
  if (cached !== undefined) {
    if (session !== undefined) session.unmemoized = folder.input
    const produced = cached.files.filter((f) => f !== MANIFEST)
    return {
      ...shown,
      exitCode: EXIT.ok,
      experiments: cached.experiments,
      diagnostics: cached.diagnostics,
      files: { ...NO_FILES, unchanged: produced, extra: foreignOutputs(outAbsolute, new Set(produced)) },
    }
  }

  const renameDelayMs = Number(ctx.env?.FINQA_TEST_RENAME_DELAY_MS ?? 0) || 0
  const lockWaitMs = Number(ctx.env?.FINQA_TEST_LOCK_WAIT_MS ?? LOCK_WAIT_MS)
  let lock: OutputLock | undefined
  try {
    // A check waits too: it would report another compile's half-replaced tree as stale.
    lock = await lockOutput(outAbsolute, {
      waitMs: lockWaitMs,
      staleMs: Number(ctx.env?.FINQA_TEST_LOCK_STALE_MS ?? 0) || undefined,
      breakDelayMs: Number(ctx.env?.FINQA_TEST_LOCK_BREAK_DELAY_MS ?? 0) || 0,
    })
    const held = lock
    const sink = options.check
      ? checkOutputsIncrementally(outAbsolute)
      : openOutputs(outAbsolute, { renameDelayMs, onProgress: () => held.refresh() })
    // The memo answers only for files in place: not into a new folder.
    const memo = 'fresh' in sink && !sink.fresh ? session?.memo : undefined
    if (session !== undefined) session.memo = undefined // until this compile's files are in place
    const run: Generator<RenderedFile | KeptFile, CompileSummary & { memo?: CompileMemo }, void> =
      session === undefined || options.check ? compileFiles(folder.input) : compileChanges(folder.input, memo)
    let step: IteratorResult<RenderedFile | KeptFile, CompileSummary & { memo?: CompileMemo }>
    let produced = 0
    try {
      for (step = run.next(); step.done !== true; step = run.next()) {
        if (++produced === LARGE_COMPILE_FILES) ctx.onLargeCompile?.()
        held.refresh()
        const item = step.value
        if ('kept' in item) {
          if ('keep' in sink) sink.keep(item.path)
          continue
        }
        cache?.keep(item)
        await sink.add(item)
      }
    } catch (error) {
      if ('abort' in sink) await sink.abort()
      throw error
    }
    const diagnostics = [
      ...folder.diagnostics,
      ...step.value.diagnostics,
      ...(hasErrors(step.value.diagnostics) ? [] : checkVerlConfigDirs(step.value.experiments)),
    ]
    if (hasErrors(diagnostics)) {
      if ('abort' in sink) await sink.abort()
      // Nothing was written: the folder is as the memo's compile left it.
      if (session !== undefined) session.memo = memo
      return failed(diagnostics)
    }
    const compiled = {
      ...shown,
      experiments: step.value.experiments.map(({ experiment, spec }) => ({
        name: experiment.name,
        script: experiment.script,
        chain: spec.chain,
      })),
      diagnostics,
    }
    if ('commit' in sink) {
      const plan = await sink.commit()
      const summary = step.value
      if (session !== undefined) session.memo = 'memo' in summary ? summary.memo : undefined
      cache?.record({
        experiments: compiled.experiments,
        diagnostics,
        files: [...plan.written, ...plan.unchanged, MANIFEST],
      })
      const { written, unchanged, removed, foreign } = plan
      return {
        ...compiled,
        exitCode: EXIT.ok,
        files: { ...NO_FILES, written, unchanged, removed, extra: foreign },
        ...(memo !== undefined ? { kept: (summary as ChangesSummary).kept } : {}),
      }
    }
    const { stale, missing, orphaned, extra, unchanged } = sink.finish()
    // Only what a compile would change: files finqa leaves alone (extra) are reported, not stale.
    const upToDate = stale.length + missing.length + orphaned.length === 0
    return {
      ...compiled,
      exitCode: upToDate ? EXIT.ok : EXIT.specErrors,
      files: { ...NO_FILES, unchanged, stale, missing, orphaned, extra },
    }
  } catch (error) {
    const problems = outputProblems(error, { cwd: ctx.cwd, outDir: shown.outDir, outAbsolute, lockWaitMs })
    if (problems === undefined) throw error
    const partial = error instanceof OutputWriteFailed && !error.restored
    return { ...failed([...folder.diagnostics, ...problems]), ...(partial ? { partial } : {}) }
  } finally {
    lock?.release()
  }
}

/**
 * What went wrong with the output folder, as diagnostics at it: the user's to fix, not a bug. Undefined for
 * any other error (a bug). Whatever was staged is gone, and the folder is as it was.
 */
function outputProblems(
  error: unknown,
  at: { cwd: string; outDir: string; outAbsolute: string; lockWaitMs: number },
): Diagnostic[] | undefined {
  const problem = (file: string, code: DiagnosticCode, message: string, suggestion: string): Diagnostic => ({
    file,
    line: 1,
    col: 1,
    severity: 'error',
    code,
    message,
    suggestion,
  })
  if (error instanceof OutputBusy) {
    const holder = error.holder === undefined ? '' : ` (${describeHolder(error.holder)})`
    return [
      problem(
        at.outDir,
        'OUTPUT_BUSY',
        `another finqa${holder} is still writing ${at.outDir} after ${at.lockWaitMs / 1000} s`,
        `wait for it to finish; if no finqa is running${remoteHost(error.holder)}, delete ${relative(at.cwd, error.lock) || error.lock}`,
      ),
    ]
  }
  if (error instanceof OutputRefused) return sortDiagnostics(error.problems.map((p) => refusal(p, at.outDir)))
  const failure = error instanceof OutputWriteFailed ? error.cause : error
  // The folder could not be read or written: a file in its place, no permission, a full disk.
  if (!isSystemError(failure)) return undefined
  const { cause, suggestion } = osCause(failure.code, 'output')
  const where = relative(at.cwd, failure.path ?? at.outAbsolute) || '.'
  const undone =
    error instanceof OutputWriteFailed && !error.restored
      ? '; some replaced files could not be put back, so it holds old and new files: compile again once this is fixed'
      : ''
  return [
    problem(
      at.outDir,
      'OUTPUT_UNWRITABLE',
      `cannot write the output folder ${at.outDir}: ${cause} (${failure.code}: ${failure.syscall} ${where})${undone}`,
      suggestion,
    ),
  ]
}

/** The diagnostic of one reason the output folder was left alone (see `OutputProblem`). */
function refusal(p: OutputProblem, outDir: string): Diagnostic {
  const file = joinDisplay(outDir, p.path)
  const link = p.link === undefined ? file : joinDisplay(outDir, p.link)
  const at = (code: DiagnosticCode, message: string, suggestion: string, position = { line: 1, col: 1 }) => ({
    file,
    ...position,
    severity: 'error' as const,
    code,
    message,
    suggestion,
  })
  const manifest = joinDisplay(outDir, MANIFEST)
  const entry = { line: p.line ?? 1, col: p.col ?? 1 }
  switch (p.kind) {
    case 'conflict':
      return at(
        'OUTPUT_CONFLICT',
        `${file} was not written by finqa, and this compile would replace it`,
        'move or delete it, or compile into another folder (--out DIR)',
      )
    case 'folder':
      return at(
        'OUTPUT_CONFLICT',
        `${file} is a folder where this compile writes a file`,
        'move or delete the folder, or compile into another folder (--out DIR)',
      )
    case 'other':
      return at(
        'OUTPUT_CONFLICT',
        link === file
          ? `${file} is not a regular file (a FIFO, device or socket), and this compile would replace it`
          : `${link} is a file where this compile needs a folder (for ${file})`,
        `move or delete ${link}, or compile into another folder (--out DIR)`,
      )
    case 'link':
      return at(
        'OUTPUT_LINK',
        link === file
          ? `${file} is a symbolic link; finqa never writes through a link in its output folder`
          : `${link} is a symbolic link, and this compile writes ${file} below it; finqa never writes through a link in its output folder`,
        `replace ${link} with a real ${link === file ? 'file' : 'folder'} (or delete it), or compile into another folder (--out DIR)`,
      )
    case 'manifest-outside':
      return {
        ...at(
          'OUTPUT_MANIFEST',
          `${manifest} lists ${JSON.stringify(p.path)}, which is not a path inside the output folder; finqa does not remove it`,
          `delete that entry (or the whole manifest: the next compile writes it anew)`,
          entry,
        ),
        file: manifest,
      }
    case 'manifest-link':
      return {
        ...at(
          'OUTPUT_MANIFEST',
          `${manifest} lists ${p.path}, which is reached through the symbolic link ${link}; finqa never removes anything through a link in its output folder`,
          `delete that entry (or the whole manifest: the next compile writes it anew), or replace ${link} with a real folder`,
          entry,
        ),
        file: manifest,
      }
  }
}

/**
 * At most EXTRA_SHOWN lines, then one saying how many more: an output folder may hold thousands of files
 * finqa does not produce (`--out` a busy folder), and listing every one buries the report.
 */
function shortList(lines: readonly string[], more: (count: string) => string): string[] {
  if (lines.length <= EXTRA_SHOWN) return [...lines]
  return [...lines.slice(0, EXTRA_SHOWN), more(groupDigits(lines.length - EXTRA_SHOWN))]
}

const EXTRA_SHOWN = 20

export function printReport(report: CompileReport, options: CompileOptions, ctx: CliContext): void {
  if (options.json) ctx.stdout.write(`${JSON.stringify(reportToJson(report))}\n`)
  else printHuman(report, ctx)
}

/** `finqa compile --json`: the envelope, then the compile's result; every path relative to the working directory. */
export interface CompileJson extends JsonEnvelope {
  readonly command: 'compile'
  readonly mode: 'write' | 'check'
  readonly specDir: string
  readonly outDir: string
  /** `kept`: under `--watch`, see `CompileReport.kept`. */
  readonly summary: { experiments: number; errors: number; warnings: number; kept?: number }
  readonly experiments: CompileReport['experiments']
  readonly files: { readonly [K in keyof CompileReport['files']]: string[] }
}

export function reportToJson(report: CompileReport): CompileJson {
  const inOut = (files: readonly string[]) => files.map((f) => joinDisplay(report.outDir, f))
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length
  return {
    ...jsonEnvelope('compile', report.exitCode, report.diagnostics, {}),
    command: 'compile',
    mode: report.mode,
    specDir: report.specDir,
    outDir: report.outDir,
    summary: {
      experiments: report.experiments.length,
      errors,
      warnings: report.diagnostics.length - errors,
      ...(report.kept === undefined ? {} : { kept: report.kept }),
    },
    experiments: report.experiments,
    files: {
      written: inOut(report.files.written),
      unchanged: inOut(report.files.unchanged),
      removed: inOut(report.files.removed),
      stale: inOut(report.files.stale),
      missing: inOut(report.files.missing),
      orphaned: inOut(report.files.orphaned),
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
    const outcome = report.partial
      ? `${report.outDir} is partly updated; compile again once the error is fixed`
      : 'nothing written'
    ctx.stderr.write(
      `finqa: ${paint(errColor, formatSummary(report.diagnostics), 'red', 'bold')}; ${outcome}\n`,
    )
    return
  }
  const { files } = report
  // Files finqa leaves alone: a warning in both modes, never a reason for --check to fail.
  const warning = paint(errColor, 'warning:', 'yellow', 'bold')
  const warnings = shortList(
    files.extra.map(
      (f) => `${warning} ${out(f)} is not produced by any spec; finqa leaves it; remove it if unwanted\n`,
    ),
    (more) => `${warning} and ${more} more files no spec produces (--json lists them all)\n`,
  )
  if (report.mode === 'check') {
    const problems = [
      ...files.stale.map((f) => `stale: ${out(f)}`),
      ...files.missing.map((f) => `missing: ${out(f)}`),
      ...files.orphaned.map((f) => `orphaned: ${out(f)} (finqa wrote it; no spec produces it now)`),
    ]
    if (problems.length > 0) {
      ctx.stderr.write(
        `${warnings.join('')}${problems.map((p) => paint(errColor, p, 'yellow')).join('\n')}\nfinqa: ${report.outDir} is not up to date; run finqa compile ${report.specDir}\n`,
      )
      return
    }
    if (warnings.length > 0) ctx.stderr.write(warnings.join(''))
    ctx.stdout.write(
      `finqa: ${paint(outColor, `${report.outDir} is up to date`, 'green')} (${files.unchanged.length} files)\n`,
    )
    return
  }
  // One write per stream: a sweep's compile may list tens of thousands of files.
  const lines = [
    ...files.written.map((f) => `${paint(outColor, 'wrote', 'green')} ${out(f)}\n`),
    ...files.removed.map((f) => `${paint(outColor, 'removed', 'yellow')} ${out(f)}\n`),
  ]
  if (warnings.length > 0) ctx.stderr.write(warnings.join(''))
  const kept =
    report.kept === undefined
      ? ''
      : `; ${report.experiments.length - report.kept} compiled again, ${report.kept} kept as they were`
  ctx.stdout.write(
    `${lines.join('')}finqa: ${report.experiments.length} experiments, ${files.written.length} written, ${files.unchanged.length} unchanged, ${files.removed.length} removed${kept}\n`,
  )
}

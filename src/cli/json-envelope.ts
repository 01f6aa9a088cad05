import type { Diagnostic } from '../diagnostics/diagnostic.js'
import { type DiagnosticJson, diagnosticToJson } from '../diagnostics/json.js'
import type { CliContext } from './cli-context.js'
import { EXIT } from './exit-codes.js'
import { readPackageJson } from './package-files.js'

/**
 * What every command's `--json` prints first, in this order: finqa's version, the command, whether it
 * succeeded, its exit code and every diagnostic (warnings too). The command's result follows; a failure that
 * is no spec diagnostic (an unknown experiment, a usage error) is `error`.
 */
export interface JsonEnvelope {
  readonly finqa: string
  readonly command: string
  readonly ok: boolean
  readonly exitCode: number
  readonly diagnostics: readonly DiagnosticJson[]
  readonly error?: string
}

/** The envelope, then the command's result. */
export function jsonEnvelope<T extends object>(
  command: string,
  exitCode: number,
  diagnostics: readonly Diagnostic[],
  result: T,
): JsonEnvelope & T {
  return {
    finqa: readPackageJson().version,
    command,
    ok: exitCode === EXIT.ok,
    exitCode,
    diagnostics: diagnostics.map(diagnosticToJson),
    ...result,
  }
}

/** Prints the envelope and result as one line of JSON on stdout (`compile --watch` prints one per compile). */
export function printJson<T extends object>(
  ctx: CliContext,
  command: string,
  exitCode: number,
  diagnostics: readonly Diagnostic[],
  result: T,
): number {
  ctx.stdout.write(`${JSON.stringify(jsonEnvelope(command, exitCode, diagnostics, result))}\n`)
  return exitCode
}

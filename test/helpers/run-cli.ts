import { main } from '../../src/cli/main.js'
import { REPO } from './compile-repo.js'

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `finqa ARGV...` in-process in `cwd` (default: the repo), capturing its output. */
export async function runCli(argv: readonly string[], cwd = REPO): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {
    cwd,
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  })
  return { code, stdout, stderr }
}

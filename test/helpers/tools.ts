import { spawnSync } from 'node:child_process'

/**
 * Whether a system tool is on PATH. Tests that need one skip without it on a laptop, but under CI=true a
 * missing tool is a failure: `requireTool` throws instead of returning false.
 */
export function hasTool(name: string): boolean {
  const found = spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0
  if (!found && process.env.CI === 'true') {
    throw new Error(`${name} is required under CI=true but is not installed (.ci/run installs it)`)
  }
  return found
}

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from './helpers/cli.js'
import { needTestCluster, notTheTestCluster } from './helpers/slurm.js'

/** An environment whose `sinfo` prints `out` and exits with `status`, as a Slurm of those nodes would. */
function withSinfo(out: string, status = 0, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const bin = join(tempDir('finqa-sinfo-'), 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'sinfo'), `#!/bin/sh\nprintf '%s' '${out}'\nexit ${status}\n`)
  chmodSync(join(bin, 'sinfo'), 0o755)
  const { CI: _ci, ...env } = process.env
  return { ...env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...extra }
}

/** What `needTestCluster` does: 'run', the skip note, or the error it throws. */
function verdict(env: NodeJS.ProcessEnv): string {
  const skip = (note?: string): never => {
    throw new Error(`skipped: ${note}`)
  }
  try {
    needTestCluster(skip, env)
    return 'run'
  } catch (error) {
    return (error as Error).message
  }
}

describe('tests that need the two-node test cluster', () => {
  it('run on it: node1 and node2 (a node in two partitions is one node)', () => {
    expect(verdict(withSinfo('node1\nnode2\nnode1\n'))).toBe('run')
    expect(verdict(withSinfo('node1\nnode2\n', 0, { CI: 'true' }))).toBe('run')
  })

  it("skip on a laptop's one-node Slurm, saying what they need and what there is", () => {
    expect(verdict(withSinfo('laptop\n'))).toBe(
      'skipped: needs the two-node test cluster (test/slurm/slurm-local.sh up, as root: nodes node1 and node2 on this machine); this Slurm has 1 node(s): laptop',
    )
    expect(verdict(withSinfo('', 1))).toBe(
      'skipped: needs the two-node test cluster (test/slurm/slurm-local.sh up, as root: nodes node1 and node2 on this machine); sinfo found no cluster',
    )
  })

  it('fail under CI=true, where .ci/run starts the test cluster', () => {
    expect(verdict(withSinfo('laptop\n', 0, { CI: 'true' }))).toBe(
      'needs the two-node test cluster (test/slurm/slurm-local.sh up, as root: nodes node1 and node2 on this machine); this Slurm has 1 node(s): laptop (required under CI=true)',
    )
  })

  it('the test cluster answers here as that (when this machine has Slurm)', ({ skip }) => {
    if (notTheTestCluster() !== undefined && process.env.CI !== 'true')
      skip('no test cluster on this machine')
    expect(notTheTestCluster()).toBeUndefined()
  })
})

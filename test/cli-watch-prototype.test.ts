import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it, onTestFinished } from 'vitest'
import { BIN, filesBelow, finqa, project } from './helpers/cli.js'

it('under --watch a sweep key __proto__.abstract leaves nothing behind once the spec is reverted', async () => {
  const dir = project()
  // The revert keeps the sweep, less its hostile axis: a state no earlier compile left, so the no-op cache
  // cannot answer it and the watching process compiles it.
  const benign = 'extends: ./qwen3-4b.yaml\nname: evil_{x}\nscript: run_evil_{x}.sh\nmatrix:\n  x: [1]\n'
  const fresh = project()
  writeFileSync(join(fresh, 'experiments', 'evil.yaml'), benign)
  expect(finqa(['compile', 'experiments'], fresh).code).toBe(0)

  const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env
  const child = spawn(process.execPath, [BIN, 'compile', 'experiments', '--watch', '--json'], {
    cwd: dir,
    env,
  })
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (t: string) => {
    stdout += t
  })
  const results = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) =>
          JSON.parse(l) as { ok: boolean; summary: { experiments: number }; diagnostics: { code: string }[] },
      )
  const waitFor = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (results().length >= n) {
          clearInterval(poll)
          resolve()
        } else if (child.exitCode !== null) {
          clearInterval(poll)
          reject(new Error(`finqa exited before compile ${n}: ${stdout}`))
        }
      }, 20)
    })

  await waitFor(1)
  const sweep = join(dir, 'experiments', 'evil.yaml')
  writeFileSync(sweep, `${benign}  __proto__.abstract: [true]\n`)
  await waitFor(2)
  const hostile = results()[1]
  expect(hostile?.ok).toBe(false)
  expect(hostile?.diagnostics.map((d) => d.code)).toContain('UNKNOWN_KEY')

  writeFileSync(sweep, benign)
  await waitFor(3)
  const reverted = results()[2]
  expect(reverted?.ok).toBe(true)
  expect(reverted?.summary.experiments).toBe(9)
  child.kill('SIGTERM')

  // The folder is what a compile in a fresh process writes.
  const out = (root: string) =>
    filesBelow(join(root, 'dist-scripts')).map((f) => [
      f,
      readFileSync(join(root, 'dist-scripts', f), 'utf8'),
    ])
  expect(out(dir)).toEqual(out(fresh))
})

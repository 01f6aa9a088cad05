import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from './helpers/cli.js'
import { REPO } from './helpers/compile-repo.js'

/** Not part of a source checkout's package: build output, VCS, tests, local leftovers. */
const NOT_COPIED = new Set(['node_modules', '.git', 'dist', 'dist-scripts', 'test', 'coverage', '.bench'])

function run(command: string, args: string[], cwd: string) {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, all: `${r.stdout}\n${r.stderr}` }
}

describe('the npm package', () => {
  it('packs (building dist/), installs from the tarball into an empty folder, and runs there', () => {
    const work = tempDir('finqa-pack-')
    // Pack a copy of the sources, so the build `prepack` runs does not touch this checkout's dist/.
    const source = join(work, 'source')
    cpSync(REPO, source, {
      recursive: true,
      filter: (from) => {
        const top = relative(REPO, from).split(sep)[0] ?? ''
        return !NOT_COPIED.has(top) && !top.endsWith('.tgz')
      },
    })
    symlinkSync(realpathSync(join(REPO, 'node_modules')), join(source, 'node_modules'))
    const packed = run('npm', ['pack', '--json', '--pack-destination', work], source)
    expect(packed.code, packed.all).toBe(0)
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
      filename: string
      files: { path: string }[]
    }[]
    const files = (info?.files ?? []).map((f) => f.path)
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/finqa.js',
        'bin/load-bundle.js',
        'bin/package.json', // makes bin/ CommonJS: without it, Node would run bin/finqa.js as an ES module
        'dist/bundle/finqa.cjs',
        'dist/bundle/finqa.cjs.cache',
        'dist/cli/main.js',
        'dist/generated/verl/v0.9.0.json',
        'schema/experiment.schema.json',
        'schema/layer.schema.json',
        'templates/launch.sh.hbs',
        'scaffold/experiments/base.yaml',
        'scaffold/.github/workflows/finqa.yml',
      ]),
    )
    // No sources, tests or build tooling; dist/generate.js needs a devDependency and is not shipped.
    expect(files.filter((f) => /^(src|test|scripts)\/|^tsconfig|^dist\/generate\.js$|\.ts$/.test(f))).toEqual(
      [],
    )

    // As README says: the tarball kept in the project (vendor/), so that CI's `npm ci` finds it.
    const app = join(work, 'app')
    const tarball = info?.filename ?? ''
    mkdirSync(join(app, 'vendor'), { recursive: true })
    copyFileSync(join(work, tarball), join(app, 'vendor', tarball))
    const installed = run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '-D', `./vendor/${tarball}`],
      app,
    )
    expect(installed.code, installed.all).toBe(0)
    expect(installed.all).not.toContain('install-scripts') // no install script to approve
    expect(existsSync(join(app, 'node_modules', 'typescript'))).toBe(false)
    expect(existsSync(join(app, 'node_modules', 'finqa', 'schema', 'layer.schema.json'))).toBe(true)

    const npx = (...args: string[]) => run('npx', ['--no-install', 'finqa', ...args], app)
    const help = npx('--help')
    expect(help.code, help.all).toBe(0)
    expect(help.stdout).toContain('finqa init [DIR]')
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }
    expect(npx('--version').stdout.trim()).toBe(pkg.version)

    const init = npx('init')
    expect(init.code, init.all).toBe(0)
    expect(init.stdout).not.toContain('npm i -D finqa') // it is installed: the modelines resolve
    const compiled = npx('compile')
    expect(compiled.code, compiled.all).toBe(0)
    expect(compiled.stdout).toMatch(/finqa: 8 experiments, \d+ written/)
    expect(existsSync(join(app, 'dist-scripts', 'run_4b.sh'))).toBe(true)
    const checked = npx('compile', 'experiments', '--check', '--json')
    expect(checked.code, checked.all).toBe(0)
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: true, mode: 'check' })

    // CI: a clean checkout of the project (no node_modules), then each `run:` step of the workflow init wrote.
    const checkout = join(work, 'checkout')
    cpSync(app, checkout, {
      recursive: true,
      filter: (from) => relative(app, from).split(sep)[0] !== 'node_modules',
    })
    const workflow = readFileSync(join(checkout, '.github', 'workflows', 'finqa.yml'), 'utf8')
    const steps = [...workflow.matchAll(/^ {6}- run: (.+)$/gm)].map((m) => m[1] as string)
    expect(steps).toEqual(['npm ci', 'npx --no-install finqa compile experiments --check'])
    for (const step of steps) {
      const [command, ...args] = step.split(' ')
      const ci = run(
        command as string,
        command === 'npm' ? [...args, '--prefer-offline', '--no-audit', '--no-fund'] : args,
        checkout,
      )
      expect(ci.code, `${step}\n${ci.all}`).toBe(0)
    }
  }, 300_000)
})

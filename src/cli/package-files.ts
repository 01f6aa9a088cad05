import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compareStrings } from '../diagnostics/diagnostic.js'

/**
 * The package root: the nearest folder above this module holding package.json and templates/. This module
 * is src/cli/ in development, dist/cli/ when built by tsc, or part of the bundle dist/bundle/finqa.cjs.
 */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)))

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir
    if (dirname(dir) === dir) return resolve(from, '..', '..')
  }
}

let packageJson: { name: string; version: string } | undefined

/** finqa's package.json, read once per process (the cache key and `--json` both name the version). */
export function readPackageJson(): { name: string; version: string } {
  packageJson ??= JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    name: string
    version: string
  }
  return packageJson
}

export function readSchema(): { [key: string]: unknown } {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema', 'experiment.schema.json'), 'utf8')) as {
    [key: string]: unknown
  }
}

/** Every template below templates/, keyed by its path there (`launch.sh.hbs`, `partials/x.hbs`). */
export function readTemplates(dir = join(PACKAGE_ROOT, 'templates')): Map<string, string> {
  return readTree(dir, (name) => name.endsWith('.hbs'))
}

/** The files `finqa init` writes, keyed by their path in the new project (`experiments/base.yaml`). */
export function readScaffold(dir = join(PACKAGE_ROOT, 'scaffold')): Map<string, string> {
  return readTree(dir, () => true)
}

/** The text of every file below `dir` whose name passes `keep`, by forward-slash path, sorted. */
function readTree(dir: string, keep: (name: string) => boolean): Map<string, string> {
  const out = new Map<string, string>()
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !keep(entry.name)) continue
    const path = join(entry.parentPath, entry.name)
    out.set(relative(dir, path).split(sep).join('/'), readFileSync(path, 'utf8'))
  }
  return new Map([...out].sort(([a], [b]) => compareStrings(a, b)))
}

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readSchema, readTemplates } from '../../src/cli/package-files.js'
import { type CompileResult, compile } from '../../src/compile.js'
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js'
import { readSpecs } from '../../src/load/read-specs.js'

export const REPO = join(import.meta.dirname, '..', '..')

/** Compiles a spec folder (relative to `cwd`, default the repo) in memory, as `finqa compile` would. */
export function compileDir(specDir = 'experiments', cwd = REPO): CompileResult {
  const { specs, specDir: display } = readSpecs(specDir, cwd)
  return compile({ specs, specDir: display, templates: readTemplates(), schema: readSchema() })
}

/** Compiles in-memory spec texts keyed by path under `experiments/`. */
export function compileTexts(specs: Record<string, string>, specDir = 'experiments'): CompileResult {
  return compile({
    specs: new Map(Object.entries(specs)),
    specDir,
    templates: readTemplates(),
    schema: readSchema(),
  })
}

export function readRepoFile(path: string): string {
  return readFileSync(join(REPO, path), 'utf8')
}

/**
 * Compiles the Slurm fixtures' base (test/slurm/fixtures/base.yaml) plus one experiment layer
 * `experiments/x.yaml`: `extends`, `name`, `script`, then `layer` from its line 4.
 */
export function compileOnSlurmBase(layer: string, name = 'x', script = 'run_x.sh'): CompileResult {
  return compileTexts({
    'experiments/base.yaml': readRepoFile('test/slurm/fixtures/base.yaml'),
    'experiments/x.yaml': `extends: ./base.yaml\nname: ${name}\nscript: ${script}\n${layer}`,
  })
}

/** `file:line:col severity CODE` of a diagnostic. */
export const brief = (d: Diagnostic): string => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code}`

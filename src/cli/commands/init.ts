import { existsSync, lstatSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { formatDiagnostic, paint } from '../../diagnostics/format.js'
import { isSystemError, osCause } from '../../diagnostics/os-error.js'
import { foldersMade, makeFolder } from '../../emit/output-paths.js'
import { toDisplay } from '../../load/read-specs.js'
import type { CliContext } from '../cli-context.js'
import { useColor } from '../color.js'
import { EXIT } from '../exit-codes.js'
import { displayPath, joinDisplay } from '../load-experiments.js'
import { readScaffold } from '../package-files.js'

export interface InitOptions {
  /** The project root to scaffold into (created when missing). */
  readonly dir: string
}

/**
 * `finqa init [DIR]`: writes the seed study as a spec tree that compiles at once (a cluster layer, a base,
 * the 4B and 8B layers, and the default run and three ablations per size: `scaffold/`), a README for it,
 * and a CI workflow running `finqa compile --check`. Refuses, and writes nothing, when any of those files
 * exists.
 */
export function initCommand(options: InitOptions, ctx: CliContext): number {
  const root = resolve(ctx.cwd, options.dir)
  const shown = displayPath(ctx.cwd, options.dir)
  const at = (path: string) => joinDisplay(shown, path)
  const files = readScaffold()
  const taken = [...files.keys()].filter((path) => exists(join(root, path)))
  if (taken.length > 0) {
    ctx.stderr.write(
      `finqa init: these files exist already:\n${taken.map((p) => `  ${at(p)}`).join('\n')}\nfinqa init: nothing written; move them away or choose another folder\n`,
    )
    return EXIT.specErrors
  }
  const color = useColor(ctx.stdout, ctx.env)
  // Created files and folders, to take back if a later one fails (a read-only folder, a full disk).
  const made: { path: string; folder: boolean }[] = []
  const created: string[] = []
  try {
    for (const [path, content] of files) {
      const target = join(root, path)
      const folder = dirname(target)
      for (const f of foldersMade(folder, makeFolder(folder))) made.push({ path: f, folder: true })
      writeFileSync(target, content, { flag: 'wx' })
      made.push({ path: target, folder: false })
      created.push(path)
    }
  } catch (error) {
    if (!isSystemError(error)) throw error
    for (const { path, folder } of made.reverse()) {
      try {
        if (folder) rmdirSync(path)
        else rmSync(path)
      } catch {}
    }
    const { cause, suggestion } = osCause(error.code, 'init')
    const where = toDisplay(relative(ctx.cwd, error.path ?? root)) || '.'
    ctx.stderr.write(
      `${formatDiagnostic({ file: shown, line: 1, col: 1, severity: 'error', code: 'OUTPUT_UNWRITABLE', message: `cannot write ${shown}: ${cause} (${error.code}: ${error.syscall} ${where})`, suggestion })}\nfinqa init: nothing written\n`,
    )
    return EXIT.specErrors
  }
  for (const path of created) ctx.stdout.write(`${paint(color, 'created', 'green')} ${at(path)}\n`)
  const steps = [
    ...(shown === '.' ? [] : [`cd ${shown}`]),
    ...(existsSync(join(root, 'node_modules', 'finqa', 'package.json'))
      ? []
      : ['npm i -D finqa                  # editors read the schema from node_modules/finqa']),
    'npx finqa compile experiments   # writes dist-scripts/; commit it with the specs',
  ]
  ctx.stdout.write(`\nNext:\n${steps.map((s) => `  ${s}\n`).join('')}`)
  return EXIT.ok
}

/** True when something is at `path`, or a file stands where one of its folders should be (ENOTDIR). */
function exists(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT'
  }
}

import { readdirSync, readFileSync } from 'node:fs'
import { join, posix, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const SRC = join(import.meta.dirname, '..', 'src')

/** Every .ts file below src/, as a path relative to src/ with forward slashes. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [relative(SRC, path).split('\\').join('/')] : []
  })
}

/**
 * The files below src/ that `file` imports: static imports and re-exports, type-only ones too (a cycle of
 * types is still two modules that cannot be understood apart), and dynamic `import()`. TypeScript's own
 * pre-processor reads the statements, so comments and strings that look like imports are not counted.
 */
function importsOf(file: string, known: ReadonlySet<string>): string[] {
  const text = readFileSync(join(SRC, file), 'utf8')
  const { importedFiles } = ts.preProcessFile(text, true, true)
  return importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => posix.normalize(posix.join(posix.dirname(file), name)).replace(/\.js$/, '.ts'))
    .filter((target) => known.has(target))
}

/** Each import cycle once, as the chain of files from its smallest member back to it. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles = new Set<string>()
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const loop = stack.slice(stack.indexOf(next))
        const start = loop.indexOf([...loop].sort()[0] as string)
        const rotated = [...loop.slice(start), ...loop.slice(0, start)]
        cycles.add([...rotated, rotated[0]].join(' → '))
      } else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file)
  return [...cycles].sort()
}

describe('the modules of src/', () => {
  const files = sourceFiles()
  const known = new Set(files)
  const graph = new Map(files.map((f) => [f, importsOf(f, known)]))

  it('the import reader sees the imports (static, type-only, re-export, dynamic)', () => {
    expect(graph.get('cli/command-table.ts')).toContain('cli/commands/compile.ts')
    expect(graph.get('cli/command-table.ts')).toContain('cli/commands/watch.ts')
    expect(graph.get('report/explain.ts')).toContain('diagnostics/did-you-mean.ts')
    expect(files.length).toBeGreaterThan(50)
  })

  it('import no cycle: each module can be read knowing only the ones it imports', () => {
    expect(importCycles(graph)).toEqual([])
  })

  it('the cycle finder finds a cycle', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ])
    expect(importCycles(g)).toEqual(['a.ts → b.ts → c.ts → a.ts'])
  })
})

import { type FSWatcher, statSync, watch } from 'node:fs'
import { resolve } from 'node:path'
import type { CliContext } from '../cli-context.js'
import { EXIT } from '../exit-codes.js'
import { displayPath } from '../load-experiments.js'
import { type CompileOptions, printReport, runCompile } from './compile.js'

/** Changes closer together than this make one recompile (an editor's save is often several events). */
const SETTLE_MS = 100

/**
 * `finqa compile --watch`: compiles, then recompiles whenever a spec below the spec folder changes,
 * printing diagnostics as they come. Spec errors never end it; Ctrl-C (or `ctx.signal`) does, with exit 0.
 */
export async function watchCommand(options: CompileOptions, ctx: CliContext): Promise<number> {
  const specAbsolute = resolve(ctx.cwd, options.specDir)
  const specDir = displayPath(ctx.cwd, options.specDir)
  const status = (text: string) => {
    if (!options.json) ctx.stdout.write(`finqa: ${text}\n`)
  }
  const compileOnce = async () => {
    try {
      printReport(await runCompile(options, ctx), options, ctx)
    } catch (error) {
      // A file vanished or is unreadable mid-save: report it and wait for the next change.
      const code = (error as NodeJS.ErrnoException).code
      if (typeof code !== 'string') throw error
      ctx.stderr.write(`finqa: could not read the specs (${(error as Error).message}); waiting for changes\n`)
    }
  }

  let isFolder = false
  try {
    isFolder = statSync(specAbsolute).isDirectory()
  } catch {}
  if (!isFolder) {
    printReport(await runCompile(options, ctx), options, ctx) // reports NO_SPECS
    return EXIT.specErrors
  }

  const { signal, dispose } = stopSignal(ctx)
  return new Promise<number>((done, fail) => {
    let timer: NodeJS.Timeout | undefined
    const changed = new Set<string>()
    let watcher: FSWatcher | undefined
    const stop = () => {
      clearTimeout(timer)
      watcher?.close()
      dispose()
    }
    const finish = (code: number) => {
      stop()
      done(code)
    }
    // One compile at a time, in order. A bug (a throw) stops watching and goes up to main(), which reports
    // it with exit 70.
    let queue = Promise.resolve()
    const recompile = () => {
      queue = queue.then(compileOnce).catch((error: unknown) => {
        stop()
        fail(error)
      })
      return queue
    }
    try {
      watcher = watch(specAbsolute, { recursive: true }, (_event, name) => {
        const file = name?.toString()
        // Editor swap and backup files (`.x.yaml.swp`, `x.yaml~`) are not specs; folders may hold them.
        if (file !== undefined && /\.[^/\\]+$/.test(file) && !/\.ya?ml$/.test(file)) return
        changed.add(file === undefined ? specDir : `${specDir}/${file.replaceAll('\\', '/')}`)
        clearTimeout(timer)
        timer = setTimeout(() => {
          status(`${[...changed].sort().join(', ')} changed; recompiling`)
          changed.clear()
          recompile()
        }, SETTLE_MS)
      })
    } catch (error) {
      ctx.stderr.write(`finqa: cannot watch ${specDir}: ${(error as Error).message}\n`)
      finish(EXIT.specErrors)
      return
    }
    // Watching before the first compile: a change made while it runs is not lost.
    void recompile().then(() => status(`watching ${specDir} for changes (Ctrl-C to stop)`))
    watcher.on('error', (error) => {
      ctx.stderr.write(`finqa: stopped watching ${specDir}: ${error.message}\n`)
      finish(EXIT.specErrors)
    })
    if (signal.aborted) finish(EXIT.ok)
    else signal.addEventListener('abort', () => finish(EXIT.ok), { once: true })
  })
}

/** `ctx.signal` when given (tests); otherwise SIGINT and SIGTERM, handled only while watching. */
function stopSignal(ctx: CliContext): { signal: AbortSignal; dispose: () => void } {
  if (ctx.signal !== undefined) return { signal: ctx.signal, dispose: () => {} }
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    },
  }
}

import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { CliContext } from '../cli-context.js'
import { EXIT } from '../exit-codes.js'
import { displayPath, joinDisplay } from '../load-experiments.js'
import { type SpecWatcher, watchSpecs } from '../spec-watcher.js'
import { type CompileOptions, type CompileSession, printReport, runCompile, warmSession } from './compile.js'

/**
 * Changes closer together than this make one recompile: an editor's save may be several events (truncate,
 * write). Short, because a rescan finds what changed whatever the events: a save split across two compiles
 * only costs a second compile.
 */
const SETTLE_MS = 10

/** The changed spec files a status line names; past that, how many more. */
const CHANGES_SHOWN = 5

/**
 * `finqa compile --watch`: compiles, then recompiles whenever a spec below the spec folder changes,
 * printing diagnostics as they come. Spec errors never end it; Ctrl-C (or `ctx.signal`) does, with exit 0.
 * Each recompile renders and writes only the experiments whose layers changed, and the files made from all
 * experiments (`CompileSession`).
 */
export async function watchCommand(options: CompileOptions, ctx: CliContext): Promise<number> {
  const specAbsolute = resolve(ctx.cwd, options.specDir)
  const specDir = displayPath(ctx.cwd, options.specDir)
  const status = (text: string) => {
    if (!options.json) ctx.stdout.write(`finqa: ${text}\n`)
  }
  const session: CompileSession = { specCache: new Map() }
  // No tuning for a large compile (bin/finqa.js limits V8's heap growth, for a lower peak of one compile): a
  // watching process holds its memo, hundreds of MB at 10,000 experiments, and with the growth limited a full
  // collection of it came every few edits, as long as the edits themselves.
  const compileCtx: CliContext = { ...ctx, onLargeCompile: undefined }
  const compileOnce = async () => {
    try {
      printReport(await runCompile(options, compileCtx, session), options, ctx)
    } catch (error) {
      // A file vanished or is unreadable mid-save: report it and wait for the next change.
      const code = (error as NodeJS.ErrnoException).code
      if (typeof code !== 'string') throw error
      session.memo = undefined
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
    let watcher: SpecWatcher | undefined
    const stop = () => {
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
    const enqueue = (step: () => void | Promise<void>) => {
      queue = queue.then(step).catch((error: unknown) => {
        stop()
        fail(error)
      })
      return queue
    }
    // Changes while a compile waits its turn join it: it reads the specs when it starts.
    let waiting = false
    const recompile = () => {
      if (waiting) return
      waiting = true
      void enqueue(() => {
        waiting = false
        return compileOnce()
      })
    }
    // Watching before the first compile: a change made while it runs is not lost.
    watcher = watchSpecs(specAbsolute, {
      settleMs: SETTLE_MS,
      onChange: (changed) => {
        const shown = changed.slice(0, CHANGES_SHOWN).map((f) => joinDisplay(specDir, f))
        if (changed.length > CHANGES_SHOWN) shown.push(`${changed.length - CHANGES_SHOWN} more`)
        status(`${shown.join(', ')} changed; recompiling`)
        recompile()
      },
      onError: (error) =>
        ctx.stderr.write(`finqa: cannot watch a folder below ${specDir}: ${error.message}\n`),
    })
    // Each compile takes the spec files' identities from the watcher's last scan: no second stat of each.
    const scanned = watcher
    session.identities = () => scanned.identities()
    void enqueue(compileOnce).then(() => status(`watching ${specDir} for changes (Ctrl-C to stop)`))
    // After a first compile the no-op cache answered, what the next compile needs is made in memory.
    void enqueue(() => warmSession(session))
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

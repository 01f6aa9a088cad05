#!/usr/bin/env node
// The installed package ships the built JavaScript in dist/: the CLI bundled into dist/bundle/finqa.cjs
// with V8's code cache beside it (see scripts/bundle.mjs and load-bundle.js). In a source checkout (src/ present), dist/ is
// built here on first use and rebuilt whenever a source file or the build recipe is newer than the last
// build, so that `npm ci && npx finqa compile experiments/` works and never runs stale code.
//
// Start-up time is most of a compile, so this file and load-bundle.js are CommonJS (bin/package.json): Node
// runs a CommonJS entry without setting up its ES module loader, and loads nothing here that a run with a
// fresh dist/ does not use (child_process only when it rebuilds).
'use strict'
// One libuv worker thread: a compile hands its file writes to the pool while it renders the next experiment,
// and one thread creating files (as `cp -r` does) keeps the disk busy without several threads contending for
// the same folder's lock, which costs more system time than it saves. Set before anything uses the pool.
process.env.UV_THREADPOOL_SIZE ??= '1'
const { existsSync, fstatSync, readdirSync, statSync, writeSync } = require('node:fs')
const { join } = require('node:path')
const { loadCli } = require('./load-bundle.js')

const root = join(__dirname, '..')
if (existsSync(join(root, 'src', 'cli', 'main.ts'))) buildIfStale(root)

const bundle = join(root, 'dist', 'bundle', 'finqa.cjs')
if (!existsSync(bundle)) {
  process.stderr.write('finqa: dist/ is missing; in a source checkout, run `npm run build` first\n')
  process.exit(70)
}
const { cli } = loadCli(bundle)

cli
  .main(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: output(1),
    stderr: output(2),
    env: process.env,
    onLargeCompile: limitHeapGrowth,
  })
  .then((code) => {
    // Nothing is left to run once main() returns (every command finishes its own work and closes what it
    // opened, and output is written synchronously), but a natural exit still tears Node's environment down
    // and drains V8's background tasks: some 8 ms of a compile. So exit at once.
    process.exit(code)
  })

/**
 * Standard output or error, written synchronously to the file descriptor. finqa prints a report once its files
 * are in place, so nothing is gained by Node's stream objects, and creating process.stdout for a pipe loads
 * Node's stream and socket modules: some 5 ms of a compile. A reader that stops early (`finqa compile |
 * head -1`) closes the pipe: then the rest of the output is dropped quietly, as other tools do, instead of
 * crashing on EPIPE, and the exit code is still the command's.
 */
function output(fd) {
  let closed = false
  return {
    // A terminal is a character device; anything else (a pipe, a file) is settled without node:tty, which
    // loads the same socket modules.
    isTTY: fstatSync(fd).isCharacterDevice() && require('node:tty').isatty(fd),
    write(text) {
      let bytes = Buffer.from(text)
      while (bytes.length > 0 && !closed) {
        try {
          bytes = bytes.subarray(writeSync(fd, bytes))
        } catch (error) {
          closed = error.code === 'EPIPE'
          if (closed) break
          // A descriptor another program made non-blocking, momentarily full: wait a little and go on.
          if (error.code !== 'EAGAIN') throw error
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1)
        }
      }
      return true
    },
  }
}

/**
 * For a large compile (thousands of files), which holds tens of MB of experiments while it renders: V8 then
 * lets the old generation grow to as much as 4x what was live after the last full collection before it
 * collects again; 1.6x keeps the peak of 10,000 experiments some 35 MB lower (about 200 MiB instead of 235)
 * in the same time. A V8 flag set at run time, once the bundle's code cache is loaded (V8 checks a cache
 * against its flags; this one it reads at each collection); Node's own modules loaded after it compile
 * without their code cache, a few ms.
 */
function limitHeapGrowth() {
  require('node:v8').setFlagsFromString('--heap-growing-percent=60')
}

function buildIfStale(dir) {
  const stamp = join(dir, 'dist', '.build-stamp')
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0
  const sources = readdirSync(join(dir, 'src'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
  // The recipe too: the bundle's format is an agreement between scripts/bundle.mjs and load-bundle.js.
  const recipe = [
    'tsconfig.json',
    'tsconfig.build.json',
    'scripts/build.mjs',
    'scripts/bundle.mjs',
    'scripts/prerender-verl-libs.mjs',
    'bin/load-bundle.js',
  ]
  const newest = Math.max(...[...sources, ...recipe.map((f) => join(dir, f))].map((f) => statSync(f).mtimeMs))
  if (newest <= built) return
  const { spawnSync } = require('node:child_process')
  const r = spawnSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], { cwd: dir, encoding: 'utf8' })
  if (r.status !== 0) {
    process.stderr.write(`finqa: building dist/ from src/ failed:\n${r.stdout}${r.stderr}`)
    process.exit(70)
  }
}

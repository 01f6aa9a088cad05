// Loads the bundled CLI (dist/bundle/finqa.cjs: a CommonJS module in its module function, see
// scripts/bundle.mjs) with V8's code cache beside it (finqa.cjs.cache), so that
// start-up neither parses nor compiles the functions a compile runs: `npm run build` (scripts/bundle.mjs)
// writes the cache after compiling the shipped specs once. A cache for another bundle is ignored, and one V8
// rejects (another Node version or V8 flags) only costs the normal compile.
//
// Which bundle a cache belongs to: the bundle's last line is `// finqa-build <id>`, the id being the SHA-256
// of the code, computed once by scripts/bundle.mjs; the cache file starts with the same id. Comparing ids
// replaces hashing the whole bundle on every run (V8 itself only checks that the source length matches).
// The two files are only ever written together, by the build. Last, not first: the code keeps the line
// numbers it has under Node's own module wrapper, in stack traces too.
'use strict'
const { readFileSync, writeFileSync } = require('node:fs')
const Module = require('node:module')
const { dirname } = require('node:path')
const vm = require('node:vm')

const BUILD_LINE = '// finqa-build '
/** The id: the hex digits of a SHA-256. */
const ID_LENGTH = 64

/** Runs the bundle (CommonJS) and returns its exports; types in load-bundle.d.ts. */
function loadCli(bundle) {
  // esbuild writes ASCII only (charset: 'ascii' in scripts/bundle.mjs), for which latin1 decodes the same
  // text as utf8, faster.
  const source = readFileSync(bundle, 'latin1')
  const last = source.slice(-(BUILD_LINE.length + ID_LENGTH + 1))
  if (!last.startsWith(BUILD_LINE) || !last.endsWith('\n'))
    throw new Error(`${bundle} was not built by this version of scripts/bundle.mjs; run \`npm run build\``)
  const id = last.slice(BUILD_LINE.length, BUILD_LINE.length + ID_LENGTH)
  const cacheFile = `${bundle}.cache`
  const data = readIfExists(cacheFile)
  const cachedData =
    data !== undefined && data.length > ID_LENGTH && data.toString('latin1', 0, ID_LENGTH) === id
      ? data.subarray(ID_LENGTH)
      : undefined
  const script = new vm.Script(source, {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  })
  const module = { exports: {} }
  script.runInThisContext()(module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle))
  return {
    cli: module.exports,
    cacheRejected: cachedData === undefined ? undefined : script.cachedDataRejected,
    saveCache: () =>
      writeFileSync(cacheFile, Buffer.concat([Buffer.from(id, 'latin1'), script.createCachedData()])),
  }
}

/** The file's bytes, or undefined when it does not exist (one system call fewer than existsSync first). */
function readIfExists(file) {
  try {
    return readFileSync(file)
  } catch (error) {
    if (error.code === 'ENOENT') return undefined
    throw error
  }
}

module.exports = { BUILD_LINE, loadCli }

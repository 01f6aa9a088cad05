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
const { closeSync, fstatSync, openSync, readSync, writeFileSync } = require('node:fs')
const Module = require('node:module')
const { dirname } = require('node:path')
const vm = require('node:vm')

const BUILD_LINE = '// finqa-build '
/** The id: the hex digits of a SHA-256. */
const ID_LENGTH = 64

/** Runs the bundle (CommonJS) and returns its exports; types in load-bundle.d.ts. */
function loadCli(bundle) {
  // Both files are read into one buffer, the bundle first: memory a process touches for the first time costs
  // a page fault per 4 KB, some 10 us each on a virtual machine, and the cache is read once the source text
  // is taken out of it. esbuild writes ASCII only (charset: 'ascii' in scripts/bundle.mjs), for which latin1
  // decodes the same text as utf8, faster.
  const cacheFile = `${bundle}.cache`
  const files = [bundle, cacheFile].map(openIfExists)
  if (files[0] === undefined) throw Object.assign(new Error(`${bundle} does not exist`), { code: 'ENOENT' })
  const sizes = files.map((fd) => (fd === undefined ? 0 : fstatSync(fd).size))
  const buffer = Buffer.allocUnsafeSlow(Math.max(...sizes))
  const source = buffer.latin1Slice(0, readWhole(files[0], buffer, sizes[0]))
  const last = source.slice(-(BUILD_LINE.length + ID_LENGTH + 1))
  if (!last.startsWith(BUILD_LINE) || !last.endsWith('\n'))
    throw new Error(`${bundle} was not built by this version of scripts/bundle.mjs; run \`npm run build\``)
  const id = last.slice(BUILD_LINE.length, BUILD_LINE.length + ID_LENGTH)
  // The cache's bytes go to V8 as they are, in the same buffer (V8 does not keep them past the compile).
  const data = files[1] === undefined ? undefined : buffer.subarray(0, readWhole(files[1], buffer, sizes[1]))
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

/** A descriptor to read the file, or undefined when it does not exist (one call fewer than existsSync first). */
function openIfExists(file) {
  try {
    return openSync(file, 'r')
  } catch (error) {
    if (error.code === 'ENOENT') return undefined
    throw error
  }
}

/** Reads `size` bytes (or up to the end) from the start of the file into `buffer`, closes it; the count read. */
function readWhole(fd, buffer, size) {
  try {
    let done = 0
    while (done < size) {
      const n = readSync(fd, buffer, done, size - done, done)
      if (n === 0) break
      done += n
    }
    return done
  } finally {
    closeSync(fd)
  }
}

module.exports = { BUILD_LINE, loadCli }

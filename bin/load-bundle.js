// Loads the bundled CLI (dist/bundle/finqa.cjs) with V8's code cache beside it (finqa.cjs.cache), so that
// start-up neither parses nor compiles the functions a compile runs: `npm run build` (scripts/bundle.mjs)
// writes the cache after compiling the shipped specs once. The cache starts with the SHA-256 of the bundle
// it belongs to; a cache for another bundle is ignored, and one V8 rejects (another Node version or V8
// flags) only costs the normal compile.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { dirname } from 'node:path'
import vm from 'node:vm'

/** Runs the bundle (CommonJS) and returns its exports; types in load-bundle.d.ts. */
export function loadCli(bundle) {
  const source = readFileSync(bundle, 'utf8')
  const digest = createHash('sha256').update(source).digest()
  const cacheFile = `${bundle}.cache`
  let cachedData
  if (existsSync(cacheFile)) {
    const data = readFileSync(cacheFile)
    if (data.subarray(0, digest.length).equals(digest)) cachedData = data.subarray(digest.length)
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  })
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle))
  return {
    cli: module.exports,
    cacheRejected: cachedData === undefined ? undefined : script.cachedDataRejected,
    saveCache: () => writeFileSync(cacheFile, Buffer.concat([digest, script.createCachedData()])),
  }
}

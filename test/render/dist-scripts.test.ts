import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MANIFEST } from '../../src/emit/manifest.js'
import { compileDir, REPO, readRepoFile } from '../helpers/compile-repo.js'

/**
 * The committed dist-scripts/ as the expected output of the shipped experiments, compiled in-process inside
 * the test (test/generated.test.ts compiles once while its file loads, which mutation testing cannot
 * measure): every text of every template and renderer that the shipped specs reach is checked byte for byte.
 */
describe('the shipped experiments compile to the committed dist-scripts/', () => {
  it('each generated file is its committed golden byte for byte, with its mode, and no file is missing or extra', () => {
    const result = compileDir('experiments')
    expect(result.diagnostics).toEqual([])
    const root = join(REPO, 'dist-scripts')
    const committed = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name).slice(root.length + 1))
      .filter((p) => p !== MANIFEST)
      .sort()
    expect(result.files.map((f) => f.path)).toEqual(committed)
    for (const file of result.files) {
      expect(file.content, file.path).toBe(readRepoFile(`dist-scripts/${file.path}`))
      expect(file.mode, file.path).toBe(statSync(join(root, file.path)).mode & 0o777)
    }
  })
})

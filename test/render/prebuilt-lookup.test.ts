import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readTemplates } from '../../src/cli/package-files.js'
import { createTemplates } from '../../src/render/handlebars-env.js'
import { prebuiltVerlLib } from '../../src/render/render-verl-lib.js'
import { tempDir } from '../helpers/cli.js'

const LIB = 'verl-lib.sh.hbs'

// In process (the bundle's side is test/render/prebuilt-verl-lib.test.ts): which template may use the text
// the build rendered, and how the compile finds that text.
describe('the VERL lib the build rendered, as the compile looks it up', () => {
  it('only a template built into finqa is marked shipped (another text renders at compile time)', () => {
    const shipped = readTemplates().get(LIB) as string
    expect(createTemplates(new Map([[LIB, shipped]])).get(LIB)?.shipped).toBe(true)
    expect(createTemplates(new Map([[LIB, `${shipped}# edited\n`]])).get(LIB)?.shipped).toBeUndefined()
  })

  it('reads lib-<version>.sh from the folder, and says there is none when it is missing', () => {
    const dir = tempDir('finqa-prebuilt-')
    writeFileSync(join(dir, 'lib-9.9.9.sh'), 'VERL_VERSION=9.9.9\n')
    const folder = pathToFileURL(`${dir}/`)
    expect(prebuiltVerlLib('9.9.9', folder)).toBe('VERL_VERSION=9.9.9\n')
    expect(prebuiltVerlLib('9.9.8', folder)).toBeUndefined()
  })

  it('passes on an error other than a missing file (a folder in its place)', () => {
    const dir = tempDir('finqa-prebuilt-')
    mkdirSync(join(dir, 'lib-9.9.9.sh'))
    expect(() => prebuiltVerlLib('9.9.9', pathToFileURL(`${dir}/`))).toThrow(
      expect.objectContaining({ code: 'EISDIR' }),
    )
  })

  it('finds none in the sources, where the build writes nothing', () => {
    expect(prebuiltVerlLib('0.9.0')).toBeUndefined()
  })
})

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { linkDiagnostics, readSpecs } from '../../src/load/read-specs.js'
import { tempDir } from '../helpers/cli.js'

describe('readSpecs and symbolic links', () => {
  it('reads a linked spec file, names a linked folder and a broken link instead of skipping them, skips hidden ones', () => {
    const dir = tempDir('finqa-links-')
    const specs = join(dir, 'experiments')
    mkdirSync(join(specs, 'own'), { recursive: true })
    mkdirSync(join(dir, 'shared'))
    writeFileSync(join(specs, 'own', 'a.yaml'), 'name: a\n')
    writeFileSync(join(dir, 'shared', 'b.yaml'), 'name: b\n')
    symlinkSync(join(dir, 'shared', 'b.yaml'), join(specs, 'b.yaml'))
    symlinkSync(join(dir, 'shared'), join(specs, 'linked'))
    symlinkSync(join(dir, 'gone.yaml'), join(specs, 'c.yaml'))
    symlinkSync(join(dir, 'notes.txt'), join(specs, 'notes.txt')) // not a spec: no word about it
    // Hidden: never specs. Emacs's lock file is a link to nowhere; macOS's metadata file is not YAML.
    symlinkSync('user@host.1234:1700000000', join(specs, 'own', '.#a.yaml'))
    writeFileSync(join(specs, '._b.yaml'), Buffer.from([0, 5, 22, 7, 0xff]))
    mkdirSync(join(specs, '.git'))
    writeFileSync(join(specs, '.git', 'c.yaml'), 'name: c\n')

    const read = readSpecs('experiments', dir)

    expect([...read.specs]).toEqual([
      ['experiments/b.yaml', 'name: b\n'],
      ['experiments/own/a.yaml', 'name: a\n'],
    ])
    expect(read.notUtf8).toEqual([])
    expect(read.badLinks).toEqual([
      { file: 'experiments/c.yaml', target: 'nothing' },
      { file: 'experiments/linked', target: 'folder' },
    ])
    expect(linkDiagnostics(read.badLinks).map((d) => `${d.file} ${d.severity} ${d.code}`)).toEqual([
      'experiments/c.yaml error SPEC_LINK',
      'experiments/linked warning SPEC_LINK',
    ])
  })
})

import { execFileSync } from 'node:child_process'
import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import {
  encodingDiagnostics,
  fileIdentity,
  linkDiagnostics,
  readSpecs,
  SpecDirError,
  type SpecReadCache,
  toDisplay,
  unreadDiagnostics,
} from '../../src/load/read-specs.js'
import { tempDir } from '../helpers/cli.js'

/** readSpecs called in-process on a temp folder: each rule, with what it lists written out. */
describe('readSpecs, rule by rule', () => {
  it('reads *.yaml and *.yml below the folder, sorted, keyed by cwd-relative path; nothing else', () => {
    const dir = tempDir('finqa-read-')
    mkdirSync(join(dir, 'e', 'z'), { recursive: true })
    writeFileSync(join(dir, 'e', 'z', 'a.yaml'), 'name: za\n')
    writeFileSync(join(dir, 'e', 'b.yml'), 'name: b\n')
    writeFileSync(join(dir, 'e', 'a.yaml'), '\uFEFFname: a\n')
    writeFileSync(join(dir, 'e', 'notes.txt'), 'x')
    writeFileSync(join(dir, 'e', 'c.yaml.bak'), 'x')
    const read = readSpecs('e', dir)
    expect(read.specDir).toBe('e')
    // The byte order mark is dropped.
    expect([...read.specs]).toEqual([
      ['e/a.yaml', 'name: a\n'],
      ['e/b.yml', 'name: b\n'],
      ['e/z/a.yaml', 'name: za\n'],
    ])
    expect([read.notUtf8, read.badLinks, read.notFiles, read.unreadable]).toEqual([[], [], [], []])
    // The folder that is cwd displays as `.`; a folder above displays with `..`.
    expect(readSpecs('.', join(dir, 'e')).specDir).toBe('.')
    expect([...readSpecs('..', join(dir, 'e', 'z')).specs.keys()]).toEqual([
      '../a.yaml',
      '../b.yml',
      'a.yaml',
    ])
  })

  it('a missing folder and a file are SpecDirErrors saying which', () => {
    const dir = tempDir('finqa-read-')
    writeFileSync(join(dir, 'f.yaml'), 'x')
    expect(() => readSpecs('nope', dir)).toThrow(new SpecDirError('spec folder nope does not exist'))
    expect(() => readSpecs('f.yaml/x', dir)).toThrow(new SpecDirError('spec folder f.yaml/x does not exist'))
    expect(() => readSpecs('f.yaml', dir)).toThrow(new SpecDirError('f.yaml is not a folder'))
    expect(new SpecDirError('m').name).toBe('SpecDirError')
  })

  it('a FIFO, a device or a link to one, and a link to a non-spec name are notFiles, never read', () => {
    const dir = tempDir('finqa-read-')
    execFileSync('mkfifo', [join(dir, 'p.yaml')])
    execFileSync('mkfifo', [join(dir, 'q.txt')])
    symlinkSync(join(dir, 'q.txt'), join(dir, 'l.yaml'))
    symlinkSync('/dev/null', join(dir, 'n.yaml'))
    writeFileSync(join(dir, 'key.pem'), 'secret')
    symlinkSync(join(dir, 'key.pem'), join(dir, 'k.yaml'))
    symlinkSync(join(dir, 'key.pem'), join(dir, 'k.txt'))
    const read = readSpecs('.', dir)
    expect([...read.specs]).toEqual([])
    expect(read.notFiles).toEqual([
      {
        file: 'k.yaml',
        what: `a symbolic link to ${join(dir, 'key.pem')}, which is not a .yaml or .yml file`,
      },
      { file: 'l.yaml', what: 'a symbolic link to a FIFO (named pipe)' },
      { file: 'n.yaml', what: 'a symbolic link to a character device' },
      { file: 'p.yaml', what: 'a FIFO (named pipe)' },
    ])
    expect(
      unreadDiagnostics(read).map((d) => [d.file, d.line, d.col, d.severity, d.code, d.message]),
    ).toEqual([
      [
        'k.yaml',
        1,
        1,
        'error',
        'SPEC_NOT_FILE',
        `k.yaml is a symbolic link to ${join(dir, 'key.pem')}, which is not a .yaml or .yml file; finqa reads only regular .yaml / .yml files as specs`,
      ],
      [
        'l.yaml',
        1,
        1,
        'error',
        'SPEC_NOT_FILE',
        'l.yaml is a symbolic link to a FIFO (named pipe); finqa reads only regular .yaml / .yml files as specs',
      ],
      [
        'n.yaml',
        1,
        1,
        'error',
        'SPEC_NOT_FILE',
        'n.yaml is a symbolic link to a character device; finqa reads only regular .yaml / .yml files as specs',
      ],
      [
        'p.yaml',
        1,
        1,
        'error',
        'SPEC_NOT_FILE',
        'p.yaml is a FIFO (named pipe); finqa reads only regular .yaml / .yml files as specs',
      ],
    ])
    expect(unreadDiagnostics(read)[0]?.suggestion).toBe(
      'replace it with a regular spec file, or remove it (or rename it so it does not end in .yaml)',
    )
  })

  it('a socket, or a spec-named link to one, is notFiles without being opened', async () => {
    const dir = tempDir('finqa-read-')
    const server = createServer()
    await new Promise<void>((listening) => server.listen(join(dir, 's.yaml'), listening))
    onTestFinished(() => {
      server.close()
    })
    symlinkSync(join(dir, 's.yaml'), join(dir, 'l.yaml'))
    const read = readSpecs('.', dir)
    expect(read.notFiles).toEqual([
      { file: 'l.yaml', what: 'a symbolic link to a socket' },
      { file: 's.yaml', what: 'a socket' },
    ])
    expect([[...read.specs], read.unreadable]).toEqual([[], []])
  })

  it('a file that is not UTF-8 is listed with the offset of its first bad byte', () => {
    const dir = tempDir('finqa-read-')
    writeFileSync(join(dir, 'a.yaml'), Buffer.from('name: \xe9t\xe9\n', 'latin1'))
    writeFileSync(join(dir, 'b.yaml'), Buffer.concat([Buffer.from('ab'), Buffer.from([0xe2, 0x82])]))
    writeFileSync(join(dir, 'c.yaml'), Buffer.from([0xff]))
    const read = readSpecs('.', dir)
    expect(read.notUtf8).toEqual([
      { file: 'a.yaml', offset: 6 },
      { file: 'b.yaml', offset: 2 },
      { file: 'c.yaml', offset: 0 },
    ])
    expect(encodingDiagnostics(read.notUtf8)[0]).toEqual({
      file: 'a.yaml',
      line: 1,
      col: 1,
      severity: 'error',
      code: 'YAML_SYNTAX',
      message: 'the file is not valid UTF-8 (first bad byte at offset 6)',
      suggestion: 're-save the file as UTF-8',
    })
  })

  it('a cached text is taken while the file keeps its identity, and read again when it changes', () => {
    const dir = tempDir('finqa-read-')
    const path = join(dir, 'a.yaml')
    writeFileSync(path, 'name: a\n')
    const identity = fileIdentity(statSync(path, { bigint: true }))
    const cache: SpecReadCache = new Map([[path, { identity, text: 'cached\n' }]])
    expect([...readSpecs('.', dir, { cache }).specs]).toEqual([['a.yaml', 'cached\n']])
    // The identities given stand for a stat: a different one means read again.
    expect([...readSpecs('.', dir, { cache, identities: new Map([[path, 'other']]) }).specs]).toEqual([
      ['a.yaml', 'name: a\n'],
    ])
    expect([...readSpecs('.', dir, { cache, identities: new Map([[path, identity]]) }).specs]).toEqual([
      ['a.yaml', 'cached\n'],
    ])
    const s = statSync(path, { bigint: true })
    expect(identity).toBe(`${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`)
  })

  it('a file just written is not cached (racy); one settled is, under its identity', async () => {
    const dir = tempDir('finqa-read-')
    const path = join(dir, 'a.yaml')
    writeFileSync(path, 'name: a\n')
    const fresh: SpecReadCache = new Map()
    readSpecs('.', dir, { cache: fresh })
    expect([...fresh]).toEqual([])
    await new Promise((r) => setTimeout(r, 150))
    const settled: SpecReadCache = new Map()
    readSpecs('.', dir, { cache: settled })
    expect([...settled]).toEqual([
      [path, { identity: fileIdentity(statSync(path, { bigint: true })), text: 'name: a\n' }],
    ])
  })

  it('links to a folder or to nothing are listed sorted, with a warning and an error that say which', () => {
    const dir = tempDir('finqa-read-')
    for (const n of ['q', 'c', 'x', 'a', 'm', 'f'])
      symlinkSync(join(dir, `gone-${n}`), join(dir, `${n}.yaml`))
    for (const n of ['w', 'b', 'k']) symlinkSync(dir, join(dir, `d${n}`))
    for (const n of ['y', 'e', 'r', 'h', 'o']) writeFileSync(join(dir, `${n}.yml`), `${n}\uFEFF\n`)
    const read = readSpecs('.', dir)
    // A byte order mark is dropped only at the start.
    expect([...read.specs]).toEqual([
      ['e.yml', 'e\uFEFF\n'],
      ['h.yml', 'h\uFEFF\n'],
      ['o.yml', 'o\uFEFF\n'],
      ['r.yml', 'r\uFEFF\n'],
      ['y.yml', 'y\uFEFF\n'],
    ])
    expect(read.badLinks.map((l) => `${l.file} ${l.target}`)).toEqual([
      'a.yaml nothing',
      'c.yaml nothing',
      'db folder',
      'dk folder',
      'dw folder',
      'f.yaml nothing',
      'm.yaml nothing',
      'q.yaml nothing',
      'x.yaml nothing',
    ])
    expect(linkDiagnostics(read.badLinks.slice(2, 4))).toEqual([
      {
        file: 'db',
        line: 1,
        col: 1,
        severity: 'warning',
        code: 'SPEC_LINK',
        message:
          'db is a symbolic link to a folder; finqa does not follow it, so any specs in it are left out',
        suggestion: 'copy the folder into the spec folder, or link its spec files one by one',
      },
      {
        file: 'dk',
        line: 1,
        col: 1,
        severity: 'warning',
        code: 'SPEC_LINK',
        message:
          'dk is a symbolic link to a folder; finqa does not follow it, so any specs in it are left out',
        suggestion: 'copy the folder into the spec folder, or link its spec files one by one',
      },
    ])
    expect(linkDiagnostics(read.badLinks.slice(0, 1))).toEqual([
      {
        file: 'a.yaml',
        line: 1,
        col: 1,
        severity: 'error',
        code: 'SPEC_LINK',
        message: 'a.yaml is a symbolic link to a file that does not exist',
        suggestion: 'fix or remove the link',
      },
    ])
  })

  it('unreadable files say why, with the errno code', () => {
    expect(unreadDiagnostics({ notFiles: [], unreadable: [{ file: 'e/a.yaml', code: 'EACCES' }] })).toEqual([
      {
        file: 'e/a.yaml',
        line: 1,
        col: 1,
        severity: 'error',
        code: 'SPEC_UNREADABLE',
        message: 'cannot read e/a.yaml: permission denied (EACCES); its experiments would be missing',
        suggestion: 'make it readable for you (ls -l; chmod u+r), or move it out of the spec folder',
      },
    ])
    expect(toDisplay('a/b')).toBe('a/b')
  })
})

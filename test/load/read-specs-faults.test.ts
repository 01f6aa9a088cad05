import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { formatDiagnostic } from '../../src/diagnostics/format.js'
import {
  linkDiagnostics,
  type ReaderFs,
  readSpecs,
  SpecDirError,
  type SpecFiles,
  type SpecReadCache,
  unreadDiagnostics,
} from '../../src/load/read-specs.js'
import { tempDir } from '../helpers/cli.js'
import { fsError } from '../helpers/fs-error.js'

/**
 * readSpecs where the operating system refuses or the folder changes under it, in-process: `ReadSpecsOptions.fs`
 * makes a stat, listing, open or read fail (the tests run as root, so permission denied cannot be made), or a
 * file look different when it is opened than when it was listed.
 */

/** A spec folder `e` in a temp folder (the cwd), with these files (a name ending in `/` is a folder). */
function specFolder(files: Record<string, string>): { dir: string; e: string } {
  const dir = tempDir('finqa-read-faults-')
  const e = join(dir, 'e')
  mkdirSync(e)
  for (const [name, text] of Object.entries(files)) {
    if (name.endsWith('/')) mkdirSync(join(e, name), { recursive: true })
    else writeFileSync(join(e, name), text)
  }
  return { dir, e }
}

/** Every diagnostic of what was read, as the CLI prints it (without a code frame). */
const printed = (read: SpecFiles) =>
  [...linkDiagnostics(read.badLinks), ...unreadDiagnostics(read)].map((d) => formatDiagnostic(d))

/** A BigIntStats like `s`, of another file type (`constants.S_IFIFO`): what an fstat finds after a swap. */
const ofType = (s: BigIntStats, type: number): BigIntStats =>
  Object.assign(Object.create(Object.getPrototypeOf(s)), s, { mode: BigInt(type | 0o644) })

/** A ReaderFs that opens with node:fs and remembers each descriptor's path, and the descriptors still open. */
function tracked(): {
  fs: Pick<ReaderFs, 'openSync' | 'closeSync'>
  pathOf: (fd: number) => string
  open: Set<number>
} {
  const paths = new Map<number, string>()
  const open = new Set<number>()
  return {
    fs: {
      openSync: (path, flags) => {
        const fd = openSync(path, flags)
        paths.set(fd, path)
        open.add(fd)
        return fd
      },
      closeSync: (fd) => {
        open.delete(fd)
        closeSync(fd)
      },
    },
    pathOf: (fd) => paths.get(fd) ?? '',
    open,
  }
}

describe('readSpecs when the operating system refuses', () => {
  it('a spec folder that cannot be stat-ed (EACCES) is unreadable, not missing; an error without a code is', () => {
    const { dir, e } = specFolder({ 'a.yaml': 'name: a\n' })
    const refuse = (error: Error) => ({
      statSync: (path: string, options: { bigint: true }) => {
        if (path === e) throw error
        return statSync(path, options)
      },
    })
    const read = readSpecs('e', dir, { fs: refuse(fsError('EACCES', 'stat', e)) })
    expect(read).toEqual({
      specDir: 'e',
      specs: new Map(),
      notUtf8: [],
      badLinks: [],
      notFiles: [],
      unreadable: [{ file: 'e', code: 'EACCES' }],
    })
    expect(printed(read)).toEqual([
      'e:1:1 error SPEC_UNREADABLE cannot read e: permission denied (EACCES); its experiments would be missing\n' +
        '  suggestion: make it readable for you (ls -l; chmod u+r), or move it out of the spec folder',
    ])
    expect(() => readSpecs('e', dir, { fs: refuse(new Error('no code')) })).toThrow(
      new SpecDirError('spec folder e does not exist'),
    )
  })

  it('a folder that cannot be listed is unreadable with its errno code (EIO without one); the rest is read', () => {
    const { dir, e } = specFolder({ 'a.yaml': 'name: a\n', 'locked/': '', 'odd/': '' })
    const read = readSpecs('e', dir, {
      fs: {
        readdirSync: (path, options) => {
          if (path === join(e, 'locked')) throw fsError('EACCES', 'scandir', path)
          if (path === join(e, 'odd')) throw new Error('no code')
          return readdirSync(path, options)
        },
      },
    })
    expect([...read.specs]).toEqual([['e/a.yaml', 'name: a\n']])
    expect(read.unreadable).toEqual([
      { file: 'e/locked', code: 'EACCES' },
      { file: 'e/odd', code: 'EIO' },
    ])
    expect(printed(read)).toEqual([
      'e/locked:1:1 error SPEC_UNREADABLE cannot read e/locked: permission denied (EACCES); its experiments would be missing\n' +
        '  suggestion: make it readable for you (ls -l; chmod u+r), or move it out of the spec folder',
      'e/odd:1:1 error SPEC_UNREADABLE cannot read e/odd: the disk reported an I/O error (EIO); its experiments would be missing\n' +
        '  suggestion: check the disk (dmesg)',
    ])
  })

  it('a spec folder that is the cwd and cannot be listed is unreadable as `.`', () => {
    const { e } = specFolder({ 'a.yaml': 'name: a\n' })
    const read = readSpecs('.', e, {
      fs: {
        readdirSync: (path) => {
          throw fsError('EMFILE', 'scandir', path)
        },
      },
    })
    expect(read.specDir).toBe('.')
    expect(read.unreadable).toEqual([{ file: '.', code: 'EMFILE' }])
    expect(printed(read)).toEqual([
      '.:1:1 error SPEC_UNREADABLE cannot read .: too many files are open (EMFILE); its experiments would be missing\n' +
        '  suggestion: raise the limit (ulimit -n) and run again',
    ])
  })

  it('a spec file that cannot be opened is unreadable with its errno code (EACCES, EISDIR; EIO without one)', () => {
    const { dir, e } = specFolder({ 'a.yaml': 'a', 'b.yaml': 'b', 'c.yaml': 'c', 'd.yaml': 'name: d\n' })
    const read = readSpecs('e', dir, {
      fs: {
        openSync: (path, flags) => {
          if (path === join(e, 'a.yaml')) throw fsError('EACCES', 'open', path)
          if (path === join(e, 'b.yaml')) throw fsError('EISDIR', 'open', path)
          if (path === join(e, 'c.yaml')) throw new Error('no code')
          return openSync(path, flags)
        },
      },
    })
    expect([...read.specs]).toEqual([['e/d.yaml', 'name: d\n']])
    expect(read.unreadable).toEqual([
      { file: 'e/a.yaml', code: 'EACCES' },
      { file: 'e/b.yaml', code: 'EISDIR' },
      { file: 'e/c.yaml', code: 'EIO' },
    ])
    expect(printed(read)).toEqual([
      'e/a.yaml:1:1 error SPEC_UNREADABLE cannot read e/a.yaml: permission denied (EACCES); its experiments would be missing\n' +
        '  suggestion: make it readable for you (ls -l; chmod u+r), or move it out of the spec folder',
      'e/b.yaml:1:1 error SPEC_UNREADABLE cannot read e/b.yaml: a folder stands where a file should be (EISDIR); its experiments would be missing\n' +
        '  suggestion: move the folder away',
      'e/c.yaml:1:1 error SPEC_UNREADABLE cannot read e/c.yaml: the disk reported an I/O error (EIO); its experiments would be missing\n' +
        '  suggestion: check the disk (dmesg)',
    ])
  })

  it('a file whose fstat or read fails once open is unreadable, and every descriptor opened is closed', () => {
    const { dir, e } = specFolder({ 'a.yaml': 'a', 'b.yaml': 'b', 'c.yaml': 'name: c\n', 'd.yaml': 'd' })
    const t = tracked()
    const read = readSpecs('e', dir, {
      fs: {
        ...t.fs,
        fstatSync: (fd, options) => {
          if (t.pathOf(fd) === join(e, 'a.yaml')) throw new Error('no code')
          const s = fstatSync(fd, options)
          return t.pathOf(fd) === join(e, 'd.yaml') ? ofType(s, constants.S_IFIFO) : s
        },
        readFileSync: (fd) => {
          if (t.pathOf(fd) === join(e, 'b.yaml')) throw fsError('EIO', 'read', t.pathOf(fd))
          return readFileSync(fd)
        },
      },
    })
    expect([...read.specs]).toEqual([['e/c.yaml', 'name: c\n']])
    expect(read.unreadable).toEqual([
      { file: 'e/a.yaml', code: 'EIO' },
      { file: 'e/b.yaml', code: 'EIO' },
    ])
    expect(read.notFiles).toEqual([{ file: 'e/d.yaml', what: 'a FIFO (named pipe)' }])
    expect(t.open).toEqual(new Set())
  })

  it('a file that is something else when opened than when listed is notFiles, saying what it is now', () => {
    const kinds: Record<string, number> = {
      'a.yaml': constants.S_IFIFO,
      'b.yaml': constants.S_IFCHR,
      'c.yaml': constants.S_IFBLK,
      'd.yaml': constants.S_IFSOCK,
      'f.yaml': constants.S_IFDIR,
      'g.yaml': constants.S_IFLNK,
      'l.yaml': constants.S_IFBLK,
    }
    const { dir, e } = specFolder({
      'a.yaml': 'a',
      'b.yaml': 'b',
      'c.yaml': 'c',
      'd.yaml': 'd',
      'f.yaml': 'f',
      'g.yaml': 'g',
    })
    writeFileSync(join(dir, 'disk.yaml'), 'x')
    symlinkSync(join(dir, 'disk.yaml'), join(e, 'l.yaml'))
    const t = tracked()
    const read = readSpecs('e', dir, {
      fs: {
        ...t.fs,
        fstatSync: (fd, options) => {
          const type = kinds[t.pathOf(fd).slice(e.length + 1)]
          const s = fstatSync(fd, options)
          return type === undefined ? s : ofType(s, type)
        },
      },
    })
    expect([...read.specs]).toEqual([])
    expect(read.notFiles).toEqual([
      { file: 'e/a.yaml', what: 'a FIFO (named pipe)' },
      { file: 'e/b.yaml', what: 'a character device' },
      { file: 'e/c.yaml', what: 'a block device' },
      { file: 'e/d.yaml', what: 'a socket' },
      { file: 'e/f.yaml', what: 'a folder' },
      { file: 'e/g.yaml', what: 'something that is not a regular file' },
      { file: 'e/l.yaml', what: 'a symbolic link to a block device' },
    ])
    expect(printed(read)[6]).toBe(
      'e/l.yaml:1:1 error SPEC_NOT_FILE e/l.yaml is a symbolic link to a block device; finqa reads only regular .yaml / .yml files as specs\n' +
        '  suggestion: replace it with a regular spec file, or remove it (or rename it so it does not end in .yaml)',
    )
  })

  it('a file of size 0 that reads as text is a kernel pseudo-file, never a spec; an empty file is read', () => {
    const { dir, e } = specFolder({ 'empty.yaml': '', 'p.yaml': 'name: p\n' })
    writeFileSync(join(dir, 'q.yaml'), 'name: q\n')
    symlinkSync(join(dir, 'q.yaml'), join(e, 'q.yaml'))
    const t = tracked()
    const read = readSpecs('e', dir, {
      fs: {
        ...t.fs,
        fstatSync: (fd, options) => Object.assign(fstatSync(fd, options), { size: 0n }),
      },
    })
    expect([...read.specs]).toEqual([['e/empty.yaml', '']])
    expect(read.notFiles).toEqual([
      { file: 'e/p.yaml', what: 'a kernel pseudo-file (as in /proc or /sys)' },
      { file: 'e/q.yaml', what: 'a symbolic link to a kernel pseudo-file (as in /proc or /sys)' },
    ])
  })
})

describe('readSpecs and the real name of a linked spec file', () => {
  it('a link re-pointed after it was opened is judged by the file opened, not by the link now', () => {
    const { dir, e } = specFolder({})
    writeFileSync(join(dir, 'key.pem'), 'secret')
    writeFileSync(join(dir, 'other.yaml'), 'name: other\n')
    symlinkSync(join(dir, 'key.pem'), join(e, 'k.yaml'))
    const read = readSpecs('e', dir, {
      fs: {
        openSync: (path, flags) => {
          const fd = openSync(path, flags)
          unlinkSync(path)
          symlinkSync(join(dir, 'other.yaml'), path)
          return fd
        },
      },
    })
    expect([...read.specs]).toEqual([])
    expect(read.notFiles).toEqual([
      {
        file: 'e/k.yaml',
        what: `a symbolic link to ${join(dir, 'key.pem')}, which is not a .yaml or .yml file`,
      },
    ])
  })

  it('without /proc/self/fd (not Linux), a link is judged by the real path of its name', () => {
    const { dir, e } = specFolder({})
    writeFileSync(join(dir, 'key.pem'), 'secret')
    writeFileSync(join(dir, 'other.yaml'), 'name: other\n')
    symlinkSync(join(dir, 'key.pem'), join(e, 'k.yaml'))
    symlinkSync(join(dir, 'other.yaml'), join(e, 'o.yaml'))
    const read = readSpecs('e', dir, {
      fs: {
        readlinkSync: (path) => {
          throw fsError('ENOENT', 'readlink', path)
        },
      },
    })
    expect([...read.specs]).toEqual([['e/o.yaml', 'name: other\n']])
    expect(read.notFiles).toEqual([
      {
        file: 'e/k.yaml',
        what: `a symbolic link to ${join(dir, 'key.pem')}, which is not a .yaml or .yml file`,
      },
    ])
  })

  it('a file that is not a link is read without asking for its real name', () => {
    const { dir } = specFolder({ 'a.yaml': 'name: a\n' })
    const read = readSpecs('e', dir, {
      fs: {
        readlinkSync: (path) => {
          throw fsError('EACCES', 'readlink', path)
        },
        realpathSync: (path) => {
          throw fsError('EACCES', 'realpath', path)
        },
      },
    })
    expect([...read.specs]).toEqual([['e/a.yaml', 'name: a\n']])
    expect(read.unreadable).toEqual([])
  })
})

describe('readSpecs whatever the listing order', () => {
  it('specs, links and unreadable entries come out sorted when the folder lists them backwards', () => {
    const { dir, e } = specFolder({ 'a.yaml': 'a', 'b.yaml': 'b', 'c.yml': 'c', 'y.yaml': 'y', 'z/': '' })
    symlinkSync(join(dir, 'gone-k'), join(e, 'k.yaml'))
    symlinkSync(join(dir, 'gone-m'), join(e, 'm.yaml'))
    symlinkSync(dir, join(e, 'n'))
    const read = readSpecs('e', dir, {
      fs: {
        readdirSync: (path, options) => {
          if (path === join(e, 'z')) throw fsError('EACCES', 'scandir', path)
          return readdirSync(path, options).sort((a, b) => (a.name < b.name ? 1 : -1))
        },
        openSync: (path, flags) => {
          if (path === join(e, 'y.yaml')) throw fsError('EACCES', 'open', path)
          return openSync(path, flags)
        },
      },
    })
    expect([...read.specs]).toEqual([
      ['e/a.yaml', 'a'],
      ['e/b.yaml', 'b'],
      ['e/c.yml', 'c'],
    ])
    expect(read.badLinks).toEqual([
      { file: 'e/k.yaml', target: 'nothing' },
      { file: 'e/m.yaml', target: 'nothing' },
      { file: 'e/n', target: 'folder' },
    ])
    expect(read.unreadable).toEqual([
      { file: 'e/y.yaml', code: 'EACCES' },
      { file: 'e/z', code: 'EACCES' },
    ])
  })
})

describe('readSpecs and the cache of settled files', () => {
  /** Stats of a file last changed `ago` ns before the (faked) clock's now. */
  const changedAgo = (now: number, ago: bigint) => (fd: number, options: { bigint: true }) =>
    Object.assign(fstatSync(fd, options), { ctimeNs: BigInt(now) * 1_000_000n - ago })

  it('a settled file is read without a cache too', () => {
    const { dir } = specFolder({ 'a.yaml': 'name: a\n' })
    const read = readSpecs('e', dir, { fs: { fstatSync: changedAgo(Date.now(), 3_600_000_000_000n) } })
    expect([...read.specs]).toEqual([['e/a.yaml', 'name: a\n']])
    expect(read.notUtf8).toEqual([])
  })

  it('a file changed exactly 100 ms before it is read is racy (not cached); 1 ns more, settled', () => {
    const now = Date.UTC(2026, 0, 1)
    vi.useFakeTimers({ toFake: ['Date'] })
    onTestFinished(() => {
      vi.useRealTimers()
    })
    vi.setSystemTime(now)
    const { dir, e } = specFolder({ 'a.yaml': 'name: a\n' })
    const path = join(e, 'a.yaml')
    const racy: SpecReadCache = new Map()
    readSpecs('e', dir, { cache: racy, fs: { fstatSync: changedAgo(now, 100_000_000n) } })
    expect([...racy]).toEqual([])
    const settled: SpecReadCache = new Map()
    readSpecs('e', dir, { cache: settled, fs: { fstatSync: changedAgo(now, 100_000_001n) } })
    const s = statSync(path, { bigint: true })
    expect([...settled]).toEqual([
      [path, { identity: `${s.dev}:${s.ino}:8:${s.mtimeNs}:1767225599899999999`, text: 'name: a\n' }],
    ])
  })
})

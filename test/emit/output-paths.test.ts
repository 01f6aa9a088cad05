import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  foldersMade,
  inspectSlot,
  isPlainRelative,
  makeFolder,
  realOutputPath,
  type Slot,
} from '../../src/emit/output-paths.js'
import { tempDir } from '../helpers/cli.js'

/** A temp folder by its real path (the system's temp folder may itself be reached through a link). */
const realTemp = () => realpathSync(tempDir('finqa-paths-'))

describe("the output folder's real path", () => {
  it('resolves a link to the folder, and a linked parent of a folder not made yet', () => {
    const dir = realTemp()
    mkdirSync(join(dir, 'real'))
    symlinkSync('real', join(dir, 'link'))
    expect(realOutputPath(join(dir, 'link'))).toBe(`${dir}/real`)
    expect(realOutputPath(join(dir, 'link', 'new', 'out'))).toBe(`${dir}/real/new/out`)
  })

  it('follows a link to a folder not made yet to where it points, relative to the link', () => {
    const dir = realTemp()
    mkdirSync(join(dir, 'real'))
    symlinkSync('real/later/out', join(dir, 'pending'))
    expect(realOutputPath(join(dir, 'pending'))).toBe(`${dir}/real/later/out`)
    expect(realOutputPath(join(dir, 'pending', 'sub'))).toBe(`${dir}/real/later/out/sub`)
  })

  it('stops after 40 links, as the kernel does, on links that point at each other through missing folders', () => {
    const dir = realTemp()
    // The kernel says ENOENT (`nope` is missing); read lexically, each link names the other.
    symlinkSync('nope/../b', join(dir, 'a'))
    symlinkSync('nope/../a', join(dir, 'b'))
    // 40 links followed from `a` end at `a` again, which is then taken as a name.
    expect(realOutputPath(join(dir, 'a'))).toBe(`${dir}/a`)
    expect(realOutputPath(join(dir, 'b'))).toBe(`${dir}/b`)
  })

  it('keeps a path through a link to a file (ENOTDIR, not a folder to make) as given', () => {
    const dir = realTemp()
    writeFileSync(join(dir, 'file'), '')
    symlinkSync('file', join(dir, 'link'))
    expect(realOutputPath(join(dir, 'link', 'out'))).toBe(`${dir}/link/out`)
  })

  it('keeps a path whose links loop (ELOOP, not a folder to make) as given', () => {
    const dir = realTemp()
    symlinkSync('y', join(dir, 'x'))
    symlinkSync('x', join(dir, 'y'))
    expect(realOutputPath(join(dir, 'x', 'out'))).toBe(`${dir}/x/out`)
  })
})

describe('what stands at a path below the output folder', () => {
  /** An output folder holding one of each kind of thing. */
  function outputFolder(): string {
    const out = realTemp()
    writeFileSync(join(out, 'run.sh'), 'echo hi\n')
    chmodSync(join(out, 'run.sh'), 0o4755)
    mkdirSync(join(out, 'slurm', 'deep'), { recursive: true })
    writeFileSync(join(out, 'slurm', 'deep', 'a.sbatch'), '#SBATCH\n', { mode: 0o640 })
    symlinkSync('run.sh', join(out, 'link.sh'))
    symlinkSync('slurm', join(out, 'linked'))
    expect(spawnSync('mkfifo', [join(out, 'fifo')]).status).toBe(0)
    return out
  }

  it('tells a file (its text and permission bits), a folder, a link, a FIFO and nothing apart', () => {
    const out = outputFolder()
    const at = (path: string) => inspectSlot(out, path, new Map())
    expect(at('run.sh')).toEqual({ kind: 'file', text: 'echo hi\n', mode: 0o755 })
    expect(at('slurm/deep/a.sbatch')).toEqual({ kind: 'file', text: '#SBATCH\n', mode: 0o640 })
    expect(at('slurm')).toEqual({ kind: 'folder' })
    expect(at('slurm/deep')).toEqual({ kind: 'folder' })
    expect(at('link.sh')).toEqual({ kind: 'link', at: 'link.sh' })
    expect(at('fifo')).toEqual({ kind: 'other', at: 'fifo' })
    expect(at('missing.sh')).toEqual({ kind: 'missing' })
    expect(at('slurm/missing.sbatch')).toEqual({ kind: 'missing' })
    expect(at('gone/deep/a.sbatch')).toEqual({ kind: 'missing' })
  })

  it("names the folder that is a link, or a file, when one of the path's folders is not a folder", () => {
    const out = outputFolder()
    const at = (path: string) => inspectSlot(out, path, new Map())
    expect(at('linked/deep/a.sbatch')).toEqual({ kind: 'link', at: 'linked' })
    expect(at('slurm/deep/a.sbatch/x')).toEqual({ kind: 'other', at: 'slurm/deep/a.sbatch' })
    expect(at('run.sh/x/y')).toEqual({ kind: 'other', at: 'run.sh' })
    expect(at('fifo/x')).toEqual({ kind: 'other', at: 'fifo' })
  })

  it('looks at each folder once per cache: a folder swapped for a link later is still the folder seen', () => {
    const out = outputFolder()
    const folders = new Map<string, Slot | 'folder'>()
    expect(inspectSlot(out, 'slurm/deep/a.sbatch', folders)).toEqual({
      kind: 'file',
      text: '#SBATCH\n',
      mode: 0o640,
    })
    expect([...folders]).toEqual([
      ['slurm', 'folder'],
      ['slurm/deep', 'folder'],
    ])
    renameSync(join(out, 'slurm'), join(out, 'moved'))
    symlinkSync('moved', join(out, 'slurm'))
    expect(inspectSlot(out, 'slurm/deep/b.sbatch', folders)).toEqual({ kind: 'missing' })
    expect(inspectSlot(out, 'slurm/deep/b.sbatch', new Map())).toEqual({ kind: 'link', at: 'slurm' })
    // A folder's answer that is not "folder" is kept too.
    const other = new Map<string, Slot | 'folder'>()
    expect(inspectSlot(out, 'run.sh/x', other)).toEqual({ kind: 'other', at: 'run.sh' })
    expect([...other]).toEqual([['run.sh', { kind: 'other', at: 'run.sh' }]])
  })

  it('throws the errors that are not about what stands there (a name too long)', () => {
    const out = outputFolder()
    const long = 'x'.repeat(300)
    expect(() => inspectSlot(out, `${long}/a.sh`, new Map())).toThrow(
      expect.objectContaining({ code: 'ENAMETOOLONG', syscall: 'lstat' }),
    )
    expect(() => inspectSlot(out, long, new Map())).toThrow(
      expect.objectContaining({ code: 'ENAMETOOLONG', syscall: 'open' }),
    )
  })
})

describe('a manifest entry is acted on only when it names a path below the output folder', () => {
  it('a relative path with forward slashes is', () => {
    expect(isPlainRelative('run_a.sh')).toBe(true)
    expect(isPlainRelative('slurm/run_a.sbatch')).toBe(true)
    expect(isPlainRelative('.finqa-manifest.json')).toBe(true)
    expect(isPlainRelative('a..b/c.')).toBe(true)
  })

  it('an empty, absolute, parent, dot, doubled-slash, backslash or NUL path is not', () => {
    for (const path of [
      '',
      '/etc/passwd',
      '../victim/notes.txt',
      'slurm/../../x',
      './run.sh',
      'slurm/.',
      '..',
      'slurm//a',
      'slurm/',
      'slurm\\a',
      'a\0b',
    ])
      expect(isPlainRelative(path), path).toBe(false)
  })
})

describe('making the output folder', () => {
  it('returns the outermost folder it made, none when the folder exists', () => {
    const dir = realTemp()
    expect(makeFolder(join(dir, 'a', 'b', 'c'))).toBe(`${dir}/a`)
    expect(makeFolder(join(dir, 'a', 'b', 'c'))).toBeUndefined()
    expect(makeFolder(join(dir, 'a', 'd'))).toBe(`${dir}/a/d`)
  })

  it('names the folder that could not be made, not the deepest one, when a parent is a dangling link', () => {
    const dir = realTemp()
    symlinkSync('/nonexistent-finqa-target/x', join(dir, 'dangling'))
    expect(() => makeFolder(join(dir, 'dangling', 'a', 'b', 'c'))).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'mkdir', path: `${dir}/dangling/a` }),
    )
  })

  it('passes on an error other than ENOENT as it is', () => {
    const dir = realTemp()
    writeFileSync(join(dir, 'file'), '')
    expect(() => makeFolder(join(dir, 'file', 'a', 'b'))).toThrow(
      expect.objectContaining({ code: 'ENOTDIR', path: `${dir}/file/a/b` }),
    )
  })

  it('lists the folders made, outermost first', () => {
    expect(foldersMade('/a/b/c', undefined)).toEqual([])
    expect(foldersMade('/a/b/c', '/a/b/c')).toEqual(['/a/b/c'])
    expect(foldersMade('/a/b/c', '/a')).toEqual(['/a', '/a/b', '/a/b/c'])
    // A `first` that is not one of its folders: every folder up to the root.
    expect(foldersMade('/a/b', '/x')).toEqual(['/', '/a', '/a/b'])
  })
})

import { describe, expect, it } from 'vitest'
import { parseManifest, renderManifest } from '../../src/emit/manifest.js'

describe('the manifest of the files finqa wrote', () => {
  it('is JSON naming its generator and the files, sorted, two-space indented, with a final newline', () => {
    expect(renderManifest(['slurm/b.sbatch', 'a.sh', 'B.sh'])).toBe(
      '{\n  "generator": "finqa",\n  "files": [\n    "B.sh",\n    "a.sh",\n    "slurm/b.sbatch"\n  ]\n}\n',
    )
    expect(renderManifest([])).toBe('{\n  "generator": "finqa",\n  "files": []\n}\n')
  })

  it('does not sort the list it was given in place', () => {
    const files = ['b', 'a']
    renderManifest(files)
    expect(files).toEqual(['b', 'a'])
  })

  it('is read back as its list of files, less entries that are not strings', () => {
    expect(parseManifest('{"generator":"finqa","files":["a.sh","slurm/b.sbatch"]}')).toEqual([
      'a.sh',
      'slurm/b.sbatch',
    ])
    expect(parseManifest('{"files":["a.sh",1,null,{"x":1},"b.sh"]}')).toEqual(['a.sh', 'b.sh'])
  })

  it('names no files when missing, not JSON, or without a list of files', () => {
    expect(parseManifest(undefined)).toEqual([])
    expect(parseManifest('{"files": ["a.sh"')).toEqual([])
    expect(parseManifest('{"files":"a.sh"}')).toEqual([])
    expect(parseManifest('{"generator":"finqa"}')).toEqual([])
    expect(parseManifest('null')).toEqual([])
  })
})

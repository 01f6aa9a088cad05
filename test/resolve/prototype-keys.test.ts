import { describe, expect, it } from 'vitest'
import { compileTexts } from '../helpers/compile-repo.js'
import { BASE, positionOf } from '../helpers/inline-specs.js'

/** Everything a spec could add to the prototype every plain object reads through. */
function prototypeState(): string[] {
  return Object.getOwnPropertyNames(Object.prototype)
    .sort()
    .map((name) => {
      const d = Object.getOwnPropertyDescriptor(Object.prototype, name)
      return `${name}:${typeof d?.value}:${typeof d?.get}`
    })
}

const leaf = (extra: string) => `extends: ./base.yaml\nname: a\nscript: run_a.sh\n${extra}`
const sweep = (axes: string, name = 'a_{x}', script = 'run_a_{x}.sh') =>
  `extends: ./base.yaml\nname: ${name}\nscript: ${script}\nmatrix:\n  x: [1]\n${axes}`

/**
 * Spec keys named after Object.prototype's properties, in every place a spec key becomes a property name or
 * is looked up by name: the top level, a closed map, a sweep's field variable, a sweep's filter,
 * verl_overrides and sbatch_options. Each is ordinary data, so each is a diagnostic at its position.
 */
const HOSTILE: readonly { name: string; spec: string; code: string; at: string; message?: RegExp }[] = [
  {
    name: 'sweep key __proto__.abstract',
    spec: sweep('  __proto__.abstract: [true]\n'),
    code: 'UNKNOWN_KEY',
    at: '__proto__',
  },
  {
    name: 'sweep key __proto__.x',
    spec: sweep('  __proto__.x: [1]\n'),
    code: 'UNKNOWN_KEY',
    at: '__proto__',
  },
  {
    name: 'sweep key constructor.prototype.abstract',
    spec: sweep('  constructor.prototype.abstract: [true]\n'),
    code: 'UNKNOWN_KEY',
    at: 'constructor',
  },
  {
    name: 'sweep key training.__proto__.abstract',
    spec: sweep('  training.__proto__.abstract: [true]\n'),
    code: 'UNKNOWN_KEY',
    at: 'training.__proto__',
  },
  {
    name: 'sweep key verl_overrides.__proto__',
    spec: sweep('  verl_overrides.__proto__: [1]\n'),
    code: 'VERL_KEY',
    at: 'verl_overrides.__proto__',
  },
  {
    name: 'sweep filter constructor',
    spec: sweep('', 'a_{x|constructor}'),
    code: 'MATRIX_TEMPLATE',
    at: 'a_{x|constructor}',
  },
  {
    name: 'sweep filter toString',
    spec: sweep('', 'a_{x}', 'run_a_{x|toString}.sh'),
    code: 'MATRIX_TEMPLATE',
    at: 'run_a_{x|toString}.sh',
  },
  {
    name: 'top-level __proto__',
    spec: leaf('__proto__:\n  abstract: true\n'),
    code: 'UNKNOWN_KEY',
    at: '__proto__',
  },
  {
    name: 'top-level constructor',
    spec: leaf('constructor:\n  prototype:\n    abstract: true\n'),
    code: 'UNKNOWN_KEY',
    at: 'constructor',
  },
  {
    name: 'training.__proto__',
    spec: leaf('training:\n  __proto__:\n    abstract: true\n'),
    code: 'UNKNOWN_KEY',
    at: '__proto__',
  },
  {
    name: 'training.prototype',
    spec: leaf('training:\n  prototype: 1\n'),
    code: 'UNKNOWN_KEY',
    at: 'prototype',
  },
  {
    name: 'verl_overrides __proto__',
    spec: leaf('verl_overrides:\n  __proto__: 1\n'),
    code: 'VERL_KEY',
    at: '__proto__',
  },
  {
    name: 'verl_overrides constructor',
    spec: leaf('verl_overrides:\n  constructor: 1\n'),
    code: 'VERL_KEY',
    at: 'constructor',
  },
  {
    name: 'verl_overrides toString',
    spec: leaf('verl_overrides:\n  toString: 1\n'),
    code: 'VERL_KEY',
    at: 'toString',
  },
  {
    name: 'verl_overrides constructor.prototype',
    spec: leaf('verl_overrides:\n  constructor.prototype: 1\n'),
    code: 'VERL_KEY',
    at: 'constructor.prototype',
  },
  {
    name: 'sbatch option constructor',
    spec: leaf('slurm:\n  sbatch_options:\n    constructor: x\n'),
    code: 'SBATCH_OPTION',
    at: 'constructor',
    message: /is not an sbatch option/,
  },
  {
    name: 'sbatch option __proto__',
    spec: leaf('slurm:\n  sbatch_options:\n    __proto__: x\n'),
    code: 'SBATCH_OPTION',
    at: '__proto__',
    message: /is not an sbatch option/,
  },
  {
    name: 'sbatch option hasOwnProperty',
    spec: leaf('slurm:\n  sbatch_options:\n    hasOwnProperty: x\n'),
    code: 'SBATCH_OPTION',
    at: 'hasOwnProperty',
    message: /is not an sbatch option/,
  },
]

const CLEAN = { 'experiments/base.yaml': BASE, 'experiments/a.yaml': leaf('') }

describe('keys named __proto__, constructor or prototype are ordinary data', () => {
  const prototypeBefore = prototypeState()
  const cleanBefore = compileTexts(CLEAN)

  it.each(HOSTILE)(
    '$name is a $code diagnostic at the key, and no prototype changes',
    ({ spec, code, at, message }) => {
      const result = compileTexts({ 'experiments/base.yaml': BASE, 'experiments/a.yaml': spec })
      expect(prototypeState()).toEqual(prototypeBefore)
      expect(({} as Record<string, unknown>).abstract).toBeUndefined()
      expect(result.files).toEqual([])
      const where = positionOf(spec, at)
      expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)).toContain(
        `experiments/a.yaml:${where.line}:${where.col} ${code}`,
      )
      if (message !== undefined) expect(result.diagnostics.map((d) => d.message).join('\n')).toMatch(message)
    },
  )

  // What `--watch` relies on: a compile of a hostile spec leaves nothing behind in the process, so the next
  // compile of the reverted spec is the same as one in a fresh process.
  it('a compile after every hostile spec gives the same files and diagnostics as before them', () => {
    expect(cleanBefore.files.length).toBeGreaterThan(0)
    for (const { spec } of HOSTILE)
      compileTexts({ 'experiments/base.yaml': BASE, 'experiments/a.yaml': spec })
    const after = compileTexts(CLEAN)
    expect(after.diagnostics).toEqual(cleanBefore.diagnostics)
    expect(after.files).toEqual(cleanBefore.files)
  })

  it('an added VERL key +constructor is passed to VERL as written', () => {
    const result = compileTexts({
      'experiments/base.yaml': BASE,
      'experiments/a.yaml': leaf('verl_overrides:\n  +constructor: 1\n  +__proto__: 2\n'),
    })
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    const script = result.files.find((f) => f.path === 'run_a.sh')?.content ?? ''
    expect(script).toContain('+constructor=1')
    expect(script).toContain('+__proto__=2')
  })
})

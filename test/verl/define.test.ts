// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the texts are OmegaConf interpolations and bash, not templates
import { describe, expect, it } from 'vitest'
import { defineTarget, type TargetFacts } from '../../src/verl/define.js'

const data = (defaults: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  version: '9.9.9',
  repo: 'https://github.com/org/verl',
  tag: 'v9.9.9',
  commit: 'abc',
  commitDate: null,
  source: 'x.yaml',
  keys: Object.fromEntries(Object.keys(defaults).map((k) => [k, 'str'])),
  defaults,
  ...over,
})
const facts = (require: string): TargetFacts => ({
  rewardPathKey: 'r.path',
  rewardNameKey: 'r.name',
  ignored: [],
  checks: [{ id: 'c', source: 's', stage: 'compose', require, message: 'm', fix: 'f' }],
})
const REWARD = { 'r.path': 'p', 'r.name': 'n' }

describe('defining a release from its derived key data', () => {
  it('the defaults of the keys checks read: literals, and ${KEY} / ${oc.select:KEY,DEFAULT} followed', () => {
    const t = defineTarget(
      data({
        ...REWARD,
        a: 3,
        b: '${a}',
        c: '${oc.select:b,7}',
        d: '${oc.select:missing,12}',
        e: '${oc.select:missing,-4}',
        f: '${oc.select:missing,True}',
        g: '${oc.select:missing,false}',
        h: '${oc.select:missing}',
        i: '${oc.select:missing,text}',
        j: null,
        k: 'plain',
        l: '${not a ref}',
      }),
      facts(
        'a + b + c + d + e > 0 && f && g && h == null && i == null && j == null && k == null && l == null && job.gpus_per_node > 0',
      ),
    )
    expect(Object.fromEntries(t.defaults)).toEqual({
      a: 3,
      b: 3,
      c: 3,
      d: 12,
      e: -4,
      f: true,
      g: false,
      h: null,
      i: 'text',
      j: null,
      k: 'plain',
      l: '${not a ref}',
    })
    expect([t.version, t.tag, t.commit, t.repo, t.rewardPathKey, t.rewardNameKey]).toEqual([
      '9.9.9',
      'v9.9.9',
      'abc',
      'https://github.com/org/verl',
      'r.path',
      'r.name',
    ])
    expect(t.typedKeys.get('r.path')?.from).toBe('reward.dir + reward.uncertain_file / reward.plain_file')
    expect(t.checks.map((c) => c.reads)).toEqual([
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'job.gpus_per_node'],
    ])
  })

  it('an interpolation loop stops after eight steps, at the text it reached', () => {
    const t = defineTarget(data({ ...REWARD, a: '${b}', b: '${a}' }), facts('a == null'))
    expect(t.defaults.get('a')).toBe('${b}')
  })

  it('what the data cannot define is a bug, named', () => {
    expect(() => defineTarget(data(REWARD, { commit: null }), facts('true'))).toThrow(
      'VERL 9.9.9: the derived key data names no repo, tag or commit',
    )
    expect(() => defineTarget(data(REWARD, { tag: null }), facts('true'))).toThrow(
      'names no repo, tag or commit',
    )
    expect(() => defineTarget(data(REWARD, { repo: null }), facts('true'))).toThrow(
      'names no repo, tag or commit',
    )
    expect(() => defineTarget(data({ 'r.path': 'p' }), facts('true'))).toThrow('VERL 9.9.9 has no key r.name')
    expect(() => defineTarget(data({ 'r.name': 'n' }), facts('true'))).toThrow('VERL 9.9.9 has no key r.path')
    expect(() => defineTarget(data(REWARD), facts('nokey > 1'))).toThrow(
      'VERL 9.9.9: check c reads nokey, which is not a key',
    )
    expect(() => defineTarget(data({ ...REWARD, m: { x: 1 } }), facts('m == null'))).toThrow(
      'no scalar default for m',
    )
    expect(() => defineTarget(data({ ...REWARD, m: undefined }), facts('m == null'))).toThrow(
      'no scalar default for m',
    )
  })
})

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the texts are OmegaConf interpolations and bash, not templates
import { describe, expect, it } from 'vitest'
import { defineTarget, type TargetFacts } from '../../src/verl/define.js'
import { type LeanReleaseData, leanReleaseData } from '../../src/verl/release-data.js'
import { compileChecks } from '../../src/verl/target.js'

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

describe("the lean form of a release's data (what the build leaves in dist/)", () => {
  const full = data(
    { ...REWARD, a: 3, b: '${a}', c: 'x=y', unread: '${oc.select:a,1}', big: 'not read' },
    {
      keys: {
        'r.path': 'str',
        'r.name': 'str',
        a: 'int',
        b: 'interp',
        c: 'str',
        unread: 'interp',
        big: 'str',
      },
    },
  )
  const twoChecks: TargetFacts = {
    ...facts('a + b > 1'),
    checks: [
      { id: 'c1', source: 's', stage: 'compose', require: 'a + b > 1', message: 'm', fix: 'f' },
      {
        id: 'c2',
        source: 's',
        stage: 'compose',
        when: "c != 'z'",
        require: 'a % 3 == 0',
        message: 'm',
        fix: 'f',
      },
    ],
  }
  // Made in each test, not here: Stryker counts only what runs inside a test (CONTRIBUTING, ignoreStatic).
  const made = () => {
    const fromFull = defineTarget(full, twoChecks)
    // As written to a file and read back.
    const lean = JSON.parse(JSON.stringify(leanReleaseData(full, fromFull))) as LeanReleaseData
    return { fromFull, lean }
  }

  it('holds the keys as key=kind lines, the defaults the checks read resolved, and the checks parsed', () => {
    const { fromFull, lean } = made()
    expect(lean.keys).toBe('r.path=str\nr.name=str\na=int\nb=interp\nc=str\nunread=interp\nbig=str')
    expect(lean.defaults).toEqual({ a: 3, b: 3, c: 'x=y' })
    expect(lean.checks.map((c) => [c.id, c.when, c.require, c.reads])).toEqual([
      ['c1', undefined, 'a + b > 1', ['a', 'b']],
      ['c2', "c != 'z'", 'a % 3 == 0', ['c', 'a']],
    ])
    // A check without `when` has no `when` and no `whenExpr` at all, not keys holding undefined.
    expect(Object.keys(leanReleaseData(full, fromFull).checks[0] ?? {})).toEqual([
      'id',
      'require',
      'requireExpr',
      'reads',
    ])
    expect(lean.checks[0]?.requireExpr).toEqual(fromFull.checks[0]?.requireExpr)
    expect(lean.checks[1]?.whenExpr).toEqual(fromFull.checks[1]?.whenExpr)
    expect(lean).toMatchObject({
      version: '9.9.9',
      tag: 'v9.9.9',
      commit: 'abc',
      repo: 'https://github.com/org/verl',
    })
  })

  it('defines the same target as the derived data', () => {
    const { fromFull, lean } = made()
    expect(defineTarget(lean, twoChecks)).toEqual(fromFull)
  })

  it('a default the checks read that it lacks is a bug, named', () => {
    const { lean } = made()
    const { b: _b, ...rest } = lean.defaults
    expect(() => defineTarget({ ...lean, defaults: rest }, twoChecks)).toThrow(
      'VERL 9.9.9: the lean key data has no default for b',
    )
  })

  it("a check's prebuilt expressions are taken only while the check and its sources are the same", () => {
    const check = {
      id: 'c',
      source: 's',
      stage: 'compose' as const,
      require: 'a > 1',
      message: 'm',
      fix: 'f',
    }
    // A marker no parse makes: taken means the prebuilt entry was used.
    const marker = { kind: 'lit' as const, value: 'prebuilt' }
    const prebuilt = { id: 'c', require: 'a > 1', requireExpr: marker, reads: ['z'] }
    expect(compileChecks([check], [prebuilt])[0]).toMatchObject({ requireExpr: marker, reads: ['z'] })
    const parsed = compileChecks([check])[0]
    expect(parsed?.requireExpr).toEqual({
      kind: 'bin',
      op: '>',
      left: { kind: 'key', key: 'a' },
      right: { kind: 'lit', value: 1 },
    })
    for (const stale of [
      { ...prebuilt, id: 'other' },
      { ...prebuilt, require: 'a > 2' },
      { ...prebuilt, when: 'a > 0' },
    ])
      expect(compileChecks([check], [stale])[0]).toEqual(parsed)
    // Matched by place: the entry for the first check is not the second's.
    expect(compileChecks([{ ...check, id: 'd' }, check], [prebuilt])[1]).toEqual(parsed)
  })
})

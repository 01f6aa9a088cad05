import { readFileSync } from 'node:fs'
import type { Experiment } from '../generated/experiment.js'
import { numericKeysOf, toBash } from '../verl/expr.js'
import { DEFAULT_VERSION, targetFor, VERSIONS } from '../verl/index.js'
import { refusalOf } from '../verl/refusal.js'
import { RELEASE_FILES } from '../verl/release-data.js'
import type { CompiledCheck, VerlTarget } from '../verl/target.js'
import { knobKeysOf } from './render-experiment.js'
import { shellQuote } from './shell.js'

/** The folder beside the launch scripts that holds what they share. */
export const LIB_DIR = 'lib'
/** The helpers every launch script sources. */
export const LAUNCH_LIB = `${LIB_DIR}/finqa-launch.sh`
/** What a launch script targeting this release sources: its key list and start-up checks. */
export const verlLibFile = (version: string): string => `${LIB_DIR}/verl-${version}.sh`

export interface VerlLibView {
  readonly version: string
  readonly repo: string
  readonly tag: string
  readonly commit: string
  /** The lines of the string VERL_KEY_LIST, `key=kind` each: one slot, not one per key. */
  readonly keyTable: string
  readonly ignored: readonly { readonly prefix: string; readonly why: string; readonly use: string }[]
  /** Keys an environment override of the launch scripts sets, with the override's name (shell text). */
  readonly knobKeys: readonly { readonly key: string; readonly knob: string }[]
  /** Keys a check reads in arithmetic: an extra argument must give them a whole number. */
  readonly whole: readonly string[]
  /** `C[key]=value` lines: VERL's default of each key a check reads. */
  readonly defaults: readonly string[]
  readonly checks: readonly { readonly note: string; readonly line: string }[]
}

/**
 * What the shipped `verl-lib.sh.hbs` renders for a release, as the build rendered it
 * (scripts/prerender-verl-libs.mjs): `lib-<version>.sh` in dist/generated/verl/ (`RELEASE_FILES`). The text
 * depends only on the release and finqa's own code, so a compile reads it instead of rendering its 70 KB
 * again: building the view (the key list, each check as bash) and rendering it cost some 2 ms of a compile
 * of 8 experiments.
 * Undefined when there is none: in the sources (the tests), or before the build made it. `folder`: where
 * to look instead (a test).
 */
export function prebuiltVerlLib(version: string, folder: URL = RELEASE_FILES): string | undefined {
  try {
    return readFileSync(new URL(`lib-${version}.sh`, folder), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** Every release the experiments target, oldest first. */
export function targetsOf(experiments: readonly Experiment[]): VerlTarget[] {
  const used = new Set(experiments.map((e) => e.verl?.version ?? DEFAULT_VERSION))
  return VERSIONS.filter((v) => used.has(v)).map(targetFor)
}

export function verlLibViewOf(target: VerlTarget): VerlLibView {
  const whole = new Set<string>()
  for (const c of target.checks) for (const k of arithmeticKeys(c)) whole.add(k)
  return {
    version: target.version,
    repo: target.repo.replace(/^https:\/\/github\.com\//, ''),
    tag: target.tag,
    commit: target.commit,
    keyTable: [...target.keys].map(([key, kind]) => `${key}=${kind}`).join('\n'),
    ignored: target.ignored.map((i) => ({
      prefix: i.prefix,
      why: shellQuote(i.why),
      use: shellQuote(i.use),
    })),
    knobKeys: knobKeysOf(target).map((k) => ({ key: k.key, knob: shellQuote(k.knob) })),
    whole: [...whole].sort(),
    defaults: [...target.defaults].map(([key, value]) => `C['${key}']=${checkLiteral(value)}`),
    checks: target.checks.map((c) => ({ note: `${c.id}: ${c.source}`, line: checkLine(target, c) })),
  }
}

const checkLiteral = (v: unknown): string =>
  v === null ? 'null' : typeof v === 'string' ? shellQuote(v) : String(v)

/** `if WHEN; then REQUIRE || finqa_fail ID 'UNLESS' "MESSAGE"; fi` */
function checkLine(target: VerlTarget, c: CompiledCheck): string {
  const message = bashMessage(`${c.message}${refusalOf(target, c)}. Fix: ${c.fix}`)
  const fail = `finqa_fail ${c.id} ${shellQuote((c.unlessFailed ?? []).join(' '))} ${message}`
  const require = `${toBash(c.requireExpr)} || ${fail}`
  return c.whenExpr === undefined ? require : `if ${toBash(c.whenExpr)}; then ${require}; fi`
}

/** A message as one double-quoted bash word, each `{key}` read from C at run time. */
function bashMessage(text: string): string {
  const escapeText = (s: string) => s.replace(/[\\"$`]/g, (ch) => `\\${ch}`)
  let out = ''
  let last = 0
  for (const m of text.matchAll(/\{([A-Za-z_][A-Za-z0-9_.]*)\}/g)) {
    out += `${escapeText(text.slice(last, m.index))}\${C[${m[1]}]}`
    last = (m.index as number) + m[0].length
  }
  return `"${out}${escapeText(text.slice(last))}"`
}

function arithmeticKeys(c: CompiledCheck): string[] {
  const keys = numericKeysOf(c.requireExpr, c.whenExpr === undefined ? new Set() : numericKeysOf(c.whenExpr))
  return [...keys].filter((k) => !k.startsWith('job.'))
}

import type { Diagnostic, Position } from '../diagnostics/diagnostic.js'
import { specGpuHours } from '../estimate/step-cost.js'
import type { Experiment } from '../generated/experiment.js'
import { groupDigits } from '../report/text-table.js'
import { DEFAULT_VERSION } from '../verl/index.js'

/**
 * The fields that do not change what an experiment trains, by JSON Pointer, with why: names, descriptions,
 * where checkpoints and logs go, how the job is scheduled and uploaded, and what `plan` estimates. Every
 * other field (and every `verl_overrides` key) is a training setting. docs/spec-reference.md marks these.
 */
export const NOT_TRAINING_FIELDS: ReadonlyMap<string, string> = new Map([
  ['/name', 'the experiment name'],
  ['/script', 'the launch script'],
  ['/description', 'documentation'],
  ['/project', 'the logger project name'],
  ['/model/label', 'documentation'],
  ['/data/train_rows', 'for `plan` only'],
  ['/trainer/checkpoint_root', 'where checkpoints go'],
  ['/trainer/logger', 'where logs go'],
  ['/upload', 'after training'],
  ['/slurm', 'how the job is scheduled'],
  ['/estimate', 'for `plan` only'],
  ['/verl/config_dir', 'for the key checks only'],
])

/** One experiment as the check needs it. */
export interface TrainingSubject {
  readonly experiment: Experiment
  /** Where its `name` is set: the warning points there. */
  readonly nameAt: Position
}

/** NOT_TRAINING_FIELDS as a tree of keys: `true` leaves a field out. */
type Skip = ReadonlyMap<string, Skip | true>
const SKIP: Skip = (() => {
  const root = new Map<string, Map<string, unknown> | true>()
  for (const pointer of NOT_TRAINING_FIELDS.keys()) {
    const segments = pointer.slice(1).split('/')
    let node = root
    for (const [i, s] of segments.entries()) {
      if (i === segments.length - 1) node.set(s, true)
      else {
        let next = node.get(s)
        if (next === undefined || next === true) {
          next = new Map()
          node.set(s, next)
        }
        node = next as Map<string, Map<string, unknown> | true>
      }
    }
  }
  return root as Skip
})()

/**
 * Two experiments that train the same thing (equal in every field but those of `NOT_TRAINING_FIELDS`) run
 * the same days of GPU time twice: a warning at the later one's name, naming both. A default written out
 * equals the default left out (`verl.version`, `training.ppo_mini_batch_size`), and only the reward file in
 * use counts. Pure; one pass: a hash of each experiment's training settings, compared in full only when two
 * hashes meet.
 */
export function checkDuplicateTraining(subjects: readonly TrainingSubject[]): Diagnostic[] {
  const out: Diagnostic[] = []
  const byHash = new Map<number, { subject: TrainingSubject; settings: unknown }[]>()
  for (const subject of subjects) {
    const { settings, hash } = hashedSettings(subject.experiment)
    const group = byHash.get(hash)
    const first = group?.find((g) => sameSettings(g.settings, settings, SKIP))?.subject
    if (first === undefined) {
      if (group === undefined) byHash.set(hash, [{ subject, settings }])
      else group.push({ subject, settings })
      continue
    }
    const [a, b] = [subject.experiment.name, first.experiment.name]
    const hours = specGpuHours(subject.experiment)
    const cost = hours === null ? '' : ` (about ${groupDigits(Math.round(hours))} GPU-hours)`
    out.push({
      ...subject.nameAt,
      severity: 'warning',
      code: 'DUPLICATE_TRAINING',
      message: `${a} and ${b} train with the same settings (they differ only in names, paths, scheduling or docs): the same run twice${cost}`,
      suggestion: `remove one of them, or change a training setting of ${a}`,
      related: [{ ...first.nameAt, message: `${b} is named here` }],
    })
  }
  return out
}

/**
 * Each experiment's training settings and their hash, made once per experiment: a watching process checks
 * every experiment after each edit, most of them kept from the compile before.
 */
const hashed = new WeakMap<Experiment, { readonly settings: unknown; readonly hash: number }>()

function hashedSettings(e: Experiment): { readonly settings: unknown; readonly hash: number } {
  let known = hashed.get(e)
  if (known === undefined) {
    const settings = trainingValue(e)
    known = { settings, hash: hashValue(settings, SKIP) }
    hashed.set(e, known)
  }
  return known
}

/** The experiment with the defaults that mean the same filled in and the reward file not in use left out. */
function trainingValue(e: Experiment): unknown {
  const unused = e.reward.use_uncertainty ? 'plain_file' : 'uncertain_file'
  return {
    ...e,
    reward: { ...e.reward, [unused]: undefined },
    training: { ...e.training, ppo_mini_batch_size: e.training.ppo_mini_batch_size ?? e.training.batch_size },
    verl: { ...e.verl, version: e.verl?.version ?? DEFAULT_VERSION },
  }
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** Whether two settings are equal but for the skipped fields (an undefined value is the same as none). */
function sameSettings(a: unknown, b: unknown, skip: Skip | undefined): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameSettings(x, b[i], undefined))
  if (!isMap(a) || !isMap(b)) return false
  const keys = (m: Record<string, unknown>) =>
    Object.keys(m).filter((k) => m[k] !== undefined && skip?.get(k) !== true)
  const ka = keys(a)
  if (ka.length !== keys(b).length) return false
  return ka.every((k) => Object.hasOwn(b, k) && sameSettings(a[k], b[k], nextSkip(skip, k)))
}

function nextSkip(skip: Skip | undefined, key: string): Skip | undefined {
  const next = skip?.get(key)
  return next === true ? undefined : next
}

/**
 * A 32-bit hash of the settings but the skipped fields; a map's keys in any order hash the same. Exported
 * for its tests (test/validate/duplicate-training-rules.test.ts): only speed depends on it.
 */
export function hashValue(value: unknown, skip: Skip | undefined): number {
  if (Array.isArray(value)) {
    let h = 0x9e3779b9
    for (const v of value) h = Math.imul(h ^ hashValue(v, undefined), 0x01000193)
    return h >>> 0
  }
  if (isMap(value)) {
    let h = 0x85ebca6b
    for (const k of Object.keys(value)) {
      const v = value[k]
      if (v === undefined || skip?.get(k) === true) continue
      h = (h + Math.imul(scalarHash(k) ^ hashValue(v, nextSkip(skip, k)), 0x27d4eb2d)) | 0
    }
    return h >>> 0
  }
  return scalarHash(value)
}

/**
 * A scalar's hash, the type in the seed (`8` and "8" differ); a map's keys hash as strings. Keys and values
 * repeat across experiments (paths, the model, the reward function): each is hashed once, which spares the loop over its characters, run cold in
 * V8's interpreter, for every experiment that holds it (a Map tells 8 from "8" as the seeds do).
 */
const scalarHashes = new Map<unknown, number>()
function scalarHash(value: unknown): number {
  let h = scalarHashes.get(value)
  if (h === undefined) {
    h = hashText(String(value), TYPE_SEED[typeof value] ?? 0)
    if (scalarHashes.size < 100_000) scalarHashes.set(value, h)
  }
  return h
}

const TYPE_SEED: Readonly<Record<string, number>> = {
  string: 0x811c9dc5,
  number: 0x1b873593,
  boolean: 0xcc9e2d51,
}

/** FNV-1a over UTF-16 code units: a cheap bucket key, never trusted alone. */
function hashText(text: string, seed: number): number {
  let h = seed
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

import { compareStrings } from '../diagnostics/diagnostic.js'
import type { Experiment } from '../generated/experiment.js'
import { formatNumber } from '../load/format-number.js'
import { targetFor, type VerlTarget } from '../verl/index.js'
import { splitOverrideKey } from '../verl/keys.js'
import { hydraValue } from './hydra.js'
import { shellQuote } from './shell.js'

/** A file the compiler produces, relative to the output folder. */
export interface RenderedFile {
  readonly path: string
  readonly content: string
  readonly mode: 0o644 | 0o755
}

/** A setting the launch script reads from the environment, with the spec's value as default. */
export interface Knob {
  readonly env: string
  /** Shell text of the default, already quoted. */
  readonly default: string
  /** The bash check: `need_int NAME MIN`, `need_float NAME`, ... */
  readonly check: string
  readonly description: string
  /**
   * The name the seed's table gives the setting when it is not the variable's own (`save_freq` for
   * SAVE_FREQ): read too, so that `save_freq=50 bash run_4b.sh` is not ignored; both set must agree.
   * '' when there is none (the templates are strict: a missing field throws).
   */
  readonly alias: string
}

export interface LaunchView {
  readonly script: string
  readonly name: string
  readonly description: string
  readonly sources: readonly string[]
  readonly specDir: string
  /** The VERL release the script was checked against: `0.9.0`, its tag's repository and commit. */
  readonly verl: {
    readonly version: string
    readonly repo: string
    readonly commit: string
    readonly rewardPathKey: string
  }
  /** `C[key]=value` lines: the values of this launch that the start-up checks read. */
  readonly checkValues: readonly string[]
  readonly knobs: readonly Knob[]
  /** The content hash of the spec files (src/load/spec-hash.ts), for the run record. */
  readonly specSha256: string
  readonly gpusPerNode: number
  readonly nodes: number
  readonly trainFile: string
  readonly valFile: string
  readonly uncertainFile: string
  readonly plainFile: string
  /** One shell word per VERL override, in order. */
  readonly overrides: readonly string[]
  /**
   * The positions (from 1) of the overrides in byte order of their words (as `LC_ALL=C sort` orders
   * them), which the run record's settings keep; empty when the keys alone cannot tell that order.
   */
  readonly settingsOrder: readonly number[]
}

const q = (v: string | number | boolean): string =>
  shellQuote(typeof v === 'number' ? formatNumber(v) : String(v))

/** One VERL override of a launch script. */
export interface LaunchOverride {
  readonly key: string
  /** The shell word on VERL's command line. */
  readonly word: string
  /** The environment override that sets it, when one does (an extra argument may then not). */
  readonly knob?: string
  /** The key as the word writes it, when not `key`: a spec's `verl_overrides` key with its `+`, `++` or `~`. */
  readonly wordKey?: string
  /**
   * Its line of the checks' table, `C['key']=VALUE`: the value as the start-up checks read it, as bash text
   * (`"$VAR"` or a quoted literal). Made once with the override.
   */
  readonly checkLine: string
}

/** `key=value` for a value fixed at compile time, as one shell word. */
function fixed(key: string, value: unknown): LaunchOverride {
  // Most fixed values are the same in every script (`grpo`, the GPU count, the logger): made once each, kept
  // by key, then by the value itself (a Map tells 1 from '1' and true from 'true'), without building an id.
  const primitive = value === null || typeof value !== 'object'
  let byValue = primitive ? FIXED.get(key) : undefined
  const known = byValue?.get(value)
  if (known !== undefined) return known
  const made: LaunchOverride = {
    key,
    word: shellQuote(`${key}=${hydraValue(value)}`),
    checkLine: `C['${splitOverrideKey(key).key}']=${checkText(value)}`,
  }
  if (primitive && fixedCount < FIXED_MAX) {
    if (byValue === undefined) {
      byValue = new Map()
      FIXED.set(key, byValue)
    }
    byValue.set(value, made)
    fixedCount++
  }
  return made
}
const FIXED = new Map<string, Map<unknown, LaunchOverride>>()
const FIXED_MAX = 4096
let fixedCount = 0
/** `key=$VAR` for a number read at run time (the script checked it). */
const fromEnv = (key: string, variable: string, knob = variable): LaunchOverride => ({
  key,
  word: `"${key}=$${variable}"`,
  checkLine: `C['${key}']="$${variable}"`,
  knob,
})
/**
 * `key='$VAR'` for a string read at run time: Hydra-quoted, so `1e5`, `null` or `~` stay strings. The
 * script checked the value to hold none of `'`, `\\`, `$`, so the quotes need no escapes.
 */
const stringFromEnv = (key: string, variable: string, knob: string): LaunchOverride => ({
  key,
  word: `"${key}='$${variable}'"`,
  checkLine: `C['${key}']="$${variable}"`,
  knob,
})

/** A fixed value as the checks' table `C` holds it: whole numbers in decimal, true/false, null, text. */
function checkText(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'number') return formatNumber(value)
  if (typeof value === 'boolean') return String(value)
  return shellQuote(Array.isArray(value) ? JSON.stringify(value) : String(value))
}

/** The environment knobs of a launch script, in the seed's order. */
export function knobsOf(e: Experiment): Knob[] {
  const mini = e.training.ppo_mini_batch_size
  return [
    {
      env: 'USE_UNCERTAINTY',
      default: q(e.reward.use_uncertainty),
      check: 'need_bool USE_UNCERTAINTY',
      alias: '',
      description: 'uncertainty-weighted reward (true) or plain reward (false)',
    },
    {
      env: 'ROLLOUT_N',
      default: q(e.rollout.n),
      check: "need_int ROLLOUT_N 1 'VERL would generate no response to learn from'",
      alias: '',
      description: 'rollouts per prompt',
    },
    {
      env: 'EPOCHS',
      default: q(e.training.epochs),
      check: "need_int EPOCHS 1 'VERL accepts 0 and trains no step'",
      alias: '',
      description: 'total training epochs',
    },
    {
      env: 'LR',
      default: q(e.training.lr),
      check: "need_float LR positive 'VERL accepts 0, and a learning rate of 0 trains nothing'",
      alias: '',
      description: 'actor learning rate',
    },
    {
      env: 'KL_COEF',
      default: q(e.training.kl_coef),
      check: 'need_float KL_COEF non-negative',
      alias: '',
      description: 'KL loss coefficient',
    },
    {
      env: 'BATCH_SIZE',
      default: q(e.training.batch_size),
      check: 'need_int BATCH_SIZE 1',
      alias: '',
      description: 'training batch size (prompts per step)',
    },
    {
      env: 'PPO_MINI_BATCH',
      default: mini === undefined ? '$BATCH_SIZE' : q(mini),
      check: 'need_int PPO_MINI_BATCH 1',
      alias: '',
      description: mini === undefined ? 'PPO mini batch size (follows BATCH_SIZE)' : 'PPO mini batch size',
    },
    {
      env: 'PPO_MICRO_BATCH',
      default: q(e.training.ppo_micro_batch_per_gpu),
      check: 'need_int PPO_MICRO_BATCH 1',
      alias: '',
      description: 'per-GPU micro batch size',
    },
    {
      env: 'MAX_PROMPT_LEN',
      default: q(e.data.max_prompt_length),
      check: 'need_int MAX_PROMPT_LEN 1',
      alias: '',
      description: 'max prompt length',
    },
    {
      env: 'MAX_RESP_LEN',
      default: q(e.data.max_response_length),
      check: 'need_int MAX_RESP_LEN 1',
      alias: '',
      description: 'max response length',
    },
    {
      env: 'SAVE_FREQ',
      default: q(e.training.save_freq),
      check: "need_int SAVE_FREQ 1 'VERL accepts 0 and then saves no checkpoint at all, not even the last'",
      alias: 'save_freq',
      description: 'save a checkpoint every N steps',
    },
    {
      env: 'TEST_FREQ',
      default: q(e.training.test_freq),
      check: "need_int TEST_FREQ 1 'VERL accepts 0 and then never validates'",
      alias: 'test_freq',
      description: 'validate every N steps',
    },
    {
      env: 'EXP_NAME',
      default: q(e.name),
      check: 'need_name EXP_NAME',
      alias: '',
      description: 'experiment name and checkpoint folder',
    },
    {
      env: 'DATA_DIR',
      default: q(e.data.dir),
      check: 'need_path DATA_DIR',
      alias: '',
      description: 'folder of the parquet files',
    },
    {
      env: 'REWARD_DIR',
      default: q(e.reward.dir),
      check: 'need_path REWARD_DIR',
      alias: '',
      description: 'folder of the reward files',
    },
    {
      env: 'MODEL_PATH',
      default: q(e.model.path),
      check: 'need_word MODEL_PATH',
      alias: '',
      description: 'HuggingFace model id or local folder',
    },
    {
      env: 'CHECKPOINT_ROOT',
      default: q(e.trainer.checkpoint_root),
      check: 'need_path CHECKPOINT_ROOT',
      alias: '',
      description: 'root of the checkpoint folders',
    },
  ]
}

/**
 * One VERL override of a launch script before an experiment fills it in: a value read from the environment
 * at run time (`env`: a number; `string`: a Hydra-quoted string), or one fixed at compile time.
 */
type LaunchWord =
  | { readonly key: string; readonly env: string; readonly knob?: string; readonly string?: true }
  | { readonly key: string; readonly value: (e: Experiment) => unknown }

/** The VERL overrides of the launch scripts that target this release, in the order they are passed. */
function launchWordsOf(target: VerlTarget): readonly LaunchWord[] {
  const env = (key: string, variable: string): LaunchWord => ({ key, env: variable })
  const string = (key: string, variable: string, knob: string): LaunchWord => ({
    key,
    env: variable,
    knob,
    string: true,
  })
  const value = (key: string, of: (e: Experiment) => unknown): LaunchWord => ({ key, value: of })
  return [
    value('algorithm.adv_estimator', () => 'grpo'),
    string('data.train_files', 'TRAIN_FILE', 'DATA_DIR'),
    string('data.val_files', 'VAL_FILE', 'DATA_DIR'),
    env('data.train_batch_size', 'BATCH_SIZE'),
    env('data.max_prompt_length', 'MAX_PROMPT_LEN'),
    env('data.max_response_length', 'MAX_RESP_LEN'),
    string('actor_rollout_ref.model.path', 'MODEL_PATH', 'MODEL_PATH'),
    env('actor_rollout_ref.actor.optim.lr', 'LR'),
    env('actor_rollout_ref.actor.ppo_mini_batch_size', 'PPO_MINI_BATCH'),
    env('actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu', 'PPO_MICRO_BATCH'),
    value('actor_rollout_ref.actor.use_kl_loss', () => true),
    env('actor_rollout_ref.actor.kl_loss_coef', 'KL_COEF'),
    env('actor_rollout_ref.rollout.n', 'ROLLOUT_N'),
    value('actor_rollout_ref.rollout.name', (e) => e.rollout.engine),
    value('actor_rollout_ref.rollout.tensor_model_parallel_size', (e) => e.rollout.tensor_parallel_size),
    value('actor_rollout_ref.rollout.gpu_memory_utilization', (e) => e.rollout.gpu_memory_utilization),
    env('actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu', 'PPO_MICRO_BATCH'),
    env('actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu', 'PPO_MICRO_BATCH'),
    string(target.rewardPathKey, 'REWARD_FILE', 'USE_UNCERTAINTY and REWARD_DIR'),
    value(target.rewardNameKey, (e) => e.reward.function),
    value('trainer.logger', (e) => e.trainer.logger),
    value('trainer.project_name', (e) => e.project),
    string('trainer.experiment_name', 'EXP_NAME', 'EXP_NAME'),
    string('trainer.default_local_dir', 'CHECKPOINT_DIR', 'CHECKPOINT_ROOT and EXP_NAME'),
    value('trainer.n_gpus_per_node', (e) => e.trainer.gpus_per_node),
    value('trainer.nnodes', (e) => e.trainer.nodes),
    env('trainer.save_freq', 'SAVE_FREQ'),
    env('trainer.test_freq', 'TEST_FREQ'),
    env('trainer.total_epochs', 'EPOCHS'),
    value('trainer.resume_mode', () => 'auto'),
  ]
}

/** What a release's launch words come to before an experiment fills them in, made once per release. */
interface LaunchPlan {
  readonly words: readonly LaunchWord[]
  /** The overrides read from the environment: the same in every script of the release. */
  readonly fromEnv: ReadonlyMap<string, LaunchOverride>
  /** The keys any of the release's start-up checks reads. */
  readonly reads: ReadonlySet<string>
  /** `settingsOrderOf` of a script's overrides, by the keys of its `verl_overrides` (joined by `\0`). */
  readonly orders: Map<string, readonly number[]>
}
const PLANS = new Map<VerlTarget, LaunchPlan>()

function planOf(target: VerlTarget): LaunchPlan {
  let plan = PLANS.get(target)
  if (plan === undefined) {
    const words = launchWordsOf(target)
    const fromEnvs = new Map<string, LaunchOverride>()
    for (const w of words) {
      if (!('env' in w)) continue
      fromEnvs.set(
        w.key,
        w.string === true ? stringFromEnv(w.key, w.env, w.knob ?? w.env) : fromEnv(w.key, w.env, w.knob),
      )
    }
    plan = {
      words,
      fromEnv: fromEnvs,
      reads: new Set(target.checks.flatMap((c) => c.reads)),
      orders: new Map(),
    }
    PLANS.set(target, plan)
  }
  return plan
}

/**
 * Keys an environment override of the launch scripts that target this release sets, each with the
 * override's name (an extra argument may not set them too).
 */
export function knobKeysOf(target: VerlTarget): { readonly key: string; readonly knob: string }[] {
  return [...planOf(target).fromEnv.values()].map((o) => ({ key: o.key, knob: o.knob as string }))
}

/** The VERL overrides of a launch script: run-time knobs as "$VAR", the rest fixed. */
export function launchOverridesOf(
  e: Experiment,
  target: VerlTarget = targetFor(e.verl?.version),
): LaunchOverride[] {
  const plan = planOf(target)
  const words = plan.words.map((w) =>
    'value' in w ? fixed(w.key, w.value(e)) : (plan.fromEnv.get(w.key) as LaunchOverride),
  )
  const extra = Object.entries(e.verl_overrides ?? {}).sort(([a], [b]) => compareStrings(a, b))
  return [...words, ...extra.map(([key, value]) => extraOverride(key, value))]
}

/**
 * A `verl_overrides` entry as an override: `fixed` under the key without its `+`, `++` or `~`, with the key as
 * written. Made once per fixed override (most scripts of a study share their extra overrides).
 */
function extraOverride(wordKey: string, value: unknown): LaunchOverride {
  const made = fixed(wordKey, value)
  let extra = EXTRA.get(made)
  if (extra === undefined) {
    extra = { ...made, key: splitOverrideKey(wordKey).key, wordKey }
    EXTRA.set(made, extra)
  }
  return extra
}
/** By the override `fixed` made: kept as long as that is (the FIXED cache's, or one experiment's). */
const EXTRA = new WeakMap<LaunchOverride, LaunchOverride>()

/**
 * The positions (from 1) of the overrides in byte order of their words `KEY=VALUE`. Keys hold no `=`, so
 * two words with different keys are ordered by `KEY=` alone, whatever their values at run time: the
 * order is known here, and a launch script's start need not sort them. Empty (the script sorts) when two
 * keys are the same or one is not ASCII (JavaScript orders UTF-16 units, not bytes).
 */
export function settingsOrderOf(overrides: readonly LaunchOverride[]): readonly number[] {
  const keys = overrides.map((o) => `${o.wordKey ?? o.key}=`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (new Set(keys).size !== keys.length || !/^[\u0000-\u007f]*$/.test(keys.join(''))) return []
  return keys
    .map((k, i) => [k, i + 1] as const)
    .sort((a, b) => compareStrings(a[0], b[0])) // not destructured: an iterator per comparison, run cold
    .map((pair) => pair[1])
}

export function launchViewOf(
  e: Experiment,
  sources: readonly string[],
  specDir: string,
  specSha256: string,
): LaunchView {
  const target = targetFor(e.verl?.version)
  const plan = planOf(target)
  const overrides = launchOverridesOf(e, target)
  return {
    script: e.script,
    name: e.name,
    description: e.description ?? '',
    sources,
    specDir,
    verl: {
      version: target.version,
      repo: target.repo.replace(/^https:\/\/github\.com\//, ''),
      commit: target.commit,
      rewardPathKey: target.rewardPathKey,
    },
    checkValues: overrides.filter((o) => plan.reads.has(o.key)).map((o) => o.checkLine),
    knobs: knobsOf(e),
    specSha256,
    gpusPerNode: e.trainer.gpus_per_node,
    nodes: e.trainer.nodes,
    trainFile: q(e.data.train_file),
    valFile: q(e.data.val_file),
    uncertainFile: q(e.reward.uncertain_file),
    plainFile: q(e.reward.plain_file),
    overrides: overrides.map((o) => o.word),
    settingsOrder: planOrderOf(plan, overrides),
  }
}

/**
 * `settingsOrderOf(overrides)` for a script of `plan`, sorted once per list of keys: its overrides are the
 * plan's words, then its `verl_overrides`, so the order depends on the keys of these alone (most scripts of a
 * study have none or the same).
 */
function planOrderOf(plan: LaunchPlan, overrides: readonly LaunchOverride[]): readonly number[] {
  let id = ''
  for (let i = plan.words.length; i < overrides.length; i++) id += `${overrides[i]?.wordKey}\0`
  let order = plan.orders.get(id)
  if (order === undefined) {
    order = settingsOrderOf(overrides)
    if (plan.orders.size < ORDERS_MAX) plan.orders.set(id, order)
  }
  return order
}
const ORDERS_MAX = 4096

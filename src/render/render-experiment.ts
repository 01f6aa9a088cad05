import { compareStrings } from '../diagnostics/diagnostic.js'
import type { Experiment } from '../generated/experiment.js'
import { targetFor, type VerlTarget } from '../verl/index.js'
import { splitOverrideKey } from '../verl/keys.js'
import { hydraValue } from './hydra.js'
import { formatNumber, shellQuote } from './shell.js'

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
   */
  readonly alias?: string
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
  /** Keys an environment override sets, with its name. */
  readonly knobKeys: readonly { readonly key: string; readonly knob: string }[]
  /** `alias` is '' when there is none: the templates are strict, a missing field throws. */
  readonly knobs: readonly (Knob & { readonly alias: string })[]
  /** What `--help` prints. */
  readonly usage: string
  readonly gpusPerNode: number
  readonly nodes: number
  readonly trainFile: string
  readonly valFile: string
  readonly uncertainFile: string
  readonly plainFile: string
  /** One shell word per VERL override, in order. */
  readonly overrides: readonly string[]
}

const q = (v: string | number | boolean): string =>
  shellQuote(typeof v === 'number' ? formatNumber(v) : String(v))

/** One VERL override of a launch script. */
export interface LaunchOverride {
  readonly key: string
  /** The shell word on VERL's command line. */
  readonly word: string
  /** The value as the start-up checks read it, as bash text: `"$VAR"` or a quoted literal. */
  readonly checkValue: string
  /** The environment override that sets it, when one does (an extra argument may then not). */
  readonly knob?: string
}

/** `key=value` for a value fixed at compile time, as one shell word. */
const fixed = (key: string, value: unknown): LaunchOverride => ({
  key,
  word: shellQuote(`${key}=${hydraValue(value)}`),
  checkValue: checkText(value),
})
/** `key=$VAR` for a number read at run time (the script checked it). */
const fromEnv = (key: string, variable: string, knob = variable): LaunchOverride => ({
  key,
  word: `"${key}=$${variable}"`,
  checkValue: `"$${variable}"`,
  knob,
})
/**
 * `key='$VAR'` for a string read at run time: Hydra-quoted, so `1e5`, `null` or `~` stay strings. The
 * script checked the value to hold none of `'`, `\\`, `$`, so the quotes need no escapes.
 */
const stringFromEnv = (key: string, variable: string, knob: string): LaunchOverride => ({
  key,
  word: `"${key}='$${variable}'"`,
  checkValue: `"$${variable}"`,
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
      description: 'uncertainty-weighted reward (true) or plain reward (false)',
    },
    {
      env: 'ROLLOUT_N',
      default: q(e.rollout.n),
      check: "need_int ROLLOUT_N 1 'VERL would generate no response to learn from'",
      description: 'rollouts per prompt',
    },
    {
      env: 'EPOCHS',
      default: q(e.training.epochs),
      check: "need_int EPOCHS 1 'VERL accepts 0 and trains no step'",
      description: 'total training epochs',
    },
    {
      env: 'LR',
      default: q(e.training.lr),
      check: "need_float LR positive 'VERL accepts 0, and a learning rate of 0 trains nothing'",
      description: 'actor learning rate',
    },
    {
      env: 'KL_COEF',
      default: q(e.training.kl_coef),
      check: 'need_float KL_COEF non-negative',
      description: 'KL loss coefficient',
    },
    {
      env: 'BATCH_SIZE',
      default: q(e.training.batch_size),
      check: 'need_int BATCH_SIZE 1',
      description: 'training batch size (prompts per step)',
    },
    {
      env: 'PPO_MINI_BATCH',
      default: mini === undefined ? '$BATCH_SIZE' : q(mini),
      check: 'need_int PPO_MINI_BATCH 1',
      description: mini === undefined ? 'PPO mini batch size (follows BATCH_SIZE)' : 'PPO mini batch size',
    },
    {
      env: 'PPO_MICRO_BATCH',
      default: q(e.training.ppo_micro_batch_per_gpu),
      check: 'need_int PPO_MICRO_BATCH 1',
      description: 'per-GPU micro batch size',
    },
    {
      env: 'MAX_PROMPT_LEN',
      default: q(e.data.max_prompt_length),
      check: 'need_int MAX_PROMPT_LEN 1',
      description: 'max prompt length',
    },
    {
      env: 'MAX_RESP_LEN',
      default: q(e.data.max_response_length),
      check: 'need_int MAX_RESP_LEN 1',
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
      description: 'experiment name and checkpoint folder',
    },
    {
      env: 'DATA_DIR',
      default: q(e.data.dir),
      check: 'need_path DATA_DIR',
      description: 'folder of the parquet files',
    },
    {
      env: 'REWARD_DIR',
      default: q(e.reward.dir),
      check: 'need_path REWARD_DIR',
      description: 'folder of the reward files',
    },
    {
      env: 'MODEL_PATH',
      default: q(e.model.path),
      check: 'need_word MODEL_PATH',
      description: 'HuggingFace model id or local folder',
    },
    {
      env: 'CHECKPOINT_ROOT',
      default: q(e.trainer.checkpoint_root),
      check: 'need_path CHECKPOINT_ROOT',
      description: 'root of the checkpoint folders',
    },
  ]
}

/** The VERL overrides of a launch script: run-time knobs as "$VAR", the rest fixed. */
export function launchOverridesOf(
  e: Experiment,
  target: VerlTarget = targetFor(e.verl?.version),
): LaunchOverride[] {
  const words = [
    fixed('algorithm.adv_estimator', 'grpo'),
    stringFromEnv('data.train_files', 'TRAIN_FILE', 'DATA_DIR'),
    stringFromEnv('data.val_files', 'VAL_FILE', 'DATA_DIR'),
    fromEnv('data.train_batch_size', 'BATCH_SIZE'),
    fromEnv('data.max_prompt_length', 'MAX_PROMPT_LEN'),
    fromEnv('data.max_response_length', 'MAX_RESP_LEN'),
    stringFromEnv('actor_rollout_ref.model.path', 'MODEL_PATH', 'MODEL_PATH'),
    fromEnv('actor_rollout_ref.actor.optim.lr', 'LR'),
    fromEnv('actor_rollout_ref.actor.ppo_mini_batch_size', 'PPO_MINI_BATCH'),
    fromEnv('actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu', 'PPO_MICRO_BATCH'),
    fixed('actor_rollout_ref.actor.use_kl_loss', true),
    fromEnv('actor_rollout_ref.actor.kl_loss_coef', 'KL_COEF'),
    fromEnv('actor_rollout_ref.rollout.n', 'ROLLOUT_N'),
    fixed('actor_rollout_ref.rollout.name', e.rollout.engine),
    fixed('actor_rollout_ref.rollout.tensor_model_parallel_size', e.rollout.tensor_parallel_size),
    fixed('actor_rollout_ref.rollout.gpu_memory_utilization', e.rollout.gpu_memory_utilization),
    fromEnv('actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu', 'PPO_MICRO_BATCH'),
    fromEnv('actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu', 'PPO_MICRO_BATCH'),
    stringFromEnv(target.rewardPathKey, 'REWARD_FILE', 'USE_UNCERTAINTY and REWARD_DIR'),
    fixed(target.rewardNameKey, e.reward.function),
    fixed('trainer.logger', e.trainer.logger),
    fixed('trainer.project_name', e.project),
    stringFromEnv('trainer.experiment_name', 'EXP_NAME', 'EXP_NAME'),
    stringFromEnv('trainer.default_local_dir', 'CHECKPOINT_DIR', 'CHECKPOINT_ROOT and EXP_NAME'),
    fixed('trainer.n_gpus_per_node', e.trainer.gpus_per_node),
    fixed('trainer.nnodes', e.trainer.nodes),
    fromEnv('trainer.save_freq', 'SAVE_FREQ'),
    fromEnv('trainer.test_freq', 'TEST_FREQ'),
    fromEnv('trainer.total_epochs', 'EPOCHS'),
    fixed('trainer.resume_mode', 'auto'),
  ]
  const extra = Object.entries(e.verl_overrides ?? {}).sort(([a], [b]) => compareStrings(a, b))
  return [
    ...words,
    ...extra.map(([key, value]) => ({ ...fixed(key, value), key: splitOverrideKey(key).key })),
  ]
}

/** The VERL overrides of a launch script, as shell words. */
export function overridesOf(e: Experiment, target: VerlTarget = targetFor(e.verl?.version)): string[] {
  return launchOverridesOf(e, target).map((o) => o.word)
}

export function launchViewOf(e: Experiment, sources: readonly string[], specDir: string): LaunchView {
  const target = targetFor(e.verl?.version)
  const overrides = launchOverridesOf(e, target)
  const reads = new Set(target.checks.flatMap((c) => c.reads))
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
    checkValues: overrides.filter((o) => reads.has(o.key)).map((o) => `C['${o.key}']=${o.checkValue}`),
    knobKeys: overrides.flatMap((o) =>
      o.knob === undefined ? [] : [{ key: o.key, knob: shellQuote(o.knob) }],
    ),
    knobs: knobsOf(e).map((k) => ({ ...k, alias: k.alias ?? '' })),
    usage: usageOf(e, target),
    gpusPerNode: e.trainer.gpus_per_node,
    nodes: e.trainer.nodes,
    trainFile: q(e.data.train_file),
    valFile: q(e.data.val_file),
    uncertainFile: q(e.reward.uncertain_file),
    plainFile: q(e.reward.plain_file),
    overrides: overrides.map((o) => o.word),
  }
}

/** The text `bash SCRIPT --help` prints. */
function usageOf(e: Experiment, target: VerlTarget): string {
  const v = target.version
  return [
    `Usage: bash ${e.script} [--help] [--dry-run] [EXTRA_VERL_OVERRIDE ...]`,
    '',
    `Trains experiment ${e.name} with VERL ${v} (python3 -m verl.trainer.main_ppo).`,
    '',
    'Environment overrides (default from the specs):',
    ...knobsOf(e).map((k) => `  ${k.env}=${k.default}  ${k.description}`),
    '  FINQA_SKIP_PREFLIGHT=1  skip the check that the data and reward files exist',
    '',
    `Extra arguments are VERL overrides, read by Hydra's rules and checked against VERL ${v}'s keys:`,
    "  key=value     a key VERL's config has, e.g. trainer.val_before_train=False",
    '  +key=value    a key it lacks (an open map), e.g. +data.apply_chat_template_kwargs.enable_thinking=False',
    '  ++key=value   either;  ~key  delete a key',
    `Settings above are changed through their variable, not an argument. Every value is checked by VERL ${v}'s`,
    'start-up checks before anything starts.',
    '',
    'Options:',
    '  --help     print this and exit',
    '  --dry-run  compose the config with the installed VERL (main_ppo --cfg job: no GPU, no Ray), check the',
    '             reward function it will read, print the command, and exit',
  ].join('\n')
}

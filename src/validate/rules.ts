import { compareStrings, type Diagnostic } from '../diagnostics/diagnostic.js'
import type { Experiment } from '../generated/experiment.js'
import verlKeys from '../generated/verl-keys.json' with { type: 'json' }
import { pointerJoin } from '../load/parse-yaml.js'
import { UPLOAD_SCRIPT } from '../render/render-upload.js'
import { closest } from '../resolve/merge.js'
import type { Locate } from './schema.js'

/**
 * VERL keys that typed fields set; `verl_overrides` may not set them again. A Map, looked up by spec keys:
 * `constructor` or `__proto__` is no typed key (an object would answer with Object.prototype's).
 */
export const TYPED_VERL_KEYS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    'algorithm.adv_estimator': 'always grpo',
    'data.train_files': 'data.dir + data.train_file',
    'data.val_files': 'data.dir + data.val_file',
    'data.train_batch_size': 'training.batch_size',
    'data.max_prompt_length': 'data.max_prompt_length',
    'data.max_response_length': 'data.max_response_length',
    'actor_rollout_ref.model.path': 'model.path',
    'actor_rollout_ref.actor.optim.lr': 'training.lr',
    'actor_rollout_ref.actor.ppo_mini_batch_size': 'training.ppo_mini_batch_size',
    'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu': 'training.ppo_micro_batch_per_gpu',
    'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu': 'training.ppo_micro_batch_per_gpu',
    'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu': 'training.ppo_micro_batch_per_gpu',
    'actor_rollout_ref.actor.use_kl_loss': 'always True (training.kl_coef)',
    'actor_rollout_ref.actor.kl_loss_coef': 'training.kl_coef',
    'actor_rollout_ref.rollout.n': 'rollout.n',
    'actor_rollout_ref.rollout.name': 'rollout.engine',
    'actor_rollout_ref.rollout.tensor_model_parallel_size': 'rollout.tensor_parallel_size',
    'actor_rollout_ref.rollout.gpu_memory_utilization': 'rollout.gpu_memory_utilization',
    'custom_reward_function.path': 'reward.dir + reward.uncertain_file / reward.plain_file',
    'custom_reward_function.name': 'reward.function',
    'trainer.logger': 'trainer.logger',
    'trainer.project_name': 'project',
    'trainer.experiment_name': 'name',
    'trainer.default_local_dir': 'trainer.checkpoint_root + name',
    'trainer.n_gpus_per_node': 'trainer.gpus_per_node',
    'trainer.nnodes': 'trainer.nodes',
    'trainer.save_freq': 'training.save_freq',
    'trainer.test_freq': 'training.test_freq',
    'trainer.total_epochs': 'training.epochs',
    'trainer.resume_mode': 'always auto, so a rerun resumes from the latest checkpoint',
    'ray_kwargs.ray_init.num_cpus':
      'slurm.cpus_per_task: the Slurm batch file fixes it to the CPUs of the job',
  }),
)

const KNOWN_KEYS: ReadonlyMap<string, string> = new Map(Object.entries(verlKeys.keys))

/** The VERL commit the key list was derived from. */
export const VERL_COMMIT: string = verlKeys.verl.commit ?? 'unknown'

export function isVerlKey(key: string): boolean {
  return KNOWN_KEYS.has(key)
}

/** Checks every `verl_overrides` key against VERL's real key list. */
export function checkVerlOverrides(experiment: Experiment, locate: Locate): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const key of Object.keys(experiment.verl_overrides ?? {})) {
    // Located only for a key at fault: most keys are fine, and locating builds the layers' history.
    const locateWhere = () => {
      const at = locate(pointerJoin('/verl_overrides', key))
      return {
        ...(at.key ?? at.value),
        related: at.related,
        severity: 'error' as const,
        code: 'VERL_KEY' as const,
      }
    }
    if (key.startsWith('++')) {
      out.push({
        ...locateWhere(),
        message: `\`${key}\`: the \`++\` prefix (add or override) would hide a typo`,
        suggestion: `write \`${key.slice(2)}\` for a key VERL has, or \`+${key.slice(2)}\` to add one it lacks`,
      })
      continue
    }
    const added = key.startsWith('+')
    const plain = added ? key.slice(1) : key
    const typed = TYPED_VERL_KEYS.get(plain)
    if (typed !== undefined) {
      out.push({
        ...locateWhere(),
        message: `\`${plain}\` is set by finqa from a typed field (${typed}); it cannot be overridden here`,
        suggestion: typed.includes('always') ? undefined : `set ${typed} instead`,
      })
      continue
    }
    if (!added && KNOWN_KEYS.get(plain) === 'map') {
      out.push({ ...locateWhere(), ...groupKeyProblem(plain) })
    } else if (added && KNOWN_KEYS.has(plain)) {
      out.push({
        ...locateWhere(),
        message: `\`${key}\`: VERL's config already has \`${plain}\`, and Hydra fails on \`+\` for an existing key`,
        suggestion: `write \`${plain}\` without the \`+\``,
      })
    } else if (!added && !KNOWN_KEYS.has(plain)) {
      const near = closest(plain, KNOWN_KEYS.keys())
      out.push({
        ...locateWhere(),
        message: `\`${plain}\` is not a key of VERL's config (VERL ${VERL_COMMIT.slice(0, 12)})`,
        suggestion: near
          ? `did you mean \`${near}\`?`
          : `to add a key VERL's config lacks (an open map such as data.apply_chat_template_kwargs), write \`+${plain}\``,
      })
    }
  }
  return out
}

/**
 * A key naming a whole group of VERL's config (`trainer`, `actor_rollout_ref.actor`): an override value is a
 * scalar or a list, and Hydra would put it in place of every setting below the key, the ones finqa sets
 * from typed fields included.
 */
function groupKeyProblem(key: string): { message: string; suggestion: string } {
  const prefix = `${key}.`
  // Settings below it for the example, nearest first (`_target_` is Hydra's, not a setting).
  const children = [...KNOWN_KEYS]
    .filter(([k, kind]) => kind === 'leaf' && k.startsWith(prefix) && !k.endsWith('._target_'))
    .map(([k]) => k)
    .sort((a, b) => a.split('.').length - b.split('.').length || compareStrings(a, b))
  return {
    message: `\`${key}\` is a group of VERL's config, not one setting: a value here would replace every setting below it${[...TYPED_VERL_KEYS.keys()].some((t) => t.startsWith(prefix)) ? ', the ones finqa sets from typed fields included' : ''}`,
    suggestion:
      children.length > 0
        ? `set the keys below it one by one, e.g. \`${children.slice(0, 3).join('`, `')}\``
        : `it is an open map: add a key below it with \`+${key}.<name>\``,
  }
}

/** The effective PPO mini batch: the spec's, or the batch size when the spec leaves it out. */
export function miniBatchOf(experiment: Experiment): number {
  return experiment.training.ppo_mini_batch_size ?? experiment.training.batch_size
}

/** The Hub's longest repo name, and the suffix upload_to_hf.sh adds for a checkpoint (7-digit step). */
const HUB_NAME_MAX = 96
const HUB_STEP_SUFFIX = '_step-1000000'

export interface Rule {
  readonly name: string
  readonly check: (experiment: Experiment, locate: Locate) => Diagnostic[]
}

const error = (
  at: ReturnType<Locate>,
  message: string,
  suggestion?: string,
  severity: Diagnostic['severity'] = 'error',
): Diagnostic => ({ ...at.value, related: at.related, severity, code: 'RULE', message, suggestion })

/** Cross-field checks that VERL makes at start-up, made at compile time instead. */
export const RULES: readonly Rule[] = [
  {
    name: 'batch size times rollout n is divisible by the GPU count',
    check: (e, locate) => {
      const gpus = e.trainer.gpus_per_node * e.trainer.nodes
      const samples = e.training.batch_size * e.rollout.n
      if (samples % gpus === 0) return []
      return [
        error(
          locate('/training/batch_size'),
          `batch_size × rollout.n = ${e.training.batch_size} × ${e.rollout.n} = ${samples} is not divisible by the ${gpus} GPUs (trainer.nodes × trainer.gpus_per_node); VERL refuses to start`,
          `choose a batch size that makes ${samples} a multiple of ${gpus}`,
        ),
      ]
    },
  },
  {
    name: 'ppo mini batch does not exceed the batch size',
    check: (e, locate) => {
      const mini = miniBatchOf(e)
      if (mini <= e.training.batch_size) return []
      return [
        error(
          locate('/training/ppo_mini_batch_size'),
          `training.ppo_mini_batch_size ${mini} exceeds training.batch_size ${e.training.batch_size}; VERL refuses to start`,
          'lower ppo_mini_batch_size, or delete it (null) so it follows the batch size',
        ),
      ]
    },
  },
  {
    name: 'rollout tensor parallel size divides the GPUs per node',
    check: (e, locate) => {
      if (e.trainer.gpus_per_node % e.rollout.tensor_parallel_size === 0) return []
      return [
        error(
          locate('/rollout/tensor_parallel_size'),
          `rollout.tensor_parallel_size ${e.rollout.tensor_parallel_size} does not divide trainer.gpus_per_node ${e.trainer.gpus_per_node}`,
          'use a tensor parallel size that divides the GPUs per node (1, 2, 4 or 8 on 8 GPUs)',
        ),
      ]
    },
  },
  {
    // The files made from all experiments render only when nothing failed, so this says it at once; any
    // other clash of output paths is found on the rendered files (compile.ts, OutputPaths).
    name: 'a launch script does not take the name of the upload script',
    check: (e, locate) => {
      if (e.script.toLowerCase() !== UPLOAD_SCRIPT.toLowerCase()) return []
      const at = locate('/script')
      return [
        {
          ...at.value,
          related: at.related,
          severity: 'error',
          code: 'DUPLICATE_OUTPUT',
          message:
            e.script === UPLOAD_SCRIPT
              ? `script \`${UPLOAD_SCRIPT}\` is the name of the generated checkpoint upload script`
              : `script \`${e.script}\` differs only in case from the generated checkpoint upload script ${UPLOAD_SCRIPT}: one file on macOS and Windows`,
          suggestion: 'choose another name for the launch script, e.g. run_<experiment>.sh',
        },
      ]
    },
  },
  {
    name: 'checkpoints of the experiment get a valid Hub repo name',
    check: (e, locate) => {
      // The Hub allows repo names of up to 96 characters, without `--` or `..`.
      const example = `${e.name}${HUB_STEP_SUFFIX}`
      const doubled = /--|\.\./.test(e.name)
      if (!doubled && example.length <= HUB_NAME_MAX) return []
      const problem = doubled
        ? 'contains `--` or `..`, which the Hub does not allow in a repo name'
        : `is too long for a Hub repo name: \`${example}\` has ${example.length} characters, the Hub allows ${HUB_NAME_MAX}`
      return [
        error(
          locate('/name'),
          `name \`${e.name}\` ${problem}, so upload_to_hf.sh cannot upload its checkpoints`,
          doubled
            ? 'use single `.`, `_` or `-` between letters and digits'
            : `shorten the name to at most ${HUB_NAME_MAX - HUB_STEP_SUFFIX.length} characters`,
          'warning',
        ),
      ]
    },
  },
  {
    name: 'a slurm upload job needs an upload section',
    check: (e, locate) =>
      e.slurm?.upload?.enabled === true && e.upload === undefined
        ? [
            error(
              locate('/slurm/upload/enabled'),
              'slurm.upload.enabled is true, but the experiment has no `upload:` section, so there is no upload script to run',
              'add `upload:` (namespace, backend) to a layer, or set slurm.upload.enabled: false',
            ),
          ]
        : [],
  },
  {
    name: 'reward files differ',
    check: (e, locate) =>
      e.reward.uncertain_file === e.reward.plain_file
        ? [
            error(
              locate('/reward/plain_file'),
              'reward.plain_file and reward.uncertain_file name the same file, so USE_UNCERTAINTY would change nothing',
              undefined,
              'warning',
            ),
          ]
        : [],
  },
]

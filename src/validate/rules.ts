import type { Diagnostic } from '../diagnostics/diagnostic.js'
import type { Experiment } from '../generated/experiment.js'
import { UPLOAD_SCRIPT } from '../render/render-upload.js'
import type { Locate } from './schema.js'

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

/** finqa's own cross-field checks. VERL's start-up checks are in src/verl/ (made by verl-rules.ts). */
export const RULES: readonly Rule[] = [
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

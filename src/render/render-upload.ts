import { compareStrings } from '../diagnostics/diagnostic.js'
import type { CheckpointUpload } from '../generated/experiment.js'
import type { ResolvedSpec } from '../resolve/merge.js'
import { shellQuote } from './shell.js'

/** The file name of the upload script in the output folder. */
export const UPLOAD_SCRIPT = 'upload_to_hf.sh'

/** What an option of the upload script takes: nothing (a flag), or a value of one kind. */
export type UploadOptionValue = 'flag' | 'count' | 'namespace' | 'folder'

/**
 * The options of upload_to_hf.sh, as its parser (templates/upload_to_hf.sh.hbs) takes them: `slurm.upload.args`
 * are checked against this at compile time, and a test runs the script to prove the two agree.
 */
export const UPLOAD_OPTIONS: ReadonlyMap<string, UploadOptionValue> = new Map([
  ['--num', 'count'],
  ['--step', 'count'],
  ['--namespace', 'namespace'],
  ['--target-dir', 'folder'],
  ['--tmp-dir', 'folder'],
  ['--private', 'flag'],
  ['--public', 'flag'],
  ['--no-upload', 'flag'],
  ['--keep', 'flag'],
  ['--dry-run', 'flag'],
  ['-h', 'flag'],
  ['--help', 'flag'],
])

/** The upload settings of one experiment, every field present. */
export interface UploadSettings {
  readonly namespace: string
  readonly backend: CheckpointUpload['backend']
  readonly private: boolean
}

/** The settings as shell words, for the template. */
export interface UploadSettingsView {
  readonly namespace: string
  readonly backend: string
  readonly private: 'true' | 'false'
}

/** Experiments whose settings differ from the defaults: one `case` branch of the script. */
export interface UploadCase {
  /** `name1 | name2`: a case pattern of shell-quoted experiment names. */
  readonly pattern: string
  readonly settings: UploadSettingsView
}

export interface UploadView {
  readonly script: string
  /** The spec files that set upload settings, sorted. */
  readonly sources: readonly string[]
  readonly specDir: string
  /** The settings for a checkpoint folder that names no experiment with other settings. */
  readonly defaults: UploadSettingsView
  /** Empty when every experiment has the default settings. */
  readonly cases: readonly UploadCase[]
  /** Every experiment name, sorted, for the help text. */
  readonly experiments: readonly string[]
}

/** What the upload renderer needs of an experiment. */
export interface UploadInput {
  readonly name: string
  readonly upload: CheckpointUpload
  readonly spec: ResolvedSpec
}

/** The settings of `upload`, each of which the script can set per experiment. */
export const UPLOAD_KEYS = ['namespace', 'backend', 'private'] as const
const KEYS = UPLOAD_KEYS
type Key = (typeof KEYS)[number]

export function settingsOf(upload: CheckpointUpload): UploadSettings {
  return { namespace: upload.namespace, backend: upload.backend, private: upload.private ?? false }
}

/**
 * The value the outermost layer that set a setting gave it (the base, usually). A leaf that overrides the
 * namespace still tells us what the base wanted.
 */
function rootValue(spec: ResolvedSpec, key: Key): unknown {
  const history = spec.sources.get(`/upload/${key}`)?.history ?? []
  return history.find((h) => h.action === 'set')?.value
}

/**
 * The settings for checkpoint folders of no known experiment: per setting, the value the experiments' base
 * layers give it (an experiment whose base does not set it counts with its own value); when bases disagree,
 * the most common value, ties going to the first experiment in order.
 */
export function defaultSettings(inputs: readonly UploadInput[]): UploadSettings {
  const pick = <K extends Key>(key: K): UploadSettings[K] => {
    const counts = new Map<UploadSettings[K], number>()
    for (const input of inputs) {
      const own = settingsOf(input.upload)[key]
      const fromRoot = rootValue(input.spec, key)
      const value = (typeof fromRoot === typeof own ? fromRoot : own) as UploadSettings[K]
      counts.set(value, (counts.get(value) ?? 0) + 1)
    }
    let best: UploadSettings[K] | undefined
    let bestCount = 0
    for (const [value, count] of counts) {
      if (count > bestCount) {
        best = value
        bestCount = count
      }
    }
    if (best === undefined) throw new Error('defaultSettings needs at least one experiment')
    return best
  }
  return { namespace: pick('namespace'), backend: pick('backend'), private: pick('private') }
}

function viewOfSettings(s: UploadSettings): UploadSettingsView {
  return {
    namespace: shellQuote(s.namespace),
    backend: shellQuote(s.backend),
    private: s.private ? 'true' : 'false',
  }
}

const sameSettings = (a: UploadSettings, b: UploadSettings): boolean =>
  a.namespace === b.namespace && a.backend === b.backend && a.private === b.private

/** The view of the one upload script for all experiments. Pure. */
export function uploadViewOf(inputs: readonly UploadInput[], specDir: string): UploadView {
  const sorted = [...inputs].sort((a, b) => compareStrings(a.name, b.name))
  const defaults = defaultSettings(sorted)
  const groups: { settings: UploadSettings; names: string[] }[] = []
  for (const input of sorted) {
    const settings = settingsOf(input.upload)
    if (sameSettings(settings, defaults)) continue
    const group = groups.find((g) => sameSettings(g.settings, settings))
    if (group === undefined) groups.push({ settings, names: [input.name] })
    else group.names.push(input.name)
  }
  const sources = new Set<string>()
  for (const input of sorted) {
    for (const key of KEYS) {
      for (const h of input.spec.sources.get(`/upload/${key}`)?.history ?? []) sources.add(h.position.file)
    }
  }
  return {
    script: UPLOAD_SCRIPT,
    sources: [...sources].sort(compareStrings),
    specDir,
    defaults: viewOfSettings(defaults),
    cases: groups.map((g) => ({
      pattern: g.names.map(shellQuote).join(' | '),
      settings: viewOfSettings(g.settings),
    })),
    experiments: sorted.map((i) => i.name),
  }
}

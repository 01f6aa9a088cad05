import { compareStrings } from '../diagnostics/diagnostic.js'
import { didYouMean } from '../diagnostics/did-you-mean.js'
import { ignoredEntry, type VerlTarget } from './target.js'

/** A Hydra override key with its prefix: `key` overrides, `+key` adds, `++key` either, `~key` deletes. */
export interface OverrideKey {
  readonly prefix: '' | '+' | '++' | '~'
  readonly key: string
}

export function splitOverrideKey(raw: string): OverrideKey {
  const m = /^(\+\+|\+|~)?(.*)$/s.exec(raw) as RegExpExecArray
  return { prefix: (m[1] ?? '') as OverrideKey['prefix'], key: m[2] as string }
}

export interface KeyProblem {
  readonly message: string
  readonly suggestion?: string
}

export type KeyUse = 'spec' | 'argument'

/**
 * Whether a target release takes an override key, by Hydra's rules as VERL's config meets them
 * (a plain key must exist, `+` only for a key it lacks, `++` either, `~` deletes one that exists), and finqa's:
 * no key that a typed field sets (`spec` only: an extra argument may set it, and its value is then checked),
 * no key the release ignores, no whole config group. `++` is refused in a spec, where it would hide a typo.
 */
export function keyProblem(target: VerlTarget, raw: string, use: KeyUse): KeyProblem | undefined {
  const { prefix, key } = splitOverrideKey(raw)
  const v = `VERL ${target.version}`
  if (use === 'spec' && prefix === '++') {
    return {
      message: `\`${raw}\`: the \`++\` prefix (add or override) would hide a typo`,
      suggestion: `write \`${key}\` for a key VERL has, or \`+${key}\` to add one it lacks`,
    }
  }
  if (use === 'spec' && prefix === '~') {
    return { message: `\`${raw}\`: deleting a VERL key is not a setting`, suggestion: 'remove the entry' }
  }
  const typed = target.typedKeys.get(key)?.from
  if (use === 'spec' && typed !== undefined) {
    return {
      message: `\`${key}\` is set by finqa from a typed field (${typed}); it cannot be overridden here`,
      suggestion: typed.includes('always') ? undefined : `set ${typed} instead`,
    }
  }
  const ignored = ignoredEntry(target, key)
  if (ignored !== undefined) {
    return {
      message: `\`${key}\`: ${ignored.why}`,
      suggestion: `write \`${ignored.use}${key.slice(ignored.prefix.length)}\``,
    }
  }
  const kind = target.keys.get(key)
  // Hydra's `+` also takes a key whose value is null (hydra/_internal/config_loader_impl.py:476-480).
  if (prefix === '+' && kind !== undefined && kind !== 'null') {
    return {
      message: `\`${raw}\`: ${v}'s config already has \`${key}\`, and Hydra fails on \`+\` for an existing key`,
      suggestion: `write \`${key}\` without the \`+\``,
    }
  }
  if ((prefix === '' || prefix === '~') && kind === undefined) {
    const near = didYouMean(key, target.keys.keys())
    return {
      message: `\`${key}\` is not a key of ${v}'s config (${target.repo.replace(/^https:\/\/github.com\//, '')} ${target.tag}, commit ${target.commit.slice(0, 12)})`,
      suggestion: near
        ? `did you mean \`${near}\`?`
        : `to add a key VERL's config lacks (an open map such as data.apply_chat_template_kwargs), write \`+${key}\``,
    }
  }
  if (prefix !== '~' && kind === 'map') return groupKeyProblem(target, key)
  return undefined
}

/**
 * A key naming a whole group of VERL's config (`trainer`, `actor_rollout_ref.actor`): an override value is a
 * scalar or a list, and Hydra would put it in place of every setting below the key, the ones finqa sets
 * from typed fields included.
 */
function groupKeyProblem(target: VerlTarget, key: string): KeyProblem {
  const prefix = `${key}.`
  // Settings below it for the example, nearest first (`_target_` is Hydra's, not a setting).
  const children = [...target.keys]
    .filter(([k, kind]) => kind !== 'map' && k.startsWith(prefix) && !k.endsWith('._target_'))
    .map(([k]) => k)
    .sort((a, b) => a.split('.').length - b.split('.').length || compareStrings(a, b))
  const typed = [...target.typedKeys.keys()].some((t) => t.startsWith(prefix))
  return {
    message: `\`${key}\` is a group of VERL ${target.version}'s config, not one setting: a value here would replace every setting below it${typed ? ', the ones finqa sets from typed fields included' : ''}`,
    suggestion:
      children.length > 0
        ? `set the keys below it one by one, e.g. \`${children.slice(0, 3).join('`, `')}\``
        : `it is an open map: add a key below it with \`+${key}.<name>\``,
  }
}

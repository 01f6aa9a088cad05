import type { Diagnostic } from '../diagnostics/diagnostic.js'
import { isPlainMap, type PlainValue, pointerJoin, type SourceDoc } from '../load/parse-yaml.js'
import { isVerlKey } from './verl-rules.js'

interface Finding {
  readonly what: string
  readonly env: string
}

/** What a literal credential looks like, and the environment variable that should carry it instead. */
function credentialIn(value: string): Finding | undefined {
  if (/^hf_[A-Za-z0-9]{20,}$/.test(value)) return { what: 'a Hugging Face token', env: 'HF_TOKEN' }
  if (/^[0-9a-f]{40}$/i.test(value)) return { what: 'a WandB API key (40 hex digits)', env: 'WANDB_API_KEY' }
  return undefined
}

/** A key that names a credential (`*_TOKEN`, `*_KEY`, `*password*`, `*secret*`), other than VERL's own `data.*_key`. */
function credentialKey(key: string): Finding | undefined {
  const plain = key.replace(/^\++/, '')
  const last = plain.split('.').at(-1) ?? plain
  if (
    !/(^|_)(token|key|api_key|apikey|password|passwd|secret)$/i.test(last) &&
    !/password|secret/i.test(last)
  ) {
    return undefined
  }
  if (isVerlKey(plain)) return undefined
  const env = /wandb/i.test(plain)
    ? 'WANDB_API_KEY'
    : /^(hf|huggingface)_|_hf_|hub/i.test(last)
      ? 'HF_TOKEN'
      : last.toUpperCase()
  return { what: `\`${key}\`, a credential`, env }
}

/**
 * A spec never carries a credential: specs and generated scripts are committed. Checked per layer file,
 * so the error stands at the literal value, once.
 */
export function checkSecrets(doc: SourceDoc): Diagnostic[] {
  const out: Diagnostic[] = []
  const visit = (value: PlainValue, pointer: string, key: string | undefined): void => {
    if (isPlainMap(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, pointerJoin(pointer, k), k)
      return
    }
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, pointerJoin(pointer, i), key)
      return
    }
    if (typeof value !== 'string' || value === '') return
    const finding = credentialIn(value) ?? (key === undefined ? undefined : credentialKey(key))
    if (finding === undefined) return
    const at = doc.positions.get(pointer)?.value ?? { file: doc.file, line: 1, col: 1 }
    out.push({
      ...at,
      severity: 'error',
      code: 'SECRET',
      message: `this looks like ${finding.what}; specs and generated scripts are committed, so a secret must not be written here`,
      suggestion: `remove it and export ${finding.env} in the environment that runs the job`,
    })
  }
  visit(doc.value, '', undefined)
  return out
}

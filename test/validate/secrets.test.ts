import { describe, expect, it } from 'vitest'
import { parseYaml } from '../../src/load/parse-yaml.js'
import { checkSecrets } from '../../src/validate/secrets.js'

/** The SECRET findings of a spec: `line:col export ENV`. */
function secrets(text: string): string[] {
  return checkSecrets(parseYaml('s.yaml', text)).map((d) => {
    expect(d.code).toBe('SECRET')
    expect(d.severity).toBe('error')
    return `${d.line}:${d.col} ${d.message.replace(/^this looks like (.*); specs and generated scripts are committed, so a secret must not be written here$/, '$1')} | ${d.suggestion}`
  })
}

const TOKEN = `hf_${'a1B2'.repeat(5)}` // hf_ and 20 letters or digits
const HEX40 = 'abcdef0123'.repeat(4)

describe('a spec never carries a credential', () => {
  it('a Hugging Face token or a 40-hex-digit key anywhere, lists included, is refused at the value', () => {
    expect(secrets(`a: ${TOKEN}\nb:\n  - x\n  - ${HEX40.toUpperCase()}\nc: {d: [${HEX40}]}\n`)).toEqual([
      '1:4 a Hugging Face token | remove it and export HF_TOKEN in the environment that runs the job',
      '4:5 a WandB API key (40 hex digits) | remove it and export WANDB_API_KEY in the environment that runs the job',
      '5:9 a WandB API key (40 hex digits) | remove it and export WANDB_API_KEY in the environment that runs the job',
    ])
  })

  it('near misses are not credentials', () => {
    expect(
      secrets(
        `a: hf_${'a'.repeat(19)}\nb: x${TOKEN}\nc: ${HEX40}0\nd: ${HEX40.slice(1)}g\ne: ${TOKEN}!\nf: 12\ng: ""\n`,
      ),
    ).toEqual([])
  })

  it('a key naming a credential, with a text value, is refused; the variable follows the key', () => {
    expect(
      secrets(
        [
          'verl_overrides:',
          '  +trainer.wandb_api_key: x',
          '  +hub_token: x',
          '  +my.hf_token: x',
          '  +x.huggingface_token: x',
          '  +x.my_hf_key: x',
          '  +x.db_password: x',
          '  +x.mysecretthing: x',
          '  +x.passwd: x',
          '  +x.apikey: x',
          '  +x.key: x',
          '  +x.Token: [a]',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '2:27 `+trainer.wandb_api_key`, a credential | remove it and export WANDB_API_KEY in the environment that runs the job',
      '3:15 `+hub_token`, a credential | remove it and export HF_TOKEN in the environment that runs the job',
      '4:17 `+my.hf_token`, a credential | remove it and export HF_TOKEN in the environment that runs the job',
      '5:25 `+x.huggingface_token`, a credential | remove it and export HF_TOKEN in the environment that runs the job',
      '6:17 `+x.my_hf_key`, a credential | remove it and export HF_TOKEN in the environment that runs the job',
      '7:19 `+x.db_password`, a credential | remove it and export DB_PASSWORD in the environment that runs the job',
      '8:21 `+x.mysecretthing`, a credential | remove it and export MYSECRETTHING in the environment that runs the job',
      '9:14 `+x.passwd`, a credential | remove it and export PASSWD in the environment that runs the job',
      '10:14 `+x.apikey`, a credential | remove it and export APIKEY in the environment that runs the job',
      '11:11 `+x.key`, a credential | remove it and export KEY in the environment that runs the job',
      '12:14 `+x.Token`, a credential | remove it and export TOKEN in the environment that runs the job',
    ])
  })

  it('keys that only look alike, VERL’s own keys, and non-text values are left alone', () => {
    expect(
      secrets(
        [
          'verl_overrides:',
          '  +x.monkey: x',
          '  +x.tokens: x',
          '  +x.key_name: x',
          '  data.prompt_key: prompt',
          '  +x.token: 5',
          '  +y.token: ""',
          '',
        ].join('\n'),
      ),
    ).toEqual([])
  })
})

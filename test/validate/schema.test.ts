import type { ErrorObject } from 'ajv'
import { describe, expect, it } from 'vitest'
import { readSchema } from '../../src/cli/package-files.js'
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js'
import {
  ajvToDiagnostics,
  conditionalRequired,
  createValidators,
  type Locate,
} from '../../src/validate/schema.js'
import { compileTexts } from '../helpers/compile-repo.js'
import { BASE } from '../helpers/inline-specs.js'

/** `file:line:col CODE | message | suggestion` of each error of a compile. */
const shown = (ds: readonly Diagnostic[]) =>
  ds
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.file}:${d.line}:${d.col} ${d.code} | ${d.message} | ${d.suggestion}`)

/** The errors of the inline base with an experiment layer whose line 4 on is `layer`. */
const errorsOf = (layer: string) =>
  shown(
    compileTexts({
      'experiments/base.yaml': BASE,
      'experiments/a.yaml': `extends: ./base.yaml\nname: a\nscript: run_a.sh\n${layer}`,
    }).diagnostics,
  )

/** The base made a whole experiment in one file (`project` on line 2, `model:` on 3), changed by `edit`. */
const wholeErrors = (edit: (text: string) => string) => {
  const whole = `${BASE.replace('abstract: true\n', '')}name: a\nscript: run_a.sh\n`
  return compileTexts({ 'experiments/a.yaml': edit(whole) }).diagnostics
}

describe('a value of the wrong type says what is expected and how to write it', () => {
  it('a quoted number: write it without quotes (integers, decimals, exponents, negatives)', () => {
    expect(errorsOf('training:\n  epochs: "10"\n  lr: "2e10"\n  kl_coef: "-0.5"\n')).toEqual([
      'experiments/a.yaml:5:11 SCHEMA | `training.epochs` must be an integer | write the number without quotes',
      'experiments/a.yaml:6:7 SCHEMA | `training.lr` must be a number | write the number without quotes',
      'experiments/a.yaml:7:12 SCHEMA | `training.kl_coef` must be a number | write the number without quotes',
    ])
  })

  it('a number with separators: write it without them', () => {
    expect(errorsOf('training:\n  batch_size: 1_024\n  ppo_mini_batch_size: "1,024"\n')).toEqual([
      'experiments/a.yaml:5:15 SCHEMA | `training.batch_size` must be an integer | write 1024: a YAML number has no separators',
      'experiments/a.yaml:6:24 SCHEMA | `training.ppo_mini_batch_size` must be an integer | write 1024: a YAML number has no separators',
    ])
  })

  it("text that is not a number, or has misplaced separators, gets the field's example instead", () => {
    expect(errorsOf('training:\n  epochs: "1e"\n  batch_size: "12,34"\n  save_freq: "x1,000"\n')).toEqual([
      'experiments/a.yaml:5:11 SCHEMA | `training.epochs` must be an integer | for example: 10',
      'experiments/a.yaml:6:15 SCHEMA | `training.batch_size` must be an integer | for example: 64',
      'experiments/a.yaml:7:14 SCHEMA | `training.save_freq` must be an integer | for example: 100',
    ])
    expect(errorsOf('training:\n  save_freq: "1,000x"\n  test_freq: "12345,000"\n')).toEqual([
      'experiments/a.yaml:5:14 SCHEMA | `training.save_freq` must be an integer | for example: 100',
      'experiments/a.yaml:6:14 SCHEMA | `training.test_freq` must be an integer | for example: 100',
    ])
  })

  it('a suggestion is made only for the type it fits: number-like text for a boolean, a boolean for an integer', () => {
    expect(errorsOf('reward:\n  use_uncertainty: "1,000"\n')).toEqual([
      'experiments/a.yaml:5:20 SCHEMA | `reward.use_uncertainty` must be true or false | for example: true',
    ])
    expect(errorsOf('reward:\n  use_uncertainty: "12"\n')).toEqual([
      'experiments/a.yaml:5:20 SCHEMA | `reward.use_uncertainty` must be true or false | for example: true',
    ])
    for (const value of ['1.5', '"yes"', 'true'])
      expect(errorsOf(`training:\n  epochs: ${value}\n`), value).toEqual([
        'experiments/a.yaml:5:11 SCHEMA | `training.epochs` must be an integer | for example: 10',
      ])
    expect(errorsOf('data:\n  train_file: [a]\n')).toEqual([
      'experiments/a.yaml:5:15 SCHEMA | `data.train_file` must be a string | for example: train_4b_model_forecast_20000.parquet',
    ])
  })

  it('separators every three digits, in groups of two or more', () => {
    expect(errorsOf('training:\n  batch_size: "1,000,000"\n  ppo_micro_batch_per_gpu: "12,345"\n')).toEqual([
      'experiments/a.yaml:5:15 SCHEMA | `training.batch_size` must be an integer | write 1000000: a YAML number has no separators',
      'experiments/a.yaml:6:28 SCHEMA | `training.ppo_micro_batch_per_gpu` must be an integer | write 12345: a YAML number has no separators',
    ])
  })

  it('yes, no, on, off, y or n for a boolean: YAML 1.2 reads them as text; other text gets the example', () => {
    expect(errorsOf('reward:\n  use_uncertainty: Yes\n')).toEqual([
      'experiments/a.yaml:5:20 SCHEMA | `reward.use_uncertainty` must be true or false | write true or false: YAML 1.2 reads Yes as text',
    ])
    expect(errorsOf('reward:\n  use_uncertainty: ayes\n')).toEqual([
      'experiments/a.yaml:5:20 SCHEMA | `reward.use_uncertainty` must be true or false | for example: true',
    ])
    expect(errorsOf('reward:\n  use_uncertainty: non\n')).toEqual([
      'experiments/a.yaml:5:20 SCHEMA | `reward.use_uncertainty` must be true or false | for example: true',
    ])
  })

  it('a number or boolean for text: put it in quotes', () => {
    expect(errorsOf('data:\n  train_file: 12\n  val_file: true\n')).toEqual([
      'experiments/a.yaml:5:15 SCHEMA | `data.train_file` must be a string | put it in quotes to make it text: "12"',
      'experiments/a.yaml:6:13 SCHEMA | `data.val_file` must be a string | put it in quotes to make it text: "true"',
    ])
  })

  it('a scalar for a map: write its settings below it; for a list: the example list', () => {
    expect(errorsOf('model: x\ntrainer:\n  logger: console\n')).toEqual([
      'experiments/a.yaml:4:8 SCHEMA | `model` must be a map | write its settings on the lines below it, indented',
      'experiments/a.yaml:6:11 SCHEMA | `trainer.logger` must be a list | for example: [console, wandb]',
    ])
  })

  it('a value of a union type names each type, and a list for it gets no example', () => {
    expect(errorsOf('slurm:\n  sbatch_options:\n    mail-type: [1]\n')).toEqual([
      'experiments/a.yaml:6:16 SCHEMA | `slurm.sbatch_options.mail-type` must be a string or a number or true or false | undefined',
    ])
  })

  it('a wrong type is the one error of its value, not also the enum it then fails', () => {
    expect(errorsOf('rollout:\n  engine: 5\n')).toEqual([
      'experiments/a.yaml:5:11 SCHEMA | `rollout.engine` must be a string | put it in quotes to make it text: "5"',
    ])
  })
})

describe('a value out of its range or set says which', () => {
  it('enum: the allowed values, and the closest one when there is one', () => {
    expect(errorsOf('rollout:\n  engine: vlm\n')).toEqual([
      'experiments/a.yaml:5:11 SCHEMA | `rollout.engine` must be one of: "vllm", "sglang", "hf" | did you mean "vllm"?',
    ])
    expect(errorsOf('rollout:\n  engine: zzzzzzzz\n')).toEqual([
      'experiments/a.yaml:5:11 SCHEMA | `rollout.engine` must be one of: "vllm", "sglang", "hf" | undefined',
    ])
  })

  it('minimum, maximum and exclusive minimum, with the example written as YAML', () => {
    expect(errorsOf('training:\n  lr: 0\n  epochs: 0\ndata:\n  train_rows: 99999999999999\n')).toEqual([
      'experiments/a.yaml:5:7 SCHEMA | `training.lr` must be > 0 | for example: 0.000001',
      'experiments/a.yaml:6:11 SCHEMA | `training.epochs` must be >= 1 | for example: 10',
      'experiments/a.yaml:8:15 SCHEMA | `data.train_rows` must be <= 10000000000 | for example: 20000',
    ])
  })

  it('lengths: not empty, at least, at most; a text example that needs quotes is quoted', () => {
    expect(errorsOf(`data:\n  dir: /\ndescription: ${'x'.repeat(501)}\n`)).toEqual([
      'experiments/a.yaml:5:8 SCHEMA | `data.dir` must be at least 2 characters long | for example: /path/to/data',
      'experiments/a.yaml:6:14 SCHEMA | `description` must be at most 500 characters long | for example: "Rollout-number ablation: 4 rollouts per prompt"',
    ])
    expect(errorsOf("model:\n  path: ''\n")).toEqual([
      'experiments/a.yaml:5:9 SCHEMA | `model.path` must not be empty | for example: Qwen/Qwen3-4B',
      'experiments/a.yaml:5:9 SCHEMA | `model.path` must be a value of letters, digits and `_ . / : @ + % ~ -` (no spaces, quotes or `$`) | for example: Qwen/Qwen3-4B',
    ])
  })

  it('lists: at least one item, no item twice', () => {
    expect(errorsOf('trainer:\n  logger: []\n')).toEqual([
      'experiments/a.yaml:5:11 SCHEMA | `trainer.logger` must have at least 1 item(s) | for example: [console, wandb]',
    ])
    expect(errorsOf('trainer:\n  logger: [console, console]\n')).toEqual([
      'experiments/a.yaml:5:11 SCHEMA | `trainer.logger` must not repeat items (items 1 and 0 are equal) | for example: [console, wandb]',
    ])
  })

  it('a line break in one-line text: write it on one line', () => {
    expect(errorsOf('description: "one\\ntwo"\n')).toEqual([
      'experiments/a.yaml:4:14 SCHEMA | `description` must be one line of text, without control characters (no line breaks, tabs or escapes) | write it on one line, without the line break, tab or escape character',
    ])
  })
})

describe('VERL overrides and sweep variables', () => {
  it('an override value that is none of the kinds is one error, naming the kinds', () => {
    expect(errorsOf('verl_overrides:\n  data.truncation: {a: 1}\n')).toEqual([
      'experiments/a.yaml:5:20 SCHEMA | `verl_overrides.data.truncation` must be a boolean, a number, a string of letters, digits and `_ . / : @ + % ~ -`, or a list of those | for example: `true`, `1024`, `error` or `[a, b]`',
    ])
  })

  it("a key its map refuses is an error at the key, with a key of the map's example", () => {
    expect(errorsOf('verl_overrides:\n  a b: 1\n')).toEqual([
      'experiments/a.yaml:5:3 SCHEMA | key `a b` in `verl_overrides` must be a dotted key of letters, digits and `_` (a `+` prefix adds a key VERL lacks) | for example: `actor_rollout_ref.model.enable_gradient_checkpointing`',
    ])
    expect(errorsOf('matrix:\n  c d: [1]\n')).toEqual([
      'experiments/a.yaml:5:3 SCHEMA | key `c d` in `matrix` must be a variable of letters, digits and `_` (e.g. `size`) or the dotted path of a field (e.g. `rollout.n`) | for example: `size`',
    ])
  })
})

describe('unknown and missing keys', () => {
  it('an unknown key with no close one: the keys its map has, and to remove it', () => {
    expect(errorsOf('training:\n  zzzzzz: 1\nzzzzzz: 1\n')).toEqual([
      'experiments/a.yaml:5:3 UNKNOWN_KEY | unknown key `zzzzzz` in `training`; expected one of: epochs, lr, kl_coef, batch_size, ppo_mini_batch_size, ppo_micro_batch_per_gpu, save_freq, test_freq | remove `zzzzzz`: `training` has no such setting',
      'experiments/a.yaml:6:1 UNKNOWN_KEY | unknown key `zzzzzz` in the spec; expected one of: extends, abstract, matrix, name, script, description, project, model, data, reward, training, rollout, trainer, upload, slurm, estimate, verl, verl_overrides | remove `zzzzzz`: the spec has no such setting',
    ])
  })

  it('a required key a layer deletes with null is an error at the null', () => {
    expect(errorsOf('project: null\nmodel:\n  path: null\n')).toEqual([
      'experiments/a.yaml:4:1 SCHEMA | `project` is required, but this layer deletes it | remove `project: null`, or set a new value',
      'experiments/a.yaml:6:3 SCHEMA | `model`: `path` is required, but this layer deletes it | remove `path: null`, or set a new value',
    ])
  })

  it('a required key set nowhere is an error at the map that lacks it', () => {
    const ds = wholeErrors((t) =>
      t.replace('project: fin_text_qa\n', '').replace('  path: org/model\n', '  {}\n'),
    )
    expect(shown(ds)).toEqual([
      'experiments/a.yaml:1:1 SCHEMA | the spec is missing the required key `project` | set `project` here or in a parent layer',
      'experiments/a.yaml:1:1 SCHEMA | `model` is missing the required key `path` | set `path` here or in a parent layer',
    ])
  })

  it('the keys missing below a misspelt map fold into its error, sorted; a key missing elsewhere stays', () => {
    const ds = wholeErrors((t) =>
      t
        .replace('project: fin_text_qa\n', '')
        .replace(/data:\n( {2}.*\n)+/, 'data:\n  max_prompt_length: 4096\ndta:\n  dir: /data\n'),
    )
    expect(shown(ds)).toEqual([
      'experiments/a.yaml:1:1 SCHEMA | the spec is missing the required key `project` | set `project` here or in a parent layer',
      'experiments/a.yaml:5:1 UNKNOWN_KEY | unknown key `dta` in the spec; expected one of: extends, abstract, matrix, name, script, description, project, model, data, reward, training, rollout, trainer, upload, slurm, estimate, verl, verl_overrides | did you mean `data`?',
    ])
    expect(ds.find((d) => d.code === 'UNKNOWN_KEY')?.folded).toEqual([
      'data.dir',
      'data.max_response_length',
      'data.train_file',
      'data.val_file',
    ])
  })
})

describe('the mapping on its own (the compile also merges and sorts what it returns)', () => {
  it("lists the keys folded into a misspelt map's error sorted, not in the schema's order", () => {
    const schema = readSchema()
    const { experiment } = createValidators(schema)
    const value = { data: { max_prompt_length: 1 }, dta: {} }
    expect(experiment(value)).toBe(false)
    const at = { file: 'a.yaml', line: 1, col: 1 }
    const ds = ajvToDiagnostics(experiment.errors ?? [], schema, value, () => ({ value: at }))
    expect(ds.find((d) => d.code === 'UNKNOWN_KEY')?.folded).toEqual([
      'data.dir',
      'data.max_response_length',
      'data.train_file',
      'data.val_file',
    ])
  })
})

describe('errors of keywords the shipped schema does not use, mapped alike (another schema)', () => {
  /** Where a pointer stands: its value and key told apart by the file name. */
  const locate: Locate = (pointer) => ({
    value: { file: `value ${pointer}`, line: 1, col: 1 },
    key: { file: `key ${pointer}`, line: 1, col: 1 },
  })
  const schema = {
    type: 'object',
    additionalProperties: false,
    properties: {
      below: { type: 'number', exclusiveMaximum: 1 },
      most: { type: 'integer', maximum: 5 },
      code: { type: 'string', pattern: '^x+$' },
      fixed: { const: 3 },
      level: { enum: ['low', 'high'] },
      empty: { type: 'null' },
      short: { type: 'object', propertyNames: { maxLength: 2 } },
    },
  }
  const diagnose = (data: unknown) => {
    const { experiment } = createValidators(schema)
    expect(experiment(data)).toBe(false)
    return ajvToDiagnostics(experiment.errors ?? [], schema, data, locate).map(
      (d) => `${d.file} ${d.code} | ${d.message} | ${d.suggestion}`,
    )
  }

  it('exclusive maximum, maximum, a pattern it has no words for, const, null, and a key too long', () => {
    expect(
      diagnose({ below: 1, most: 6, code: 'y', fixed: 4, level: 5, empty: 0, short: { abc: 1 } }),
    ).toEqual([
      'value /below SCHEMA | `below` must be < 1 | undefined',
      'value /most SCHEMA | `most` must be <= 5 | undefined',
      'value /code SCHEMA | `code` must be a string matching ^x+$ | undefined',
      'value /fixed SCHEMA | `fixed` must be equal to constant | undefined',
      'value /level SCHEMA | `level` must be one of: "low", "high" | undefined',
      'value /empty SCHEMA | `empty` must be null | undefined',
      'key /short/abc SCHEMA | key `abc` in `short` must be at most 2 characters long | undefined',
    ])
  })

  it('is cached per schema object', () => {
    expect(createValidators(schema)).toBe(createValidators(schema))
  })

  it('an error with no words of its own is "invalid"; a validation that failed is never silent', () => {
    const error = (keyword: string, message?: string): ErrorObject => ({
      keyword,
      instancePath: '/short',
      schemaPath: '#/properties/short/propertyNames',
      params: {},
      ...(message === undefined ? {} : { message }),
    })
    // Each filtered out on its own (reported through its inner error): the first is shown all the same.
    expect(ajvToDiagnostics([error('propertyNames')], schema, {}, locate)).toMatchObject([
      { file: 'value /short', code: 'SCHEMA', message: '`short` has a key that is not a dotted VERL key' },
    ])
    expect(ajvToDiagnostics([error('custom')], schema, {}, locate)).toMatchObject([
      { severity: 'error', message: '`short` is invalid' },
    ])
    expect(ajvToDiagnostics([], schema, {}, locate)).toEqual([])
  })
})

describe('`required` under a combinator, which a layer check could not drop', () => {
  it('is listed by its pointer, in definitions and under each combinator, not at the top', () => {
    expect(
      conditionalRequired({
        required: ['a'],
        default: null,
        properties: { a: { required: ['b'], examples: [null, 1] } },
        anyOf: [{ required: ['c'] }, { properties: { d: { required: ['e'] } } }],
        definitions: { x: { required: ['f'] } },
        not: { required: ['g'] },
      }),
    ).toEqual([
      '#/anyOf/0/required',
      '#/anyOf/1/properties/d/required',
      '#/definitions/x/required',
      '#/not/required',
    ])
  })
})

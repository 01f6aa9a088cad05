import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { readSchema, readTemplates } from '../src/cli/package-files.js'
import { stripNulls } from '../src/compile.js'
import { TEMPLATES } from '../src/generated/templates.js'
import { parseYaml } from '../src/load/parse-yaml.js'
import { createTemplates } from '../src/render/handlebars-env.js'
import { toLayerSchema } from '../src/validate/layer-schema.js'
import { AJV_OPTIONS, conditionalRequired, createValidators, isPrecompiled } from '../src/validate/schema.js'
import { REPO } from './helpers/compile-repo.js'

describe('precompiled validators and templates (npm run gen:types)', () => {
  it('serve the shipped schema', () => {
    expect(isPrecompiled(readSchema())).toBe(true)
  })

  it('do not serve another schema, which compiles with ajv at run time and validates alike', () => {
    const schema = readSchema()
    const other = { ...schema, title: 'Another' }
    expect(isPrecompiled(other)).toBe(false)
    const shipped = createValidators(schema)
    const compiled = createValidators(other)
    const bad = { name: 1, extra: true }
    expect(compiled.layer(bad)).toEqual(shipped.layer(bad))
    expect(compiled.experiment(bad)).toBe(false)
    expect(shipped.experiment(bad)).toBe(false)
    expect(compiled.experiment.errors?.map((e) => [e.keyword, e.instancePath])).toEqual(
      shipped.experiment.errors?.map((e) => [e.keyword, e.instancePath]),
    )
  })

  it("check a layer as the schema with nothing required would: the experiment validator's errors less `required`", () => {
    const schema = readSchema()
    expect(conditionalRequired(schema)).toEqual([])
    const withoutRequired = new Ajv({ ...AJV_OPTIONS }).compile(toLayerSchema(schema, { allowNull: false }))
    const { layer } = createValidators(schema)
    const shown = (errors: readonly { keyword: string; instancePath: string; schemaPath: string }[]) =>
      errors.map((e) => `${e.instancePath} ${e.keyword} ${e.schemaPath}`).sort()
    // Every layer of the shipped experiments and of the bad-input corpus (test/cases), nulls left out as the
    // compiler does.
    const files = [join(REPO, 'experiments'), join(REPO, 'test', 'cases')].flatMap((dir) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile() && d.name.endsWith('.yaml')) // not the corpus's broken link
        .map((d) => join(d.parentPath, d.name)),
    )
    let failing = 0
    for (const file of files) {
      const value = stripNulls(parseYaml(file, readFileSync(file, 'utf8')).value)
      const expected = withoutRequired(value) ? [] : (withoutRequired.errors ?? [])
      // The layer schema's paths name the same subschemas: only `required` was taken out.
      expect(shown(layer(value)), file).toEqual(shown(expected))
      if (expected.length > 0) failing++
    }
    expect(files.length).toBeGreaterThan(100)
    expect(failing).toBeGreaterThan(10)
  })

  it('refuse a schema whose `required` sits under a combinator, where dropping it would change the meaning', () => {
    const schema = {
      type: 'object',
      required: ['a'],
      properties: {
        a: { type: 'string' },
        b: { anyOf: [{ type: 'object', required: ['c'] }, { type: 'null' }] },
      },
    }
    expect(conditionalRequired(schema)).toEqual(['#/properties/b/anyOf/0/required'])
    const viaRef = { ...schema, properties: {}, definitions: { d: { type: 'object', required: ['x'] } } }
    expect(conditionalRequired(viaRef)).toEqual(['#/definitions/d/required'])
  })

  it('cover every shipped template, and a changed template compiles from its text', () => {
    const templates = readTemplates()
    expect(Object.keys(TEMPLATES).sort()).toEqual([...templates.keys()].sort())
    const changed = new Map(templates).set('launch.sh.hbs', 'changed {{name}}\n')
    expect(createTemplates(changed).get('launch.sh.hbs')?.({ name: 'x' })).toBe('changed x\n')
    expect(() => createTemplates(changed).get('launch.sh.hbs')?.({})).toThrow(/"name" not defined/)
  })
})

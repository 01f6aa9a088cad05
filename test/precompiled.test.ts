import { describe, expect, it } from 'vitest'
import { readSchema, readTemplates } from '../src/cli/package-files.js'
import { TEMPLATES } from '../src/generated/templates.js'
import { createTemplates } from '../src/render/handlebars-env.js'
import { createValidators, isPrecompiled } from '../src/validate/schema.js'

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
    expect(compiled.layer(bad)).toBe(shipped.layer(bad))
    expect(compiled.layer.errors).toEqual(shipped.layer.errors)
    expect(compiled.experiment(bad)).toBe(false)
    expect(shipped.experiment(bad)).toBe(false)
    expect(compiled.experiment.errors?.map((e) => [e.keyword, e.instancePath])).toEqual(
      shipped.experiment.errors?.map((e) => [e.keyword, e.instancePath]),
    )
  })

  it('cover every shipped template, and a changed template compiles from its text', () => {
    const templates = readTemplates()
    expect(Object.keys(TEMPLATES).sort()).toEqual([...templates.keys()].sort())
    const changed = new Map(templates).set('launch.sh.hbs', 'changed {{name}}\n')
    expect(createTemplates(changed).get('launch.sh.hbs')?.({ name: 'x' })).toBe('changed x\n')
    expect(() => createTemplates(changed).get('launch.sh.hbs')?.({})).toThrow(/"name" not defined/)
  })
})

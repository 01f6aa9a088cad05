import { describe, expect, it } from 'vitest'
import { toLayerSchema } from '../../src/validate/layer-schema.js'

/** A small experiment schema with each construct the layer schema rewrites. */
const experimentSchema = () => ({
  $id: 'https://example.org/schema/experiment.schema.json',
  title: 'Experiment',
  description: 'A whole experiment.',
  type: 'object',
  required: ['name', 'model'],
  additionalProperties: false,
  properties: {
    name: {
      title: 'Name',
      description: 'The run name.',
      default: 'run',
      examples: ['qwen3_4b'],
      type: 'string',
      pattern: '^[a-z0-9_]+$',
    },
    notes: { type: 'string' },
    model: {
      type: 'object',
      required: ['path'],
      properties: { path: { type: 'string', minLength: 1 } },
    },
    tags: { type: 'array', items: [{ type: 'string', pattern: '^x$' }] },
    env: { type: 'object', additionalProperties: { type: 'string', required: ['x'] } },
    open: { type: 'object', additionalProperties: true },
  },
})

describe('the schema of one layer file', () => {
  it('drops every `required`, lets each property be null, and a patterned string be a sweep template', () => {
    expect(toLayerSchema(experimentSchema(), { allowNull: true })).toStrictEqual({
      $id: 'https://example.org/schema/layer.schema.json',
      title: 'Experiment layer',
      description:
        'One layer of a finqa experiment spec: a base, a per-model layer or an experiment. It sets only what it changes; `null` deletes an inherited value.',
      type: 'object',
      additionalProperties: false,
      properties: {
        name: {
          title: 'Name',
          description: 'The run name.',
          default: 'run',
          examples: ['qwen3_4b'],
          anyOf: [
            {
              anyOf: [
                { type: 'string', pattern: '^[a-z0-9_]+$' },
                {
                  type: 'string',
                  pattern: '\\{[A-Za-z_][A-Za-z0-9_.+]*(\\|[A-Za-z]+)?\\}',
                  description: 'A template that a sweep (`matrix:`) fills in for each combination.',
                },
              ],
            },
            { type: 'null', description: 'Deletes the value inherited from the parent layer.' },
          ],
        },
        notes: {
          anyOf: [
            { type: 'string' },
            { type: 'null', description: 'Deletes the value inherited from the parent layer.' },
          ],
        },
        model: {
          anyOf: [
            {
              type: 'object',
              properties: {
                path: {
                  anyOf: [
                    { type: 'string', minLength: 1 },
                    { type: 'null', description: 'Deletes the value inherited from the parent layer.' },
                  ],
                },
              },
            },
            { type: 'null', description: 'Deletes the value inherited from the parent layer.' },
          ],
        },
        tags: {
          anyOf: [
            { type: 'array', items: [{ type: 'string', pattern: '^x$' }] },
            { type: 'null', description: 'Deletes the value inherited from the parent layer.' },
          ],
        },
        env: {
          anyOf: [
            {
              type: 'object',
              additionalProperties: {
                anyOf: [
                  { type: 'string' },
                  { type: 'null', description: 'Deletes the value inherited from the parent layer.' },
                ],
              },
            },
            { type: 'null', description: 'Deletes the value inherited from the parent layer.' },
          ],
        },
        open: {
          anyOf: [
            { type: 'object', additionalProperties: true },
            { type: 'null', description: 'Deletes the value inherited from the parent layer.' },
          ],
        },
      },
    })
  })

  it('without null, only drops `required` and renames the root', () => {
    expect(toLayerSchema(experimentSchema(), { allowNull: false })).toStrictEqual({
      $id: 'https://example.org/schema/layer.schema.json',
      title: 'Experiment layer',
      description:
        'One layer of a finqa experiment spec: a base, a per-model layer or an experiment. It sets only what it changes; `null` deletes an inherited value.',
      type: 'object',
      additionalProperties: false,
      properties: {
        name: {
          title: 'Name',
          description: 'The run name.',
          default: 'run',
          examples: ['qwen3_4b'],
          type: 'string',
          pattern: '^[a-z0-9_]+$',
        },
        notes: { type: 'string' },
        model: { type: 'object', properties: { path: { type: 'string', minLength: 1 } } },
        tags: { type: 'array', items: [{ type: 'string', pattern: '^x$' }] },
        env: { type: 'object', additionalProperties: { type: 'string' } },
        open: { type: 'object', additionalProperties: true },
      },
    })
  })

  it('gives a schema without an id the empty one, and leaves the schema it was given as it was', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }
    expect(toLayerSchema(schema, { allowNull: false })).toMatchObject({ $id: '' })
    expect(schema).toEqual({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] })
  })

  it('keeps a key named `properties` or `required` that is not a keyword (a property of those names)', () => {
    const schema = {
      type: 'object',
      properties: {
        properties: { type: 'string' },
        required: { type: 'string' },
        other: { properties: null },
      },
    }
    expect(toLayerSchema(schema, { allowNull: false }).properties).toEqual({
      properties: { type: 'string' },
      required: { type: 'string' },
      other: { properties: null },
    })
  })
})

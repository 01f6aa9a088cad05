import { ENCODERS, type EncoderName, FORMAT_HELPERS } from './encoders.js'

/**
 * The encoder of every slot of every template: the one table that says how each value is written into a
 * generated file. A slot is named by its path from the template's root, `[]` standing for the items of an
 * `{{#each}}` (`knobs[].default`, `directives[]`).
 *
 * A bare `{{slot}}` in a template is compiled as `{{encoder slot}}` with the first encoder listed here
 * (`encodeSlots`), so no slot is written as it is; a template may also name an encoder itself
 * (`{{shq script}}`), which must be one listed for that slot. A slot missing here, an encoder that is not
 * the slot's, or a triple-stash `{{{slot}}}` stops the compile of the template. test/template-slots.test.ts
 * checks each template against this table, and that each slot's encoder suits the place where it stands
 * (a comment, an `#SBATCH` line, a bash word, Markdown...).
 */
export const TEMPLATE_SLOTS: Readonly<Record<string, Readonly<Record<string, SlotEncoders>>>> = {
  'launch.sh.hbs': {
    sources: 'comment',
    specDir: 'comment',
    name: 'plain',
    description: 'comment',
    'verl.version': 'plain',
    'verl.repo': 'comment',
    'verl.commit': 'plain',
    'verl.rewardPathKey': 'shq',
    specSha256: 'plain',
    script: 'plain',
    'knobs[].default': 'envDefault',
    'knobs[].description': 'comment',
    'knobs[].alias': 'plain',
    'knobs[].env': 'plain',
    'knobs[].check': 'bash',
    trainFile: 'bash',
    valFile: 'bash',
    uncertainFile: 'bash',
    plainFile: 'bash',
    gpusPerNode: 'int',
    overrides: 'bashLines',
    settingsOrder: 'intWords',
    checkValues: 'cfgAssignLines',
  },
  'launch-lib.sh.hbs': {
    specDir: 'comment',
    finqaVersion: 'plain',
  },
  'verl-lib.sh.hbs': {
    version: 'plain',
    repo: 'comment',
    tag: 'plain',
    commit: 'plain',
    keyTable: 'keyTable',
    'ignored[].prefix': 'plain',
    'ignored[].why': 'bash',
    'ignored[].use': 'bash',
    'whole[]': 'verlKey',
    'knobKeys[].key': 'verlKey',
    'knobKeys[].knob': 'bash',
    'defaults[]': 'cfgAssign',
    'checks[].note': 'comment',
    // The one slot of finqa's own code: rendered from src/verl/ definitions only (verlLibViewOf takes a
    // VERL target, never a spec), so no spec value can reach it.
    'checks[].line': 'code',
  },
  'slurm.sbatch.hbs': {
    sources: 'comment',
    specDir: 'comment',
    name: 'plain',
    description: 'comment',
    nodes: 'int',
    gpusPerNode: 'int',
    script: 'plain',
    file: 'plain',
    stem: 'plain',
    signalLead: 'int',
    stopTimeout: ['int', 'envDefault'],
    'directives[]': 'directive',
    checkpointRoot: 'envDefault',
    experimentName: 'envDefault',
    rayPort: 'envDefault',
    joinTimeout: 'envDefault',
  },
  // finqa_json_into, shared by lib/finqa-launch.sh and upload_to_hf.sh: no slots.
  'partials/json-string.hbs': {},
  'partials/slurm-scripts-dir.hbs': {
    target: 'plain',
  },
  'slurm-upload.sbatch.hbs': {
    sources: 'comment',
    specDir: 'comment',
    name: 'plain',
    uploadScript: 'plain',
    trainFile: 'plain',
    file: 'plain',
    'directives[]': 'directive',
    checkpointRoot: 'envDefault',
    experimentName: 'envDefault',
    'args[]': 'bash',
  },
  'slurm-submit-all.sh.hbs': {
    specDir: 'comment',
    names: 'comment',
    'experiments[].stem': 'plain',
    'experiments[].name': 'plain',
    'experiments[].trainFile': 'plain',
    'experiments[].uploadFile': 'plainOrNothing',
    'experiments[].logDirs[]': 'path',
  },
  'upload_to_hf.sh.hbs': {
    sources: 'comment',
    specDir: 'comment',
    script: ['plain', 'shq'],
    'experiments[]': 'shq',
    'defaults.namespace': 'plain',
    'defaults.backend': 'plain',
    'defaults.private': 'plain',
    'cases[].pattern': 'casePattern',
    'cases[].settings.namespace': 'plain',
    'cases[].settings.backend': 'plain',
    'cases[].settings.private': 'plain',
  },
  'README.md.hbs': {
    specDir: ['htmlComment', 'mdCode', 'mdShell'],
    modelList: 'md',
    'quickStart.base[]': 'plain',
    'quickStart.ablation': 'plain',
    mermaid: 'mermaidBlock',
    baseTable: 'mdTable',
    'ablations[].title': 'md',
    'ablations[].summary': 'markdown',
    'ablations[].table': 'mdTable',
    hyperparameters: 'mdTable',
    settings: 'mdTable',
    'data.table': 'mdTable',
    'data.dirs': 'markdown',
    'rewards.table': 'mdTable',
    'rewards.dirs': 'markdown',
    'rewards.functions': 'markdown',
    'matrix.table': 'mdTable',
    'matrix.total': 'int',
    estimates: 'mdTable',
    'examples.first': 'plain',
    'examples.second': 'plain',
    'examples.firstStem': 'plain',
    'checkpoints.script': 'plain',
    'checkpoints.dir': 'mdFence',
    'checkpoints.steps.0': 'int',
    'checkpoints.steps.1': 'int',
    'checkpoints.worldSize': 'int',
    'upload.namespaces': 'markdown',
    'upload.dir': ['mdShell', 'mdCode'],
    'upload.step': 'int',
    'upload.repo': 'path',
    'upload.backend': 'plain',
    projects: 'markdown',
  },
}

/** The parts of Handlebars' AST (`Handlebars.parse`) the table reads and rewrites. */
export declare namespace AST {
  interface Node {
    type: string
    loc: { start: { line: number; column: number } }
  }
  interface Program extends Node {
    body: Node[]
  }
  interface PathExpression extends Node {
    type: 'PathExpression'
    data: boolean
    depth: number
    parts: string[]
    original: string
  }
  interface SubExpression extends Node {
    path: Node
    params: Node[]
  }
  type Expression = Node
  interface MustacheStatement extends Node {
    path: Node
    params: Node[]
    hash?: Node & { pairs: (Node & { key: string; value: Node & { value: string; original: string } })[] }
    escaped: boolean
  }
  interface BlockStatement extends Node {
    path: Node
    params: Node[]
    program?: Program
    inverse?: Program
  }
}

/** One encoder, or several: the first for bare `{{slot}}`s, the others for where the template names one. */
export type SlotEncoders = EncoderName | readonly [EncoderName, ...EncoderName[]]

export const encodersOf = (entry: SlotEncoders): readonly EncoderName[] =>
  typeof entry === 'string' ? [entry] : [...entry]

/**
 * Which argument of an encoder is the slot, where it is not the first field argument; the others are
 * settings it checks itself (the variable name and alias of `envDefault "CHECKPOINT_ROOT" checkpointRoot`).
 */
export const SLOT_ARGUMENT: Partial<Record<EncoderName, number>> = { envDefault: 1 }

/** One `{{...}}` of a template: the slot it writes, the encoder it goes through, where it stands. */
export interface SlotUse {
  readonly slot: string
  /** The encoder the template names, or undefined for a bare `{{slot}}`. */
  readonly encoder: EncoderName | undefined
  readonly line: number
  readonly column: number
  /** Set for what no table entry can make safe: a triple-stash, a helper that is no encoder. */
  readonly problem?: string
  readonly node: AST.MustacheStatement
}

const isEncoder = (name: string): name is EncoderName & string => Object.hasOwn(ENCODERS, name)

/** The slot a path names inside the given `{{#each}}` nesting (`[]`-suffixed slots of the enclosing lists). */
function slotOf(path: AST.PathExpression, scope: readonly string[]): string | undefined {
  if (path.data) return undefined
  const base = scope.at(-1 - path.depth)
  const parts = path.parts.join('.')
  if (base === undefined) return parts
  return parts === '' ? base : `${base}.${parts}`
}

/** The slot an expression writes: a path, or the first path inside a format helper (`(join sources " > ")`). */
function slotOfExpression(e: AST.Expression, scope: readonly string[]): string | undefined {
  if (e.type === 'PathExpression') return slotOf(e as AST.PathExpression, scope)
  if (e.type === 'SubExpression') {
    const sub = e as AST.SubExpression
    const helper = (sub.path as AST.PathExpression).original
    if (!Object.hasOwn(FORMAT_HELPERS, helper)) return undefined
    for (const p of sub.params) {
      const s = slotOfExpression(p, scope)
      if (s !== undefined) return s
    }
  }
  return undefined
}

/** Every `{{...}}` of a parsed template, with the slot it writes (block helpers' own arguments are no slots). */
export function slotUses(program: AST.Program): SlotUse[] {
  const uses: SlotUse[] = []
  const visit = (node: AST.Node, scope: readonly string[]): void => {
    if (node.type === 'Program') {
      for (const statement of (node as AST.Program).body) visit(statement, scope)
      return
    }
    if (node.type === 'BlockStatement') {
      const block = node as AST.BlockStatement
      const helper = (block.path as AST.PathExpression).original
      const [first] = block.params
      const list = helper === 'each' && first !== undefined ? slotOfExpression(first, scope) : undefined
      const inner = list === undefined ? scope : [...scope, `${list}[]`]
      if (block.program) visit(block.program, inner)
      if (block.inverse) visit(block.inverse, scope)
      return
    }
    if (node.type !== 'MustacheStatement') return
    const m = node as AST.MustacheStatement
    const at = { line: m.loc.start.line, column: m.loc.start.column, node: m }
    const head = m.path.type === 'PathExpression' ? (m.path as AST.PathExpression) : undefined
    if (head !== undefined && isEncoder(head.original) && m.params.length > 0) {
      const index = SLOT_ARGUMENT[head.original]
      const args = index === undefined ? m.params : m.params.slice(index, index + 1)
      const slot = args.map((a) => slotOfExpression(a, scope)).find((s) => s !== undefined)
      uses.push({
        slot: slot ?? `(${head.original} argument)`,
        encoder: head.original,
        ...at,
        problem: slot === undefined ? `the slot of {{${head.original} ...}} is not a field` : tripleStash(m),
      })
      return
    }
    const slot = head !== undefined && m.params.length === 0 ? slotOf(head, scope) : undefined
    uses.push({
      slot: slot ?? `(${head?.original ?? m.path.type})`,
      encoder: undefined,
      ...at,
      problem:
        slot === undefined
          ? `{{${head?.original ?? '...'} ...}} is not an encoder of encoders.ts`
          : tripleStash(m),
    })
  }
  visit(program, [])
  return uses
}

const literal = (value: string, loc: AST.Node['loc']) => ({
  type: 'StringLiteral',
  loc,
  value,
  original: value,
})

const tripleStash = (m: AST.MustacheStatement): string | undefined =>
  m.escaped ? undefined : 'a triple-stash {{{...}}} bypasses the table; write {{...}}'

/** What is wrong with one use of a slot of this template, by the table; undefined when nothing is. */
export function slotProblem(template: string, use: SlotUse): string | undefined {
  if (use.problem !== undefined) return use.problem
  const entry = TEMPLATE_SLOTS[template]?.[use.slot]
  if (entry === undefined)
    return `slot ${use.slot} has no encoder in TEMPLATE_SLOTS (src/render/template-slots.ts)`
  const allowed = encodersOf(entry)
  if (use.encoder !== undefined && !allowed.includes(use.encoder))
    return `slot ${use.slot} goes through ${use.encoder}, but TEMPLATE_SLOTS gives it ${allowed.join(' or ')}`
  return undefined
}

/**
 * The template with each bare `{{slot}}` rewritten to `{{encoder slot}}`, its encoder from TEMPLATE_SLOTS.
 * Throws (a bug in finqa's templates, or a changed copy) when a slot breaks the table: see `slotProblem`.
 * Mutates and returns the parsed program.
 */
export function encodeSlots(template: string, program: AST.Program): AST.Program {
  const problems: string[] = []
  for (const use of slotUses(program)) {
    const problem = slotProblem(template, use)
    if (problem !== undefined) {
      problems.push(`${template}:${use.line}:${use.column + 1}: ${problem}`)
      continue
    }
    const m = use.node
    // The slot's name, for the message when its field is missing (helper arguments are not looked up strictly).
    m.hash = {
      type: 'Hash',
      loc: m.loc,
      pairs: [{ type: 'HashPair', loc: m.loc, key: 'slot', value: literal(use.slot, m.loc) }],
    }
    if (use.encoder !== undefined) continue
    const [encoder] = encodersOf(TEMPLATE_SLOTS[template]?.[use.slot] as SlotEncoders)
    const path = m.path as AST.PathExpression
    m.params = [path]
    const helper: AST.PathExpression = {
      ...path,
      original: encoder as string,
      parts: [encoder as string],
      depth: 0,
      data: false,
    }
    m.path = helper
  }
  if (problems.length > 0) throw new Error(`template slots without their encoder:\n${problems.join('\n')}`)
  return program
}

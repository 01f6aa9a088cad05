import { createRequire } from 'node:module'
import type FullHandlebars from 'handlebars'
import HandlebarsRuntime from 'handlebars/runtime.js'
import { TEMPLATES } from '../generated/templates.js'
import { ENCODERS, type Encoder, FORMAT_HELPERS } from './encoders.js'
import { encodeSlots } from './template-slots.js'

// handlebars/runtime's typings are empty: it is the full API minus the compiler.
const Handlebars = HandlebarsRuntime as unknown as typeof FullHandlebars

/** A template as a function of its view; `shipped` when it is finqa's own, precompiled into the build. */
export type TemplateFn = ((view: object) => string) & { readonly shipped?: true }

/** How every template compiles; `npm run gen:types` precompiles the shipped ones with the same options. */
export const TEMPLATE_OPTIONS = { noEscape: true, strict: true } as const

type SetupParams = (this: unknown, ...args: unknown[]) => Record<string, unknown>
/** The compiler class of an instance (`hb.JavaScriptCompiler`, which handlebars' typings leave out). */
type WithCompiler = { JavaScriptCompiler: { prototype: object } }

/**
 * `hb`, compiling templates whose helper calls pass no source location. Handlebars' compiler
 * (compiler/javascript-compiler.js, `setupHelperArgs`, 4.7) writes `loc: {start: {line, column}, end: {...}}`
 * into the options literal of every helper call: three objects V8 copies from the literal on each call,
 * which no helper of finqa's (nor Handlebars' own) reads. Here `setupParams`' options ignore `loc`. A missing
 * field or helper is still reported with its line: `container.strict` takes its location apart.
 * `createTemplates` and `npm run gen:types` (src/generate.ts) compile with it alike.
 */
export function withoutHelperLocations<T extends typeof FullHandlebars>(hb: T): T {
  const env = hb as unknown as WithCompiler
  const base = env.JavaScriptCompiler.prototype as { setupParams: SetupParams }
  function Compiler() {}
  const proto = Object.create(base) as { compiler: unknown; setupParams: SetupParams }
  // A template's inner blocks compile with `new this.compiler()`: this one.
  proto.compiler = Compiler
  proto.setupParams = function (...args) {
    const options = base.setupParams.apply(this, args)
    Object.defineProperty(options, 'loc', { set() {}, enumerable: false })
    return options
  }
  Compiler.prototype = proto
  env.JavaScriptCompiler = Compiler
  return hb
}

type Precompiled = Readonly<Record<string, { readonly source: string; readonly spec: unknown }>>

/** The precompiled template of this name, when it was built from exactly this text. */
function precompiledOf(name: string, text: string): TemplateSpecification | undefined {
  const entry = (TEMPLATES as Precompiled)[name]
  if (entry === undefined || entry.source !== text) return undefined
  return entry.spec as TemplateSpecification
}

/** True when this template is the shipped one, precompiled into finqa's build. */
export function isPrecompiledTemplate(name: string, text: string): boolean {
  return precompiledOf(name, text) !== undefined
}

function loadCompiler(): typeof FullHandlebars {
  return createRequire(import.meta.url)('handlebars') as typeof FullHandlebars
}

type TemplateSpecification = Parameters<typeof Handlebars.template>[0]

/**
 * One Handlebars instance whose helpers are the encoders of encoders.ts. Templates compile with each bare
 * `{{slot}}` rewritten to `{{encoder slot}}` by the table of template-slots.ts, `noEscape` (no HTML escaping
 * on top) and `strict` (a missing field throws, and becomes a TEMPLATE diagnostic).
 */
export function createTemplates(sources: ReadonlyMap<string, string>): ReadonlyMap<string, TemplateFn> {
  const specs = new Map([...sources].map(([name, text]) => [name, precompiledOf(name, text)]))
  // The runtime runs precompiled templates; the compiler (a larger module) loads only for any other text.
  const needsCompiler = [...specs.values()].some((spec) => spec === undefined)
  const hb = needsCompiler ? withoutHelperLocations(loadCompiler().create()) : Handlebars.create()
  // Every helper is an encoder for one kind of place (encoders.ts), or shapes an encoder's argument.
  for (const [name, encoder] of Object.entries(ENCODERS) as [string, Encoder][]) {
    hb.registerHelper(name, (...args: unknown[]) => {
      // Handlebars looks up a helper's arguments leniently, even in strict mode: a missing field is undefined.
      // (A loop, not slice + includes: this runs for every slot of every file.)
      for (let i = 0; i < args.length - 1; i++) {
        if (args[i] === undefined) {
          const options = args.at(-1) as { hash?: { slot?: string } }
          throw new Error(`"${options.hash?.slot ?? name}" not defined`)
        }
      }
      return encoder.encode(...args)
    })
  }
  for (const [name, format] of Object.entries(FORMAT_HELPERS)) hb.registerHelper(name, format)
  const out = new Map<string, TemplateFn>()
  const full = hb as typeof FullHandlebars
  // Any text but the shipped templates compiles on first use (so that a broken template is a TEMPLATE
  // diagnostic of the render that needs it), with each bare slot given its encoder (template-slots.ts).
  const compileLater = (name: string, text: string): TemplateFn => {
    let compiled: TemplateFn | undefined
    return (view) => {
      compiled ??= full.compile(encodeSlots(name, full.parse(text)), TEMPLATE_OPTIONS)
      return compiled(view)
    }
  }
  for (const [name, text] of sources) {
    if (!name.startsWith('partials/')) continue
    const spec = specs.get(name)
    hb.registerPartial(
      name.slice('partials/'.length).replace(/\.hbs$/, ''),
      spec === undefined ? compileLater(name, text) : hb.template(spec),
    )
  }
  for (const [name, text] of sources) {
    if (name.startsWith('partials/')) continue
    const spec = specs.get(name)
    out.set(
      name,
      spec === undefined
        ? compileLater(name, text)
        : Object.assign(setUpOnce(hb.template(spec)), { shipped: true as const }),
    )
  }
  return out
}

/** A template function of the Handlebars runtime, with the set-up it runs before every render. */
export type RuntimeTemplate = TemplateFn & { _setup?: (options: { partial?: boolean }) => void }

/**
 * The template, its set-up done on its first render only. Before each top-level render the Handlebars runtime
 * (handlebars/dist/cjs/handlebars/runtime.js, `ret._setup`, 4.7) wraps every helper of the instance in a new
 * closure and builds the partials, decorators, hooks and prototype-access tables afresh: some 40 closures
 * and a dozen objects per file, a tenth of a 10,000-experiment compile. What it builds depends only on the
 * instance's helpers and partials, all registered before the first render (`createTemplates`), and on the
 * render's options, which finqa never passes: so the first set-up serves every render. The runtime
 * calls the same `_setup` with `partial: true` when the template is used as a partial; that goes through.
 * A runtime without `_setup` leaves the template as it is.
 */
export function setUpOnce(template: RuntimeTemplate): TemplateFn {
  const setup = template._setup
  if (typeof setup !== 'function') return template
  let done = false
  template._setup = (options) => {
    if (options.partial === true || !done) setup(options)
    done = true
  }
  return template
}

/**
 * The state one normalization accumulates and the context each statement is walked in.
 */
import type { ShellCommand, ShellInput, ShellRedirect } from './schema.js'
import type { Source } from './shell-ast.js'
import type * as sh from './shell-nodes.js'
import type { PathContext } from './shell-paths.js'
import type { WordOptions } from './shell-words.js'

export type Origin = ShellCommand['origin']
export type Pipeline = NonNullable<ShellCommand['pipeline']>
export type Facts = ShellInput['facts']

export interface WalkOptions {
  cwd: string
  home: string
  maxDepth: number
  /**
   * Scopes (see Ctx.scope) where something may change HOME or the working directory, found by
   * an earlier pass: ~ and relative paths there are not trusted.
   */
  homeTainted: ReadonlySet<string>
  cwdTainted: ReadonlySet<string>
}

export interface State {
  opts: WalkOptions
  commands: ShellCommand[]
  facts: Facts
  parseError: string | null
  nextPipeline: number
  /** Scopes seen changing HOME / the working directory in this pass. */
  homeTaints: Set<string>
  cwdTaints: Set<string>
  /** Walks a statement list (set by the walker; lets command emission recurse into scripts). */
  walk: (stmts: sh.Stmt[], ctx: Ctx) => void
}

export interface Ctx {
  src: Source
  depth: number
  origin: Origin
  wrappers: string[]
  pipeline: Pipeline | null
  background: boolean
  /** Redirections of enclosing compound statements, applied to every command inside. */
  redirects: ShellRedirect[]
  /**
   * Where cd or HOME=... takes effect: a path of process scopes ("r" is the top shell; "r/s12"
   * a subshell at byte 12). A change taints its scope and every scope below it.
   */
  scope: string
  /** A wrapper changed HOME / the working directory for this script (sudo sh -c, env -C DIR sh -c). */
  homeUnknown: boolean
  cwdUnknown: boolean
}

export const ROOT_SCOPE = 'r'

export const childScope = (ctx: Ctx, tag: string, offset: number): string => `${ctx.scope}/${tag}${offset}`

const taintedIn = (set: ReadonlySet<string>, scope: string): boolean => {
  let prefix = ''
  for (const part of scope.split('/')) {
    prefix = prefix === '' ? part : `${prefix}/${part}`
    if (set.has(prefix)) return true
  }
  return false
}

export const wordOptions = (state: State, ctx: Ctx): WordOptions => ({
  homeKnown: !ctx.homeUnknown && !taintedIn(state.opts.homeTainted, ctx.scope),
})

export const pathContext = (state: State, ctx: Ctx): PathContext => ({
  cwd: state.opts.cwd,
  home: state.opts.home,
  cwdKnown: !ctx.cwdUnknown && !taintedIn(state.opts.cwdTainted, ctx.scope),
})

/** Facts before anything has been seen. */
export const noFacts = (): Facts => ({
  non_literal_command: false,
  has_unresolved_expansion: false,
  writes_outside_cwd: false,
  opaque: false,
  depth_exceeded: false,
  functions: [],
})

export const newState = (opts: WalkOptions, walk: State['walk']): State => ({
  opts,
  commands: [],
  facts: noFacts(),
  parseError: null,
  nextPipeline: 1,
  homeTaints: new Set(),
  cwdTaints: new Set(),
  walk,
})

/** Record a nested problem; the first one wins (policy blocks on any). */
export const setParseError = (state: State, message: string): void => {
  state.parseError ??= message
}

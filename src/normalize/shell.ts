/**
 * normalizeShell: command text → the `shell` part of the policy input document. Every simple
 * command that could run, nested ones included, with quoting resolved and wrappers unwrapped.
 * Pure (no fs, env or clock) and never throws: any failure is a parse_error, which policy blocks.
 */
import { messageOf } from '../errors.js'
import type { ShellInput } from './schema.js'
import { parseShell, toSource } from './shell-ast.js'
import { newState, noFacts, ROOT_SCOPE, type State, type WalkOptions } from './shell-context.js'
import { walkStmts } from './shell-walk.js'

export interface ShellOptions {
  /** $HOME of the command's user, for the paths of ~ redirect targets (default /root). */
  home?: string
  /** How many nesting levels (sh -c, eval, substitutions, wrappers, functions) to follow (default 8). */
  maxDepth?: number
}

export const DEFAULT_MAX_DEPTH = 8
const DEFAULT_HOME = '/root'
// Each pass can only add taints; more passes than this means something is odd: trust nothing.
const MAX_PASSES = 4


function walkOnce(text: string, opts: WalkOptions): State {
  const parsed = parseShell(text)
  const state = newState(opts, (stmts, ctx) => walkStmts(stmts, state, ctx))
  if (!parsed.ok) {
    state.parseError = parsed.message
    return state
  }
  walkStmts(parsed.file.Stmts, state, {
    src: toSource(text),
    depth: 0,
    origin: 'top',
    wrappers: [],
    pipeline: null,
    background: false,
    redirects: [],
    scope: ROOT_SCOPE,
    homeUnknown: false,
    cwdUnknown: false,
  })
  return state
}

const covers = (have: ReadonlySet<string>, seen: ReadonlySet<string>): boolean => [...seen].every(s => have.has(s))

/**
 * Walk until the scopes where cd / HOME=... may happen are known: a redirect before a `cd` in
 * the text (or in a loop) is still judged as if the cd may have run.
 */
function walkToFixedPoint(text: string, base: Omit<WalkOptions, 'homeTainted' | 'cwdTainted'>): State {
  let homeTainted = new Set<string>()
  let cwdTainted = new Set<string>()
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const state = walkOnce(text, { ...base, homeTainted, cwdTainted })
    if (state.parseError !== null || (covers(homeTainted, state.homeTaints) && covers(cwdTainted, state.cwdTaints))) return state
    homeTainted = new Set([...homeTainted, ...state.homeTaints])
    cwdTainted = new Set([...cwdTainted, ...state.cwdTaints])
  }
  return walkOnce(text, { ...base, homeTainted: new Set([ROOT_SCOPE]), cwdTainted: new Set([ROOT_SCOPE]) })
}

const failed = (args: { command: string; cwd: string }, message: string): ShellInput => ({
  command: String(args.command),
  cwd: String(args.cwd),
  parse_error: message,
  commands: [],
  facts: noFacts(),
})

/** Normalize a shell command for policy. */
export function normalizeShell(args: { command: string; cwd: string }, opts: ShellOptions = {}): ShellInput {
  try {
    if (typeof args.command !== 'string' || typeof args.cwd !== 'string') return failed(args, 'command and cwd must be strings')
    const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH
    const state = walkToFixedPoint(args.command, { cwd: args.cwd, home: opts.home ?? DEFAULT_HOME, maxDepth })
    // A nested script that does not parse keeps the commands found so far (parse_error blocks anyway).
    return { command: args.command, cwd: args.cwd, parse_error: state.parseError, commands: state.commands, facts: state.facts }
  } catch (e) {
    // A normalizer bug must still end in block, with the reason visible.
    return failed(args, `internal error while normalizing: ${messageOf(e)}`)
  }
}

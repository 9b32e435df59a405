/**
 * Simple commands: resolve the words, emit the command, follow what it runs (wrappers, sh -c,
 * eval, a here-document fed to a shell), then the substitutions in its words.
 */
import { posix } from 'node:path'
import type { ShellCommand, ShellRedirect } from './schema.js'
import { collectNodes, nodeType, parseShell, REDIRECT_OPS, sliceNode, startOf, toSource, type Node } from './shell-ast.js'
import type * as sh from './shell-nodes.js'
import { childScope, pathContext, setParseError, wordOptions, ROOT_SCOPE, type Ctx, type Origin, type State } from './shell-context.js'
import { buildRedirect } from './shell-paths.js'
import { isWrapperName, unwrap, type EnvChange, type WrapperAction, type WrapperDeps } from './shell-wrappers.js'
import { plainWord, resolveHeredoc, resolveWord, type ResolvedWord } from './shell-words.js'

const EXPANSIONS = new Set(['ParamExp', 'CmdSubst', 'ArithmExp', 'ProcSubst'])
const SUBSTITUTIONS = new Set(['CmdSubst', 'ProcSubst'])
const HEREDOC_OPS = new Set(['<<', '<<-'])
/** Builtins that change the working directory of the shell they run in (source may do anything). */
const CWD_CHANGERS = new Set(['cd', 'pushd', 'popd', 'source', '.'])
/** Builtins that can set a variable named by an argument (export HOME=..., read HOME, printf -v HOME). */
const VAR_SETTERS = new Set(['export', 'declare', 'typeset', 'local', 'readonly', 'read', 'unset', 'printf', 'mapfile', 'readarray', 'getopts'])
const NAMES_HOME = /^HOME(\+?=|$)/

export function resolveIn(word: sh.Word, state: State, ctx: Ctx): ResolvedWord {
  const resolved = resolveWord(word, ctx.src, wordOptions(state, ctx))
  if (resolved.expansion) state.facts.has_unresolved_expansion = true
  return resolved
}

/** Walk the command and process substitutions found in these nodes, in source order. */
export function walkSubstitutions(nodes: ReadonlyArray<Node | null>, state: State, ctx: Ctx): void {
  const found = nodes.flatMap(n => collectNodes(n, t => EXPANSIONS.has(t), t => SUBSTITUTIONS.has(t)))
  found.sort((a, b) => startOf(a) - startOf(b))
  for (const node of found) {
    state.facts.has_unresolved_expansion = true
    const type = nodeType(node)
    if (!SUBSTITUTIONS.has(type)) continue
    const origin: Origin = type === 'CmdSubst' ? 'command_substitution' : 'process_substitution'
    const stmts = (node as sh.CmdSubst).Stmts
    const inner: Ctx = {
      ...ctx,
      depth: ctx.depth + 1,
      origin,
      pipeline: null,
      redirects: [],
      scope: childScope(ctx, type === 'CmdSubst' ? 'c' : 'p', startOf(node)),
    }
    if (type === 'CmdSubst' && isFileRead(stmts)) emitFileRead(stmts[0] as sh.Stmt, state, inner)
    else state.walk(stmts, inner)
  }
}

/** `$(< file)`: bash reads the file like `$(cat file)`. */
const isFileRead = (stmts: sh.Stmt[]): boolean =>
  stmts.length === 1 && stmts[0]?.Cmd === null && (stmts[0]?.Redirs.length ?? 0) > 0

function emitFileRead(stmt: sh.Stmt, state: State, ctx: Ctx): void {
  if (ctx.depth > state.opts.maxDepth) {
    state.facts.depth_exceeded = true
    return
  }
  const own = buildRedirects(stmt, state, ctx)
  emitCommand([plainWord('cat', startOf(stmt))], state, ctx, {
    assigns: [],
    redirects: own,
    stdin: null,
    appended: false,
    env: { homeUnknown: false, cwdUnknown: false },
  })
  walkSubstitutions(redirectNodes(stmt), state, ctx)
}

export function buildRedirects(stmt: sh.Stmt, state: State, ctx: Ctx): ShellRedirect[] {
  return stmt.Redirs.map(r => {
    const op = REDIRECT_OPS[r.Op]
    const word = r.Word
    const target = word ? resolveIn(word, state, ctx) : plainWord('')
    if (op === undefined) {
      // An operator this build does not name: judge it as an unknown write.
      return { op: `op${r.Op}`, fd: null, target: target.text, literal: false, path: null, writes: true, outside_cwd: true }
    }
    return buildRedirect(op, r.N ? r.N.Value : null, target, pathContext(state, ctx))
  })
}

/** The words of redirections and unquoted here-document bodies, where substitutions run. */
export const redirectNodes = (stmt: sh.Stmt): Array<Node | null> => stmt.Redirs.flatMap(r => [r.Word, r.Hdoc])

/** What a command reads on stdin when it is a script we can see: the last fd-0 here-document or here-string. */
function stdinFeed(stmt: sh.Stmt, state: State, ctx: Ctx): { text: string; literal: boolean } | null {
  let feed: { text: string; literal: boolean } | null = null
  for (const r of stmt.Redirs) {
    const op = REDIRECT_OPS[r.Op] ?? ''
    const fd = r.N ? r.N.Value : '0'
    if (fd !== '0' || !op.startsWith('<')) continue
    if (HEREDOC_OPS.has(op)) feed = resolveHeredoc(r, ctx.src)
    else if (op === '<<<' && r.Word) {
      const w = resolveIn(r.Word, state, ctx)
      feed = { text: `${w.text}\n`, literal: w.literal && !w.glob && !w.brace }
    } else feed = null
  }
  return feed
}

interface EmitInfo {
  assigns: string[]
  redirects: ShellRedirect[]
  stdin: { text: string; literal: boolean } | null
  /** Arguments appended at run time by an enclosing xargs / find -exec. */
  appended: boolean
  /** Prefix assignments and wrappers changed HOME / cwd for what this command runs. */
  env: EnvChange
}

/** A command that may cd or set HOME in the shell it runs in taints that shell's scope. */
const markTaints = (state: State, ctx: Ctx, cmd: ShellCommand, words: ResolvedWord[]): void => {
  const unknown = !cmd.literal || cmd.name === 'source' || cmd.name === '.'
  if (unknown || CWD_CHANGERS.has(cmd.name)) state.cwdTaints.add(ctx.scope)
  const setsHome = VAR_SETTERS.has(cmd.name) && words.slice(1).some(w => !w.literal || NAMES_HOME.test(w.text))
  if (unknown || setsHome) state.homeTaints.add(ctx.scope)
}

const splitDeps = (state: State, ctx: Ctx): WrapperDeps => ({
  splitWords(text) {
    const parsed = parseShell(text)
    if (!parsed.ok || parsed.file.Stmts.length !== 1) return null
    const stmt = parsed.file.Stmts[0] as sh.Stmt
    if (nodeType(stmt.Cmd) !== 'CallExpr' || stmt.Redirs.length > 0 || stmt.Background || stmt.Negated) return null
    const call = stmt.Cmd as sh.CallExpr
    if (call.Assigns.some(a => a.Index || a.Array || a.Append)) return null
    const src = toSource(text)
    const sub: Ctx = { ...ctx, src }
    // Leading NAME=VALUE words parse as assignments; for env they are plain words.
    return [...call.Assigns.map(a => declWord(a, state, sub)), ...call.Args.map(w => resolveIn(w, state, sub))]
  },
})

/** Parse and walk a script string (sh -c, eval, su -c, a here-document fed to a shell). */
function walkScript(
  words: ResolvedWord[],
  origin: Origin,
  state: State,
  ctx: Ctx,
  how: { scope: string; lenient: boolean; wrappers: string[]; info: EmitInfo; env: EnvChange },
): void {
  const text = words.map(w => w.text).join(' ')
  const literal = words.every(w => w.literal && !w.glob && !w.brace)
  if (!literal) {
    state.facts.opaque = true
    // eval of an unknown string may cd or set HOME in this very shell.
    state.cwdTaints.add(how.scope)
    state.homeTaints.add(how.scope)
    return
  }
  if (ctx.depth + 1 > state.opts.maxDepth) {
    state.facts.depth_exceeded = true
    return
  }
  const parsed = parseShell(text)
  if (!parsed.ok) {
    if (how.lenient) state.facts.opaque = true
    else setParseError(state, `${origin} script at depth ${ctx.depth + 1}: ${parsed.message}`)
    return
  }
  state.walk(parsed.file.Stmts, {
    src: toSource(text),
    depth: ctx.depth + 1,
    origin,
    wrappers: how.wrappers,
    pipeline: ctx.pipeline,
    background: ctx.background,
    redirects: how.info.redirects,
    scope: how.scope,
    homeUnknown: ctx.homeUnknown || how.env.homeUnknown,
    cwdUnknown: ctx.cwdUnknown || how.env.cwdUnknown,
  })
}

function follow(action: WrapperAction, name: string, state: State, ctx: Ctx, info: EmitInfo, at: number): void {
  const wrappers = isWrapperName(name) ? [...ctx.wrappers, name] : ctx.wrappers
  switch (action.kind) {
    case 'exec': {
      const env = { homeUnknown: info.env.homeUnknown || action.env.homeUnknown, cwdUnknown: info.env.cwdUnknown || action.env.cwdUnknown }
      emitCommand(action.argv, state, { ...ctx, depth: ctx.depth + 1, origin: action.origin, wrappers }, {
        assigns: action.assigns,
        redirects: info.redirects,
        stdin: action.keepsStdin ? info.stdin : null,
        appended: info.appended || action.dynamic,
        env,
      })
      return
    }
    case 'script': {
      const scope = action.scope === 'same' ? ctx.scope : action.scope === 'global' ? ROOT_SCOPE : childScope(ctx, 'x', at)
      const env = { homeUnknown: info.env.homeUnknown || action.env.homeUnknown, cwdUnknown: info.env.cwdUnknown || action.env.cwdUnknown }
      walkScript(action.words, action.origin, state, ctx, { scope, lenient: action.lenient, wrappers, info, env })
      return
    }
    case 'stdin_shell': {
      if (!info.stdin) return
      const word: ResolvedWord = { text: info.stdin.text, literal: info.stdin.literal, expansion: false, glob: false, brace: false, tilde: false, start: at }
      walkScript([word], 'heredoc', state, ctx, { scope: childScope(ctx, 'h', at), lenient: action.lenient, wrappers, info, env: info.env })
      return
    }
    case 'opaque':
      state.facts.opaque = true
  }
}

/** Emit the command `words` runs, then whatever it runs in turn. */
function emitCommand(words: ResolvedWord[], state: State, ctx: Ctx, info: EmitInfo): void {
  const first = words[0]
  if (!first) return
  if (ctx.depth > state.opts.maxDepth) {
    state.facts.depth_exceeded = true
    return
  }
  // A glob or brace expansion in the command word can turn into another program (/bin/r? → rm).
  const literal = first.literal && !first.glob && !first.brace
  const cmd: ShellCommand = {
    name: literal ? posix.basename(first.text) : '',
    path: first.text,
    literal,
    args: words.slice(1).map(w => w.text),
    dynamic: info.appended || words.slice(1).some(w => !w.literal),
    assigns: info.assigns,
    redirects: info.redirects,
    wrappers: ctx.wrappers,
    origin: ctx.origin,
    depth: ctx.depth,
    pipeline: ctx.pipeline,
    background: ctx.background,
  }
  state.commands.push(cmd)
  if (!literal) state.facts.non_literal_command = true
  if (info.redirects.some(r => r.outside_cwd)) state.facts.writes_outside_cwd = true
  markTaints(state, ctx, cmd, words)
  if (!literal) return
  for (const action of unwrap(cmd.name, words, splitDeps(state, ctx))) follow(action, cmd.name, state, ctx, info, first.start)
}

/** A simple command statement: `FOO=1 cmd args <redirects>`. */
export function walkCall(call: sh.CallExpr, stmt: sh.Stmt, own: ShellRedirect[], state: State, ctx: Ctx): void {
  const assigns = call.Assigns.map(a => a.Name?.Value ?? '')
  const words = call.Args.map(w => resolveIn(w, state, ctx))
  // Source order: substitutions written before the command word come before the command.
  const commandStart = words[0]?.start ?? Infinity
  const wordNodes: Array<Node | null> = [...call.Assigns.flatMap(a => [a.Index, a.Value, a.Array]), ...call.Args, ...redirectNodes(stmt)]
  const before = wordNodes.filter(n => n !== null && startOf(n) < commandStart)
  walkSubstitutions(before, state, ctx)
  if (words.length === 0) {
    // A bare assignment changes this shell's variables.
    if (assigns.includes('HOME')) state.homeTaints.add(ctx.scope)
    return
  }
  emitCommand(words, state, ctx, {
    assigns,
    redirects: [...ctx.redirects, ...own],
    stdin: stdinFeed(stmt, state, ctx),
    appended: false,
    env: { homeUnknown: assigns.includes('HOME'), cwdUnknown: false },
  })
  walkSubstitutions(wordNodes.filter(n => n !== null && startOf(n) >= commandStart), state, ctx)
}

const hasExpansion = (node: Node | null): boolean => collectNodes(node, t => EXPANSIONS.has(t), () => false).length > 0

/** One declare argument as a word: `-x`, `NAME`, `NAME=value`, `NAME[i]+=value`, `NAME=(a b)`. */
function declWord(a: sh.Assign, state: State, ctx: Ctx): ResolvedWord {
  if (a.Naked) return a.Value ? resolveIn(a.Value, state, ctx) : plainWord(a.Name?.Value ?? '', startOf(a))
  const index = a.Index ? `[${sliceNode(ctx.src, a.Index)}]` : ''
  const lhs = `${a.Name?.Value ?? ''}${index}${a.Append ? '+=' : '='}`
  if (a.Array) return { ...plainWord(`${lhs}${sliceNode(ctx.src, a.Array)}`, startOf(a)), literal: !hasExpansion(a.Array) }
  const value = a.Value ? resolveIn(a.Value, state, ctx) : plainWord('')
  return { ...value, text: `${lhs}${value.text}`, tilde: false, start: startOf(a) }
}

/** declare / local / export / readonly / typeset: a builtin command whose arguments are assignments. */
export function walkDecl(decl: sh.DeclClause, own: ShellRedirect[], state: State, ctx: Ctx): void {
  const variant = plainWord(decl.Variant?.Value ?? 'declare', startOf(decl))
  const words = [variant, ...decl.Args.map(a => declWord(a, state, ctx))]
  if (decl.Args.some(a => a.Name?.Value === 'HOME')) state.homeTaints.add(ctx.scope)
  emitCommand(words, state, ctx, {
    assigns: [],
    redirects: [...ctx.redirects, ...own],
    stdin: null,
    appended: false,
    env: { homeUnknown: false, cwdUnknown: false },
  })
  walkSubstitutions(decl.Args.flatMap(a => [a.Index, a.Value, a.Array]), state, ctx)
}

/**
 * Statements and compound commands: lists, pipelines, subshells, blocks, if/while/for/case,
 * functions, coproc, time, [[ ]] and (( )). Every simple command inside goes to shell-call.
 */
import { BINARY_OPS, nodeType, startOf, type Node } from './shell-ast.js'
import type * as sh from './shell-nodes.js'
import { buildRedirects, redirectNodes, walkCall, walkDecl, walkSubstitutions } from './shell-call.js'
import { childScope, ROOT_SCOPE, setParseError, type Ctx, type State } from './shell-context.js'

const PIPE_OPS = new Set(['|', '|&'])

export function walkStmts(stmts: sh.Stmt[], state: State, ctx: Ctx): void {
  for (const stmt of stmts) walkStmt(stmt, state, ctx)
}

function walkStmt(stmt: sh.Stmt, state: State, ctx: Ctx): void {
  if (ctx.depth > state.opts.maxDepth) {
    state.facts.depth_exceeded = true
    return
  }
  const here: Ctx = { ...ctx, background: ctx.background || stmt.Background || stmt.Coprocess }
  const own = buildRedirects(stmt, state, here)
  if (own.some(r => r.outside_cwd)) state.facts.writes_outside_cwd = true
  const cmd = stmt.Cmd
  switch (nodeType(cmd)) {
    case 'CallExpr':
      // The call walks its own redirect words, in source order with its arguments.
      walkCall(cmd as sh.CallExpr, stmt, own, state, here)
      return
    case 'DeclClause':
      walkDecl(cmd as sh.DeclClause, own, state, here)
      break
    case '':
      // A statement of redirections only (`> file`): it still opens the files.
      break
    default:
      walkCompound(cmd as Node, state, { ...here, redirects: [...here.redirects, ...own] })
  }
  walkSubstitutions(redirectNodes(stmt), state, here)
}

/** Pipeline stages, flattened: `a | b | c` parses as ((a | b) | c). */
function pipelineStages(stmt: sh.Stmt): sh.Stmt[] {
  const cmd = stmt.Cmd
  if (nodeType(cmd) !== 'BinaryCmd') return [stmt]
  const bin = cmd as sh.BinaryCmd
  if (!PIPE_OPS.has(BINARY_OPS[bin.Op] ?? '') || stmt.Redirs.length > 0 || stmt.Negated || stmt.Background) return [stmt]
  return [...pipelineStages(bin.X), ...pipelineStages(bin.Y)]
}

function walkBinary(bin: sh.BinaryCmd, state: State, ctx: Ctx): void {
  const op = BINARY_OPS[bin.Op]
  if (op === '&&' || op === '||') {
    walkStmt(bin.X, state, ctx)
    walkStmt(bin.Y, state, ctx)
    return
  }
  if (op === undefined) {
    setParseError(state, `unsupported operator ${bin.Op}`)
    return
  }
  const stages = [...pipelineStages(bin.X), ...pipelineStages(bin.Y)]
  const id = state.nextPipeline++
  stages.forEach((stage, position) => {
    // Stages run in subshells, so a cd there does not leak; the last may not (bash lastpipe, zsh).
    const last = position === stages.length - 1
    walkStmt(stage, state, {
      ...ctx,
      pipeline: { id, position, length: stages.length },
      scope: last ? ctx.scope : childScope(ctx, `p${id}.`, position),
    })
  })
}

function walkIf(clause: sh.IfClause, state: State, ctx: Ctx): void {
  walkStmts(clause.Cond, state, ctx)
  walkStmts(clause.Then, state, ctx)
  if (clause.Else) walkIf(clause.Else, state, ctx)
}

function walkFor(clause: sh.ForClause, state: State, ctx: Ctx): void {
  const loop = clause.Loop
  if (nodeType(loop) === 'WordIter') walkSubstitutions((loop as sh.WordIter).Items, state, ctx)
  else if (nodeType(loop) === 'CStyleLoop') {
    const c = loop as sh.CStyleLoop
    walkSubstitutions([c.Init, c.Cond, c.Post], state, ctx)
  }
  walkStmts(clause.Do, state, ctx)
}

function walkCase(clause: sh.CaseClause, state: State, ctx: Ctx): void {
  walkSubstitutions([clause.Word], state, ctx)
  for (const item of clause.Items) {
    walkSubstitutions(item.Patterns, state, ctx)
    walkStmts(item.Stmts, state, ctx)
  }
}

function walkFunction(decl: sh.FuncDecl, state: State, ctx: Ctx): void {
  const name = decl.Name?.Value ?? ''
  if (!state.facts.functions.includes(name)) state.facts.functions.push(name)
  if (!decl.Body) return
  // The body runs wherever the function is called: a cd inside it may affect the whole text.
  walkStmt(decl.Body, state, {
    ...ctx,
    depth: ctx.depth + 1,
    origin: 'function',
    pipeline: null,
    background: false,
    redirects: [],
    scope: ROOT_SCOPE,
  })
}

function walkCompound(cmd: Node, state: State, ctx: Ctx): void {
  switch (nodeType(cmd)) {
    case 'BinaryCmd':
      return walkBinary(cmd as sh.BinaryCmd, state, ctx)
    case 'Subshell':
      return walkStmts((cmd as sh.Subshell).Stmts, state, { ...ctx, origin: 'subshell', scope: childScope(ctx, 's', startOf(cmd)) })
    case 'Block':
      return walkStmts((cmd as sh.Block).Stmts, state, ctx)
    case 'IfClause':
      return walkIf(cmd as sh.IfClause, state, ctx)
    case 'WhileClause': {
      const w = cmd as sh.WhileClause
      walkStmts(w.Cond, state, ctx)
      return walkStmts(w.Do, state, ctx)
    }
    case 'ForClause':
      return walkFor(cmd as sh.ForClause, state, ctx)
    case 'CaseClause':
      return walkCase(cmd as sh.CaseClause, state, ctx)
    case 'FuncDecl':
      return walkFunction(cmd as sh.FuncDecl, state, ctx)
    case 'TimeClause': {
      const t = cmd as sh.TimeClause
      if (t.Stmt) walkStmt(t.Stmt, state, ctx)
      return
    }
    case 'CoprocClause': {
      const c = cmd as sh.CoprocClause
      walkSubstitutions([c.Name], state, ctx)
      if (c.Stmt) walkStmt(c.Stmt, state, { ...ctx, background: true, scope: childScope(ctx, 'k', startOf(cmd)) })
      return
    }
    case 'TestClause':
    case 'ArithmCmd':
    case 'LetClause':
      // Not programs; only the substitutions inside them run.
      return walkSubstitutions([cmd], state, ctx)
    default:
      setParseError(state, `unsupported shell construct ${nodeType(cmd) || 'unknown'}`)
  }
}

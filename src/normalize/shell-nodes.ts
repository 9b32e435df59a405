/**
 * The shell syntax tree as the normalizer reads it: plain objects converted from the Go values
 * of mvdan.cc/sh/v3/syntax. Field names mirror the Go AST; nil is null; operators are numbers.
 */
export interface Pos {
  Offset(): number
  Line(): number
  Col(): number
}
export interface Node {
  /** The Go type name without package: CallExpr, Word, Lit... */
  type: string
  Pos(): Pos
  End(): Pos
}
export interface File extends Node {
  Stmts: Stmt[]
}
export interface Stmt extends Node {
  Cmd: Node | null
  Negated: boolean
  Background: boolean
  Coprocess: boolean
  Redirs: Redirect[]
}
export interface Redirect extends Node {
  Op: number
  N: Lit | null
  Word: Word | null
  Hdoc: Word | null
}
export interface Lit extends Node {
  Value: string
}
export interface Word extends Node {
  Parts: Node[]
}
export interface SglQuoted extends Node {
  Dollar: boolean
  Value: string
}
export interface DblQuoted extends Node {
  Dollar: boolean
  Parts: Node[]
}
export interface CmdSubst extends Node {
  Stmts: Stmt[]
  Backquotes: boolean
}
export interface ProcSubst extends Node {
  Op: number
  Stmts: Stmt[]
}
export interface ArrayElem extends Node {
  Index: Node | null
  Value: Word | null
}
export interface ArrayExpr extends Node {
  Elems: ArrayElem[]
}
export interface Assign extends Node {
  Append: boolean
  Naked: boolean
  Name: Lit | null
  Index: Node | null
  Value: Word | null
  Array: ArrayExpr | null
}
export interface CallExpr extends Node {
  Assigns: Assign[]
  Args: Word[]
}
export interface BinaryCmd extends Node {
  Op: number
  X: Stmt
  Y: Stmt
}
export interface Subshell extends Node {
  Stmts: Stmt[]
}
export interface Block extends Node {
  Stmts: Stmt[]
}
export interface IfClause extends Node {
  Cond: Stmt[]
  Then: Stmt[]
  Else: IfClause | null
}
export interface WhileClause extends Node {
  Until: boolean
  Cond: Stmt[]
  Do: Stmt[]
}
export interface WordIter extends Node {
  Name: Lit | null
  Items: Word[]
}
export interface CStyleLoop extends Node {
  Init: Node | null
  Cond: Node | null
  Post: Node | null
}
export interface ForClause extends Node {
  Select: boolean
  Loop: Node | null
  Do: Stmt[]
}
export interface CaseItem extends Node {
  Op: number
  Patterns: Word[]
  Stmts: Stmt[]
}
export interface CaseClause extends Node {
  Word: Word | null
  Items: CaseItem[]
}
export interface FuncDecl extends Node {
  Name: Lit | null
  Body: Stmt | null
}
export interface DeclClause extends Node {
  Variant: Lit | null
  Args: Assign[]
}
export interface TimeClause extends Node {
  Stmt: Stmt | null
}
export interface CoprocClause extends Node {
  Name: Word | null
  Stmt: Stmt | null
}

/**
 * The mvdan-sh parser behind a small, typed, non-throwing surface: parse text into plain syntax
 * nodes, name operators, slice source text, find nodes in a subtree.
 *
 * Why not use the package's JavaScript wrappers: every field read through them re-wraps Go values
 * (tens of microseconds each), which made normalizing one short command cost milliseconds. The Go
 * values behind the wrapper carry their type metadata, so one generic pass converts the tree.
 */
/// <reference path="../types/mvdan-sh.d.ts" />
import sh from 'mvdan-sh'
import type { File, Node, Pos, Redirect, Stmt } from './shell-nodes.js'

export type { Node }

/** Redirection operators by the number the GopherJS build exposes (mvdan.cc/sh/v3 token values). */
export const REDIRECT_OPS: Readonly<Record<number, string>> = {
  54: '>',
  55: '>>',
  56: '<',
  57: '<>',
  58: '<&',
  59: '>&',
  60: '>|',
  61: '<<',
  62: '<<-',
  63: '<<<',
  64: '&>',
  65: '&>>',
}

/** Binary command operators: lists and pipelines. */
export const BINARY_OPS: Readonly<Record<number, string>> = { 10: '&&', 11: '||', 12: '|', 13: '|&' }

export const nodeType = (node: Node | null | undefined): string => node?.type ?? ''

/** Source text with byte offsets (the parser counts UTF-8 bytes, JavaScript counts UTF-16 units). */
export interface Source {
  text: string
  bytes: Buffer
}

export const toSource = (text: string): Source => ({ text, bytes: Buffer.from(text, 'utf8') })

/** The text of a node exactly as written. */
export const sliceNode = (src: Source, node: Node): string =>
  src.bytes.subarray(node.Pos().Offset(), node.End().Offset()).toString('utf8')

export const startOf = (node: Node): number => node.Pos().Offset()

// GopherJS reflection: the kinds and shapes of Go values as the runtime stores them.
const KIND = { bool: 1, iface: 20, ptr: 22, slice: 23, string: 24, struct: 25 } as const
interface GoType {
  kind: number
  string: string
  nil?: unknown
  elem?: GoType
  fields?: Array<{ name: string; prop: string; exported: boolean; typ: GoType }>
}
interface GoNode {
  constructor: GoType
  Pos(): Pos
  End(): Pos
  [prop: string]: unknown
}
interface GoSlice {
  $array: unknown[]
  $offset: number
  $length: number
}

// Comments and positions inside nodes are not needed; skipping them keeps the conversion cheap.
const SKIP_FIELDS = new Set(['Comments', 'Last'])

/** Go strings are byte strings in GopherJS: decode non-ASCII ones as UTF-8. */
const goString = (s: string): string => (/[^\x00-\x7f]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s)

const typeOf = (v: unknown): GoType | null => {
  const ctor = (v as { constructor?: { string?: unknown } } | null)?.constructor
  return ctor && typeof ctor.string === 'string' ? (ctor as unknown as GoType) : null
}

class PlainNode {
  constructor(
    readonly type: string,
    private readonly go: GoNode,
  ) {}
  Pos(): Pos {
    return this.go.Pos()
  }
  End(): Pos {
    return this.go.End()
  }
}

function convert(value: unknown, typ: GoType): unknown {
  switch (typ.kind) {
    case KIND.ptr: {
      if (value === typ.nil || value === null || value === undefined) return null
      return typ.elem?.kind === KIND.struct ? convertStruct(value as GoNode, typ.elem) : null
    }
    case KIND.iface: {
      const actual = typeOf(value)
      return actual ? convert(value, actual) : null
    }
    case KIND.slice: {
      const s = value as GoSlice
      const out: unknown[] = []
      for (let k = 0; k < s.$length; k++) out.push(convert(s.$array[s.$offset + k], typ.elem as GoType))
      return out
    }
    case KIND.string:
      return goString(value as string)
    case KIND.struct:
      return null
    default:
      return value
  }
}

function convertStruct(go: GoNode, struct: GoType): PlainNode {
  const node = new PlainNode(struct.string.replace(/^syntax\./, ''), go) as PlainNode & Record<string, unknown>
  for (const field of struct.fields ?? []) {
    if (!field.exported || SKIP_FIELDS.has(field.name)) continue
    node[field.name] = convert(go[field.prop], field.typ)
  }
  return node
}

export type ParseResult = { ok: true; file: File } | { ok: false; message: string }

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const errorMessage = (e: unknown): string => {
  if (e && typeof e === 'object' && 'Error' in e && typeof (e as { Error: unknown }).Error === 'function') {
    return String((e as sh.ParseError).Error())
  }
  if (e instanceof RangeError) return 'command is nested too deeply to parse'
  if (e instanceof Error) return e.message
  return String(e)
}

let parser: sh.Parser | null = null

/** Parse bash text; never throws. A NUL byte or broken Unicode is a parse error (bash and exec disagree on them). */
export function parseShell(text: string): ParseResult {
  if (text.includes('\0')) return { ok: false, message: 'command contains a NUL byte' }
  if (LONE_SURROGATE.test(text)) return { ok: false, message: 'command is not valid Unicode' }
  try {
    // Parse resets the parser's state itself; reuse saves most of the cost of a short parse.
    parser ??= sh.syntax.NewParser(sh.syntax.Variant(sh.syntax.LangBash))
    const go = parser.Parse(text, '').__internal_object__
    const typ = typeOf(go)
    if (!typ || typ.string !== '*syntax.File') return { ok: false, message: 'unexpected parser result' }
    return { ok: true, file: convert(go, typ) as File }
  } catch (e) {
    // A parser interrupted by an error (a stack overflow above all) is not trusted again.
    parser = null
    return { ok: false, message: errorMessage(e) }
  }
}

/** Child nodes of a node in field order (which is source order for the syntax tree). */
function children(node: Node): Node[] {
  const out: Node[] = []
  for (const value of Object.values(node)) {
    if (value instanceof PlainNode) out.push(value as unknown as Node)
    else if (Array.isArray(value)) for (const item of value) if (item instanceof PlainNode) out.push(item as unknown as Node)
  }
  return out
}

/** Nodes of a subtree in source order, not descending below nodes where `stop` is true. */
export function collectNodes(root: Node | null, want: (type: string) => boolean, stop: (type: string) => boolean): Node[] {
  const out: Node[] = []
  const visit = (node: Node): void => {
    if (want(node.type)) out.push(node)
    if (!stop(node.type)) for (const child of children(node)) visit(child)
  }
  if (root) visit(root)
  return out
}

export type { File, Redirect, Stmt }

/**
 * Word resolution: quotes and escapes resolved the way bash resolves them; expansions that
 * only exist at run time rendered as written and marked not literal.
 */
import { nodeType, sliceNode, startOf, type Node, type Source } from './shell-ast.js'
import type * as sh from './shell-nodes.js'

export interface ResolvedWord {
  /** The word with quotes/escapes resolved, expansions as written, a leading ~ as $HOME. */
  text: string
  /** No unresolved expansion: the text is what the program receives (globs and braces aside). */
  literal: boolean
  /** Has a parameter, command, arithmetic or process expansion (or a tilde we cannot resolve). */
  expansion: boolean
  /** Has an unquoted glob (`*`, `?`, `[...]`, extglob): the shell may replace it with file names. */
  glob: boolean
  /** Has an unquoted brace expansion (`{a,b}`, `{1..3}`): the shell splits it into several words. */
  brace: boolean
  /** Began with a tilde that became $HOME. */
  tilde: boolean
  /** Byte offset of the word in its source (for source-order sorting). */
  start: number
}

export interface WordOptions {
  /** $HOME is the gateway's home here; false when something may have changed it. */
  homeKnown: boolean
}

const GLOB = /[*?]|\[[^\]]*\]/
const BRACE = /\{[^{}]*(,|\.\.)[^{}]*\}/

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
}

const HEX = /^[0-9a-fA-F]$/
const OCT = /^[0-7]$/

const takeWhile = (s: string, from: number, max: number, ok: RegExp): string => {
  let out = ''
  for (let i = from; i < s.length && out.length < max && ok.test(s[i] ?? ''); i++) out += s[i]
  return out
}

/** Decode the body of a $'...' string; like bash, a NUL ends the string. */
export function decodeAnsiC(raw: string): string {
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c
      continue
    }
    const n = raw[i + 1] as string
    let code: number | null = null
    let used = 1
    const simple = SIMPLE_ESCAPES[n]
    if (simple !== undefined) {
      out += simple
      i += 1
      continue
    }
    if (OCT.test(n)) {
      const digits = takeWhile(raw, i + 1, 3, OCT)
      code = parseInt(digits, 8)
      used = digits.length
    } else if (n === 'x' || n === 'u' || n === 'U') {
      const digits = takeWhile(raw, i + 2, n === 'x' ? 2 : n === 'u' ? 4 : 8, HEX)
      if (digits.length === 0) {
        out += '\\' + n
        i += 1
        continue
      }
      code = parseInt(digits, 16)
      used = 1 + digits.length
    } else if (n === 'c' && i + 2 < raw.length) {
      code = (raw[i + 2] as string).toUpperCase().charCodeAt(0) & 0x1f
      used = 2
    } else {
      out += '\\' + n
      i += 1
      continue
    }
    if (code === 0) return out
    out += code > 0x10ffff ? '\ufffd' : String.fromCodePoint(code)
    i += used
  }
  return out
}

/** Remove backslashes the way bash does inside "..." (or in a here-document body when `inHeredoc`). */
export function unescapeDouble(raw: string, inHeredoc = false): string {
  const special = inHeredoc ? '$`\\\n' : '$`"\\\n'
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string
    const n = raw[i + 1]
    if (c === '\\' && n !== undefined && special.includes(n)) {
      if (n !== '\n') out += n
      i += 1
    } else out += c
  }
  return out
}

interface Acc {
  text: string
  // Same length as text: unquoted characters as themselves, quoted ones as 'q', expansions as 'x'.
  mask: string
  literal: boolean
  expansion: boolean
  glob: boolean
  tilde: boolean
}

const addQuoted = (acc: Acc, s: string): void => {
  acc.text += s
  acc.mask += 'q'.repeat(s.length)
}

const addExpansion = (acc: Acc, s: string): void => {
  acc.text += s
  acc.mask += 'x'.repeat(s.length)
  acc.literal = false
  acc.expansion = true
}

const addUnquoted = (acc: Acc, raw: string): void => {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string
    if (c === '\\' && i + 1 < raw.length) {
      const n = raw[i + 1] as string
      if (n !== '\n') addQuoted(acc, n)
      i += 1
    } else {
      acc.text += c
      acc.mask += c
    }
  }
}

/** A leading unquoted ~ or ~/...: becomes $HOME. Returns false when the part is not a tilde form. */
const addTilde = (acc: Acc, raw: string, alone: boolean, opts: WordOptions): boolean => {
  if (!raw.startsWith('~')) return false
  const slash = raw.indexOf('/')
  if (slash < 0 && !alone) return false
  const prefix = slash < 0 ? raw : raw.slice(0, slash)
  if (prefix.includes('\\')) return false
  if (prefix !== '~') {
    // ~user, ~+, ~-: another user's home or a directory stack entry: not known here.
    addExpansion(acc, prefix)
  } else if (opts.homeKnown) {
    addQuoted(acc, '$HOME')
    acc.tilde = true
  } else {
    addExpansion(acc, '$HOME')
    acc.tilde = true
  }
  addUnquoted(acc, raw.slice(prefix.length))
  return true
}

const addDoubleQuotedParts = (acc: Acc, parts: Node[], src: Source, inHeredoc: boolean): void => {
  for (const part of parts) {
    if (nodeType(part) === 'Lit') addQuoted(acc, unescapeDouble((part as sh.Lit).Value, inHeredoc))
    else addExpansion(acc, sliceNode(src, part))
  }
}

const addPart = (acc: Acc, part: Node, src: Source): void => {
  switch (nodeType(part)) {
    case 'Lit':
      addUnquoted(acc, (part as sh.Lit).Value)
      return
    case 'SglQuoted': {
      const q = part as sh.SglQuoted
      addQuoted(acc, q.Dollar ? decodeAnsiC(q.Value) : q.Value)
      return
    }
    case 'DblQuoted':
      addDoubleQuotedParts(acc, (part as sh.DblQuoted).Parts, src, false)
      return
    case 'ExtGlob':
      acc.text += sliceNode(src, part)
      acc.mask += 'x'.repeat(sliceNode(src, part).length)
      acc.glob = true
      return
    default:
      // ParamExp, CmdSubst, ArithmExp, ProcSubst, and anything unknown: not known before run time.
      addExpansion(acc, sliceNode(src, part))
  }
}

const finish = (acc: Acc, start: number): ResolvedWord => ({
  text: acc.text,
  literal: acc.literal,
  expansion: acc.expansion,
  glob: acc.glob || GLOB.test(acc.mask),
  brace: BRACE.test(acc.mask),
  tilde: acc.tilde,
  start,
})

const emptyAcc = (): Acc => ({ text: '', mask: '', literal: true, expansion: false, glob: false, tilde: false })

/** Resolve one shell word. */
export function resolveWord(word: sh.Word, src: Source, opts: WordOptions): ResolvedWord {
  const acc = emptyAcc()
  const parts = word.Parts
  parts.forEach((part, i) => {
    if (i === 0 && nodeType(part) === 'Lit' && addTilde(acc, (part as sh.Lit).Value, parts.length === 1, opts)) return
    addPart(acc, part, src)
  })
  return finish(acc, startOf(word))
}

/** The text a here-document delivers on stdin: literal when its delimiter was quoted or it has no expansion. */
export function resolveHeredoc(redirect: sh.Redirect, src: Source): { text: string; literal: boolean } {
  const delimiter = redirect.Word
  const quoted = delimiter !== null && delimiter.Parts.some(p => nodeType(p) !== 'Lit' || (p as sh.Lit).Value.includes('\\'))
  const acc = emptyAcc()
  for (const part of redirect.Hdoc?.Parts ?? []) {
    if (nodeType(part) !== 'Lit') addExpansion(acc, sliceNode(src, part))
    else addQuoted(acc, quoted ? (part as sh.Lit).Value : unescapeDouble((part as sh.Lit).Value, true))
  }
  let text = acc.text
  // <<- strips leading tabs from every body line.
  if (redirect.Op === 62) text = text.replace(/^\t+/gm, '')
  return { text, literal: acc.literal }
}

/** A word made of plain text (for argv built by wrappers, e.g. the default echo of xargs). */
export const plainWord = (text: string, start = 0): ResolvedWord => ({
  text,
  literal: true,
  expansion: false,
  glob: false,
  brace: false,
  tilde: false,
  start,
})

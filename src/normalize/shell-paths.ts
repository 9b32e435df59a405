/**
 * Redirect targets → absolute paths, and whether a write lands outside the working directory.
 * Pure string work (POSIX paths): no filesystem, no process.cwd().
 */
import { posix } from 'node:path'
import type { ShellRedirect } from './schema.js'
import type { ResolvedWord } from './shell-words.js'

const WRITE_OPS = new Set(['>', '>>', '&>', '&>>', '>|', '<>'])
const HEREDOC_OPS = new Set(['<<', '<<-', '<<<'])

/** Write targets that are not files of the machine: the bit bucket and the process's own streams. */
const HARMLESS_WRITE = /^\/dev\/(null|stdout|stderr|fd\/\d+)$/

export interface PathContext {
  cwd: string
  home: string
  /** The working directory may have changed (cd, env -C, su -l...): relative paths are unknown. */
  cwdKnown: boolean
}

/** Normalize `p` against `base` without touching process.cwd(); null if the result is not absolute. */
export function absolutePath(p: string, base: string): string | null {
  const joined = posix.isAbsolute(p) ? p : `${base}/${p}`
  if (!posix.isAbsolute(joined)) return null
  const normalized = posix.normalize(joined)
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized
}

export function isInside(path: string, dir: string): boolean {
  const d = absolutePath(dir, '/') ?? dir
  return d === '/' || path === d || path.startsWith(`${d}/`)
}

/** The absolute path a literal word names, or null when it cannot be known here. */
export function wordPath(word: ResolvedWord, ctx: PathContext): string | null {
  if (!word.literal || word.glob || word.text === '') return null
  if (word.tilde) return absolutePath(`.${word.text.slice('$HOME'.length)}`, ctx.home)
  if (!posix.isAbsolute(word.text) && !ctx.cwdKnown) return null
  return absolutePath(word.text, ctx.cwd)
}

/** One redirection as the input document describes it. */
export function buildRedirect(op: string, fd: string | null, target: ResolvedWord, ctx: PathContext): ShellRedirect {
  const fdNumber = fd !== null && /^\d+$/.test(fd) ? Number(fd) : null
  if (HEREDOC_OPS.has(op)) {
    return { op, fd: fdNumber, target: target.text, literal: target.literal, path: null, writes: false, outside_cwd: false }
  }
  // >&N and >&- duplicate or close a descriptor; >&word with any other word writes a file (like &>).
  const dup = (op === '>&' || op === '<&') && target.literal && /^(\d+|-)$/.test(target.text)
  const writes = WRITE_OPS.has(op) || (op === '>&' && !dup)
  const path = dup ? null : wordPath(target, ctx)
  const harmless = path !== null && HARMLESS_WRITE.test(path)
  const outside = writes && !harmless && (path === null || !isInside(path, ctx.cwd))
  return { op, fd: fdNumber, target: target.text, literal: target.literal, path, writes, outside_cwd: outside }
}

/**
 * What a command runs besides itself, as the wrapper and interpreter tables describe it, and
 * small builders for those descriptions.
 */
import { plainWord, type ResolvedWord } from './shell-words.js'

/** What an inner command or script may see differently from the outer shell. */
export interface EnvChange {
  /** HOME may differ (another user, env -i, HOME=...): ~ in nested scripts is unknown. */
  homeUnknown: boolean
  /** The working directory may differ (env -C, sudo -D, su -l, chroot): relative paths are unknown. */
  cwdUnknown: boolean
}

export type WrapperAction =
  | {
      kind: 'exec'
      argv: ResolvedWord[]
      origin: 'wrapper' | 'xargs' | 'find_exec'
      /** Arguments are appended at run time (xargs, find -exec {}). */
      dynamic: boolean
      /** The inner command reads the statement's stdin (a here-document fed to `sudo bash`). */
      keepsStdin: boolean
      env: EnvChange
      /** NAME=VALUE words the wrapper put in the inner command's environment (env, sudo). */
      assigns: string[]
    }
  | {
      kind: 'script'
      /** Joined with spaces to form the script (eval joins its arguments). */
      words: ResolvedWord[]
      origin: 'shell_c' | 'eval'
      /** new: another process; same: this shell (eval, trap); global: may run anywhere (alias). */
      scope: 'new' | 'same' | 'global'
      env: EnvChange
      /** Not bash syntax (fish, csh): a script that does not parse is opaque, not a parse error. */
      lenient: boolean
    }
  | { kind: 'stdin_shell'; lenient: boolean }
  | { kind: 'opaque'; reason: string }

export interface WrapperDeps {
  /** Split an env -S string into words; null when it is not a plain list of words. */
  splitWords(text: string): ResolvedWord[] | null
}

export type Handler = (argv: ResolvedWord[], deps: WrapperDeps) => WrapperAction[]

export const SAME: EnvChange = { homeUnknown: false, cwdUnknown: false }
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/

export const exec = (argv: ResolvedWord[], from: number, env: EnvChange = SAME, assigns: string[] = []): WrapperAction[] =>
  from < argv.length ? [{ kind: 'exec', argv: argv.slice(from), origin: 'wrapper', dynamic: false, keepsStdin: true, env, assigns }] : []

/** Leading NAME=VALUE words from argv[from]: their names and the index after them. */
export const leadingAssigns = (argv: ResolvedWord[], from: number): { names: string[]; next: number } => {
  const names: string[] = []
  let i = from
  while (i < argv.length && (argv[i] as ResolvedWord).literal && ASSIGNMENT.test((argv[i] as ResolvedWord).text)) {
    names.push((argv[i] as ResolvedWord).text.split('=')[0] as string)
    i++
  }
  return { names, next: i }
}

export const script = (
  words: ResolvedWord[],
  origin: 'shell_c' | 'eval',
  scope: 'new' | 'same' | 'global',
  env: EnvChange = SAME,
): WrapperAction[] => [{ kind: 'script', words, origin, scope, env, lenient: false }]

/** A shell whose name we only know generically (sudo -s, su, chroot without a command). */
const SHELL_WORD = 'sh'
export const shellOf = (env: EnvChange, args: ResolvedWord[] = []): WrapperAction[] => exec([plainWord(SHELL_WORD), ...args], 0, env)

/**
 * A getopt_long-like scanner over resolved words, enough to find where a wrapper's command
 * starts: short clusters (-nu root, -uroot), long options with = or a separate value, unique
 * long prefixes (--us root is --user root), `--`.
 */
import type { ResolvedWord } from './shell-words.js'

export interface OptionSpec {
  /** Short options that take a value, attached or as the next word. */
  shortArg?: string
  /** Short options whose value can only be attached (-hhost). */
  shortOptional?: string
  /** Long options that take a value (--user=root or --user root). */
  longArg?: readonly string[]
  /** Long options whose value can only follow `=`. */
  longOptional?: readonly string[]
  /** Long options without a value (known so that prefixes resolve). */
  long?: readonly string[]
  /** `+x` is an option too (shells). */
  plus?: boolean
}

export interface ParsedOption {
  /** One character for short options, the full long name otherwise. */
  name: string
  value: ResolvedWord | null
  plus: boolean
}

export interface ScanResult {
  options: ParsedOption[]
  /** Index of the first operand (argv.length when none). */
  rest: number
}

const longName = (given: string, spec: OptionSpec): string => {
  const all = [...(spec.longArg ?? []), ...(spec.longOptional ?? []), ...(spec.long ?? [])]
  if (all.includes(given)) return given
  const matches = all.filter(n => n.startsWith(given))
  return matches.length === 1 ? (matches[0] as string) : given
}

const isOptionWord = (w: ResolvedWord, spec: OptionSpec): boolean =>
  w.literal && w.text.length > 1 && (w.text.startsWith('-') || (spec.plus === true && w.text.startsWith('+')))

/**
 * Read one option word at argv[i]; returns the options found and how many words were used.
 * A value word that is missing is simply absent (the real tool would fail).
 */
function readOption(argv: readonly ResolvedWord[], i: number, spec: OptionSpec): { options: ParsedOption[]; used: number } {
  const word = argv[i] as ResolvedWord
  const text = word.text
  const plus = text.startsWith('+')
  if (text.startsWith('--')) {
    const eq = text.indexOf('=')
    const name = longName(eq < 0 ? text.slice(2) : text.slice(2, eq), spec)
    if (eq >= 0) return { options: [{ name, value: { ...word, text: text.slice(eq + 1) }, plus }], used: 1 }
    if ((spec.longArg ?? []).includes(name)) return { options: [{ name, value: argv[i + 1] ?? null, plus }], used: 2 }
    return { options: [{ name, value: null, plus }], used: 1 }
  }
  const options: ParsedOption[] = []
  for (let j = 1; j < text.length; j++) {
    const ch = text[j] as string
    const attached = text.slice(j + 1)
    if ((spec.shortArg ?? '').includes(ch)) {
      if (attached !== '') return { options: [...options, { name: ch, value: { ...word, text: attached }, plus }], used: 1 }
      return { options: [...options, { name: ch, value: argv[i + 1] ?? null, plus }], used: 2 }
    }
    if ((spec.shortOptional ?? '').includes(ch)) {
      return { options: [...options, { name: ch, value: attached === '' ? null : { ...word, text: attached }, plus }], used: 1 }
    }
    options.push({ name: ch, value: null, plus })
  }
  return { options, used: 1 }
}

/** Options from argv[start] up to the first operand, `--` (consumed) or a non-literal word. */
export function scanOptions(argv: readonly ResolvedWord[], start: number, spec: OptionSpec): ScanResult {
  const options: ParsedOption[] = []
  let i = start
  while (i < argv.length) {
    const word = argv[i] as ResolvedWord
    if (word.literal && word.text === '--') return { options, rest: i + 1 }
    // A non-literal word might be an option or the command: stop, so it is judged as the command.
    if (!isOptionWord(word, spec)) break
    const read = readOption(argv, i, spec)
    options.push(...read.options)
    i += read.used
  }
  return { options, rest: Math.min(i, argv.length) }
}

/** Like scanOptions, but options may appear among operands (GNU argument permutation, e.g. su). */
export function scanPermuted(
  argv: readonly ResolvedWord[],
  start: number,
  spec: OptionSpec,
): { options: ParsedOption[]; operands: ResolvedWord[] } {
  const options: ParsedOption[] = []
  const operands: ResolvedWord[] = []
  let i = start
  while (i < argv.length) {
    const word = argv[i] as ResolvedWord
    if (word.literal && word.text === '--') {
      operands.push(...argv.slice(i + 1))
      break
    }
    if (isOptionWord(word, spec)) {
      const read = readOption(argv, i, spec)
      options.push(...read.options)
      i += read.used
    } else {
      operands.push(word)
      i += 1
    }
  }
  return { options, operands }
}

export const hasOption = (options: readonly ParsedOption[], ...names: string[]): boolean =>
  options.some(o => names.includes(o.name))

export const optionValue = (options: readonly ParsedOption[], ...names: string[]): ResolvedWord | null => {
  for (let k = options.length - 1; k >= 0; k--) {
    const o = options[k] as ParsedOption
    if (names.includes(o.name)) return o.value
  }
  return null
}

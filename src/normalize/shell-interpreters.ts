/**
 * Commands that run a script string: shells (-c, stdin), eval, trap, alias, source.
 */
import { SAME, script, type Handler } from './shell-actions.js'
import { scanOptions, type OptionSpec } from './shell-options.js'
import type { ResolvedWord } from './shell-words.js'

const evalHandler: Handler = argv => (argv.length > 1 ? script(argv.slice(1), 'eval', 'same') : [])

const trap: Handler = argv => {
  let i = 1
  if (argv[i]?.literal && argv[i]?.text === '--') i++
  const action = argv[i]
  // trap -p/-l list; `trap SIG` alone resets: only `trap ACTION SIG...` sets a script.
  if (!action || i + 1 >= argv.length || (action.literal && action.text.startsWith('-'))) return []
  return script([action], 'eval', 'same')
}

const alias: Handler = argv =>
  argv.slice(1).flatMap(a => {
    const eq = a.text.indexOf('=')
    if (eq <= 0) return []
    return script([{ ...a, text: a.text.slice(eq + 1) }], 'eval', 'global')
  })

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'lksh', 'pdksh', 'ash', 'rbash', 'yash', 'posh', 'hush'])
const OTHER_SHELLS = new Set(['fish', 'csh', 'tcsh'])

const SHELL_OPTIONS: OptionSpec = {
  shortArg: 'oO',
  plus: true,
  longArg: ['rcfile', 'init-file'],
  long: ['login', 'noprofile', 'norc', 'posix', 'restricted', 'verbose', 'version', 'help', 'debugger', 'dump-strings', 'dump-po-strings', 'noediting', 'pretty-print', 'command', 'interactive'],
}

const shell =
  (lenient: boolean): Handler =>
  argv => {
    const scanned = scanOptions(argv, 1, SHELL_OPTIONS)
    const options = scanned.options
    // A lone `-` ends the options like `--`.
    const rest = argv[scanned.rest]?.literal && argv[scanned.rest]?.text === '-' ? scanned.rest + 1 : scanned.rest
    const minusC = options.some(o => !o.plus && (o.name === 'c' || o.name === 'command'))
    if (minusC) {
      const text = argv[rest]
      return text ? [{ kind: 'script', words: [text], origin: 'shell_c', scope: 'new', env: SAME, lenient }] : []
    }
    const file = argv[rest]
    // A script file runs what we cannot see (policy judges the shell itself), unless the file is stdin.
    if (file && !options.some(o => !o.plus && o.name === 's') && !readsStdin(file)) return []
    return [{ kind: 'stdin_shell', lenient }]
  }

const STDIN_FILES = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0'])
const readsStdin = (w: ResolvedWord): boolean => w.literal && STDIN_FILES.has(w.text)

/** `source /dev/stdin <<EOF`: the here-document runs in this shell. */
const source: Handler = argv => {
  const file = argv[1]?.literal && argv[1]?.text === '--' ? argv[2] : argv[1]
  return file && readsStdin(file) ? [{ kind: 'stdin_shell', lenient: false }] : []
}

const SCRIPT_HANDLERS: Readonly<Record<string, Handler>> = { eval: evalHandler, trap, alias, source, '.': source }

/** The handler of a shell or script-running builtin, if `name` is one. */
export function interpreter(name: string): Handler | undefined {
  if (SHELLS.has(name)) return shell(false)
  if (OTHER_SHELLS.has(name)) return shell(true)
  return Object.hasOwn(SCRIPT_HANDLERS, name) ? SCRIPT_HANDLERS[name] : undefined
}

/**
 * Commands that run other commands. Given a resolved argv, say what else runs: another argv
 * (sudo rm → rm), a script string (su -c, flock -c, watch), or a shell (sudo -s). Shells and
 * eval are in shell-interpreters. Pure: the caller parses scripts and splits env -S strings.
 */
import { exec, leadingAssigns, SAME, script, shellOf, type EnvChange, type Handler, type WrapperAction, type WrapperDeps } from './shell-actions.js'
import { interpreter } from './shell-interpreters.js'
import { hasOption, optionValue, scanOptions, scanPermuted, type OptionSpec, type ParsedOption } from './shell-options.js'
import { plainWord, type ResolvedWord } from './shell-words.js'

export type { EnvChange, WrapperAction, WrapperDeps }

/** `wrapper [options] command...`: options per spec, then the command. */
const simple =
  (spec: OptionSpec, skipOperands = 0, noCommand: string[] = []): Handler =>
  argv => {
    const { options, rest } = scanOptions(argv, 1, spec)
    if (hasOption(options, ...noCommand)) return []
    return exec(argv, rest + skipOperands)
  }

const SUDO: OptionSpec = {
  shortArg: 'acCDgprRtTuU',
  shortOptional: 'h',
  longArg: ['auth-type', 'login-class', 'close-from', 'chdir', 'group', 'prompt', 'role', 'chroot', 'type', 'command-timeout', 'user', 'other-user'],
  longOptional: ['host', 'preserve-env'],
  long: ['askpass', 'background', 'bell', 'edit', 'help', 'set-home', 'login', 'remove-timestamp', 'reset-timestamp', 'list', 'non-interactive', 'preserve-groups', 'stdin', 'shell', 'version', 'validate'],
}

const sudo: Handler = argv => {
  const { options, rest } = scanOptions(argv, 1, SUDO)
  // sudoedit, list, version, validate, help: no command runs.
  if (hasOption(options, 'e', 'edit', 'l', 'list', 'V', 'version', 'v', 'validate', 'K', 'remove-timestamp', 'help')) return []
  let start = rest
  const last = options[options.length - 1]
  if (last && last.name === 'h' && last.value === null) {
    // Like sudo: `-h host` when a non-option follows the flag, otherwise -h is --help.
    const host = argv[rest]
    if (!host || (host.literal && host.text.startsWith('-'))) return []
    start = rest + 1
  } else if (options.some(o => o.name === 'h' && o.value === null)) return []
  const { names, next } = leadingAssigns(argv, start)
  const env: EnvChange = {
    homeUnknown: true,
    cwdUnknown: hasOption(options, 'D', 'chdir', 'i', 'login', 'R', 'chroot'),
  }
  if (next >= argv.length) return hasOption(options, 's', 'shell', 'i', 'login') ? shellOf(env) : []
  return exec(argv, next, env, names)
}

const doas: Handler = argv => {
  const { options, rest } = scanOptions(argv, 1, { shortArg: 'uC' })
  if (hasOption(options, 'C', 'L')) return []
  const env: EnvChange = { homeUnknown: true, cwdUnknown: false }
  if (rest >= argv.length) return hasOption(options, 's') ? shellOf(env) : []
  return exec(argv, rest, env)
}

const pkexec: Handler = argv => {
  const { options, rest } = scanOptions(argv, 1, {
    longArg: ['user'],
    long: ['disable-internal-agent', 'keep-cwd', 'help', 'version'],
  })
  if (hasOption(options, 'help', 'version')) return []
  const env: EnvChange = { homeUnknown: true, cwdUnknown: !hasOption(options, 'keep-cwd') }
  return rest >= argv.length ? shellOf(env) : exec(argv, rest, env)
}

const ENV: OptionSpec = {
  shortArg: 'uCS',
  longArg: ['unset', 'chdir', 'split-string'],
  longOptional: ['default-signal', 'ignore-signal', 'block-signal'],
  long: ['ignore-environment', 'null', 'debug', 'help', 'version', 'list-signal-handling'],
}

const MAX_ENV_SPLITS = 8

const envHandler = (argv: ResolvedWord[], deps: WrapperDeps, splits: number, inherited: EnvChange): WrapperAction[] => {
  const options: ParsedOption[] = []
  let i = 1
  // `env -` is `env -i`; it may repeat between option groups.
  for (;;) {
    const scanned = scanOptions(argv, i, ENV)
    options.push(...scanned.options)
    i = scanned.rest
    const next = argv[i]
    if (next && next.literal && next.text === '-') {
      options.push({ name: 'i', value: null, plus: false })
      i += 1
      continue
    }
    break
  }
  if (hasOption(options, 'help', 'version')) return []
  const unset = options.filter(o => ['u', 'unset'].includes(o.name)).map(o => o.value?.text)
  const env: EnvChange = {
    homeUnknown: inherited.homeUnknown || hasOption(options, 'i', 'ignore-environment') || unset.includes('HOME'),
    cwdUnknown: inherited.cwdUnknown || hasOption(options, 'C', 'chdir'),
  }
  const split = optionValue(options, 'S', 'split-string')
  if (split !== null) {
    if (!split.literal) return [{ kind: 'opaque', reason: 'env -S with a non-literal string' }]
    const words = deps.splitWords(split.text)
    if (words === null || splits >= MAX_ENV_SPLITS) return [{ kind: 'opaque', reason: 'env -S string is not a plain list of words' }]
    return envHandler([argv[0] as ResolvedWord, ...words, ...argv.slice(i)], deps, splits + 1, env)
  }
  const { names, next } = leadingAssigns(argv, i)
  if (names.includes('HOME')) env.homeUnknown = true
  return exec(argv, next, env, names)
}

const timeout = simple({ shortArg: 'sk', longArg: ['signal', 'kill-after'], long: ['foreground', 'preserve-status', 'verbose', 'help', 'version'] }, 1)

const ionice = simple({ shortArg: 'cnpPu', longArg: ['class', 'classdata', 'pid', 'pgid', 'uid'], long: ['ignore', 'help', 'version'] }, 0, [
  'p',
  'P',
  'u',
  'pid',
  'pgid',
  'uid',
])

const chrt = simple(
  {
    shortArg: 'TPD',
    longArg: ['sched-runtime', 'sched-period', 'sched-deadline'],
    long: ['all-tasks', 'batch', 'deadline', 'fifo', 'idle', 'max', 'other', 'pid', 'rr', 'reset-on-fork', 'verbose', 'help', 'version'],
  },
  1,
  ['p', 'pid', 'm', 'max'],
)

const taskset = simple({ long: ['all-tasks', 'cpu-list', 'pid', 'help', 'version'] }, 1, ['p', 'pid'])

const command: Handler = argv => {
  const { options, rest } = scanOptions(argv, 1, {})
  // command -v / -V only describe the command.
  if (hasOption(options, 'v', 'V')) return []
  return exec(argv, rest)
}

const flock: Handler = argv => {
  const { options, rest } = scanOptions(argv, 1, {
    shortArg: 'wEc',
    longArg: ['timeout', 'conflict-exit-code', 'command'],
    long: ['shared', 'exclusive', 'unlock', 'nonblock', 'close', 'no-fork', 'verbose', 'help', 'version'],
  })
  const given = optionValue(options, 'c', 'command')
  if (given !== null) return script([given], 'shell_c', 'new')
  const next = argv[rest + 1]
  if (next && next.literal && (next.text === '-c' || next.text === '--command')) {
    const text = argv[rest + 2]
    return text ? script([text], 'shell_c', 'new') : []
  }
  return exec(argv, rest + 1)
}

const watch: Handler = argv => {
  const { options, rest } = scanOptions(argv, 1, {
    shortArg: 'nq',
    longArg: ['interval', 'equexit'],
    longOptional: ['differences'],
    long: ['beep', 'color', 'no-color', 'errexit', 'exec', 'chgexit', 'no-title', 'no-wrap', 'precise', 'help', 'version'],
  })
  if (rest >= argv.length) return []
  // watch runs its arguments through sh -c, joined by spaces, unless -x.
  if (hasOption(options, 'x', 'exec')) return exec(argv, rest)
  return script(argv.slice(rest), 'shell_c', 'new')
}

const applet: Handler = argv => {
  const first = argv[1]
  if (!first || (first.literal && first.text.startsWith('-'))) return []
  return exec(argv, 1)
}

const XARGS: OptionSpec = {
  shortArg: 'adEILnPs',
  shortOptional: 'eil',
  longArg: ['arg-file', 'delimiter', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'],
  longOptional: ['eof', 'replace', 'max-lines'],
  long: ['null', 'interactive', 'no-run-if-empty', 'verbose', 'exit', 'open-tty', 'show-limits', 'help', 'version'],
}

const xargs: Handler = argv => {
  const { options, rest } = scanOptions(argv, 1, XARGS)
  if (hasOption(options, 'help', 'version', 'show-limits')) return []
  const inner = rest < argv.length ? argv.slice(rest) : [plainWord('echo')]
  return [{ kind: 'exec', argv: inner, origin: 'xargs', dynamic: true, keepsStdin: false, env: SAME, assigns: [] }]
}

const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir'])

const find: Handler = argv => {
  const out: WrapperAction[] = []
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i] as ResolvedWord
    if (!w.literal || !FIND_EXEC.has(w.text)) continue
    let end = i + 1
    while (end < argv.length && !((argv[end] as ResolvedWord).literal && [';', '+'].includes((argv[end] as ResolvedWord).text))) end++
    const inner = argv.slice(i + 1, end)
    if (inner.length > 0) {
      const dynamic = inner.some(a => a.text.includes('{}'))
      out.push({ kind: 'exec', argv: inner, origin: 'find_exec', dynamic, keepsStdin: false, env: SAME, assigns: [] })
    }
    i = end
  }
  return out
}

const SU: OptionSpec = {
  shortArg: 'cgGsuw',
  longArg: ['command', 'session-command', 'group', 'supp-group', 'shell', 'user', 'whitelist-environment'],
  long: ['login', 'preserve-environment', 'fast', 'pty', 'help', 'version'],
}

const su: Handler = argv => {
  const leading = scanOptions(argv, 1, SU)
  // runuser -u USER [--] cmd args: the words after the options are the command, not more options.
  if (hasOption(leading.options, 'u', 'user')) {
    return exec(argv, leading.rest, { homeUnknown: true, cwdUnknown: hasOption(leading.options, 'l', 'login') })
  }
  const { options, operands } = scanPermuted(argv, 1, SU)
  if (hasOption(options, 'help', 'version')) return []
  const login = hasOption(options, 'l', 'login') || operands.some(o => o.literal && o.text === '-')
  const env: EnvChange = { homeUnknown: true, cwdUnknown: login }
  const given = optionValue(options, 'c', 'command', 'session-command')
  if (given !== null) return script([given], 'shell_c', 'new', env)
  const args = operands.filter(o => !(o.literal && o.text === '-')).slice(1)
  const shellWord = optionValue(options, 's', 'shell')
  return shellWord === null ? shellOf(env, args) : exec([shellWord, ...args], 0, env)
}

const chroot: Handler = argv => {
  const { options, rest } = scanOptions(argv, 1, { longArg: ['userspec', 'groups'], long: ['skip-chdir', 'help', 'version'] })
  if (hasOption(options, 'help', 'version') || rest >= argv.length) return []
  const env: EnvChange = { homeUnknown: true, cwdUnknown: true }
  return rest + 1 < argv.length ? exec(argv, rest + 1, env) : shellOf(env)
}

const strace = simple({
  shortArg: 'abeEIoOpPsSuUX',
  longArg: ['trace', 'signal', 'status', 'output', 'attach', 'string-limit', 'user', 'env', 'trace-path', 'columns', 'decode-fds', 'seccomp-bpf', 'inject', 'fault', 'absolute-timestamps', 'const-print-style', 'quiet', 'silence'],
})

const ltrace = simple({ shortArg: 'aADeFlnopsuwx', longArg: ['align', 'output', 'library', 'indent'] })

const gdb: Handler = argv => {
  const at = argv.findIndex(w => w.literal && w.text === '--args')
  return at < 0 ? [] : exec(argv, at + 1)
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  sudo,
  doas,
  pkexec,
  env: (argv, deps) => envHandler(argv, deps, 0, SAME),
  nohup: simple({ long: ['help', 'version'] }),
  setsid: simple({ long: ['ctty', 'fork', 'wait', 'help', 'version'] }),
  unbuffer: simple({}),
  stdbuf: simple({ shortArg: 'ioe', longArg: ['input', 'output', 'error'], long: ['help', 'version'] }),
  timeout,
  nice: simple({ shortArg: 'n', longArg: ['adjustment'], long: ['help', 'version'] }),
  ionice,
  chrt,
  taskset,
  time: simple({ shortArg: 'fo', longArg: ['format', 'output'], long: ['append', 'portability', 'quiet', 'verbose', 'help', 'version'] }),
  command,
  builtin: argv => exec(argv, 1),
  exec: simple({ shortArg: 'a' }),
  flock,
  watch,
  busybox: applet,
  toybox: applet,
  xargs,
  find,
  su,
  runuser: su,
  chroot,
  strace,
  ltrace,
  gdb,
}

/** Names whose inner command is reported with the wrapper in `wrappers` (shells and eval are not wrappers). */
export const isWrapperName = (name: string): boolean => Object.hasOwn(HANDLERS, name)

/** What `argv` (whose program is `name`) runs besides itself. */
export function unwrap(name: string, argv: ResolvedWord[], deps: WrapperDeps): WrapperAction[] {
  const handler = Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : interpreter(name)
  return handler ? handler(argv, deps) : []
}

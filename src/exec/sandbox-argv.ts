/**
 * The bubblewrap command line for one agent shell command. Pure: the caller resolves paths,
 * opens file descriptors and spawns. The sandbox sees system directories read-only, a curated
 * part of /etc, a fresh /tmp, /proc and /dev, and the working directory read-write — nothing
 * else of the host (no /root, /home, /var, /work, the gateway's state or credentials).
 */
import { ExecError } from './exec-error.js'
import { absolutePath, isWithin, overlaps } from './paths.js'

/** Read-only host directories every sandbox gets (merged-/usr symlinks are followed). */
export const SYSTEM_DIRS: readonly string[] = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']

/** The parts of /etc a shell and common tools need. An allowlist: /etc also holds shadow,
 * sudoers, ssh host keys, kubeconfigs and tool credentials (npmrc, pip.conf), and the sandbox
 * user owns root's files when the gateway runs as root. */
export const ETC_ALLOWLIST: readonly string[] = [
  'passwd', 'group', 'nsswitch.conf', 'hosts', 'host.conf', 'resolv.conf', 'gai.conf', 'networks',
  'protocols', 'services', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'localtime', 'timezone',
  'alternatives', 'ssl/certs', 'ssl/openssl.cnf', 'ca-certificates', 'ca-certificates.conf',
  'pki/tls/certs', 'pki/ca-trust/extracted', 'mime.types', 'magic', 'magic.mime', 'inputrc',
  'bash.bashrc', 'profile', 'shells', 'terminfo', 'os-release', 'lsb-release', 'debian_version',
  'alpine-release', 'redhat-release', 'locale.alias', 'locale.conf', 'gitconfig',
]

/** Directories the agent's command may not run in, nor below, whatever policy said. */
export const FORBIDDEN_CWD_DIRS: readonly string[] = [...SYSTEM_DIRS, '/etc', '/proc', '/sys', '/dev', '/boot', '/run', '/var/run']
/** Shared parents that may not be the cwd itself (their children may): binding them would show
 * other users' files, agent sockets in /tmp, every home directory. */
export const FORBIDDEN_CWD_EXACT: readonly string[] = ['/tmp', '/var/tmp', '/var', '/home', '/root', '/srv', '/opt', '/mnt', '/media']

/** Variables a caller may pass into the sandbox; everything else is dropped. */
export const SANDBOX_ENV_ALLOWLIST: readonly string[] = [
  'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'LC_COLLATE', 'LC_NUMERIC', 'LC_TIME', 'TERM', 'TZ', 'NO_COLOR',
]

export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
export const SANDBOX_HOME = '/tmp/home'
/** The unprivileged uid/gid the command runs as inside the sandbox (nobody/nogroup). */
export const SANDBOX_UID = 65534
export const DEFAULT_TMPFS_BYTES = 64 * 1024 * 1024

export interface BwrapOptions {
  /** Absolute working directory, bound read-write at the same path. Resolve symlinks first. */
  cwd: string
  /** Share the host network namespace (also its 127.0.0.1 services). Default is no network. */
  network: boolean
  /** Candidate variables; only names in SANDBOX_ENV_ALLOWLIST pass. PATH and HOME are fixed. */
  env: Readonly<Record<string, string | undefined>>
  /** The exact command text, run as `/bin/sh -c <command>`. */
  command: string
  /** Host paths that must stay invisible (state dir, credentials). */
  hide: string[]
  /** Size of the fresh /tmp (and /dev/shm) in bytes. Default 64 MiB. */
  tmpfsSize?: number
  /** Bind cwd from this directory fd (already open in the spawned bwrap) instead of by path:
   * no window to swap a path component for a symlink between the check and the mount. */
  cwdFd?: number
  /** Fd from which bwrap reads a seccomp BPF program (see seccomp.ts). */
  seccompFd?: number
  /** RLIMIT_NPROC inside the sandbox. Not enforced by the kernel for processes whose real uid is
   * host root (the gateway running as root); the timeout is the bound then. */
  maxProcesses?: number
  /** Extra host paths to mount read-only at the same place (e.g. /opt/toolchain). */
  roBinds?: string[]
  /** Override SYSTEM_DIRS / ETC_ALLOWLIST (tests, unusual hosts). */
  systemDirs?: readonly string[]
  etc?: readonly string[]
}

const assertText = (value: string, what: string): void => {
  if (typeof value !== 'string' || value.includes('\0')) {
    throw new ExecError('invalid_argument', `Expected ${what} to be a string without NUL bytes`)
  }
}

const assertCount = (value: number | undefined, what: string, min: number): void => {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
    throw new ExecError('invalid_argument', `Expected ${what} to be an integer >= ${min}, got \`${String(value)}\` (${typeof value})`)
  }
}

/** The variables of `env` that may enter a sandbox (SANDBOX_ENV_ALLOWLIST), nothing else.
 * Throws `invalid_argument` for a value with a NUL byte. */
export function pickSandboxEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of SANDBOX_ENV_ALLOWLIST) {
    const value = Object.hasOwn(env, name) ? env[name] : undefined
    if (value === undefined) continue
    assertText(value, `env ${name}`)
    picked[name] = value
  }
  return picked
}

/** Throws the ExecError that running in `cwd` would deserve, if any. */
export function checkCwd(cwd: string, hide: readonly string[]): void {
  if (cwd === '/') throw new ExecError('cwd_is_root', 'Refusing to run with cwd `/`: it would expose the whole host')
  const system = FORBIDDEN_CWD_DIRS.find(d => isWithin(cwd, d)) ?? FORBIDDEN_CWD_EXACT.find(d => cwd === d)
  if (system) throw new ExecError('cwd_in_system_dir', `Refusing to run in \`${cwd}\`: inside system directory \`${system}\``)
  const hidden = hide.find(h => overlaps(cwd, h))
  if (hidden) throw new ExecError('cwd_overlaps_hidden', `Refusing to run in \`${cwd}\`: it overlaps hidden path \`${hidden}\``)
}

/** argv for `bwrap` (without the program name) that runs exactly `/bin/sh -c <command>`.
 * Throws ExecError when cwd is `/`, a system directory, or overlaps a hidden path. */
export function buildBwrapArgv(opts: BwrapOptions): string[] {
  assertText(opts.command, 'command')
  if (opts.command.length === 0) throw new ExecError('invalid_argument', 'Expected a non-empty command')
  const cwd = absolutePath(opts.cwd, 'cwd')
  const hide = opts.hide.map(h => absolutePath(h, 'hidden path'))
  const roBinds = (opts.roBinds ?? []).map(p => absolutePath(p, 'read-only bind'))
  const etc = (opts.etc ?? ETC_ALLOWLIST).map(e => absolutePath(`/etc/${e}`, 'etc entry'))
  assertCount(opts.tmpfsSize, 'tmpfsSize', 4096)
  assertCount(opts.cwdFd, 'cwdFd', 3)
  assertCount(opts.seccompFd, 'seccompFd', 3)
  assertCount(opts.maxProcesses, 'maxProcesses', 2)
  checkCwd(cwd, hide)

  const size = String(opts.tmpfsSize ?? DEFAULT_TMPFS_BYTES)
  const argv: string[] = [
    // Own user namespace, unprivileged inside, no capabilities, and no nested namespaces.
    '--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--disable-userns', '--cap-drop', 'ALL',
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', 'sandbox', '--unshare-cgroup-try',
    ...(opts.network ? [] : ['--unshare-net']),
    // Dies with the gateway; a new session so it cannot push keystrokes into a terminal (TIOCSTI).
    '--die-with-parent', '--new-session',
    '--clearenv', '--setenv', 'PATH', SANDBOX_PATH, '--setenv', 'HOME', SANDBOX_HOME, '--setenv', 'TMPDIR', '/tmp',
  ]
  for (const [name, value] of Object.entries(pickSandboxEnv(opts.env))) argv.push('--setenv', name, value)

  const mounts = [...(opts.systemDirs ?? SYSTEM_DIRS).map(d => absolutePath(d, 'system dir')), ...etc, ...roBinds]
  // A mount inside a hidden path is dropped; a hidden path inside a mount is covered.
  const visible = mounts.filter(m => !hide.some(h => isWithin(m, h)))
  for (const m of visible) argv.push('--ro-bind-try', m, m)
  argv.push('--symlink', '../proc/self/mounts', '/etc/mtab')
  for (const h of hide) {
    if (visible.some(m => isWithin(h, m) && h !== m)) argv.push('--size', '4096', '--tmpfs', h, '--remount-ro', h)
  }
  // Read-only /proc: a sandbox user that is host root by uid could otherwise write /proc/sys.
  argv.push('--proc', '/proc', '--remount-ro', '/proc')
  argv.push('--dev', '/dev', '--size', size, '--tmpfs', '/dev/shm', '--remount-ro', '/dev')
  argv.push('--size', size, '--tmpfs', '/tmp', '--dir', SANDBOX_HOME)
  if (opts.cwdFd !== undefined) argv.push('--bind-fd', String(opts.cwdFd), cwd)
  else argv.push('--bind', cwd, cwd)
  // The root is bwrap's own unbounded tmpfs: nothing may be written there.
  argv.push('--remount-ro', '/')
  if (opts.seccompFd !== undefined) argv.push('--seccomp', String(opts.seccompFd))
  argv.push('--chdir', cwd, '--')

  if (opts.maxProcesses === undefined) argv.push('/bin/sh', '-c', opts.command)
  else argv.push('/bin/sh', '-c', NPROC_WRAPPER, 'sh', String(opts.maxProcesses), opts.command)
  return argv
}

// Sets RLIMIT_NPROC (bash: -u, dash: -p) or refuses to run; then runs the command text unchanged.
const NPROC_WRAPPER =
  '{ ulimit -u "$1" || ulimit -p "$1"; } 2>/dev/null || { echo "sandbox: cannot limit processes" >&2; exit 126; }; shift; exec /bin/sh -c "$1"'

/**
 * Run an agent's (allowed or approved) shell command: exactly `/bin/sh -c <command>` inside
 * bubblewrap, with a hard time cap, bounded redacted output, no network unless asked, a scrubbed
 * environment and the gateway's state and credentials out of sight. Never rejects; when the
 * sandbox cannot be set up nothing runs and the result says why.
 */
import { closeSync, constants as fsConstants, openSync, readlinkSync } from 'node:fs'
import { mkdtemp, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { ExecError } from './exec-error.js'
import { redactSecrets } from './redact.js'
import { absolutePath } from './paths.js'
import { defaultRunDeps, notRun, runProcess, type ExecFailureCode, type ProcessResult, type RunProcessOptions } from './run.js'
import { buildBwrapArgv, checkCwd, pickSandboxEnv, SANDBOX_PATH } from './sandbox-argv.js'
import { buildSeccompFilter } from './seccomp.js'

/** No shell command runs longer than this, whatever the caller asks. */
export const MAX_SHELL_TIMEOUT_MS = 600_000
/** No stream returns more than this, whatever the caller asks. */
export const MAX_SHELL_OUTPUT_BYTES = 16 * 1024 * 1024
export const DEFAULT_BWRAP_PATH = '/usr/bin/bwrap'

const ShellExecRequest = z.strictObject({
  command: z.string().min(1),
  cwd: z.string().min(1),
  network: z.boolean(),
  timeoutMs: z.number().positive(),
  maxOutputBytes: z.number().int().nonnegative(),
  hide: z.array(z.string()),
  unsafeNoSandbox: z.boolean().optional(),
  killGraceMs: z.number().int().nonnegative().optional(),
  maxProcesses: z.number().int().min(2).optional(),
  tmpfsSize: z.number().int().min(4096).optional(),
  roBinds: z.array(z.string()).optional(),
  runAs: z.strictObject({ uid: z.number().int().nonnegative(), gid: z.number().int().nonnegative() }).optional(),
})

export interface ShellExecRequest {
  command: string
  /** Where the command runs (symlinks are resolved; the resolved directory is what is mounted). */
  cwd: string
  network: boolean
  /** Capped at MAX_SHELL_TIMEOUT_MS. */
  timeoutMs: number
  /** Per stream; capped at MAX_SHELL_OUTPUT_BYTES. */
  maxOutputBytes: number
  /** Host paths the command must never see: the gateway state dir, credential dirs. */
  hide: string[]
  /** Run without bwrap (scrubbed env, timeout, caps only). Callers must announce and audit it. */
  unsafeNoSandbox?: boolean
  killGraceMs?: number
  /** RLIMIT_NPROC inside the sandbox (not enforced when the gateway runs as root; see README). */
  maxProcesses?: number
  tmpfsSize?: number
  /** Extra read-only host paths (toolchains outside /usr). */
  roBinds?: string[]
  /** Start bwrap as this host uid/gid (a root gateway choosing a real unprivileged user: the
   * process limit then holds, but cwd must be writable by that user). */
  runAs?: { uid: number; gid: number }
}

/** ProcessResult plus whether a sandbox was used (false only for unsafeNoSandbox). */
export interface ShellExecResult extends ProcessResult {
  sandboxed: boolean
}

export interface ShellExecDeps {
  bwrapPath: string
  run: (opts: RunProcessOptions) => Promise<ProcessResult>
  /** Whether bwrap at this path works (memoized by default). */
  bwrapAvailable: (bwrapPath: string) => Promise<boolean>
  realpath: (path: string) => Promise<string>
  /** Open a directory (no symlink in the last component); returns the fd. */
  openDir: (path: string) => number
  /** The path an open fd really refers to. */
  fdPath: (fd: number) => string
  closeFd: (fd: number) => void
  /** The seccomp program for this machine, or null to run without one. */
  seccomp: () => Uint8Array | null
  /** Where LANG, TERM, ... are taken from. */
  env: Readonly<Record<string, string | undefined>>
}

export const defaultShellExecDeps: ShellExecDeps = {
  bwrapPath: DEFAULT_BWRAP_PATH,
  run: opts => runProcess(opts, defaultRunDeps),
  bwrapAvailable: path => bwrapAvailable(path),
  realpath: path => realpath(path),
  openDir: path => openSync(path, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW),
  fdPath: fd => readlinkSync(`/proc/self/fd/${fd}`),
  closeFd: fd => closeSync(fd),
  seccomp: () => buildSeccompFilter(),
  env: process.env,
}

const failed = (error: ExecFailureCode, errorMessage: string, sandboxed: boolean): ShellExecResult => ({ ...notRun(error, errorMessage), sandboxed })

const refusal = (e: unknown, sandboxed: boolean): ShellExecResult => {
  if (e instanceof ExecError) return failed(e.code === 'invalid_path' || e.code === 'invalid_argument' ? 'invalid_request' : 'sandbox_refused', e.message, sandboxed)
  return failed('internal_error', redactSecrets(`Cannot run the command: ${(e as Error)?.message ?? String(e)}`), sandboxed)
}

/** Run `/bin/sh -c command` in a bubblewrap sandbox (or, with unsafeNoSandbox, directly). */
export async function runSandboxedShell(request: ShellExecRequest, deps: Partial<ShellExecDeps> = {}): Promise<ShellExecResult> {
  try {
    return await runShell(request, deps)
  } catch (e) {
    // Only an injected dependency can get here; still a result, never an exception.
    return refusal(e, request?.unsafeNoSandbox !== true)
  }
}

async function runShell(request: ShellExecRequest, deps: Partial<ShellExecDeps>): Promise<ShellExecResult> {
  const d: ShellExecDeps = { ...defaultShellExecDeps, ...deps }
  const sandboxed = request?.unsafeNoSandbox !== true
  const parsed = ShellExecRequest.safeParse(request)
  if (!parsed.success) return failed('invalid_request', `Invalid shell request: ${z.prettifyError(parsed.error)}`, sandboxed)
  const req = parsed.data
  const limits = {
    timeoutMs: Math.min(req.timeoutMs, MAX_SHELL_TIMEOUT_MS),
    maxOutputBytes: Math.min(req.maxOutputBytes, MAX_SHELL_OUTPUT_BYTES),
    ...(req.killGraceMs !== undefined ? { killGraceMs: req.killGraceMs } : {}),
    ...(req.runAs ? { uid: req.runAs.uid, gid: req.runAs.gid } : {}),
  }

  let cwd: string
  let hide: string[]
  try {
    hide = await resolveHidden(req.hide, d)
    cwd = await d.realpath(absolutePath(req.cwd, 'cwd'))
  } catch (e) {
    if (e instanceof ExecError) return refusal(e, sandboxed)
    return failed('cwd_unavailable', `Cannot use cwd \`${req.cwd}\`: ${(e as Error).message}`, sandboxed)
  }

  if (!sandboxed) {
    try {
      checkCwd(cwd, hide)
      const env = { PATH: SANDBOX_PATH, ...pickSandboxEnv(d.env) }
      const r = await d.run({ file: '/bin/sh', args: ['-c', req.command], cwd, env, ...limits })
      return { ...r, sandboxed }
    } catch (e) {
      return refusal(e, sandboxed)
    }
  }

  if (!(await d.bwrapAvailable(d.bwrapPath).catch(() => false))) {
    return failed('sandbox_unavailable', `bubblewrap at \`${d.bwrapPath}\` is missing or cannot create a sandbox here; nothing was run`, sandboxed)
  }

  let fd: number
  try {
    fd = d.openDir(cwd)
  } catch (e) {
    return failed('cwd_unavailable', `Cannot open cwd \`${cwd}\`: ${(e as Error).message}`, sandboxed)
  }
  try {
    // Check and mount what the fd really is, not what the path said a moment ago.
    const opened = d.fdPath(fd)
    if (opened.endsWith(' (deleted)')) return failed('cwd_unavailable', `cwd \`${cwd}\` was deleted`, sandboxed)
    const seccomp = d.seccomp()
    // A bwrap started as another user cannot open our fd through /proc/self/fd: bind by path.
    const fds: Array<number | Uint8Array> = req.runAs ? [] : [fd]
    if (seccomp) fds.push(seccomp)
    const argv = buildBwrapArgv({
      cwd: opened,
      network: req.network,
      env: d.env,
      command: req.command,
      hide,
      ...(req.runAs ? {} : { cwdFd: 3 }),
      ...(seccomp ? { seccompFd: 3 + fds.length - 1 } : {}),
      ...(req.maxProcesses !== undefined ? { maxProcesses: req.maxProcesses } : {}),
      ...(req.tmpfsSize !== undefined ? { tmpfsSize: req.tmpfsSize } : {}),
      ...(req.roBinds ? { roBinds: req.roBinds } : {}),
    })
    const r = await d.run({ file: d.bwrapPath, args: argv, cwd: '/', env: {}, extraFds: fds, ...limits })
    return { ...r, sandboxed }
  } catch (e) {
    return refusal(e, sandboxed)
  } finally {
    try {
      d.closeFd(fd)
    } catch {
      // Closing our own fd cannot fail in a way that changes the result.
    }
  }
}

// Each hidden path as given and, when it exists, as resolved: a symlinked state dir is hidden too.
async function resolveHidden(paths: readonly string[], d: ShellExecDeps): Promise<string[]> {
  const out = new Set<string>()
  for (const p of paths) {
    const abs = absolutePath(p, 'hidden path')
    out.add(abs)
    try {
      out.add(await d.realpath(abs))
    } catch {
      // Does not exist (yet): the path as given is still refused.
    }
  }
  return [...out]
}

const probes = new Map<string, Promise<boolean>>()

/** Whether bwrap at `bwrapPath` exists and can really build this module's sandbox here (user,
 * pid and net namespaces, seccomp): one probe run per path, remembered. */
export function bwrapAvailable(bwrapPath: string = DEFAULT_BWRAP_PATH): Promise<boolean> {
  let probe = probes.get(bwrapPath)
  if (!probe) {
    probe = probeBwrap(bwrapPath)
    probes.set(bwrapPath, probe)
  }
  return probe
}

async function probeBwrap(bwrapPath: string): Promise<boolean> {
  let dir: string | null = null
  try {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'recourse-bwrap-probe-')))
    const seccomp = buildSeccompFilter()
    const argv = buildBwrapArgv({
      cwd: dir,
      network: false,
      env: {},
      command: 'test -w . && echo ok',
      hide: [],
      ...(seccomp ? { seccompFd: 3 } : {}),
    })
    const r = await runProcess({
      file: bwrapPath,
      args: argv,
      cwd: '/',
      env: {},
      timeoutMs: 10_000,
      maxOutputBytes: 4096,
      ...(seccomp ? { extraFds: [seccomp] } : {}),
    })
    return r.error === undefined && r.exitCode === 0 && r.stdout === 'ok\n'
  } catch {
    return false
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {})
  }
}

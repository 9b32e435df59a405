/**
 * Run one process to completion with a deadline and bounded, redacted output. Effectful (spawn,
 * clock, signals come in through `deps`). Never rejects: spawn failures, bad options and
 * timeouts are all the same ProcessResult shape, with `error` set when nothing (or not all) ran.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { redactSecrets } from './redact.js'

/** Why a process did not run (or its result cannot be trusted). Stable snake_case codes. */
export type ExecFailureCode =
  | 'invalid_request' // options the runner refuses (bad timeout, NUL in an argument, ...)
  | 'spawn_failed' // the program could not be started (ENOENT, EACCES, ...)
  | 'sandbox_unavailable' // bwrap missing or not working, and no unsafe opt-in
  | 'sandbox_refused' // the sandbox would not run in this cwd (root, system dir, hidden path)
  | 'cwd_unavailable' // the working directory does not exist or cannot be opened
  | 'internal_error' // a bug or an injected dependency failed; the child (if any) was killed

/** One result shape for success and failure. Output is already redacted. */
export interface ProcessResult {
  exitCode: number | null
  signal: string | null
  timedOut: boolean
  stdout: string
  stderr: string
  stdoutTruncated: boolean
  stderrTruncated: boolean
  durationMs: number
  error?: ExecFailureCode
  /** Readable reason for `error`. */
  errorMessage?: string
}

export interface RunProcessOptions {
  file: string
  args: readonly string[]
  cwd: string
  /** The complete environment of the child: nothing is inherited. */
  env: Record<string, string>
  /** Written to the child's stdin, then closed. Without it stdin is /dev/null (never ours). */
  stdin?: string | Uint8Array
  timeoutMs: number
  /** Per stream; bytes beyond it are read and dropped. */
  maxOutputBytes: number
  /** Between SIGTERM and SIGKILL to the process group on timeout. Default 2000. */
  killGraceMs?: number
  /** Child fds from 3 upward: a number is one of our fds shared with the child; bytes are fed
   * through a pipe the child reads to EOF (e.g. a seccomp program for bwrap). */
  extraFds?: ReadonlyArray<number | Uint8Array>
  /** Run the child as this uid/gid (requires privilege; supplementary groups are dropped). */
  uid?: number
  gid?: number
  /** Apply redactSecrets to stdout/stderr. Default true. */
  redact?: boolean
}

export interface RunDeps {
  spawn: (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess
  /** Monotonic milliseconds. */
  now: () => number
  /** Signal a whole process group; must not throw. */
  killGroup: (pgid: number, signal: NodeJS.Signals) => void
  /** Our fds >= 3 that a child would inherit (no close-on-exec): inherited from whoever started
   * the gateway. Each is replaced by /dev/null in the child; must not throw. */
  inheritableFds: () => number[]
}

export const defaultRunDeps: RunDeps = {
  spawn: (file, args, options) => nodeSpawn(file, [...args], options),
  now: () => performance.now(),
  killGroup: (pgid, signal) => {
    try {
      process.kill(-pgid, signal)
    } catch {
      // ESRCH: the group is already gone.
    }
  },
  inheritableFds: () => {
    const O_CLOEXEC = 0o2000000
    try {
      return readdirSync('/proc/self/fd')
        .map(Number)
        .filter(fd => {
          if (!(fd >= 3)) return false
          try {
            const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))
            return flags !== null && (parseInt(flags[1]!, 8) & O_CLOEXEC) === 0
          } catch {
            return false // closed meanwhile (e.g. the directory listing's own fd)
          }
        })
    } catch {
      return []
    }
  },
}

export const DEFAULT_KILL_GRACE_MS = 2000
// After the main process exits, how long stragglers outside its group may hold the pipes.
const DRAIN_AFTER_EXIT_MS = 1000
// setTimeout fires at once beyond this.
const MAX_TIMER_MS = 2 ** 31 - 1

/** A stream reader that keeps the first `cap` bytes and drains the rest. */
class Capped {
  private chunks: Buffer[] = []
  private bytes = 0
  truncated = false
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    const room = this.cap - this.bytes
    if (chunk.length > room) this.truncated = true
    if (room <= 0) return
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk
    this.chunks.push(kept)
    this.bytes += kept.length
  }
  text(redact: boolean): string {
    const s = Buffer.concat(this.chunks).toString('utf8')
    return redact ? redactSecrets(s) : s
  }
}

const validationError = (o: RunProcessOptions): string | null => {
  const isMs = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_TIMER_MS
  if (!isMs(o.timeoutMs)) return `Expected timeoutMs in (0, ${MAX_TIMER_MS}], got \`${String(o.timeoutMs)}\` (${typeof o.timeoutMs})`
  if (!Number.isSafeInteger(o.maxOutputBytes) || o.maxOutputBytes < 0) {
    return `Expected maxOutputBytes to be an integer >= 0, got \`${String(o.maxOutputBytes)}\` (${typeof o.maxOutputBytes})`
  }
  if (o.killGraceMs !== undefined && !(isMs(o.killGraceMs) || o.killGraceMs === 0)) {
    return `Expected killGraceMs in [0, ${MAX_TIMER_MS}], got \`${String(o.killGraceMs)}\``
  }
  if (o.stdin !== undefined && typeof o.stdin !== 'string' && !(o.stdin instanceof Uint8Array)) return 'Expected stdin to be a string or bytes'
  if (o.extraFds !== undefined && !o.extraFds.every(f => (Number.isSafeInteger(f) && (f as number) >= 0) || f instanceof Uint8Array)) {
    return 'Expected extraFds to hold fds (integers >= 0) or bytes'
  }
  if (!Array.isArray(o.args) || o.env === null || typeof o.env !== 'object') return 'Expected args to be an array and env an object'
  const texts = [o.file, o.cwd, ...o.args, ...Object.keys(o.env), ...Object.values(o.env)]
  if (texts.some(t => typeof t !== 'string' || t.includes('\0'))) return 'Expected file, args, cwd and env to be strings without NUL bytes'
  return null
}

/** Spawn `file args` in its own process group and wait for it; see ProcessResult. */
export function runProcess(opts: RunProcessOptions, deps: RunDeps = defaultRunDeps): Promise<ProcessResult> {
  try {
    return run(opts, deps).catch(internalFailure)
  } catch (e) {
    return Promise.resolve(internalFailure(e))
  }
}

/** The result of a process that did not run (same shape as one that did). */
export const notRun = (error: ExecFailureCode, errorMessage: string): ProcessResult => ({
  exitCode: null,
  signal: null,
  timedOut: false,
  stdout: '',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  durationMs: 0,
  error,
  errorMessage,
})

const internalFailure = (e: unknown): ProcessResult =>
  notRun('internal_error', redactSecrets(`Cannot run the process: ${e instanceof Error ? e.message : String(e)}`))

function run(opts: RunProcessOptions, deps: RunDeps): Promise<ProcessResult> {
  const started = deps.now()
  const redact = opts.redact ?? true
  const cap = Number.isSafeInteger(opts.maxOutputBytes) ? Math.max(0, opts.maxOutputBytes) : 0
  const out = new Capped(cap)
  const err = new Capped(cap)
  const result = (patch: Partial<ProcessResult>): ProcessResult => ({
    exitCode: null,
    signal: null,
    timedOut: false,
    stdout: out.text(redact),
    stderr: err.text(redact),
    stdoutTruncated: out.truncated,
    stderrTruncated: err.truncated,
    durationMs: Math.max(0, Math.round(deps.now() - started)),
    ...patch,
    ...(patch.errorMessage !== undefined ? { errorMessage: redactSecrets(patch.errorMessage) } : {}),
  })

  const invalid = validationError(opts)
  if (invalid) return Promise.resolve(result({ error: 'invalid_request', errorMessage: invalid }))

  return new Promise<ProcessResult>(resolve => {
    const extra = opts.extraFds ?? []
    const stdio: Array<'pipe' | 'ignore' | number> = [
      opts.stdin === undefined ? 'ignore' : 'pipe',
      'pipe',
      'pipe',
      ...extra.map(f => (typeof f === 'number' ? f : 'pipe')),
    ]
    // An fd the gateway inherited without close-on-exec would reach the child (and the
    // sandbox: an open host directory is a way out). Give those numbers /dev/null instead.
    let devNull: number | null = null
    let child: ChildProcess
    try {
      for (const fd of [...deps.inheritableFds()].sort((a, b) => a - b)) {
        if (fd < stdio.length) continue
        devNull ??= openSync('/dev/null', 'r+')
        while (stdio.length < fd) stdio.push('ignore')
        stdio.push(devNull)
      }
      child = deps.spawn(opts.file, opts.args, {
        cwd: opts.cwd,
        env: { ...opts.env },
        stdio,
        // Own session and process group: the timeout kills the whole tree with one signal.
        detached: true,
        ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
        ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
      })
    } catch (e) {
      resolve(result({ error: 'spawn_failed', errorMessage: `Cannot start \`${opts.file}\`: ${(e as Error).message}` }))
      return
    } finally {
      if (devNull !== null) closeQuietly(devNull)
    }

    let done = false
    let exited = false
    let timedOut = false
    let exitCode: number | null = null
    let signal: string | null = null
    let spawnError: string | null = null
    let internalError: string | null = null
    const timers: NodeJS.Timeout[] = []
    const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms))

    const finish = () => {
      if (done) return
      done = true
      for (const t of timers) clearTimeout(t)
      // Whatever still holds our pipes (a daemonized straggler) no longer keeps us waiting.
      for (const s of child.stdio) s?.destroy()
      if (internalError !== null) {
        resolve(result({ error: 'internal_error', errorMessage: internalError }))
        return
      }
      if (spawnError !== null && !exited) {
        resolve(result({ error: 'spawn_failed', errorMessage: `Cannot start \`${opts.file}\`: ${spawnError}` }))
        return
      }
      resolve(result({ exitCode, signal, timedOut }))
    }

    child.stdout?.on('data', (c: Buffer) => out.push(c))
    child.stderr?.on('data', (c: Buffer) => err.push(c))
    for (const s of child.stdio) s?.on('error', () => {}) // EPIPE and friends: the result says enough
    child.on('error', e => {
      spawnError = e.message
      if (child.pid === undefined) finish()
    })
    child.on('exit', (code, sig) => {
      exited = true
      exitCode = code
      signal = sig
      // Sweep the group: background jobs do not outlive the command.
      if (child.pid !== undefined) deps.killGroup(child.pid, 'SIGKILL')
      later(DRAIN_AFTER_EXIT_MS, finish)
    })
    child.on('close', finish)

    if (child.pid !== undefined) {
      const pid = child.pid
      later(opts.timeoutMs, () => {
        if (exited) return
        timedOut = true
        deps.killGroup(pid, 'SIGTERM')
        const grace = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS
        later(grace, () => deps.killGroup(pid, 'SIGKILL'))
        // Last resort: resolve even if the kernel never reports the exit.
        later(grace + DRAIN_AFTER_EXIT_MS * 2, finish)
      })
    }

    try {
      if (opts.stdin !== undefined) (child.stdin as Writable | null)?.end(opts.stdin)
      extra.forEach((f, i) => {
        if (typeof f !== 'number') (child.stdio[3 + i] as Writable | null)?.end(Buffer.from(f))
      })
    } catch (e) {
      // Never leave a half-fed child running behind a failed result.
      if (child.pid !== undefined) deps.killGroup(child.pid, 'SIGKILL')
      internalError = `Cannot feed \`${opts.file}\`: ${(e as Error).message}`
      finish()
    }
  })
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // Already closed: nothing to release.
  }
}

/**
 * The state dir: `<stateDir>/gateway.db` (SQLite, WAL, synchronous=FULL) holding approvals,
 * plans and the audit head, and `<stateDir>/audit.log`. Several processes (the server, the
 * approvals CLI, the HTTP control plane) may open it at once.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { createApprovalRepository, type ApprovalRepository } from '../approvals/repository.js'
import { openAuditLog, type AuditLog } from '../audit/append.js'
import type { Redact } from '../audit/line.js'
import { StoreError, messageOf } from './errors.js'
import { migrate } from './migrations.js'
import { createPlanRepository, type PlanRepository } from './plans.js'
import { ensurePrivateDir, ensurePrivateFile } from './private-fs.js'

export const DB_FILE = 'gateway.db'

export interface StoreDeps {
  now?: () => Date
  /** Source of ids (approval and plan ids are 16 random bytes in hex). */
  randomBytes?: (size: number) => Uint8Array
  /** How long to wait for another process's write lock. Default 10 s. */
  busyTimeoutMs?: number
  /** Applied to every caller-supplied string in the audit log (src/exec/redact.ts). */
  redact?: Redact
  audit?: { maxBytes?: number; keep?: number }
}

export interface Store {
  readonly stateDir: string
  /** The open database, for stages that add their own tables through migrations. */
  readonly db: Database.Database
  readonly approvals: ApprovalRepository
  readonly plans: PlanRepository
  readonly audit: AuditLog
  /** Close the database; further calls fail. Idempotent. */
  close(): void
}

const sleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Retry a statement that can report SQLITE_BUSY without calling the busy handler (journal mode changes). */
function whileBusy<T>(timeoutMs: number, fn: () => T): T {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return fn()
    } catch (e) {
      const code = (e as { code?: string }).code ?? ''
      if (!code.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw e
      sleep(10)
    }
  }
}

/** Open (creating if needed) the state dir and its database; throws StoreError when unusable. */
export function openStore(stateDir: string, deps: StoreDeps = {}): Store {
  const dir = resolve(stateDir)
  const now = deps.now ?? (() => new Date())
  const randomBytes = deps.randomBytes ?? cryptoRandomBytes
  const busyTimeoutMs = deps.busyTimeoutMs ?? 10_000
  ensurePrivateDir(dir)
  const path = join(dir, DB_FILE)
  // Created 0600 before SQLite sees it; SQLite gives -wal and -shm the same mode.
  ensurePrivateFile(path)
  let db: Database.Database
  try {
    db = new Database(path, { timeout: busyTimeoutMs })
  } catch (e) {
    throw new StoreError('store_open_failed', `cannot open \`${path}\`: ${messageOf(e)}`)
  }
  try {
    const mode = whileBusy(busyTimeoutMs, () => db.pragma('journal_mode = WAL', { simple: true }))
    if (String(mode).toLowerCase() !== 'wal') throw new Error(`journal_mode is ${String(mode)}, expected wal`)
    db.pragma('synchronous = FULL')
    db.pragma(`busy_timeout = ${Math.floor(busyTimeoutMs)}`)
    db.pragma('foreign_keys = ON')
    db.pragma('trusted_schema = OFF')
    whileBusy(busyTimeoutMs, () => migrate(db, now().getTime()))
  } catch (e) {
    db.close()
    if (e instanceof StoreError) throw e
    throw new StoreError('store_open_failed', `cannot prepare \`${path}\`: ${messageOf(e)}`)
  }
  const audit = openAuditLog({
    stateDir: dir,
    db,
    now,
    ...(deps.redact ? { redact: deps.redact } : {}),
    ...(deps.audit?.maxBytes !== undefined ? { maxBytes: deps.audit.maxBytes } : {}),
    ...(deps.audit?.keep !== undefined ? { keep: deps.audit.keep } : {}),
  })
  return {
    stateDir: dir,
    db,
    approvals: createApprovalRepository(db, { now, randomBytes }),
    plans: createPlanRepository(db, { now, randomBytes }),
    audit,
    close: () => {
      if (db.open) db.close()
    },
  }
}

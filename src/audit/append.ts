/**
 * Appending to the hash-chained audit log. One append at a time across processes: the lock is
 * a BEGIN IMMEDIATE transaction on the store database, and the file itself says where the chain
 * stands (its last line gives seq and prev). A line is written and fsynced before append returns.
 *
 * Torn tail (a crash mid-write leaves bytes after the last newline): such a line was never
 * acknowledged, so the next append moves those bytes to audit.torn (with offset and sha256),
 * truncates audit.log back to the last newline, and writes an `audit_repaired` line saying so
 * before its own line. Verification reports a torn tail until then.
 */
import { closeSync, constants, existsSync, fsyncSync, ftruncateSync, fstatSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { AUDIT_FILE, TORN_FILE, fsyncDir, listAuditFiles, openForRead, openPrivate, readLastLines, rotatedName } from './files.js'
import { GENESIS, hashLine, parseAuditLine, prepareAuditBody, renderAuditLine, type AuditInput, type AuditLine, type Redact } from './line.js'
import { tailAudit } from './tail.js'
import { verifyAudit, type AuditHead, type VerifyResult } from './verify.js'

export type AuditErrorCode = 'audit_invalid_record' | 'audit_write_failed' | 'audit_corrupt' | 'audit_head_mismatch'

export type AppendResult = { ok: true; seq: number; hash: string; line: AuditLine } | { ok: false; code: AuditErrorCode; message: string }

export interface AuditOptions {
  stateDir: string
  /** The store database: its write lock serializes appends across processes. */
  db: Database
  now: () => Date
  /** Applied to every caller-supplied string. Default: identity. */
  redact?: Redact
  /** Rotate audit.log once it reaches this many bytes. Default 64 MiB. */
  maxBytes?: number
  /** Rotated files kept (audit.log.1 … audit.log.keep). Default 5. */
  keep?: number
}

export interface AuditLog {
  /** Append one record durably; a failure is a result, never a throw. Not inside a db transaction. */
  append(input: AuditInput): AppendResult
  /** verifyAudit with this store's head and retention. */
  verify(): VerifyResult
  /** The last n records, oldest first. */
  tail(n: number): AuditLine[]
  /** seq and hash of the last line committed, as the store recorded them. */
  head(): AuditHead | null
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024
export const DEFAULT_KEEP = 5

class AuditFailure extends Error {
  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(message)
  }
}

const writeAll = (fd: number, buf: Buffer): void => {
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off)
}

interface Tail {
  seq: number
  hash: string
}

/** The last complete line of a file: seq and hash, or null for an empty file. */
function tailOf(fd: number, size: number, name: string): Tail | null {
  const { lines } = readLastLines(fd, size, 1)
  const last = lines[0]
  if (last === undefined) return null
  const parsed = parseAuditLine(last)
  if (!parsed.ok) throw new AuditFailure('audit_corrupt', `the last line of ${name} is not an audit record (${parsed.message}); run verify and move the damaged file aside`)
  return { seq: parsed.line.seq, hash: hashLine(last) }
}

/** Open the audit log in stateDir, locking through `db` (a store opened by openStore). */
export function openAuditLog(options: AuditOptions): AuditLog {
  const { stateDir, db, now } = options
  const redact = options.redact ?? ((s: string) => s)
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const keep = options.keep ?? DEFAULT_KEEP
  if (!(maxBytes > 0)) throw new RangeError(`Expected maxBytes > 0, got \`${maxBytes}\``)
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`Expected keep to be an integer >= 1, got \`${keep}\``)
  const path = join(stateDir, AUDIT_FILE)
  const getHead = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1')
  const setHead = db.prepare('INSERT INTO audit_head (id, seq, hash, updated_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at')
  const head = (): AuditHead | null => (getHead.get() as AuditHead | undefined) ?? null

  const openLog = (): number => openPrivate(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND)

  /** Move a torn tail to audit.torn and cut it off audit.log. */
  const quarantine = (fd: number, torn: { offset: number; bytes: Buffer }, ts: string): string => {
    const tfd = openPrivate(join(stateDir, TORN_FILE), constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND)
    const digest = hashLine(torn.bytes)
    try {
      const entry = { ts, file: AUDIT_FILE, offset: torn.offset, length: torn.bytes.length, sha256: digest, base64: torn.bytes.toString('base64') }
      writeAll(tfd, Buffer.from(JSON.stringify(entry) + '\n'))
      fsyncSync(tfd)
    } finally {
      closeSync(tfd)
    }
    ftruncateSync(fd, torn.offset)
    fsyncSync(fd)
    return `torn tail of ${torn.bytes.length} bytes at offset ${torn.offset} of ${AUDIT_FILE} (sha256 ${digest}) moved to ${TORN_FILE}`
  }

  /** audit.log.k → audit.log.k+1, audit.log → audit.log.1; files beyond `keep` are dropped. */
  const rotate = (): void => {
    for (let i = keep - 1; i >= 1; i--) {
      const from = join(stateDir, rotatedName(i))
      if (existsSync(from)) renameSync(from, join(stateDir, rotatedName(i + 1)))
    }
    renameSync(path, join(stateDir, rotatedName(1)))
    for (const f of listAuditFiles(stateDir)) if (f.index > keep) unlinkSync(f.path)
    fsyncDir(stateDir)
  }

  /** Where the chain stands when audit.log has no complete line: the rotated file, else the store. */
  const previousTail = (): Tail | null => {
    const fd = openForRead(join(stateDir, rotatedName(1)))
    if (fd !== null) {
      try {
        const t = tailOf(fd, fstatSync(fd).size, rotatedName(1))
        if (t) return t
      } finally {
        closeSync(fd)
      }
    }
    const h = head()
    return h ? { seq: h.seq, hash: h.hash } : null
  }

  const appendLocked = (body: Parameters<typeof renderAuditLine>[0]): AppendResult => {
    const nowDate = now()
    const ts = nowDate.toISOString()
    const created = !existsSync(path)
    let fd = openLog()
    try {
      let size = fstatSync(fd).size
      let repaired: string | null = null
      let last: Tail | null = null
      if (size > 0) {
        const { torn } = readLastLines(fd, size, 1)
        if (torn) {
          repaired = quarantine(fd, torn, ts)
          size = torn.offset
        }
        last = tailOf(fd, size, AUDIT_FILE)
      }
      last ??= previousTail()
      // A crash can leave the file one line ahead of the store, never behind it.
      const h = head()
      if (last && h && (last.seq < h.seq || (last.seq === h.seq && last.hash !== h.hash))) {
        throw new AuditFailure('audit_head_mismatch', `the audit log ends at seq ${last.seq} but the store last committed seq ${h.seq}${last.seq === h.seq ? ' with a different hash' : ''}: the log was cut or altered; run verify`)
      }
      let dirty = created
      if (size >= maxBytes) {
        closeSync(fd)
        fd = -1
        rotate()
        fd = openLog()
        dirty = true
      }
      const lines: { line: AuditLine; text: string }[] = []
      let seq = last?.seq ?? 0
      let prev = last?.hash ?? GENESIS
      const push = (b: typeof body) => {
        const r = renderAuditLine(b, ++seq, ts, prev)
        prev = hashLine(r.text)
        lines.push(r)
      }
      // The repair is itself on the chain, just before the line that triggered it.
      if (repaired) push({ event: 'audit_repaired', decision_id: null, agent_id: null, tool: null, input_digest: null, decision: null, reasons: [], revision: null, approval_id: null, executed: false, exit_code: null, duration_ms: null, error: repaired })
      push(body)
      writeAll(fd, Buffer.from(lines.map(l => l.text + '\n').join('')))
      fsyncSync(fd)
      if (dirty) fsyncDir(stateDir)
      setHead.run(seq, prev, nowDate.getTime())
      const mine = lines.at(-1)!
      return { ok: true, seq, hash: prev, line: mine.line }
    } finally {
      if (fd !== -1) closeSync(fd)
    }
  }

  return {
    append: input => {
      const prepared = prepareAuditBody(input, redact)
      if (!prepared.ok) return { ok: false, code: 'audit_invalid_record', message: `invalid audit record: ${prepared.message}` }
      // Inside a caller's transaction BEGIN IMMEDIATE would be a mere savepoint, not the lock.
      if (db.inTransaction) return { ok: false, code: 'audit_write_failed', message: 'cannot append to the audit log inside a database transaction' }
      try {
        return db.transaction(() => appendLocked(prepared.body)).immediate()
      } catch (e) {
        if (e instanceof AuditFailure) return { ok: false, code: e.code, message: e.message }
        return { ok: false, code: 'audit_write_failed', message: `cannot write the audit log: ${e instanceof Error ? e.message : String(e)}` }
      }
    },
    verify: () => verifyAudit(stateDir, { head: head(), keep }),
    tail: n => tailAudit(stateDir, n),
    head,
  }
}

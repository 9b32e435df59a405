/**
 * Approval requests in SQLite. Every state change is one conditional UPDATE (or runs inside
 * BEGIN IMMEDIATE), so concurrent callers, in this process or another, cannot both win.
 * Operations return `{ok: true, ...}` or a refusal with a code; they never throw.
 */
import type { Database } from 'better-sqlite3'
import { z } from 'zod'
import { describeIssues, messageOf } from '../errors.js'
import { bindableArgs, fingerprintRequest } from './fingerprint.js'
import { APPROVAL_ID_PATTERN, rowToRecord, rowToState, type ApprovalRecord, type ApprovalRow, type DecisionSnapshot } from './record.js'
import { refuse, transition, type ApprovalEvent, type ApprovalRefusal, type ApprovalStatus } from './state.js'

export interface ApprovalDeps {
  now: () => Date
  randomBytes: (size: number) => Uint8Array
}

/** A point in time: a Date or unix milliseconds. */
export type When = Date | number

const MAX_TTL_SECONDS = 30 * 24 * 3600
const FINGERPRINT = /^[0-9a-f]{64}$/

const DecisionSnapshotSchema = z.looseObject({
  decision: z.enum(['allow', 'escalate', 'block']),
  decision_id: z.string().min(1),
  reasons: z.array(z.unknown()),
})

const CreateSchema = z.strictObject({
  fingerprint: z.string().regex(FINGERPRINT, 'Expected a sha256 hex fingerprint'),
  tool: z.string().min(1),
  args: z.unknown(),
  environment: z.string().min(1),
  agent_id: z.string().min(1),
  decision: DecisionSnapshotSchema,
  input: z.looseObject({ tool: z.string(), environment: z.string(), agent_id: z.string() }),
  ttlSeconds: z.number().positive().max(MAX_TTL_SECONDS),
  now: z.union([z.date(), z.number()]).optional(),
})

/** What an approval request is created from. */
export interface CreateApprovalInput {
  /** fingerprintRequest({tool, args, environment, agent_id}); checked against those fields. */
  fingerprint: string
  tool: string
  args: unknown
  environment: string
  agent_id: string
  /** The full policy decision (must be 'escalate'). */
  decision: DecisionSnapshot
  /** The full normalized PolicyInput the decision was made on. */
  input: unknown
  ttlSeconds: number
  now?: When
}

export type ApprovalResult = { ok: true; record: ApprovalRecord } | ApprovalRefusal

export interface DecideInput {
  verdict: 'approve' | 'reject'
  /** The human's identity, as the control plane authenticated it. */
  by: string
  reason?: string | null
  now?: When
}

export interface ApprovalRepository {
  /** A new pending request. Refuses a decision that is not 'escalate'. */
  create(input: CreateApprovalInput): ApprovalResult
  /** The live pending/approved request for this action, else its live rejection (a rejection
   * sticks until it expires), else a new pending one. `reused` says which. */
  requestOrReuse(input: CreateApprovalInput): ({ ok: true; record: ApprovalRecord; reused: boolean }) | ApprovalRefusal
  /** The request, or null. Throws StoreError only on a corrupt row. */
  get(id: string, now?: When): ApprovalRecord | null
  /** Newest first, filtered by effective status. */
  list(options?: { status?: ApprovalStatus; limit?: number; now?: When }): ApprovalRecord[]
  /** A human approves or rejects a pending, unexpired request. */
  decide(id: string, input: DecideInput): ApprovalResult
  /** Use an approved request for the action with `fingerprint`: succeeds once, ever. */
  consume(id: string, fingerprint: string, now?: When): ApprovalResult
  /** Delete rejected, expired and consumed requests that ended more than retainSeconds ago. */
  prune(now: When, options: { retainSeconds: number }): number
}

const ms = (w: When): number => (typeof w === 'number' ? w : w.getTime())

const guard = <T>(fn: () => T | ApprovalRefusal): T | ApprovalRefusal => {
  try {
    return fn()
  } catch (e) {
    return refuse('approval_store_error', `approval store error: ${messageOf(e)}`)
  }
}

const describeZod = (e: z.ZodError): string => describeIssues(e.issues, 'input')

/** Approval requests on an open better-sqlite3 database (migrated by openStore). */
export function createApprovalRepository(db: Database, deps: ApprovalDeps): ApprovalRepository {
  const nowMs = (w?: When): number => ms(w ?? deps.now())

  const insert = db.prepare(`INSERT INTO approvals (id, fingerprint, tool, args_json, environment, agent_id, decision,
      decision_id, decision_json, input_json, status, created_at, expires_at)
    VALUES (@id, @fingerprint, @tool, @args_json, @environment, @agent_id, @decision,
      @decision_id, @decision_json, @input_json, 'pending', @created_at, @expires_at) RETURNING *`)
  const byId = db.prepare('SELECT * FROM approvals WHERE id = ?')
  // Approved before pending, newest first; then a live rejection.
  const live = db.prepare(`SELECT * FROM approvals
    WHERE fingerprint = ? AND expires_at > ? AND status IN ('approved', 'pending', 'rejected')
    ORDER BY CASE status WHEN 'approved' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, created_at DESC LIMIT 1`)
  const decideUpdate = db.prepare(`UPDATE approvals
    SET status = @status, decided_at = @now, decided_by = @by, decision_reason = @reason
    WHERE id = @id AND status = 'pending' AND expires_at > @now AND decision = 'escalate' RETURNING *`)
  const consumeUpdate = db.prepare(`UPDATE approvals SET status = 'consumed', consumed_at = @now
    WHERE id = @id AND status = 'approved' AND expires_at > @now AND fingerprint = @fingerprint
      AND decision = 'escalate' RETURNING *`)
  const pruneDelete = db.prepare(`DELETE FROM approvals
    WHERE (status = 'consumed' AND consumed_at <= @cutoff) OR (status <> 'consumed' AND expires_at <= @cutoff)`)

  const row = (id: string): ApprovalRow | null => (APPROVAL_ID_PATTERN.test(id) ? ((byId.get(id) as ApprovalRow | undefined) ?? null) : null)

  /** Validate a create request; the checked fields, or a refusal. */
  const check = (input: CreateApprovalInput) => {
    const parsed = CreateSchema.safeParse(input)
    if (!parsed.success) return refuse('approval_invalid_request', `invalid approval request: ${describeZod(parsed.error)}`)
    const v = parsed.data
    if (v.decision.decision === 'block') return refuse('approval_decision_blocked', 'a blocked action cannot be approved: no approval request is created for a block')
    if (v.decision.decision !== 'escalate') return refuse('approval_not_escalated', `a '${v.decision.decision}' decision needs no approval`)
    for (const k of ['tool', 'environment', 'agent_id'] as const) {
      if (v.input[k] !== v[k]) return refuse('approval_invalid_request', `input.${k} \`${v.input[k]}\` differs from ${k} \`${v[k]}\``)
    }
    const args = bindableArgs(v.args)
    let expected: string
    try {
      expected = fingerprintRequest({ tool: v.tool, args, environment: v.environment, agent_id: v.agent_id })
    } catch (e) {
      return refuse('approval_invalid_request', `args cannot be fingerprinted: ${messageOf(e)}`)
    }
    if (expected !== v.fingerprint) return refuse('approval_fingerprint_mismatch', 'the fingerprint does not match tool, args, environment and agent_id')
    return { ...v, args, at: nowMs(v.now) }
  }

  const insertChecked = (v: Exclude<ReturnType<typeof check>, ApprovalRefusal>): ApprovalRecord => {
    const r = insert.get({
      id: Buffer.from(deps.randomBytes(16)).toString('hex'),
      fingerprint: v.fingerprint,
      tool: v.tool,
      args_json: JSON.stringify(v.args),
      environment: v.environment,
      agent_id: v.agent_id,
      decision: v.decision.decision,
      decision_id: v.decision.decision_id,
      decision_json: JSON.stringify(v.decision),
      input_json: JSON.stringify(v.input),
      created_at: v.at,
      expires_at: v.at + Math.round(v.ttlSeconds * 1000),
    }) as ApprovalRow
    return rowToRecord(r, v.at)
  }

  const explain = (id: string, event: ApprovalEvent, now: number): ApprovalRefusal => {
    const current = row(id)
    const t = transition(current ? rowToState(current) : null, event, now)
    // The UPDATE found nothing to change, so a legal transition here means we lost a race.
    return t.ok ? refuse('approval_store_error', `approval ${id} changed concurrently; try again`) : t
  }

  return {
    create: input =>
      guard(() => {
        const v = check(input)
        if ('ok' in v) return v
        return { ok: true as const, record: insertChecked(v) }
      }),

    requestOrReuse: input =>
      guard(() => {
        const v = check(input)
        if ('ok' in v) return v
        // IMMEDIATE: two agents asking at once must not open two requests for one action.
        return db
          .transaction(() => {
            const existing = live.get(v.fingerprint, v.at) as ApprovalRow | undefined
            if (existing) return { ok: true as const, record: rowToRecord(existing, v.at), reused: true }
            return { ok: true as const, record: insertChecked(v), reused: false }
          })
          .immediate()
      }),

    get: (id, now) => {
      const r = row(id)
      return r ? rowToRecord(r, nowMs(now)) : null
    },

    list: (options = {}) => {
      const now = nowMs(options.now)
      const limit = Number.isFinite(options.limit) ? Math.max(1, Math.min(1000, Math.floor(options.limit!))) : 100
      const where: Record<ApprovalStatus, string> = {
        pending: "status = 'pending' AND expires_at > @now",
        approved: "status = 'approved' AND expires_at > @now",
        expired: "(status = 'expired' OR (status IN ('pending', 'approved') AND expires_at <= @now))",
        rejected: "status = 'rejected'",
        consumed: "status = 'consumed'",
      }
      const filter = options.status ? `WHERE ${where[options.status] ?? '0'}` : ''
      const rows = db.prepare(`SELECT * FROM approvals ${filter} ORDER BY created_at DESC, id LIMIT @limit`).all(options.status ? { now, limit } : { limit }) as ApprovalRow[]
      return rows.map(r => rowToRecord(r, now))
    },

    decide: (id, input) =>
      guard(() => {
        const now = nowMs(input.now)
        if (input.verdict !== 'approve' && input.verdict !== 'reject') {
          return refuse('approval_invalid_request', `Expected verdict 'approve' or 'reject', got \`${String(input.verdict)}\``)
        }
        const event: ApprovalEvent = { type: input.verdict, by: input.by, reason: input.reason ?? null }
        return db
          .transaction((): ApprovalResult => {
            const current = row(id)
            const t = transition(current ? rowToState(current) : null, event, now)
            if (!t.ok) return t
            const updated = decideUpdate.get({ id, now, status: t.state.status, by: t.state.decided_by, reason: t.state.decision_reason }) as ApprovalRow | undefined
            return updated ? { ok: true, record: rowToRecord(updated, now) } : explain(id, event, now)
          })
          .immediate()
      }),

    consume: (id, fingerprint, when) =>
      guard(() => {
        const now = nowMs(when)
        const updated = APPROVAL_ID_PATTERN.test(id) ? (consumeUpdate.get({ id, fingerprint: String(fingerprint), now }) as ApprovalRow | undefined) : undefined
        if (updated) return { ok: true as const, record: rowToRecord(updated, now) }
        return explain(id, { type: 'consume', fingerprint: String(fingerprint) }, now)
      }),

    prune: (now, { retainSeconds }) => {
      if (!(retainSeconds >= 0)) throw new RangeError(`Expected retainSeconds >= 0, got \`${retainSeconds}\``)
      return pruneDelete.run({ cutoff: ms(now) - Math.round(retainSeconds * 1000) }).changes
    },
  }
}

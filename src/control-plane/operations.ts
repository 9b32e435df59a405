/**
 * The humans' operations on approvals, shared by the CLI and the HTTP API. Every decision is
 * audited with the approver's identity and reason.
 */
import { APPROVAL_ID_PATTERN, type ApprovalRecord } from '../approvals/record.js'
import type { ApprovalStatus } from '../approvals/state.js'
import type { Store } from '../store/index.js'

export type OperationResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string; status: number }

const HTTP_STATUS: Record<string, number> = {
  approval_not_found: 404,
  invalid_id: 404,
  approval_expired: 409,
  approval_rejected: 409,
  approval_consumed: 409,
  approval_already_decided: 409,
  approval_not_pending: 409,
}

/** An approval as a human reviews it: what will run (the normalized input), not agent prose. */
export const reviewView = (r: ApprovalRecord) => ({
  id: r.id,
  status: r.status,
  tool: r.tool,
  environment: r.environment,
  agent_id: r.agent_id,
  args: r.args,
  decision: r.decision.decision,
  decision_id: r.decision.decision_id,
  reasons: r.decision.reasons,
  fingerprint: r.fingerprint,
  created_at: new Date(r.created_at).toISOString(),
  expires_at: new Date(r.expires_at).toISOString(),
  decided_at: r.decided_at === null ? null : new Date(r.decided_at).toISOString(),
  decided_by: r.decided_by,
  decision_reason: r.decision_reason,
  consumed_at: r.consumed_at === null ? null : new Date(r.consumed_at).toISOString(),
  input: r.input,
})

export const listApprovals = (store: Store, now: Date, status?: ApprovalStatus, limit = 100) =>
  store.approvals.list({ ...(status ? { status } : {}), limit, now }).map(reviewView)

export function showApproval(store: Store, id: string, now: Date): OperationResult<ReturnType<typeof reviewView>> {
  const r = store.approvals.get(id, now)
  return r ? { ok: true, value: reviewView(r) } : { ok: false, code: 'approval_not_found', message: `No approval ${id}`, status: 404 }
}

export function decideApproval(
  store: Store,
  id: string,
  verdict: 'approve' | 'reject',
  by: string,
  reason: string | null,
  now: Date,
  channel: 'cli' | 'http',
): OperationResult<ReturnType<typeof reviewView>> {
  if (by.trim() === '') return { ok: false, code: 'approver_required', message: 'The approver identity (--by) is required', status: 400 }
  const r = store.approvals.decide(id, { verdict, by, reason, now })
  if (!r.ok) {
    store.audit.append({ event: 'approval_decided', approval_id: APPROVAL_ID_PATTERN.test(id) ? id : null, actor: by, executed: false, error: r.code })
    return { ok: false, code: r.code, message: r.message, status: HTTP_STATUS[r.code] ?? 400 }
  }
  const rec = r.record
  const a = store.audit.append({
    event: 'approval_decided',
    approval_id: rec.id,
    decision_id: rec.decision.decision_id,
    agent_id: rec.agent_id,
    tool: rec.tool,
    input: rec.input,
    decision: rec.decision.decision,
    reasons: [{ code: verdict === 'approve' ? 'approved' : 'rejected', message: `${verdict}d via ${channel} by ${by}${reason ? `: ${reason}` : ''}` }],
    actor: by,
    executed: false,
  })
  if (!a.ok) return { ok: false, code: 'audit_failed', message: `decision recorded but the audit log failed: ${a.message}`, status: 500 }
  return { ok: true, value: reviewView(rec) }
}

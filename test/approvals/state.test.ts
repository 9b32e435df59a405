import t from 'tap'
import { effectiveStatus, transition, type ApprovalState } from '../../src/approvals/state.js'

const NOW = 1_000_000
const pending: ApprovalState = {
  id: 'a'.repeat(32),
  status: 'pending',
  decision: 'escalate',
  fingerprint: 'f'.repeat(64),
  agent_id: 'agent-7',
  expires_at: NOW + 60_000,
  decided_at: null,
  decided_by: null,
  decision_reason: null,
  consumed_at: null,
}
const approved: ApprovalState = { ...pending, status: 'approved', decided_at: NOW - 1, decided_by: 'alice', decision_reason: 'ok' }

const code = (r: ReturnType<typeof transition>) => (r.ok ? `ok:${r.state.status}` : r.code)

t.test('pending and approved requests read as expired once expires_at has passed', async t => {
  t.equal(effectiveStatus(pending, NOW), 'pending')
  t.equal(effectiveStatus(pending, pending.expires_at), 'expired', 'expires_at itself is already expired')
  t.equal(effectiveStatus(approved, pending.expires_at + 1), 'expired')
  t.equal(effectiveStatus({ ...pending, status: 'rejected' }, pending.expires_at + 1), 'rejected', 'a rejection stays a rejection')
  t.equal(effectiveStatus({ ...pending, status: 'consumed' }, pending.expires_at + 1), 'consumed')
})

t.test('a pending request can be approved or rejected, recording who, why and when', async t => {
  const a = transition(pending, { type: 'approve', by: 'alice', reason: 'change window' }, NOW)
  t.same(a, { ok: true, state: { ...pending, status: 'approved', decided_by: 'alice', decision_reason: 'change window', decided_at: NOW } })
  const r = transition(pending, { type: 'reject', by: 'bob' }, NOW)
  t.same(r, { ok: true, state: { ...pending, status: 'rejected', decided_by: 'bob', decision_reason: null, decided_at: NOW } })
})

t.test('a decided or expired request cannot be decided again', async t => {
  t.equal(code(transition(approved, { type: 'reject', by: 'bob' }, NOW)), 'approval_already_decided')
  t.equal(code(transition({ ...pending, status: 'rejected' }, { type: 'approve', by: 'bob' }, NOW)), 'approval_already_decided')
  t.equal(code(transition({ ...pending, status: 'consumed' }, { type: 'approve', by: 'bob' }, NOW)), 'approval_already_decided')
  t.equal(code(transition(pending, { type: 'approve', by: 'bob' }, pending.expires_at)), 'approval_expired')
  t.equal(code(transition(null, { type: 'approve', by: 'bob' }, NOW)), 'approval_not_found')
})

t.test('the requesting agent cannot approve its own request, and an approver must be named', async t => {
  t.equal(code(transition(pending, { type: 'approve', by: 'agent-7' }, NOW)), 'approval_self_approval')
  t.equal(code(transition(pending, { type: 'reject', by: 'agent-7' }, NOW)), 'ok:rejected', 'withdrawing is fine')
  t.equal(code(transition(pending, { type: 'approve', by: '  ' }, NOW)), 'approval_invalid_request')
})

t.test('a request for a block or allow decision can never be approved or consumed', async t => {
  for (const decision of ['block', 'allow'] as const) {
    t.equal(code(transition({ ...pending, decision }, { type: 'approve', by: 'alice' }, NOW)), 'approval_decision_blocked')
    t.equal(code(transition({ ...approved, decision }, { type: 'consume', fingerprint: pending.fingerprint }, NOW)), 'approval_decision_blocked')
  }
})

t.test('consuming names the precise reason it is refused', async t => {
  const f = pending.fingerprint
  t.equal(code(transition(approved, { type: 'consume', fingerprint: f }, NOW)), 'ok:consumed')
  t.equal(code(transition(pending, { type: 'consume', fingerprint: f }, NOW)), 'approval_pending')
  t.equal(code(transition({ ...approved, status: 'rejected' }, { type: 'consume', fingerprint: f }, NOW)), 'approval_rejected')
  t.equal(code(transition({ ...approved, status: 'consumed', consumed_at: NOW }, { type: 'consume', fingerprint: f }, NOW)), 'approval_consumed')
  t.equal(code(transition(approved, { type: 'consume', fingerprint: f }, approved.expires_at)), 'approval_expired')
  t.equal(code(transition({ ...approved, status: 'expired' }, { type: 'consume', fingerprint: f }, NOW)), 'approval_expired')
  t.equal(code(transition(approved, { type: 'consume', fingerprint: 'e'.repeat(64) }, NOW)), 'approval_fingerprint_mismatch')
  t.equal(code(transition(null, { type: 'consume', fingerprint: f }, NOW)), 'approval_not_found')
})

t.test('a consumed state records when it was used', async t => {
  const r = transition(approved, { type: 'consume', fingerprint: pending.fingerprint }, NOW)
  t.ok(r.ok && r.state.consumed_at === NOW)
})

t.test('refusal messages say what happened in words', async t => {
  const r = transition({ ...approved, status: 'rejected', decided_by: 'bob', decision_reason: 'not today' }, { type: 'consume', fingerprint: pending.fingerprint }, NOW)
  t.match(r, { ok: false, message: /rejected by bob .*not today/ })
})

t.test('expire ends pending and approved requests only', async t => {
  t.equal(code(transition(pending, { type: 'expire' }, NOW)), 'ok:expired')
  t.equal(code(transition(approved, { type: 'expire' }, NOW)), 'ok:expired')
  t.equal(code(transition(pending, { type: 'expire' }, pending.expires_at + 5)), 'ok:expired')
  t.equal(code(transition({ ...pending, status: 'consumed' }, { type: 'expire' }, NOW)), 'approval_already_decided')
  t.equal(code(transition({ ...pending, status: 'rejected' }, { type: 'expire' }, NOW)), 'approval_already_decided')
})

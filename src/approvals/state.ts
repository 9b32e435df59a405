/**
 * The approval lifecycle as a pure function: pending → approved | rejected | expired,
 * approved → consumed | expired. Expiry is also derived from the clock: a pending or approved
 * request whose expires_at has passed is expired whatever the row says.
 */

export type StoredStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'consumed'
export type ApprovalStatus = StoredStatus
export const APPROVAL_STATUSES: readonly ApprovalStatus[] = ['pending', 'approved', 'rejected', 'expired', 'consumed']

export type DecisionKind = 'allow' | 'escalate' | 'block'

/** Every reason an approval operation can be refused. */
export type ApprovalCode =
  | 'approval_not_found'
  | 'approval_expired'
  | 'approval_rejected'
  | 'approval_consumed'
  | 'approval_pending'
  | 'approval_fingerprint_mismatch'
  | 'approval_already_decided'
  | 'approval_decision_blocked'
  | 'approval_not_escalated'
  | 'approval_self_approval'
  | 'approval_invalid_request'
  | 'approval_store_error'

/** A refused operation: a stable code and a sentence for humans and agents. */
export interface ApprovalRefusal {
  ok: false
  code: ApprovalCode
  message: string
}

export const refuse = (code: ApprovalCode, message: string): ApprovalRefusal => ({ ok: false, code, message })

/** What the lifecycle needs to know about a request. Times are unix milliseconds. */
export interface ApprovalState {
  id: string
  status: StoredStatus
  decision: DecisionKind
  fingerprint: string
  agent_id: string
  expires_at: number
  decided_at: number | null
  decided_by: string | null
  decision_reason: string | null
  consumed_at: number | null
}

export type ApprovalEvent =
  | { type: 'approve'; by: string; reason?: string | null }
  | { type: 'reject'; by: string; reason?: string | null }
  | { type: 'consume'; fingerprint: string }
  | { type: 'expire' }

export type TransitionResult<S extends ApprovalState = ApprovalState> = { ok: true; state: S } | ApprovalRefusal

/** The status a reader should see at `now`. */
export function effectiveStatus(state: Pick<ApprovalState, 'status' | 'expires_at'>, now: number): ApprovalStatus {
  if ((state.status === 'pending' || state.status === 'approved') && state.expires_at <= now) return 'expired'
  return state.status
}

const iso = (ms: number | null): string => (ms === null ? 'an unknown time' : new Date(ms).toISOString())

const by = (s: ApprovalState): string =>
  `${s.decided_by ?? 'unknown'} at ${iso(s.decided_at)}${s.decision_reason ? `: ${s.decision_reason}` : ''}`

/** Why `state` (seen at `now`) cannot be used for what its status forbids. */
function statusRefusal(state: ApprovalState, now: number): ApprovalRefusal | null {
  const id = state.id
  switch (effectiveStatus(state, now)) {
    case 'expired':
      return refuse('approval_expired', `approval ${id} expired at ${iso(state.expires_at)}`)
    case 'rejected':
      return refuse('approval_rejected', `approval ${id} was rejected by ${by(state)}`)
    case 'consumed':
      return refuse('approval_consumed', `approval ${id} was already used at ${iso(state.consumed_at)}`)
    case 'pending':
      return refuse('approval_pending', `approval ${id} is waiting for a human decision`)
    case 'approved':
      return null
  }
}

/** Apply one event at `now`; an illegal transition is a refusal with a code, never a throw.
 * `null` state means the request does not exist. */
export function transition<S extends ApprovalState>(state: S | null, event: ApprovalEvent, now: number): TransitionResult<S> {
  if (state === null) return refuse('approval_not_found', 'no such approval request')
  // Defence in depth: a block is never approvable, whatever a row says.
  if (state.decision !== 'escalate' && event.type !== 'reject' && event.type !== 'expire') {
    return refuse('approval_decision_blocked', `approval ${state.id} belongs to a '${state.decision}' decision and cannot be approved or used`)
  }
  const status = effectiveStatus(state, now)
  switch (event.type) {
    case 'approve':
    case 'reject': {
      if (status === 'expired') return refuse('approval_expired', `approval ${state.id} expired at ${iso(state.expires_at)}`)
      if (status !== 'pending') return refuse('approval_already_decided', `approval ${state.id} is already ${status}${state.decided_by ? ` (by ${by(state)})` : ''}`)
      if (typeof event.by !== 'string' || event.by.trim() === '') return refuse('approval_invalid_request', 'Expected the approver identity `by` to be a non-empty string')
      if (event.type === 'approve' && event.by === state.agent_id) {
        return refuse('approval_self_approval', `approval ${state.id} was requested by agent '${state.agent_id}', who cannot approve it`)
      }
      return {
        ok: true,
        state: {
          ...state,
          status: event.type === 'approve' ? 'approved' : 'rejected',
          decided_at: now,
          decided_by: event.by,
          decision_reason: event.reason ?? null,
        },
      }
    }
    case 'consume': {
      const refusal = statusRefusal(state, now)
      if (refusal) return refusal
      // Checked after the status so a wrong fingerprint never learns more than the status says.
      if (event.fingerprint !== state.fingerprint) {
        return refuse('approval_fingerprint_mismatch', `approval ${state.id} was granted for a different action (tool, arguments, environment or agent differ)`)
      }
      return { ok: true, state: { ...state, status: 'consumed', consumed_at: now } }
    }
    case 'expire': {
      if (status === 'pending' || status === 'approved') return { ok: true, state: { ...state, status: 'expired' } }
      if (status === 'expired') return { ok: true, state: { ...state, status: 'expired' } }
      return refuse('approval_already_decided', `approval ${state.id} is already ${status}`)
    }
  }
}

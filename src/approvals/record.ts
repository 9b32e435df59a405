/** The approval record as callers see it, and its mapping from a database row. */
import { StoreError, messageOf } from '../store/errors.js'
import { effectiveStatus, type ApprovalState, type ApprovalStatus, type DecisionKind, type StoredStatus } from './state.js'

/** Approval ids: 128 random bits in lowercase hex. */
export const APPROVAL_ID_PATTERN = /^[0-9a-f]{32}$/

/** The policy decision the request was created for (the full object, stored as given). */
export interface DecisionSnapshot {
  decision: DecisionKind
  decision_id: string
  reasons: unknown[]
  [key: string]: unknown
}

/** One approval request. Times are unix milliseconds; `status` is effective at read time. */
export interface ApprovalRecord {
  id: string
  fingerprint: string
  tool: string
  args: unknown
  environment: string
  agent_id: string
  decision: DecisionSnapshot
  input: unknown
  status: ApprovalStatus
  created_at: number
  expires_at: number
  decided_at: number | null
  decided_by: string | null
  decision_reason: string | null
  consumed_at: number | null
}

export interface ApprovalRow {
  id: string
  fingerprint: string
  tool: string
  args_json: string
  environment: string
  agent_id: string
  decision: DecisionKind
  decision_id: string
  decision_json: string
  input_json: string
  status: StoredStatus
  created_at: number
  expires_at: number
  decided_at: number | null
  decided_by: string | null
  decision_reason: string | null
  consumed_at: number | null
}

const parse = (text: string, what: string, id: string): unknown => {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new StoreError('store_corrupt', `approval ${id}: ${what} is not JSON: ${messageOf(e)}`)
  }
}

export function rowToRecord(row: ApprovalRow, now: number): ApprovalRecord {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    tool: row.tool,
    args: parse(row.args_json, 'args', row.id),
    environment: row.environment,
    agent_id: row.agent_id,
    decision: parse(row.decision_json, 'decision', row.id) as DecisionSnapshot,
    input: parse(row.input_json, 'input', row.id),
    status: effectiveStatus(row, now),
    created_at: row.created_at,
    expires_at: row.expires_at,
    decided_at: row.decided_at,
    decided_by: row.decided_by,
    decision_reason: row.decision_reason,
    consumed_at: row.consumed_at,
  }
}

export const rowToState = (row: ApprovalRow): ApprovalState => ({
  id: row.id,
  status: row.status,
  // The column, not the JSON: the CHECK constraint keeps it one of the three kinds.
  decision: row.decision,
  fingerprint: row.fingerprint,
  agent_id: row.agent_id,
  expires_at: row.expires_at,
  decided_at: row.decided_at,
  decided_by: row.decided_by,
  decision_reason: row.decision_reason,
  consumed_at: row.consumed_at,
})

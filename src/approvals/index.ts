export { canonicalJson, fingerprintRequest, bindableArgs, sha256Hex, type FingerprintRequest } from './fingerprint.js'
export {
  transition,
  effectiveStatus,
  APPROVAL_STATUSES,
  type ApprovalCode,
  type ApprovalEvent,
  type ApprovalRefusal,
  type ApprovalState,
  type ApprovalStatus,
  type TransitionResult,
} from './state.js'
export type { ApprovalRecord, DecisionSnapshot } from './record.js'
export {
  createApprovalRepository,
  type ApprovalRepository,
  type ApprovalResult,
  type CreateApprovalInput,
  type DecideInput,
  type When,
} from './repository.js'

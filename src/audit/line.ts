/**
 * One audit line, pure: validate what the caller reports, redact its strings, digest the input
 * and render the JSON line that carries `seq` and `prev` (the sha256 of the previous line's
 * bytes, without its newline; 64 zeros for the first line ever).
 */
import { z } from 'zod'
import { canonicalJson, sha256Hex } from '../approvals/fingerprint.js'
import { describeIssues } from '../errors.js'

export const GENESIS = '0'.repeat(64)

/** Events the gateway writes; other snake_case names are accepted for later stages. */
export type AuditEventName =
  | 'tool_call'
  | 'approval_requested'
  | 'approval_decided'
  | 'approval_consumed'
  | 'plan_created'
  | 'server_start'
  | 'server_stop'
  | 'unsafe_mode'
  | 'audit_repaired'
  | (string & {})

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'Expected 64 lowercase hex digits')
const Decision = z.enum(['allow', 'escalate', 'block'])

const AuditInputSchema = z.strictObject({
  event: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'Expected a snake_case event name'),
  decision_id: z.string().nullable().optional(),
  agent_id: z.string().nullable().optional(),
  tool: z.string().nullable().optional(),
  input: z.unknown().optional(),
  input_digest: Hex64.nullable().optional(),
  decision: Decision.nullable().optional(),
  reasons: z.array(z.unknown()).optional(),
  revision: z.string().nullable().optional(),
  approval_id: z.string().nullable().optional(),
  executed: z.boolean().optional(),
  exit_code: z.number().int().nullable().optional(),
  duration_ms: z.number().nonnegative().nullable().optional(),
  error: z.string().optional(),
  actor: z.string().optional(),
  plan_id: z.string().optional(),
})

/** What a caller reports. `input` (the normalized PolicyInput) is stored only as its digest. */
export interface AuditInput {
  event: AuditEventName
  decision_id?: string | null
  agent_id?: string | null
  tool?: string | null
  /** Hashed into input_digest (sha256 of its canonical JSON); never written itself. */
  input?: unknown
  /** Give the digest instead of the input when it is already known. */
  input_digest?: string | null
  decision?: 'allow' | 'escalate' | 'block' | null
  reasons?: unknown[]
  revision?: string | null
  approval_id?: string | null
  executed?: boolean
  exit_code?: number | null
  duration_ms?: number | null
  error?: string
  /** The human who acted (approval_decided). */
  actor?: string
  /** The terraform plan the event is about. */
  plan_id?: string
}

/** One line of audit.log, in the order its fields are written. */
export interface AuditLine {
  seq: number
  ts: string
  event: string
  decision_id: string | null
  agent_id: string | null
  tool: string | null
  input_digest: string | null
  decision: 'allow' | 'escalate' | 'block' | null
  reasons: unknown[]
  revision: string | null
  approval_id: string | null
  executed: boolean
  exit_code: number | null
  duration_ms: number | null
  error?: string
  actor?: string
  plan_id?: string
  prev: string
}

/** A redactor for every caller-supplied string (secrets in commands, errors, reasons). */
export type Redact = (text: string) => string

/** Apply `redact` to every string in a JSON value; a redactor that throws hides the string. */
export function redactDeep(value: unknown, redact: Redact): unknown {
  if (typeof value === 'string') {
    try {
      const out = redact(value)
      return typeof out === 'string' ? out : '[redaction failed]'
    } catch {
      return '[redaction failed]'
    }
  }
  if (Array.isArray(value)) return value.map(v => redactDeep(v, redact))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]))
  }
  return value
}

const describeZod = (e: z.ZodError): string => describeIssues(e.issues, 'record')

/** Check and redact a caller's record into the line body (everything but seq, ts and prev). */
export function prepareAuditBody(input: AuditInput, redact: Redact): { ok: true; body: Omit<AuditLine, 'seq' | 'ts' | 'prev'> } | { ok: false; message: string } {
  const parsed = AuditInputSchema.safeParse(input)
  if (!parsed.success) return { ok: false, message: describeZod(parsed.error) }
  const v = parsed.data
  let digest = v.input_digest ?? null
  try {
    if (v.input !== undefined) {
      const computed = sha256Hex(canonicalJson(v.input))
      if (digest !== null && digest !== computed) return { ok: false, message: 'input_digest does not match input' }
      digest = computed
    }
    // Reasons must be plain JSON to be hashed and verified byte for byte.
    if (v.reasons) canonicalJson(v.reasons)
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) }
  }
  const r = (s: string | null | undefined): string | null => (s === null || s === undefined ? null : (redactDeep(s, redact) as string))
  const body: Omit<AuditLine, 'seq' | 'ts' | 'prev'> = {
    event: v.event,
    decision_id: r(v.decision_id),
    agent_id: r(v.agent_id),
    tool: r(v.tool),
    input_digest: digest,
    decision: v.decision ?? null,
    reasons: (redactDeep(v.reasons ?? [], redact) as unknown[]),
    revision: r(v.revision),
    approval_id: r(v.approval_id),
    executed: v.executed ?? false,
    exit_code: v.exit_code ?? null,
    duration_ms: v.duration_ms ?? null,
  }
  if (v.error !== undefined) body.error = r(v.error) as string
  if (v.actor !== undefined) body.actor = r(v.actor) as string
  if (v.plan_id !== undefined) body.plan_id = r(v.plan_id) as string
  return { ok: true, body }
}

/** The full line object and its exact text (no newline). */
export function renderAuditLine(body: Omit<AuditLine, 'seq' | 'ts' | 'prev'>, seq: number, ts: string, prev: string): { line: AuditLine; text: string } {
  const { error, actor, plan_id, ...rest } = body
  const line: AuditLine = {
    seq,
    ts,
    ...rest,
    ...(error !== undefined ? { error } : {}),
    ...(actor !== undefined ? { actor } : {}),
    ...(plan_id !== undefined ? { plan_id } : {}),
    prev,
  }
  return { line, text: JSON.stringify(line) }
}

const LineShape = z.looseObject({ seq: z.number().int().positive(), prev: Hex64, ts: z.string(), event: z.string() })

/** Parse a line's bytes: the record, or why it is not one. */
export function parseAuditLine(bytes: Buffer | string): { ok: true; line: AuditLine } | { ok: false; reason: 'invalid_json' | 'invalid_record'; message: string } {
  let value: unknown
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'))
  } catch (e) {
    return { ok: false, reason: 'invalid_json', message: e instanceof Error ? e.message : String(e) }
  }
  const parsed = LineShape.safeParse(value)
  if (!parsed.success) return { ok: false, reason: 'invalid_record', message: describeZod(parsed.error) }
  return { ok: true, line: parsed.data as unknown as AuditLine }
}

/** The hash the next line carries in `prev`. */
export const hashLine = (bytes: Buffer | string): string => sha256Hex(bytes)

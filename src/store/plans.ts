/**
 * Terraform plans saved by gateway_terraform_plan and bound to a later apply. Only storage
 * lives here; what makes a plan applicable is the terraform stage's business.
 * Status changes are compare-and-set, so two applies of one plan cannot both start.
 */
import type { Database } from 'better-sqlite3'
import { z } from 'zod'
import { StoreError, messageOf } from './errors.js'

export interface PlanRecord {
  id: string
  fingerprint: string
  plan_sha256: string
  plan_json_digest: string
  workspace: string
  environment: string
  working_dir: string
  tf_version: string | null
  agent_id: string
  /** unix milliseconds */
  created_at: number
  expires_at: number
  decision: 'allow' | 'escalate' | 'block'
  reasons: unknown[]
  /** free-form lifecycle word owned by the terraform stage, e.g. planned | applying | applied | failed */
  status: string
  summary: unknown
  plan_path: string
  /** The policy input document the plan was judged on (null for plans saved before it was kept). */
  input: unknown
  /** What ending the plan produced (apply result, refusal, expiry); null while it is open. */
  result: unknown
  /** unix milliseconds when the plan ended (applied, failed, expired, ...) */
  ended_at: number | null
}

const NewPlanSchema = z.strictObject({
  fingerprint: z.string().min(1),
  plan_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  plan_json_digest: z.string().regex(/^[0-9a-f]{64}$/),
  workspace: z.string().min(1),
  environment: z.string().min(1),
  working_dir: z.string().min(1),
  tf_version: z.string().nullable(),
  agent_id: z.string().min(1),
  decision: z.enum(['allow', 'escalate', 'block']),
  reasons: z.array(z.unknown()),
  status: z.string().min(1).default('planned'),
  summary: z.unknown(),
  plan_path: z.string().min(1),
  input: z.unknown().optional(),
  ttlSeconds: z.number().positive(),
  now: z.union([z.date(), z.number()]).optional(),
})
export type NewPlan = z.input<typeof NewPlanSchema>

export interface PlanRepository {
  /** Save a plan under a new 128-bit hex id. Throws on invalid input. */
  create(plan: NewPlan): PlanRecord
  get(id: string): PlanRecord | null
  /** Compare-and-set the status; true when this caller made the change. */
  setStatus(id: string, change: { from: string; to: string }): boolean
  /** Compare-and-set the status to a final one, recording the result and the end time. */
  finish(id: string, change: { from: string; to: string; result: unknown; now: Date | number }): boolean
  /** Move open plans whose time ran out to `expired`; returns them (their files are the caller's to remove). */
  expireDue(now: Date | number): PlanRecord[]
  /** Plan file paths of plans still open (planned or applying). */
  openPlanPaths(): string[]
  /** Delete plans that expired more than retainSeconds ago; returns how many. */
  prune(now: Date | number, options: { retainSeconds: number }): number
}

interface PlanRow extends Omit<PlanRecord, 'reasons' | 'summary' | 'input' | 'result'> {
  reasons_json: string
  summary_json: string
  input_json: string
  result_json: string
}

const parse = (text: string, what: string, id: string): unknown => {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new StoreError('store_corrupt', `plan ${id}: ${what} is not JSON: ${messageOf(e)}`)
  }
}

const toRecord = ({ reasons_json, summary_json, input_json, result_json, ...rest }: PlanRow): PlanRecord => ({
  ...rest,
  reasons: parse(reasons_json, 'reasons', rest.id) as unknown[],
  summary: parse(summary_json, 'summary', rest.id),
  input: parse(input_json, 'input', rest.id),
  result: parse(result_json, 'result', rest.id),
})

const ms = (t: Date | number): number => (typeof t === 'number' ? t : t.getTime())

/** Plans in these states may still run terraform; everything else has ended. */
export const OPEN_PLAN_STATUSES = ['planned', 'applying'] as const

export function createPlanRepository(db: Database, deps: { now: () => Date; randomBytes: (size: number) => Uint8Array }): PlanRepository {
  const insert = db.prepare(`INSERT INTO plans (id, fingerprint, plan_sha256, plan_json_digest, workspace, environment,
      working_dir, tf_version, agent_id, created_at, expires_at, decision, reasons_json, status, summary_json, plan_path, input_json)
    VALUES (@id, @fingerprint, @plan_sha256, @plan_json_digest, @workspace, @environment, @working_dir, @tf_version,
      @agent_id, @created_at, @expires_at, @decision, @reasons_json, @status, @summary_json, @plan_path, @input_json) RETURNING *`)
  const byId = db.prepare('SELECT * FROM plans WHERE id = ?')
  const cas = db.prepare('UPDATE plans SET status = @to WHERE id = @id AND status = @from')
  const finishCas = db.prepare('UPDATE plans SET status = @to, result_json = @result_json, ended_at = @now WHERE id = @id AND status = @from')
  const expire = db.prepare(`UPDATE plans SET status = 'expired', ended_at = @now,
      result_json = '{"code":"plan_expired","message":"The plan expired before it was applied"}'
    WHERE status = 'planned' AND expires_at <= @now RETURNING *`)
  const openPaths = db.prepare(`SELECT plan_path FROM plans WHERE status IN ('planned', 'applying')`).pluck()
  // An open plan is never pruned: an `applying` one left by a crash stays for a human to look at.
  const pruneDelete = db.prepare(`DELETE FROM plans WHERE expires_at <= ? AND status NOT IN ('planned', 'applying')`)
  return {
    create: plan => {
      const { ttlSeconds, now, reasons, summary, input, ...fields } = NewPlanSchema.parse(plan)
      const at = now === undefined ? deps.now().getTime() : typeof now === 'number' ? now : now.getTime()
      const row = insert.get({
        ...fields,
        id: Buffer.from(deps.randomBytes(16)).toString('hex'),
        created_at: at,
        expires_at: at + Math.round(ttlSeconds * 1000),
        reasons_json: JSON.stringify(reasons),
        summary_json: JSON.stringify(summary ?? null),
        input_json: JSON.stringify(input ?? null),
      }) as PlanRow
      return toRecord(row)
    },
    get: id => {
      const row = byId.get(id) as PlanRow | undefined
      return row ? toRecord(row) : null
    },
    setStatus: (id, { from, to }) => cas.run({ id, from, to }).changes === 1,
    finish: (id, { from, to, result, now }) => finishCas.run({ id, from, to, result_json: JSON.stringify(result ?? null), now: ms(now) }).changes === 1,
    expireDue: now => (expire.all({ now: ms(now) }) as PlanRow[]).map(toRecord),
    openPlanPaths: () => openPaths.all() as string[],
    prune: (now, { retainSeconds }) => {
      if (!(retainSeconds >= 0)) throw new RangeError(`Expected retainSeconds >= 0, got \`${retainSeconds}\``)
      return pruneDelete.run(ms(now) - Math.round(retainSeconds * 1000)).changes
    },
  }
}

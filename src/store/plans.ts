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
  /** Delete plans that expired more than retainSeconds ago; returns how many. */
  prune(now: Date | number, options: { retainSeconds: number }): number
}

interface PlanRow extends Omit<PlanRecord, 'reasons' | 'summary'> {
  reasons_json: string
  summary_json: string
}

const parse = (text: string, what: string, id: string): unknown => {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new StoreError('store_corrupt', `plan ${id}: ${what} is not JSON: ${messageOf(e)}`)
  }
}

const toRecord = ({ reasons_json, summary_json, ...rest }: PlanRow): PlanRecord => ({
  ...rest,
  reasons: parse(reasons_json, 'reasons', rest.id) as unknown[],
  summary: parse(summary_json, 'summary', rest.id),
})

export function createPlanRepository(db: Database, deps: { now: () => Date; randomBytes: (size: number) => Uint8Array }): PlanRepository {
  const insert = db.prepare(`INSERT INTO plans (id, fingerprint, plan_sha256, plan_json_digest, workspace, environment,
      working_dir, tf_version, agent_id, created_at, expires_at, decision, reasons_json, status, summary_json, plan_path)
    VALUES (@id, @fingerprint, @plan_sha256, @plan_json_digest, @workspace, @environment, @working_dir, @tf_version,
      @agent_id, @created_at, @expires_at, @decision, @reasons_json, @status, @summary_json, @plan_path) RETURNING *`)
  const byId = db.prepare('SELECT * FROM plans WHERE id = ?')
  const cas = db.prepare('UPDATE plans SET status = @to WHERE id = @id AND status = @from')
  const pruneDelete = db.prepare('DELETE FROM plans WHERE expires_at <= ?')
  return {
    create: plan => {
      const { ttlSeconds, now, reasons, summary, ...fields } = NewPlanSchema.parse(plan)
      const at = now === undefined ? deps.now().getTime() : typeof now === 'number' ? now : now.getTime()
      const row = insert.get({
        ...fields,
        id: Buffer.from(deps.randomBytes(16)).toString('hex'),
        created_at: at,
        expires_at: at + Math.round(ttlSeconds * 1000),
        reasons_json: JSON.stringify(reasons),
        summary_json: JSON.stringify(summary ?? null),
      }) as PlanRow
      return toRecord(row)
    },
    get: id => {
      const row = byId.get(id) as PlanRow | undefined
      return row ? toRecord(row) : null
    },
    setStatus: (id, { from, to }) => cas.run({ id, from, to }).changes === 1,
    prune: (now, { retainSeconds }) => {
      if (!(retainSeconds >= 0)) throw new RangeError(`Expected retainSeconds >= 0, got \`${retainSeconds}\``)
      return pruneDelete.run((typeof now === 'number' ? now : now.getTime()) - Math.round(retainSeconds * 1000)).changes
    },
  }
}

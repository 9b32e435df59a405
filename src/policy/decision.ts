/**
 * The Decision the gateway acts on, and the strict reading of what the policy returned. Anything
 * unexpected is reported, never guessed at: the evaluator turns it into a block.
 */
import { z } from 'zod'

export const DecisionValue = z.enum(['allow', 'escalate', 'block'])
export type DecisionValue = z.infer<typeof DecisionValue>

export const Reason = z.strictObject({ code: z.string().min(1), message: z.string() })
export type Reason = z.infer<typeof Reason>

const Execution = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]))

/** What the policy entrypoint returns (extra keys are dropped; the evaluator stamps the rest). */
export const PolicyResult = z.object({
  decision: DecisionValue,
  reasons: z.array(z.object(Reason.shape)),
  environment: z.string().optional(),
  family: z.string().optional(),
  execution: Execution.optional().describe('numbers, booleans and strings for the executor (timeouts, limits)'),
})
export type PolicyResult = z.infer<typeof PolicyResult>

/** One judged request: the policy's verdict stamped with an id, the bundle revision and the time. */
export const Decision = z.strictObject({
  ...PolicyResult.shape,
  reasons: z.array(Reason),
  decision_id: z.string().describe('128-bit random hex'),
  revision: z.string().nullable().describe('bundle manifest revision'),
  evaluated_at: z.string().describe('RFC 3339 time of evaluation'),
})
export type Decision = z.infer<typeof Decision>

export type ReadResult =
  | { ok: true; result: PolicyResult }
  | { ok: false; code: 'policy_result_undefined' | 'policy_result_invalid'; message: string }

const show = (v: unknown): string => {
  const text = v === undefined ? 'undefined' : JSON.stringify(v)
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}

const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined), root)

const invalid = (message: string): ReadResult => ({ ok: false, code: 'policy_result_invalid', message })

/**
 * Reads an opa-wasm result set (`[{result: …}]`) strictly. A zod parse: measured as fast as a
 * hand-written check (~1M/s, far below the cost of the wasm evaluation itself).
 */
export function readPolicyResult(resultSet: unknown): ReadResult {
  if (!Array.isArray(resultSet)) return invalid(`Expected a result set array, got \`${show(resultSet)}\``)
  if (resultSet.length === 0) return { ok: false, code: 'policy_result_undefined', message: 'policy result is undefined: gateway/decision has no value for this input' }
  if (resultSet.length > 1) return invalid(`Expected one result, got ${resultSet.length}`)
  const entry: unknown = resultSet[0]
  if (typeof entry !== 'object' || entry === null || !Object.hasOwn(entry, 'result')) return invalid('Expected a result set entry with a `result`')
  const result = (entry as { result: unknown }).result
  const parsed = PolicyResult.safeParse(result)
  if (parsed.success) return { ok: true, result: parsed.data }
  const issues = parsed.error.issues.slice(0, 3).map(i => {
    const where = i.path.length ? i.path.map(String).join('.') : 'result'
    return `${where}: ${i.message}, got \`${show(valueAt(result, i.path))}\``
  })
  return invalid(`policy result does not match the decision shape (${issues.join('; ')})`)
}

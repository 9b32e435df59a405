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

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype

/**
 * The common case without zod: a result that is exactly well formed, copied key by key (so
 * extra keys, `__proto__` included, are dropped as zod drops them). Accepts only what
 * PolicyResult accepts; anything else returns null and goes to the zod parse, which decides and
 * says what is wrong. Saves the zod parse on every decision (several µs, more than the rest of
 * reading the result).
 */
function readWellFormed(result: unknown): PolicyResult | null {
  if (!isPlainObject(result)) return null
  const { decision, reasons, environment, family, execution } = result
  if (decision !== 'allow' && decision !== 'escalate' && decision !== 'block') return null
  if (!Array.isArray(reasons)) return null
  const read: Reason[] = []
  for (const r of reasons as unknown[]) {
    if (!isPlainObject(r)) return null
    const { code, message } = r
    if (typeof code !== 'string' || code === '' || typeof message !== 'string') return null
    read.push({ code, message })
  }
  const out: PolicyResult = { decision, reasons: read }
  if (environment !== undefined) {
    if (typeof environment !== 'string') return null
    out.environment = environment
  }
  if (family !== undefined) {
    if (typeof family !== 'string') return null
    out.family = family
  }
  if (execution !== undefined) {
    if (!isPlainObject(execution)) return null
    const copy: Record<string, number | boolean | string> = {}
    for (const key of Object.keys(execution)) {
      const v = execution[key]
      if (key === '__proto__' || !((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' || typeof v === 'string')) return null
      copy[key] = v
    }
    out.execution = copy
  }
  return out
}

/**
 * Reads an opa-wasm result set (`[{result: …}]`) strictly: a well-formed result is copied
 * directly, anything else is judged by the PolicyResult zod schema, which names what is wrong.
 */
export function readPolicyResult(resultSet: unknown): ReadResult {
  if (!Array.isArray(resultSet)) return invalid(`Expected a result set array, got \`${show(resultSet)}\``)
  if (resultSet.length === 0) return { ok: false, code: 'policy_result_undefined', message: 'policy result is undefined: gateway/decision has no value for this input' }
  if (resultSet.length > 1) return invalid(`Expected one result, got ${resultSet.length}`)
  const entry: unknown = resultSet[0]
  if (typeof entry !== 'object' || entry === null || !Object.hasOwn(entry, 'result')) return invalid('Expected a result set entry with a `result`')
  const result = (entry as { result: unknown }).result
  const direct = readWellFormed(result)
  if (direct !== null) return { ok: true, result: direct }
  const parsed = PolicyResult.safeParse(result)
  if (parsed.success) return { ok: true, result: parsed.data }
  const issues = parsed.error.issues.slice(0, 3).map(i => {
    const where = i.path.length ? i.path.map(String).join('.') : 'result'
    return `${where}: ${i.message}, got \`${show(valueAt(result, i.path))}\``
  })
  return invalid(`policy result does not match the decision shape (${issues.join('; ')})`)
}

/**
 * createEvaluator: instantiate a bundle's wasm once, load its data, and judge input documents.
 * `evaluate` never throws: every failure is a `block` whose reason says what went wrong.
 */
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm'
import { POLICY_ENTRYPOINT, type Bundle } from '../bundle/index.js'
import { deepMerge, isJsonObject, type JsonObject } from '../bundle/merge-data.js'
import { GatewayError, errorMessage } from '../errors.js'
import { checkBuiltins } from './builtins.js'
import { createRandomId } from './random-id.js'
import { createWasmEval } from './wasm-eval.js'
import { readPolicyResult, type Decision, type PolicyResult, type Reason } from './decision.js'

/** A host implementation of a builtin the policy module declares (args and result are JSON). */
export type CustomBuiltin = (...args: unknown[]) => unknown

export interface EvaluatorDeps {
  now?: () => Date
  /** 128-bit random hex for decision ids. */
  randomId?: () => string
  /** Deep-merged into the bundle data before loading it (objects merge, arrays and scalars replace). */
  dataOverrides?: Record<string, unknown>
  /** Extra host builtins (for extensions and tests); the non-deterministic deny list still applies. */
  customBuiltins?: Record<string, CustomBuiltin>
}

export interface Evaluator {
  /** Judges one input document. Synchronous and never throws. */
  evaluate(input: unknown): Decision
  /** The bundle manifest revision (null when none). */
  readonly revision: string | null
  /** The data policy sees (bundle data with overrides); changing it does not change the policy's copy. */
  readonly data: Record<string, unknown>
  /** Names of data.gateway.config.environments, in data order ([] when absent). */
  environments(): string[]
}

const defaultRandomId = createRandomId()

type Exports = Record<string, (...args: number[]) => number>

/** Reads a JSON-returning export of an OPA wasm module (like `builtins`), using the policy's memory. */
function readExportJson(policy: LoadedPolicy, name: string): unknown {
  const exports = (policy.wasmInstance as unknown as { exports: Exports }).exports
  const fn = exports[name]
  if (typeof fn !== 'function') throw new Error(`the module has no \`${name}\` export`)
  const addr = (exports.opa_json_dump as Exports[string])(fn())
  const bytes = new Uint8Array(policy.mem.buffer)
  return JSON.parse(new TextDecoder().decode(bytes.subarray(addr, bytes.indexOf(0, addr))))
}

function mergeOverrides(data: JsonObject, overrides: Record<string, unknown> | undefined): JsonObject {
  if (overrides === undefined) return data
  if (!isJsonObject(overrides)) throw new GatewayError('policy_load_failed', 'data overrides must be a JSON object')
  let copy: unknown
  try {
    // Round trip: a JSON-only copy the caller cannot change behind our back.
    copy = JSON.parse(JSON.stringify(overrides))
  } catch (e) {
    throw new GatewayError('policy_load_failed', `data overrides are not JSON: ${errorMessage(e)}`, { cause: e })
  }
  return deepMerge(data, copy as JsonObject)
}

const environmentsOf = (data: JsonObject): string[] => {
  const gateway = data.gateway
  const config = isJsonObject(gateway) ? gateway.config : undefined
  const environments = isJsonObject(config) ? config.environments : undefined
  return isJsonObject(environments) ? Object.keys(environments) : []
}

const hasInputErrors = (input: unknown): boolean => {
  if (typeof input !== 'object' || input === null || !Object.hasOwn(input, 'errors')) return false
  const errors = (input as { errors: unknown }).errors
  // Anything but an empty list counts: a malformed `errors` is itself an error.
  return !(Array.isArray(errors) && errors.length === 0)
}

/**
 * Loads the bundle's wasm module with its data. Rejects with a GatewayError when the module needs
 * builtins we do not allow or cannot provide (bundle_unsupported_builtin), lacks the gateway
 * entrypoint (bundle_missing_entrypoint), or fails to load (policy_load_failed).
 *
 * The wasm instance is not re-entrant; `evaluate` is synchronous, so calls cannot interleave
 * (a nested call from a custom builtin is refused with a block).
 */
export async function createEvaluator(bundle: Bundle, deps: EvaluatorDeps = {}): Promise<Evaluator> {
  const now = deps.now ?? (() => new Date())
  const randomId = deps.randomId ?? defaultRandomId
  const customBuiltins = deps.customBuiltins ?? {}
  const data = mergeOverrides(bundle.data, deps.dataOverrides)

  let policy: LoadedPolicy
  let required: string[]
  try {
    policy = await loadPolicy(bundle.wasm, undefined, customBuiltins)
    required = Object.keys(readExportJson(policy, 'builtins') as Record<string, number>)
  } catch (e) {
    throw new GatewayError('policy_load_failed', `cannot load policy wasm from \`${bundle.source}\`: ${errorMessage(e)}`, { cause: e })
  }
  checkBuiltins(required, Object.keys(customBuiltins))
  const entrypoints = policy.entrypoints as Record<string, number>
  if (!Object.hasOwn(entrypoints, POLICY_ENTRYPOINT)) {
    throw new GatewayError('bundle_missing_entrypoint', `policy wasm from \`${bundle.source}\` has no entrypoint ${POLICY_ENTRYPOINT}`, {
      details: { entrypoints: Object.keys(entrypoints) },
    })
  }
  let evalJson: (inputJson: string) => unknown
  try {
    policy.setData(data)
    evalJson = createWasmEval(policy, entrypoints[POLICY_ENTRYPOINT] as number)
  } catch (e) {
    throw new GatewayError('policy_load_failed', `cannot load the policy from \`${bundle.source}\`: ${errorMessage(e)}`, { cause: e })
  }

  const revision = bundle.revision
  const environments = environmentsOf(data)

  const stamp = (result: PolicyResult): Decision => {
    // Built field by field: measurably faster than spreading the parsed result on the hot path.
    const out: Decision = { decision: result.decision, reasons: result.reasons, decision_id: '', revision, evaluated_at: '' }
    if (result.environment !== undefined) out.environment = result.environment
    if (result.family !== undefined) out.family = result.family
    if (result.execution !== undefined) out.execution = result.execution
    try {
      out.decision_id = randomId()
    } catch {
      out.decision_id = defaultRandomId() // a broken injected generator must not make evaluate throw
    }
    try {
      out.evaluated_at = now().toISOString()
    } catch {
      out.evaluated_at = new Date().toISOString()
    }
    return out
  }
  const block = (reason: Reason): Decision => stamp({ decision: 'block', reasons: [reason] })

  const judge = (input: unknown): Decision => {
    let json: string | undefined
    try {
      json = JSON.stringify(input)
    } catch (e) {
      return block({ code: 'policy_input_invalid', message: `input is not JSON: ${errorMessage(e)}` })
    }
    if (json === undefined) return block({ code: 'policy_input_invalid', message: `input is not JSON (got ${typeof input})` })

    let resultSet: unknown
    try {
      resultSet = evalJson(json)
    } catch (e) {
      return block({ code: 'policy_evaluation_error', message: `policy evaluation failed: ${errorMessage(e)}` })
    }
    const read = readPolicyResult(resultSet)
    if (!read.ok) return block({ code: read.code, message: read.message })
    if (read.result.decision === 'allow' && hasInputErrors(input)) {
      return block({ code: 'input_errors', message: 'the input document has normalization errors, so it cannot be allowed (policy said allow)' })
    }
    return stamp(read.result)
  }
  let busy = false
  const evaluate = (input: unknown): Decision => {
    // Only a builtin calling back into evaluate could nest calls; the one wasm heap would be clobbered.
    if (busy) return block({ code: 'policy_evaluation_error', message: 'evaluate was called from inside an evaluation' })
    busy = true
    try {
      return judge(input)
    } catch (e) {
      // Only a hostile input (a throwing getter or proxy) gets here; still a block, never a throw.
      return block({ code: 'policy_evaluation_error', message: `evaluation failed: ${errorMessage(e)}` })
    } finally {
      busy = false
    }
  }

  return {
    evaluate,
    revision,
    data,
    environments: () => [...environments],
  }
}

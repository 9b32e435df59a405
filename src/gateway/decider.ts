/**
 * The embeddable evaluator: load a bundle (the embedded default or a given one), then
 * decide(request) → Decision. Normalization and evaluation never throw; every failure is a
 * block with a reason code.
 */
import { loadBundle, defaultBundlePath } from '../bundle/index.js'
import { normalizeRequest, type NormalizeContext, type RawRequest } from '../normalize/index.js'
import type { PolicyInput } from '../normalize/schema.js'
import { createEvaluator, type Decision } from '../policy/index.js'
import { createRandomId } from '../policy/random-id.js'

export interface DeciderOptions {
  /** Path to a bundle .tar.gz or directory, or its bytes. Default: the embedded bundle. */
  bundle?: string | Uint8Array
  /** Deep-merged into the bundle's data (arrays replace), e.g. {gateway: {config: {...}}}. */
  dataOverrides?: Record<string, unknown>
  now?: () => Date
  randomId?: () => string
  /** Defaults for normalization: working directory, $HOME, kubectl namespace, manifest reader. */
  context?: Partial<Omit<NormalizeContext, 'now'>>
}

export interface Decider {
  /** Normalize and judge one request. */
  decide(request: RawRequest, context?: Partial<Omit<NormalizeContext, 'now'>>): Decision
  /** Like decide, also returning the input document policy saw. */
  decideWithInput(request: RawRequest, context?: Partial<Omit<NormalizeContext, 'now'>>): { input: PolicyInput; decision: Decision }
  /** Judge an already-normalized input document. */
  evaluate(input: unknown): Decision
  /** Environment names the bundle's data defines. */
  environments(): string[]
  readonly revision: string | null
  readonly data: Record<string, unknown>
}

/** Load a bundle and return a decider. Rejects (with a GatewayError naming the problem) only
 * when the bundle itself cannot be used; after that nothing throws. */
export async function createDecider(options: DeciderOptions = {}): Promise<Decider> {
  const now = options.now ?? (() => new Date())
  const randomId = options.randomId ?? createRandomId()
  const bundle = await loadBundle(options.bundle ?? defaultBundlePath())
  const evaluator = await createEvaluator(bundle, {
    now,
    randomId,
    ...(options.dataOverrides ? { dataOverrides: options.dataOverrides } : {}),
  })
  const baseContext = options.context ?? {}
  const decideWithInput: Decider['decideWithInput'] = (request, context = {}) => {
    // normalizeRequest never throws: anything unreadable becomes an input policy blocks.
    const input = normalizeRequest(request, { cwd: process.cwd(), ...baseContext, ...context, now: now() })
    return { input, decision: evaluator.evaluate(input) }
  }
  return {
    decide: (request, context) => decideWithInput(request, context).decision,
    decideWithInput,
    evaluate: input => evaluator.evaluate(input),
    environments: () => evaluator.environments(),
    revision: evaluator.revision,
    data: evaluator.data,
  }
}

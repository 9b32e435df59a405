/**
 * Golden cases: raw requests with the decision policy must give. Normalized here with a fixed
 * context into the data `opa test` reads, and replayed by the tap suite through the WASM bundle.
 */
import { normalizeRequest, type NormalizeContext, type RawRequest } from './index.js'

export interface GoldenCase {
  name: string
  request: RawRequest
  expect: { decision: 'allow' | 'escalate' | 'block'; codes: string[] | null }
}

/** The one context golden inputs are normalized in. */
export const GOLDEN_CONTEXT: NormalizeContext = {
  now: new Date('2026-01-01T00:00:00.000Z'),
  cwd: '/work/project',
  home: '/home/agent',
  defaultNamespace: 'default',
}
export const GOLDEN_AGENT = 'golden-agent'

export const goldenInput = (c: GoldenCase) => normalizeRequest({ agent_id: GOLDEN_AGENT, ...c.request }, GOLDEN_CONTEXT)

/** data.testdata.golden for rego/gateway/golden_test.rego. */
export const goldenData = (cases: GoldenCase[]) => ({
  cases: cases.map(c => ({ name: c.name, input: goldenInput(c), expect: { decision: c.expect.decision, codes: c.expect.codes ?? [] } })),
})

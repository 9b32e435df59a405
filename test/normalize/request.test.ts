import t from 'tap'
import { createDecider } from '../../src/gateway/decider.js'
import { normalizeRequest, PolicyInput, type RawRequest } from '../../src/normalize/index.js'

const hostile = {
  toString() {
    throw new Error('boom')
  },
}

t.test('a request that cannot even be read normalizes to an input with an error, never a throw', async t => {
  const a = normalizeRequest({ tool: hostile, args: {}, environment: 'dev' } as unknown as RawRequest, { now: new Date(), cwd: '/tmp' })
  t.equal(a.family, 'unknown')
  t.same(a.errors.map(e => e.code), ['normalize_failed'])
  t.ok(PolicyInput.safeParse(a).success, 'still a valid input document')
  const b = normalizeRequest(null as unknown as RawRequest, { now: new Date(NaN), cwd: '/tmp' })
  t.same(b.errors.map(e => e.code), ['normalize_failed'])
  t.equal(b.time.unix_ms, 0, 'a broken clock does not break the input')
})

t.test('the decider blocks an unreadable request', async t => {
  const decider = await createDecider()
  const d = decider.decide({ tool: hostile, args: {}, environment: 'dev' } as unknown as RawRequest)
  t.equal(d.decision, 'block')
})

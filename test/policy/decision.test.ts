import t from 'tap'
import { Decision, PolicyResult, readPolicyResult } from '../../src/policy/decision.js'

const ok = { decision: 'allow', reasons: [] }

t.test('a result set with exactly one well-formed result is read', async t => {
  t.same(readPolicyResult([{ result: ok }]), { ok: true, result: ok })
})

t.test('an empty result set is undefined, not invalid', async t => {
  const read = readPolicyResult([])
  t.equal(read.ok, false)
  t.match(read, { code: 'policy_result_undefined', message: /undefined/ })
})

t.test('result sets the wasm ABI should never produce are invalid', async t => {
  t.match(readPolicyResult(null), { ok: false, code: 'policy_result_invalid', message: /Expected a result set array, got `null`/ })
  t.match(readPolicyResult({ result: ok }), { ok: false, code: 'policy_result_invalid' })
  t.match(readPolicyResult([{ result: ok }, { result: ok }]), { ok: false, code: 'policy_result_invalid', message: /Expected one result, got 2/ })
  t.match(readPolicyResult([{ value: ok }]), { ok: false, code: 'policy_result_invalid', message: /with a `result`/ })
  t.match(readPolicyResult(['allow']), { ok: false, code: 'policy_result_invalid' })
})

t.test('a long offending value is shortened in the message', async t => {
  const read = readPolicyResult([{ result: { decision: 'x'.repeat(500), reasons: [] } }])
  t.equal(read.ok, false)
  if (!read.ok) {
    t.ok(read.message.length < 300, 'message stays short')
    t.match(read.message, /got `"x+…`/)
  }
})

t.test('a JSON key named __proto__ in the result is dropped and changes no prototype', async t => {
  const read = readPolicyResult(
    JSON.parse('[{"result": {"__proto__": {"decision": "allow"}, "decision": "block", "reasons": [], "execution": {"__proto__": {"polluted": true}, "n": 1}}}]'),
  )
  t.same(read, { ok: true, result: { decision: 'block', reasons: [], execution: { n: 1 } } })
  if (read.ok) t.equal(Object.getPrototypeOf(read.result.execution), Object.prototype)
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

t.test('the Decision schema rejects unknown keys and bad stamps', async t => {
  const base = { decision: 'block', reasons: [{ code: 'c', message: 'm' }], decision_id: 'a', revision: null, evaluated_at: '2030-01-01T00:00:00.000Z' }
  t.ok(Decision.safeParse(base).success)
  t.notOk(Decision.safeParse({ ...base, extra: 1 }).success)
  t.notOk(Decision.safeParse({ ...base, reasons: [{ code: 'c', message: 'm', more: 1 }] }).success)
  t.notOk(Decision.safeParse({ ...base, revision: undefined }).success)
  t.notOk(Decision.safeParse({ ...base, decision: 'deny' }).success)
})

t.test('the direct reading of well-formed results agrees with the zod schema on every shape tried', async t => {
  const decisions: unknown[] = ['allow', 'escalate', 'block', 'deny', 'Allow', 1, null, undefined]
  const reasons: unknown[] = [
    [],
    [{ code: 'c', message: 'm' }],
    [{ code: 'c', message: 'm', extra: 1 }],
    [{ code: '', message: 'm' }],
    [{ code: 'c' }],
    [{ code: 'c', message: 2 }],
    [null],
    ['c'],
    JSON.parse('[{"code": "c", "message": "m", "__proto__": {"code": ""}}]'),
    {},
    undefined,
  ]
  const optional: unknown[] = [undefined, 'dev', '', 3, null, ['dev']]
  const executions: unknown[] = [
    undefined,
    {},
    { timeout: 30, network: false, mode: 'x' },
    { timeout: { s: 1 } },
    { limit: null },
    { n: Number.NaN },
    [],
    JSON.parse('{"__proto__": {"polluted": true}, "n": 1}'),
  ]
  let checked = 0
  let accepted = 0
  for (const decision of decisions)
    for (const r of reasons)
      for (const environment of optional)
        for (const execution of executions) {
          const result: Record<string, unknown> = { decision, reasons: r, extra: 'dropped' }
          if (environment !== undefined) result.environment = environment
          if (execution !== undefined) result.execution = execution
          if (checked % 3 === 0 && environment !== undefined) result.family = environment
          const zod = PolicyResult.safeParse(result)
          const read = readPolicyResult([{ result }])
          checked++
          if (zod.success !== read.ok) {
            t.fail(`disagree on ${JSON.stringify(result)}: zod ${zod.success}, read ${read.ok}`)
            continue
          }
          if (zod.success && read.ok) {
            accepted++
            t.strictSame(read.result, zod.data, JSON.stringify(result))
          }
        }
  t.ok(accepted > 50 && accepted < checked, `both accepted ${accepted} of ${checked} shapes`)
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { loadBundle, type Bundle } from '../../src/bundle/index.js'
import { createEvaluator, Decision, type EvaluatorDeps } from '../../src/policy/index.js'
import { buildFixture, extractWithTar, tempDir } from '../bundle/helpers.js'

const work = tempDir(t)
const bundles = {
  basic: await loadBundle(buildFixture('basic', work, { revision: 'rev-7' })),
  echo: await loadBundle(buildFixture('echo', work)),
  sdk: await loadBundle(buildFixture('sdk-builtins', work)),
  httpSend: await loadBundle(buildFixture('http-send', work)),
  timeNow: await loadBundle(buildFixture('time-now', work)),
  custom: await loadBundle(buildFixture('custom-builtin', work, { testBuiltins: true })),
}

const NOW = new Date('2030-01-02T03:04:05.678Z')
let ids = 0
const fixed = (extra: EvaluatorDeps = {}): EvaluatorDeps => ({ now: () => NOW, randomId: () => `id-${++ids}`, ...extra })
const evaluator = (bundle: Bundle, extra: EvaluatorDeps = {}) => createEvaluator(bundle, fixed(extra))

/** The input fields the basic fixture reads. */
const request = (action: string, environment = 'dev', errors: unknown[] = []) => ({ version: 1, environment, action, errors })

/** Checks a decision is a well-formed block carrying one reason with this code. */
const blockedWith = (t: Test, decision: Decision, code: string, message?: RegExp) => {
  t.ok(Decision.safeParse(decision).success, 'a well-formed Decision')
  t.equal(decision.decision, 'block')
  t.same(
    decision.reasons.map(r => r.code),
    [code],
  )
  if (message) t.match(decision.reasons[0]?.message, message)
}

t.test('the policy verdict comes back stamped with id, revision and time', async t => {
  const ev = await evaluator(bundles.basic)
  const d = ev.evaluate(request('read'))
  t.same(d, {
    decision: 'allow',
    reasons: [],
    environment: 'dev',
    family: 'test',
    execution: { timeout_s: 60, max_commands: 3, owner: 'tests', blocked_tools: 2 },
    decision_id: d.decision_id,
    revision: 'rev-7',
    evaluated_at: '2030-01-02T03:04:05.678Z',
  })
  t.match(d.decision_id, /^id-\d+$/, 'the id comes from deps.randomId')
  t.not(ev.evaluate(request('read')).decision_id, d.decision_id, 'each decision has its own id')
  t.ok(Decision.safeParse(d).success)
})

t.test('allow, escalate and block follow input and data', async t => {
  const ev = await evaluator(bundles.basic)
  t.equal(ev.evaluate(request('write', 'dev')).decision, 'allow')
  const escalated = ev.evaluate(request('write', 'prod'))
  t.equal(escalated.decision, 'escalate')
  t.same(escalated.reasons, [{ code: 'write_needs_approval', message: 'writes need a human in this environment' }])
  t.equal(escalated.execution?.timeout_s, 30)
  const blocked = ev.evaluate(request('delete', 'dev'))
  t.equal(blocked.decision, 'block')
  t.same(blocked.reasons, [{ code: 'unknown_action', message: 'only read and write are known' }])
})

t.test('without deps, ids are 128-bit random hex and the time is now', async t => {
  const ev = await createEvaluator(bundles.basic)
  const before = Date.now()
  const a = ev.evaluate(request('read'))
  const b = ev.evaluate(request('read'))
  t.match(a.decision_id, /^[0-9a-f]{32}$/)
  t.not(a.decision_id, b.decision_id)
  const at = Date.parse(a.evaluated_at)
  t.ok(at >= before && at <= Date.now() + 1, 'evaluated_at is the current time')
})

t.test('environments() lists data.gateway.config.environments, and revision and data are exposed', async t => {
  const ev = await evaluator(bundles.basic)
  t.same(ev.environments(), ['dev', 'prod'])
  t.equal(ev.revision, 'rev-7')
  t.same(ev.data, bundles.basic.data)
  ev.environments().push('mutated')
  t.same(ev.environments(), ['dev', 'prod'], 'callers get a copy')
  t.same((await evaluator(bundles.echo)).environments(), [], 'empty when the data has none')
})

t.test('data overrides merge into bundle data before the policy sees it, arrays replacing', async t => {
  const before = structuredClone(bundles.basic.data)
  const ev = await evaluator(bundles.basic, {
    dataOverrides: { gateway: { config: { environments: { prod: { allow_writes: true }, staging: { timeout_s: 5 } } }, limits: { blocked_tools: ['x'] } } },
  })
  const prod = ev.evaluate(request('write', 'prod'))
  t.equal(prod.decision, 'allow', 'prod.allow_writes overridden')
  t.equal(prod.execution?.timeout_s, 30, 'prod.timeout_s kept from the bundle')
  t.same(ev.environments(), ['dev', 'prod', 'staging'])
  t.same(ev.data.gateway, { ...(bundles.basic.data.gateway as object), config: (ev.data.gateway as { config: unknown }).config, limits: { max_commands: 3, blocked_tools: ['x'] } })
  t.equal(prod.execution?.blocked_tools, 1, 'the array was replaced, not merged by index')
  t.equal(ev.evaluate(request('read', 'staging')).execution?.timeout_s, 5)
  t.same(bundles.basic.data, before, 'the bundle data is untouched')
})

t.test('data overrides that are not a JSON object are refused at load', async t => {
  await t.rejects(evaluator(bundles.basic, { dataOverrides: [] as unknown as Record<string, unknown> }), { code: 'policy_load_failed', message: /must be a JSON object/ })
  await t.rejects(evaluator(bundles.basic, { dataOverrides: { n: 1n } }), { code: 'policy_load_failed', message: /data overrides are not JSON/ })
})

t.test('an undefined policy result is a block', async t => {
  const ev = await evaluator(bundles.basic)
  blockedWith(t, ev.evaluate(request('read', 'moon')), 'policy_result_undefined', /no value for this input/)
  blockedWith(t, (await evaluator(bundles.echo)).evaluate({}), 'policy_result_undefined')
})

t.test('results that do not match the decision shape are a block naming the problem', async t => {
  const ev = await evaluator(bundles.echo)
  const cases: [unknown, RegExp][] = [
    [{ decision: 'maybe', reasons: [] }, /decision: .*got `"maybe"`/],
    [{ decision: 'ALLOW', reasons: [] }, /decision: .*got `"ALLOW"`/],
    [{ reasons: [] }, /decision: .*got `undefined`/],
    [{ decision: 'allow' }, /reasons: .*got `undefined`/],
    [{ decision: 'allow', reasons: 'none' }, /reasons: .*got `"none"`/],
    [{ decision: 'allow', reasons: {} }, /reasons: .*got `\{\}`/],
    [{ decision: 'allow', reasons: ['x'] }, /reasons.0: .*got `"x"`/],
    [{ decision: 'allow', reasons: [{ code: 1, message: 'm' }] }, /reasons.0.code: .*got `1`/],
    [{ decision: 'allow', reasons: [{ code: 'c' }] }, /reasons.0.message: .*got `undefined`/],
    [{ decision: 'allow', reasons: [{ code: '', message: 'm' }] }, /reasons.0.code: /],
    [{ decision: 'allow', reasons: [], environment: 3 }, /environment: .*got `3`/],
    [{ decision: 'allow', reasons: [], family: null }, /family: .*got `null`/],
    [{ decision: 'allow', reasons: [], execution: [] }, /execution: .*got `\[\]`/],
    [{ decision: 'allow', reasons: [], execution: { timeout: { s: 1 } } }, /execution.timeout: .*got `\{"s":1\}`/],
    [{ decision: 'allow', reasons: [], execution: { limit: null } }, /execution.limit: .*got `null`/],
    ['allow', /result: .*got `"allow"`/],
    [true, /result: .*got `true`/],
    [['allow'], /result: .*got `\["allow"\]`/],
  ]
  for (const [result, message] of cases) {
    const d = ev.evaluate({ result })
    t.test(`result ${JSON.stringify(result)}`, async t => blockedWith(t, d, 'policy_result_invalid', message))
  }
})

t.test('extra keys in the policy result are dropped and evaluator stamps cannot be forged', async t => {
  const ev = await evaluator(bundles.echo)
  const d = ev.evaluate({
    result: { decision: 'escalate', reasons: [{ code: 'c', message: 'm', extra: 1 }], decision_id: 'forged', revision: 'forged', evaluated_at: 'forged', note: 'x' },
  })
  t.equal(d.decision, 'escalate')
  t.same(d.reasons, [{ code: 'c', message: 'm' }])
  t.match(d.decision_id, /^id-/)
  t.equal(d.revision, null)
  t.equal(d.evaluated_at, NOW.toISOString())
  t.notOk('note' in d)
  t.ok(Decision.safeParse(d).success)
})

t.test('a runtime error in the policy (conflicting rule values) is a block, and the next evaluation works', async t => {
  const ev = await evaluator(bundles.echo)
  blockedWith(t, ev.evaluate({ conflict: true, result: { decision: 'block', reasons: [] } }), 'policy_evaluation_error', /var assignment conflict/)
  const d = ev.evaluate({ result: { decision: 'escalate', reasons: [] } })
  t.equal(d.decision, 'escalate')
})

t.test('input with normalization errors can never be allowed', async t => {
  const ev = await evaluator(bundles.echo)
  const allow = { decision: 'allow', reasons: [] }
  blockedWith(t, ev.evaluate({ result: allow, errors: [{ code: 'invalid_args', message: 'bad' }] }), 'input_errors', /policy said allow/)
  blockedWith(t, ev.evaluate({ result: allow, errors: 'oops' }), 'input_errors')
  blockedWith(t, ev.evaluate({ result: allow, errors: null }), 'input_errors')
  t.equal(ev.evaluate({ result: allow, errors: [] }).decision, 'allow', 'an empty list is no error')
  t.equal(ev.evaluate({ result: allow }).decision, 'allow', 'nor is an absent one')
  const escalated = ev.evaluate({ result: { decision: 'escalate', reasons: [{ code: 'x', message: 'y' }] }, errors: [{ code: 'e', message: 'm' }] })
  t.equal(escalated.decision, 'escalate', 'a stricter verdict stands')
  t.equal(ev.evaluate({ result: { decision: 'block', reasons: [] }, errors: [{ code: 'e', message: 'm' }] }).decision, 'block')
})

t.test('input that is not JSON is a block, never a throw', async t => {
  const ev = await evaluator(bundles.echo)
  const circular: Record<string, unknown> = {}
  circular.self = circular
  blockedWith(t, ev.evaluate(circular), 'policy_input_invalid', /input is not JSON: .*circular/i)
  blockedWith(t, ev.evaluate({ n: 1n }), 'policy_input_invalid', /BigInt/)
  blockedWith(t, ev.evaluate(undefined), 'policy_input_invalid', /got undefined/)
  blockedWith(t, ev.evaluate(() => 1), 'policy_input_invalid', /got function/)
  const hostile = new Proxy({}, {
    ownKeys: () => {
      throw 'no keys for you'
    },
  })
  blockedWith(t, ev.evaluate(hostile), 'policy_input_invalid', /no keys for you/)
  const getter = {
    get errors(): unknown {
      throw new Error('gotcha')
    },
  }
  const d = ev.evaluate(getter)
  t.equal(d.decision, 'block', 'a throwing getter is a block')
})

t.test('falsy and scalar inputs reach the policy as input', async t => {
  const ev = await evaluator(bundles.echo)
  for (const input of [0, false, '', null, 'text', 7])
    blockedWith(t, ev.evaluate(input), 'policy_result_undefined')
  t.equal(ev.evaluate({ result: { decision: 'allow', reasons: [] } }).decision, 'allow')
})

t.test('large inputs grow wasm memory and still evaluate', async t => {
  const ev = await evaluator(bundles.echo)
  const big = 'x'.repeat(2 * 1024 * 1024)
  const d = ev.evaluate({ result: { decision: 'escalate', reasons: [{ code: 'big', message: big }] } })
  t.equal(d.decision, 'escalate')
  t.equal(d.reasons[0]?.message.length, big.length)
  const unicode = 'ü€😀'.repeat(1000)
  t.equal(ev.evaluate({ result: { decision: 'block', reasons: [{ code: 'u', message: unicode }] } }).reasons[0]?.message, unicode)
})

t.test('broken injected clocks and id generators do not make evaluate throw', async t => {
  const ev = await createEvaluator(bundles.basic, {
    now: () => {
      throw new Error('no clock')
    },
    randomId: () => {
      throw new Error('no ids')
    },
  })
  const d = ev.evaluate(request('read'))
  t.equal(d.decision, 'allow')
  t.match(d.decision_id, /^[0-9a-f]{32}$/)
  t.ok(!Number.isNaN(Date.parse(d.evaluated_at)))
})

t.test('builtins the SDK implements in JavaScript are allowed (sprintf, regex.split)', async t => {
  const ev = await evaluator(bundles.sdk)
  t.same(ev.evaluate({ tool: 'gateway_shell_exec' }).reasons, [{ code: 'denied', message: 'tool gateway_shell_exec is denied' }])
  t.same(ev.evaluate({ pattern: '[0-9]' }).reasons, [{ code: 'split', message: '["a","b","c"]' }])
})

t.test('an SDK builtin that throws an Error is a block', async t => {
  const ev = await evaluator(bundles.sdk)
  // The SDK's regex.split builds a JavaScript RegExp: an invalid pattern throws a SyntaxError.
  blockedWith(t, ev.evaluate({ pattern: '[' }), 'policy_evaluation_error', /policy evaluation failed: Invalid regular expression/)
  t.equal(ev.evaluate({ tool: 'x' }).decision, 'block', 'and the evaluator keeps working')
  t.same(ev.evaluate({ tool: 'x' }).reasons[0]?.code, 'denied')
})

t.test('a module that calls http.send is refused at load, naming it', async t => {
  await t.rejects(evaluator(bundles.httpSend), {
    name: 'GatewayError',
    code: 'bundle_unsupported_builtin',
    message: /non-deterministic builtins are not allowed: http.send/,
  })
})

t.test('a module that reads the clock is refused even when an implementation is offered', async t => {
  await t.rejects(evaluator(bundles.timeNow, { customBuiltins: { 'time.now_ns': () => 1 } }), {
    code: 'bundle_unsupported_builtin',
    message: /non-deterministic builtins are not allowed: time.now_ns/,
    details: { denied: ['time.now_ns'], missing: [] },
  })
})

t.test('a module that needs a builtin nobody implements is refused at load, naming it', async t => {
  await t.rejects(evaluator(bundles.custom), {
    code: 'bundle_unsupported_builtin',
    message: /builtins not available to wasm evaluation: test.boom/,
    details: { denied: [], missing: ['test.boom'] },
  })
})

t.test('custom builtins are called, and whatever they throw becomes a block', async t => {
  let calls = 0
  const ev = await evaluator(bundles.custom, {
    customBuiltins: {
      'test.boom': (kind: unknown) => {
        calls++
        if (kind === 'string') throw 'a thrown string'
        if (kind === 'object') throw { message: 'a thrown object' }
        if (kind === 'bare') throw { reason: 42 }
        if (kind === 'error') throw new TypeError('a thrown Error')
        return kind
      },
    },
  })
  t.equal(ev.evaluate({ kind: 'escalate' }).decision, 'escalate', 'the builtin result flows into the decision')
  blockedWith(t, ev.evaluate({ kind: 'string' }), 'policy_evaluation_error', /a thrown string/)
  blockedWith(t, ev.evaluate({ kind: 'object' }), 'policy_evaluation_error', /a thrown object/)
  blockedWith(t, ev.evaluate({ kind: 'bare' }), 'policy_evaluation_error', /\{"reason":42\}/)
  blockedWith(t, ev.evaluate({ kind: 'error' }), 'policy_evaluation_error', /a thrown Error/)
  blockedWith(t, ev.evaluate({ kind: 'maybe' }), 'policy_result_invalid', /got `"maybe"`/)
  t.equal(calls, 6)
  t.equal(ev.evaluate({ kind: 'allow' }).decision, 'allow', 'still works after every kind of throw')
})

t.test('a hand-built bundle whose wasm lacks the entrypoint is refused by the evaluator too', async t => {
  const dir = extractWithTar(buildFixture('basic', tempDir(t), { entrypoint: 'other/rule' }), tempDir(t))
  const forged: Bundle = { ...bundles.basic, wasm: readFileSync(join(dir, 'policy.wasm')) }
  await t.rejects(evaluator(forged), { code: 'bundle_missing_entrypoint', message: /no entrypoint gateway\/decision/ })
})

t.test('bytes that are not wasm fail to load with policy_load_failed', async t => {
  await t.rejects(evaluator({ ...bundles.basic, wasm: new TextEncoder().encode('nope') }), { code: 'policy_load_failed', message: /cannot load policy wasm/ })
})


t.test('a builtin that calls evaluate again gets a block instead of corrupting the running evaluation', async t => {
  let inner: Decision | undefined
  const ev = await evaluator(bundles.custom, {
    customBuiltins: {
      'test.boom': (kind: unknown) => {
        inner = ev.evaluate({ kind: 'allow' })
        return kind
      },
    },
  })
  t.equal(ev.evaluate({ kind: 'escalate' }).decision, 'escalate', 'the outer evaluation completes')
  if (inner) blockedWith(t, inner, 'policy_evaluation_error', /called from inside an evaluation/)
  else t.fail('the builtin ran')
  inner = undefined
  t.equal(ev.evaluate({ kind: 'allow' }).decision, 'allow', 'later calls are fine')
})

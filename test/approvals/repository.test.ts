import t from 'tap'
import { fingerprintRequest } from '../../src/approvals/fingerprint.js'
import { openStore } from '../../src/store/open-store.js'
import { counterBytes, escalated, fakeClock, T0 } from '../store/fixtures/fixtures.js'

type Tap = Pick<typeof t, 'testdir' | 'teardown' | 'fail'>

const setup = (t: Tap) => {
  const clock = fakeClock()
  const store = openStore(t.testdir(), { now: clock.now, randomBytes: counterBytes() })
  t.teardown(() => store.close())
  return { clock, store, approvals: store.approvals }
}

const ok = <T extends { ok: boolean }>(t: Tap, r: T): Extract<T, { ok: true }> => {
  if (!r.ok) t.fail(`expected ok, got ${JSON.stringify(r)}`)
  return r as Extract<T, { ok: true }>
}

t.test('a request goes from pending to approved to consumed, once', async t => {
  const { clock, approvals } = setup(t)
  const req = escalated()
  const created = ok(t, approvals.create(req)).record
  t.match(created, { id: /^[0-9a-f]{32}$/, status: 'pending', created_at: T0, expires_at: T0 + 600_000, tool: 'gateway_shell_exec', agent_id: 'agent-7' })
  t.same(created.args, { command: 'systemctl restart api' })
  t.same(created.decision, req.decision, 'the full decision is kept')
  t.same(created.input, req.input, 'the full policy input is kept')

  clock.advance(30)
  const decided = ok(t, approvals.decide(created.id, { verdict: 'approve', by: 'alice', reason: 'window 42' })).record
  t.match(decided, { status: 'approved', decided_by: 'alice', decision_reason: 'window 42', decided_at: T0 + 30_000 })

  const used = ok(t, approvals.consume(created.id, req.fingerprint)).record
  t.match(used, { status: 'consumed', consumed_at: T0 + 30_000 })
  t.match(approvals.consume(created.id, req.fingerprint), { ok: false, code: 'approval_consumed' })
  t.equal(approvals.get(created.id)?.status, 'consumed')
})

t.test('ids are 128-bit hex from the injected random source', async t => {
  const { approvals } = setup(t)
  t.equal(ok(t, approvals.create(escalated())).record.id, '00000000000000000000000000000001')
  t.equal(ok(t, approvals.create(escalated())).record.id, '00000000000000000000000000000002')
})

t.test('an unknown or malformed id is not found', async t => {
  const { approvals } = setup(t)
  t.equal(approvals.get('f'.repeat(32)), null)
  t.equal(approvals.get("' OR 1=1 --"), null)
  t.match(approvals.consume('nope', 'f'.repeat(64)), { ok: false, code: 'approval_not_found' })
  t.match(approvals.decide('f'.repeat(32), { verdict: 'approve', by: 'alice' }), { ok: false, code: 'approval_not_found' })
})

t.test('create refuses a block or allow decision and never stores it', async t => {
  const { approvals } = setup(t)
  const block = escalated('rm -rf /', { decision: { decision: 'block', decision_id: 'd1', reasons: [] } })
  t.match(approvals.create(block), { ok: false, code: 'approval_decision_blocked' })
  t.match(approvals.requestOrReuse(block), { ok: false, code: 'approval_decision_blocked' })
  t.match(approvals.create(escalated('ls', { decision: { decision: 'allow', decision_id: 'd2', reasons: [] } })), { ok: false, code: 'approval_not_escalated' })
  t.same(approvals.list(), [])
})

t.test('create refuses a fingerprint that does not bind its own request', async t => {
  const { approvals } = setup(t)
  const req = escalated('systemctl restart api')
  t.match(approvals.create({ ...req, args: { command: 'systemctl stop api' } }), { ok: false, code: 'approval_fingerprint_mismatch' })
  t.match(approvals.create({ ...req, fingerprint: 'nothex' }), { ok: false, code: 'approval_invalid_request' })
  t.match(approvals.create({ ...req, input: { ...(req.input as object), environment: 'dev' } }), { ok: false, code: 'approval_invalid_request', message: /environment/ })
  t.match(approvals.create({ ...req, ttlSeconds: 0 }), { ok: false, code: 'approval_invalid_request' })
  t.same(approvals.list(), [])
})

t.test('an approval_id among the args is not stored nor bound', async t => {
  const { approvals } = setup(t)
  const req = escalated()
  const r = ok(t, approvals.create({ ...req, args: { command: 'systemctl restart api', approval_id: 'x' } })).record
  t.same(r.args, { command: 'systemctl restart api' })
  t.equal(r.fingerprint, fingerprintRequest({ tool: req.tool, args: { command: 'systemctl restart api' }, environment: 'prod', agent_id: 'agent-7' }))
})

t.test('a request expires by the clock: it cannot be approved or consumed after', async t => {
  const { clock, approvals } = setup(t)
  const req = escalated()
  const a = ok(t, approvals.create(req)).record
  const b = ok(t, approvals.create(req)).record
  t.ok(approvals.decide(b.id, { verdict: 'approve', by: 'alice' }).ok)
  clock.advance(600)
  t.equal(approvals.get(a.id)?.status, 'expired')
  t.equal(approvals.get(b.id)?.status, 'expired')
  t.match(approvals.decide(a.id, { verdict: 'approve', by: 'alice' }), { ok: false, code: 'approval_expired' })
  t.match(approvals.consume(b.id, req.fingerprint), { ok: false, code: 'approval_expired' })
  t.equal(approvals.get(a.id, T0 + 599_999)?.status, 'pending', 'get accepts an explicit time')
})

t.test('only a pending request can be decided', async t => {
  const { approvals } = setup(t)
  const a = ok(t, approvals.create(escalated())).record
  t.ok(approvals.decide(a.id, { verdict: 'reject', by: 'bob', reason: 'no' }).ok)
  t.match(approvals.decide(a.id, { verdict: 'approve', by: 'alice' }), { ok: false, code: 'approval_already_decided' })
  t.match(approvals.decide(a.id, { verdict: 'maybe' as 'approve', by: 'alice' }), { ok: false, code: 'approval_invalid_request' })
  t.match(approvals.get(a.id), { status: 'rejected', decided_by: 'bob', decision_reason: 'no' })
})

t.test('the agent that asked cannot approve its own request', async t => {
  const { approvals } = setup(t)
  const a = ok(t, approvals.create(escalated())).record
  t.match(approvals.decide(a.id, { verdict: 'approve', by: 'agent-7' }), { ok: false, code: 'approval_self_approval' })
  t.equal(approvals.get(a.id)?.status, 'pending')
})

t.test('an approval for one command cannot run another, and is not used up by trying', async t => {
  const { approvals } = setup(t)
  const req = escalated('systemctl restart api')
  const other = escalated('systemctl stop api')
  const a = ok(t, approvals.create(req)).record
  t.ok(approvals.decide(a.id, { verdict: 'approve', by: 'alice' }).ok)
  t.match(approvals.consume(a.id, other.fingerprint), { ok: false, code: 'approval_fingerprint_mismatch' })
  t.match(approvals.consume(a.id, 'garbage'), { ok: false, code: 'approval_fingerprint_mismatch' })
  t.equal(approvals.get(a.id)?.status, 'approved', 'still approved after the failed attempts')
  t.ok(approvals.consume(a.id, req.fingerprint).ok)
})

t.test('a pending or rejected request cannot be consumed', async t => {
  const { approvals } = setup(t)
  const req = escalated()
  const a = ok(t, approvals.create(req)).record
  t.match(approvals.consume(a.id, req.fingerprint), { ok: false, code: 'approval_pending' })
  t.ok(approvals.decide(a.id, { verdict: 'reject', by: 'bob' }).ok)
  t.match(approvals.consume(a.id, req.fingerprint), { ok: false, code: 'approval_rejected', message: /rejected by bob/ })
})

t.test('requestOrReuse returns the live request for the same action instead of opening another', async t => {
  const { clock, approvals } = setup(t)
  const req = escalated()
  const first = ok(t, approvals.requestOrReuse(req))
  t.equal(first.reused, false)
  clock.advance(10)
  const again = ok(t, approvals.requestOrReuse({ ...req, decision: { ...req.decision, decision_id: 'dec-later' } }))
  t.equal(again.reused, true)
  t.equal(again.record.id, first.record.id)
  t.ok(approvals.decide(first.record.id, { verdict: 'approve', by: 'alice' }).ok)
  const approved = ok(t, approvals.requestOrReuse(req))
  t.match(approved, { reused: true, record: { id: first.record.id, status: 'approved' } })
  const different = ok(t, approvals.requestOrReuse(escalated('systemctl restart db')))
  t.equal(different.reused, false, 'another action gets its own request')
  t.equal(approvals.list().length, 2)
})

t.test('a rejection sticks for its fingerprint until it expires', async t => {
  const { clock, approvals } = setup(t)
  const req = escalated()
  const first = ok(t, approvals.requestOrReuse(req)).record
  t.ok(approvals.decide(first.id, { verdict: 'reject', by: 'bob', reason: 'never in prod' }).ok)
  clock.advance(300)
  const sticky = ok(t, approvals.requestOrReuse(req))
  t.match(sticky, { reused: true, record: { id: first.id, status: 'rejected', decision_reason: 'never in prod' } })
  clock.advance(300)
  const fresh = ok(t, approvals.requestOrReuse(req))
  t.equal(fresh.reused, false, 'after the rejection expires, a new request is opened')
  t.not(fresh.record.id, first.id)
  t.equal(fresh.record.status, 'pending')
})

t.test('a consumed or expired request is not reused', async t => {
  const { clock, approvals } = setup(t)
  const req = escalated()
  const a = ok(t, approvals.requestOrReuse(req)).record
  t.ok(approvals.decide(a.id, { verdict: 'approve', by: 'alice' }).ok)
  t.ok(approvals.consume(a.id, req.fingerprint).ok)
  const b = ok(t, approvals.requestOrReuse(req))
  t.equal(b.reused, false)
  clock.advance(601)
  const c = ok(t, approvals.requestOrReuse(req))
  t.equal(c.reused, false)
  t.not(c.record.id, b.record.id)
})

t.test('list filters by effective status, newest first, with a limit', async t => {
  const { clock, approvals } = setup(t)
  const ids: string[] = []
  for (const cmd of ['a', 'b', 'c', 'd']) {
    ids.push(ok(t, approvals.create(escalated(`echo ${cmd}`, { ttlSeconds: cmd === 'a' ? 5 : 600 }))).record.id)
    clock.advance(1)
  }
  const [a, b, c, d] = ids as [string, string, string, string]
  t.ok(approvals.decide(b, { verdict: 'approve', by: 'alice' }).ok)
  t.ok(approvals.decide(c, { verdict: 'reject', by: 'alice' }).ok)
  clock.advance(5)
  t.same(approvals.list().map(r => r.id), [d, c, b, a])
  t.same(approvals.list({ status: 'expired' }).map(r => r.id), [a], 'the stored status is still pending')
  t.same(approvals.list({ status: 'pending' }).map(r => r.id), [d])
  t.same(approvals.list({ status: 'approved' }).map(r => r.id), [b])
  t.same(approvals.list({ status: 'rejected' }).map(r => r.id), [c])
  t.same(approvals.list({ status: 'consumed' }), [])
  t.same(approvals.list({ limit: 2 }).map(r => r.id), [d, c])
})

t.test('prune removes ended requests older than the retention and keeps live ones', async t => {
  const { clock, approvals } = setup(t)
  const live = escalated('live')
  const oldExpired = ok(t, approvals.create(escalated('old', { ttlSeconds: 60 }))).record
  const rejected = ok(t, approvals.create(escalated('rej', { ttlSeconds: 60 }))).record
  t.ok(approvals.decide(rejected.id, { verdict: 'reject', by: 'bob' }).ok)
  const consumedReq = escalated('used', { ttlSeconds: 3600 })
  const consumed = ok(t, approvals.create(consumedReq)).record
  t.ok(approvals.decide(consumed.id, { verdict: 'approve', by: 'alice' }).ok)
  t.ok(approvals.consume(consumed.id, consumedReq.fingerprint).ok)
  clock.advance(3000)
  const pending = ok(t, approvals.create({ ...live, ttlSeconds: 3600 })).record
  const recentReq = escalated('recent', { ttlSeconds: 3600 })
  const recent = ok(t, approvals.create(recentReq)).record
  t.ok(approvals.decide(recent.id, { verdict: 'approve', by: 'alice' }).ok)
  t.ok(approvals.consume(recent.id, recentReq.fingerprint).ok)

  // retention 1000 s: ended at T0+60 s (expired, rejected) and T0 (consumed) are > 1000 s old.
  t.equal(approvals.prune(clock.now(), { retainSeconds: 1000 }), 3)
  t.equal(approvals.get(oldExpired.id), null)
  t.equal(approvals.get(rejected.id), null)
  t.equal(approvals.get(consumed.id), null)
  t.equal(approvals.get(pending.id)?.status, 'pending', 'a live request is kept')
  t.equal(approvals.get(recent.id)?.status, 'consumed', 'a recently consumed one is kept until retention passes')
  t.equal(approvals.prune(clock.now(), { retainSeconds: 1000 }), 0)
  t.throws(() => approvals.prune(clock.now(), { retainSeconds: -1 }), RangeError)
})

t.test('an approval decided in one process is seen and usable from another handle on the same dir', async t => {
  const dir = t.testdir()
  const clock = fakeClock()
  const server = openStore(dir, { now: clock.now })
  const cli = openStore(dir, { now: clock.now })
  t.teardown(() => (server.close(), cli.close()))
  const req = escalated()
  const a = ok(t, server.approvals.requestOrReuse(req)).record
  t.equal(cli.approvals.list({ status: 'pending' })[0]?.id, a.id)
  t.ok(cli.approvals.decide(a.id, { verdict: 'approve', by: 'alice' }).ok)
  t.ok(server.approvals.consume(a.id, req.fingerprint).ok)
  t.match(cli.approvals.consume(a.id, req.fingerprint), { ok: false, code: 'approval_consumed' })
})

t.test('store errors become refusals, not exceptions', async t => {
  const { store, approvals } = setup(t)
  const a = ok(t, approvals.create(escalated())).record
  store.close()
  t.match(approvals.consume(a.id, 'f'.repeat(64)), { ok: false, code: 'approval_store_error' })
  t.match(approvals.create(escalated()), { ok: false, code: 'approval_store_error' })
})

import t from 'tap'
import { openStore } from '../../src/store/open-store.js'
import { collect, escalated, spawnChild } from '../store/fixtures/fixtures.js'

t.test('of 20 consumers racing in 5 processes for a fresh approval exactly one gets it', async t => {
  const dir = t.testdir()
  const store = openStore(dir)
  t.teardown(() => store.close())
  const req = escalated()
  const created = store.approvals.create(req)
  if (!created.ok) throw new Error(created.message)
  const id = created.record.id

  const CHILDREN = 4
  const TRIES = 4 // answers each child reports once the request is no longer pending
  let spinning = 0
  let release!: () => void
  const allSpinning = new Promise<void>(res => (release = res))
  const runs = Array.from({ length: CHILDREN }, () => {
    const child = spawnChild({ op: 'consume', dir, id, fingerprint: req.fingerprint, tries: TRIES })
    const run = collect(child, line => {
      if (line === '{"ready":' + child.pid + '}') child.stdin!.end('go\n')
      if (line === '{"spinning":true}' && ++spinning === CHILDREN) release()
    })
    return run
  })
  await allSpinning
  // Every child is calling consume in a loop: approve now, and race them from here as well.
  t.ok(store.approvals.decide(id, { verdict: 'approve', by: 'alice' }).ok)
  const local = Array.from({ length: 20 - CHILDREN * TRIES }, () => store.approvals.consume(id, req.fingerprint))
  const results = await Promise.all(runs.map(r => r.done))

  for (const r of results) t.equal(r.code, 0, `child exited cleanly ${r.stderr}`)
  const outcomes = [
    ...results.flatMap(r => r.lines.map(l => JSON.parse(l) as { ok?: boolean; code?: string }).filter(o => 'ok' in o)),
    ...local.map(r => (r.ok ? { ok: true } : { ok: false, code: r.code })),
  ]
  t.equal(outcomes.length, 20)
  t.equal(outcomes.filter(o => o.ok).length, 1, 'exactly one consumer wins')
  t.same(new Set(outcomes.filter(o => !o.ok).map(o => o.code)), new Set(['approval_consumed']), 'every other one is told it was already used')
  t.equal(store.approvals.get(id)?.status, 'consumed')
})

t.test('several processes opening a fresh state dir at once all succeed and share one database', async t => {
  const dir = t.testdir()
  const results = await Promise.all(Array.from({ length: 3 }, () => collect(spawnChild({ op: 'open', dir })).done))
  const ids = results.map(r => {
    t.equal(r.code, 0, r.stderr)
    return r.lines.map(l => JSON.parse(l) as { id?: string }).find(l => l.id)?.id
  })
  const store = openStore(dir)
  t.teardown(() => store.close())
  t.equal(store.approvals.list().length, 3)
  t.same(new Set(store.approvals.list().map(r => r.id)), new Set(ids))
})

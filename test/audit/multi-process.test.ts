import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { listAuditFiles } from '../../src/audit/files.js'
import { openStore } from '../../src/store/open-store.js'
import { collect, spawnChild } from '../store/fixtures/fixtures.js'

/** Every seq in the audit files, oldest first (complete lines only). */
const allSeqs = (dir: string): number[] =>
  listAuditFiles(dir).flatMap(f =>
    readFileSync(join(dir, f.name), 'utf8')
      .split('\n')
      .slice(0, -1)
      .map(l => JSON.parse(l).seq as number),
  )

t.test('appends from several processes at once form one valid chain', async t => {
  const dir = t.testdir()
  const audit = { maxBytes: 4000, keep: 100 }
  const store = openStore(dir, { audit })
  t.teardown(() => store.close())
  const CHILDREN = 3
  const COUNT = 30
  let ready = 0
  let release!: () => void
  const allReady = new Promise<void>(res => (release = res))
  const runs = Array.from({ length: CHILDREN }, (_, i) => {
    const child = spawnChild({ op: 'append', dir, count: COUNT, tag: `child${i}`, ...audit })
    return { child, run: collect(child, l => l.startsWith('{"ready"') && ++ready === CHILDREN && release()) }
  })
  await allReady
  for (const { child } of runs) child.stdin!.end('go\n')
  const mine: number[] = []
  for (let i = 0; i < 10; i++) {
    const r = store.audit.append({ event: 'tool_call', agent_id: `parent-${i}` })
    if (r.ok) mine.push(r.seq)
    await new Promise(res => setTimeout(res, 5))
  }
  const results = await Promise.all(runs.map(r => r.run.done))
  for (const r of results) t.equal(r.code, 0, r.stderr)
  const acked = [...mine, ...results.flatMap(r => r.lines.map(l => JSON.parse(l)).filter(o => 'seq' in o).map(o => o.seq as number))]
  t.equal(acked.length, CHILDREN * COUNT + 10, 'every append was acknowledged')
  t.equal(new Set(acked).size, acked.length, 'no two appends got the same seq')
  t.same(allSeqs(dir), Array.from({ length: acked.length }, (_, i) => i + 1), 'the files hold seq 1..N in order')
  const v = store.audit.verify()
  t.match(v, { ok: true, records: acked.length })
  t.ok(v.files.length > 1, 'rotation happened under contention')
})

t.test('a process killed mid-loop loses nothing it acknowledged', async t => {
  const dir = t.testdir()
  const audit = { maxBytes: 16 * 1024, keep: 100 }
  const ackedSeqs: number[] = []
  const ackedIds: string[] = []
  for (let round = 0; round < 2; round++) {
    const child = spawnChild({ op: 'crash-loop', dir, ...audit })
    let acks = 0
    const run = collect(child, line => {
      const o = JSON.parse(line)
      if ('seq' in o) ackedSeqs.push(o.seq)
      if ('id' in o) ackedIds.push(o.id)
      // Kill at an arbitrary point well into the loop.
      if (++acks === 60 + round * 37) child.kill('SIGKILL')
    })
    const r = await run.done
    t.equal(r.signal, 'SIGKILL', `round ${round} was killed, not ended: ${r.stderr}`)

    const store = openStore(dir, { audit })
    const missing = ackedIds.filter(id => store.approvals.get(id) === null)
    t.same(missing, [], `round ${round}: every acknowledged approval survived`)
    const seqs = new Set(allSeqs(dir))
    t.same(ackedSeqs.filter(s => !seqs.has(s)), [], `round ${round}: every acknowledged audit line survived`)
    const v = store.audit.verify()
    if (!v.ok) {
      // Only an unacknowledged, half-written last line is allowed.
      t.match(v.firstBroken, { file: 'audit.log', reason: 'torn_tail' })
      t.ok(v.records >= Math.max(...ackedSeqs))
    } else t.pass(`round ${round}: the chain verifies`)
    const after = store.audit.append({ event: 'server_start' })
    t.ok(after.ok, 'the next append repairs any torn tail and continues')
    if (after.ok) ackedSeqs.push(after.seq)
    t.match(store.audit.verify(), { ok: true })
    store.close()
  }
})

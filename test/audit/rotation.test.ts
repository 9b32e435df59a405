import t from 'tap'
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { verifyAudit } from '../../src/audit/verify.js'
import { openStore } from '../../src/store/open-store.js'
import { fakeClock } from '../store/fixtures/fixtures.js'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')

type Tap = Pick<typeof t, 'testdir' | 'teardown'>

const setup = (t: Tap, keep: number) => {
  const dir = t.testdir()
  const store = openStore(dir, { now: fakeClock().now, audit: { maxBytes: 1000, keep } })
  t.teardown(() => store.close())
  const appendN = (n: number) => {
    for (let i = 0; i < n; i++) {
      const r = store.audit.append({ event: 'tool_call', tool: 'gateway_kubectl_get', agent_id: `agent-${i}`, decision: 'allow', executed: true, exit_code: 0, reasons: [{ code: 'read_only', message: 'reads are fine' }] })
      if (!r.ok) throw new Error(r.message)
    }
  }
  const fileLines = (name: string) => readFileSync(join(dir, name), 'utf8').split('\n').slice(0, -1)
  const auditFiles = () => readdirSync(dir).filter(n => n.startsWith('audit.log')).sort()
  return { dir, store, appendN, fileLines, auditFiles }
}

t.test('audit.log rotates once it reaches maxBytes and the chain continues across files', async t => {
  const { dir, store, appendN, fileLines, auditFiles } = setup(t, 5)
  appendN(6)
  t.same(auditFiles(), ['audit.log', 'audit.log.1'])
  t.ok(statSync(join(dir, 'audit.log.1')).size >= 1000)
  const older = fileLines('audit.log.1')
  const newer = fileLines('audit.log')
  t.match(JSON.parse(older[0]!), { seq: 1, prev: '0'.repeat(64) })
  t.match(JSON.parse(newer[0]!), { seq: older.length + 1, prev: sha(older.at(-1)!) }, 'the new file links to the last line of the old one')
  t.same(store.audit.verify(), { ok: true, records: 6, files: ['audit.log.1', 'audit.log'] })
  t.equal(statSync(join(dir, 'audit.log.1')).mode & 0o777, 0o600)
  t.same(store.audit.tail(6).map(l => l.seq), [1, 2, 3, 4, 5, 6], 'tail reads across the rotation')
})

t.test('only `keep` rotated files are kept, and the chain still verifies from the oldest kept', async t => {
  const { dir, store, appendN, fileLines, auditFiles } = setup(t, 3)
  appendN(40)
  t.same(auditFiles(), ['audit.log', 'audit.log.1', 'audit.log.2', 'audit.log.3'])
  const total = ['audit.log.3', 'audit.log.2', 'audit.log.1', 'audit.log'].reduce((n, f) => n + fileLines(f).length, 0)
  const first = JSON.parse(fileLines('audit.log.3')[0]!)
  t.ok(first.seq > 1, 'the oldest lines were dropped by rotation')
  t.equal(first.seq + total - 1, 40, 'what is kept runs without a gap up to the last seq')
  t.same(store.audit.verify(), { ok: true, records: total, files: ['audit.log.3', 'audit.log.2', 'audit.log.1', 'audit.log'] })
  t.same(verifyAudit(dir, { keep: 3 }), store.audit.verify())
  t.match(verifyAudit(dir, { keep: 5 }), { ok: false, firstBroken: { file: 'audit.log.3', line: 1, reason: 'missing_start' } }, 'verifying with a larger keep than the log was written with reports the missing start')
})

t.test('a rotated file removed from the middle breaks the chain where it was', async t => {
  const { dir, store, appendN, fileLines, auditFiles } = setup(t, 5)
  appendN(12)
  t.same(auditFiles(), ['audit.log', 'audit.log.1', 'audit.log.2', 'audit.log.3'], 'nothing dropped yet')
  const firstOfNewer = JSON.parse(fileLines('audit.log.1')[0]!).seq
  unlinkSync(join(dir, 'audit.log.2'))
  t.match(store.audit.verify(), { ok: false, firstBroken: { file: 'audit.log.1', line: 1, seq: firstOfNewer, reason: 'seq_gap' } })
})

t.test('after a crash between rotation and the next write the chain resumes from the rotated file', async t => {
  const { dir, store, appendN, fileLines, auditFiles } = setup(t, 5)
  appendN(6)
  // As if the process died right after rotating, before writing to a new audit.log.
  renameSync(join(dir, 'audit.log.1'), join(dir, 'audit.log.2'))
  renameSync(join(dir, 'audit.log'), join(dir, 'audit.log.1'))
  const last = fileLines('audit.log.1').at(-1)!
  const r = store.audit.append({ event: 'server_start' })
  t.match(r, { ok: true, seq: 7 })
  t.equal(JSON.parse(last).seq, 6)
  t.equal(JSON.parse(fileLines('audit.log')[0]!).prev, sha(last))
  t.same(auditFiles(), ['audit.log', 'audit.log.1', 'audit.log.2'])
  t.match(store.audit.verify(), { ok: true, records: 7 })
})

t.test('a deleted audit.log is not silently restarted', async t => {
  const { dir, store, appendN } = setup(t, 5)
  appendN(6)
  unlinkSync(join(dir, 'audit.log'))
  t.match(store.audit.verify(), { ok: false, firstBroken: { reason: 'truncated' } })
  t.match(store.audit.append({ event: 'server_start' }), { ok: false, code: 'audit_head_mismatch' })
})

import t from 'tap'
import { createHash } from 'node:crypto'
import { appendFileSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { verifyAudit } from '../../src/audit/verify.js'
import { tailAudit } from '../../src/audit/tail.js'
import { openStore, type StoreDeps } from '../../src/store/open-store.js'
import { fakeClock, T0 } from '../store/fixtures/fixtures.js'

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex')
const ZEROS = '0'.repeat(64)

type Tap = Pick<typeof t, 'testdir' | 'teardown'>

const setup = (t: Tap, deps: StoreDeps = {}) => {
  const dir = t.testdir()
  const clock = fakeClock()
  const store = openStore(dir, { now: clock.now, ...deps })
  t.teardown(() => store.close())
  const log = join(dir, 'audit.log')
  const lines = () => readFileSync(log, 'utf8').split('\n').slice(0, -1)
  const appendN = (n: number) => {
    for (let i = 1; i <= n; i++) {
      const r = store.audit.append({ event: 'tool_call', tool: 'gateway_shell_exec', agent_id: `agent-${i}`, decision: 'allow', reasons: [], executed: true, exit_code: 0, duration_ms: 12 })
      if (!r.ok) throw new Error(r.message)
      clock.advance(1)
    }
  }
  return { dir, clock, store, log, lines, appendN }
}

t.test('each line carries seq, the fields, and the sha256 of the line before', async t => {
  const { store, lines, clock } = setup(t)
  const r1 = store.audit.append({
    event: 'tool_call',
    decision_id: 'd-1',
    agent_id: 'agent-7',
    tool: 'gateway_shell_exec',
    input: { b: 1, a: [true, null] },
    decision: 'escalate',
    reasons: [{ code: 'prod_restart' }],
    revision: 'rev-9',
    approval_id: 'ap-1',
    executed: false,
    exit_code: null,
    duration_ms: 3,
  })
  t.match(r1, { ok: true, seq: 1 })
  clock.advance(2)
  const r2 = store.audit.append({ event: 'approval_decided', approval_id: 'ap-1', actor: 'alice', error: 'none' })
  t.match(r2, { ok: true, seq: 2 })
  const [l1, l2] = lines() as [string, string]
  t.same(JSON.parse(l1), {
    seq: 1,
    ts: new Date(T0).toISOString(),
    event: 'tool_call',
    decision_id: 'd-1',
    agent_id: 'agent-7',
    tool: 'gateway_shell_exec',
    input_digest: sha('{"a":[true,null],"b":1}'),
    decision: 'escalate',
    reasons: [{ code: 'prod_restart' }],
    revision: 'rev-9',
    approval_id: 'ap-1',
    executed: false,
    exit_code: null,
    duration_ms: 3,
    prev: ZEROS,
  })
  t.notOk(l1.includes('"input":'), 'the input itself is not written, only its digest')
  t.match(JSON.parse(l2), { seq: 2, ts: new Date(T0 + 2000).toISOString(), event: 'approval_decided', actor: 'alice', error: 'none', executed: false, decision: null, prev: sha(l1) })
  t.equal(r1.ok && r1.hash, sha(l1), 'append reports the hash of the line it wrote')
  t.same(store.audit.head(), { seq: 2, hash: sha(l2) })
  t.same(store.audit.verify(), { ok: true, records: 2, files: ['audit.log'] })
})

t.test('the audit log is private to its owner', async t => {
  const { appendN, log } = setup(t)
  appendN(1)
  t.equal(statSync(log).mode & 0o777, 0o600)
})

t.test('every caller-supplied string passes through the redactor', async t => {
  const redact = (s: string) => s.replaceAll('hunter2', '[REDACTED]')
  const { store, log } = setup(t, { redact })
  const r = store.audit.append({ event: 'tool_call', tool: 'gateway_shell_exec', agent_id: 'a hunter2', error: 'mysql -phunter2 failed', actor: 'hunter2', reasons: [{ message: 'saw hunter2', nested: ['hunter2'] }], revision: 'hunter2' })
  t.ok(r.ok)
  const text = readFileSync(log, 'utf8')
  t.notOk(text.includes('hunter2'))
  t.match(JSON.parse(text), { agent_id: 'a [REDACTED]', error: 'mysql -p[REDACTED] failed', reasons: [{ message: 'saw [REDACTED]', nested: ['[REDACTED]'] }] })
})

t.test('a redactor that throws hides the string instead of failing the append', async t => {
  const { store, lines } = setup(t, { redact: () => { throw new Error('boom') } })
  t.ok(store.audit.append({ event: 'tool_call', error: 'secret' }).ok)
  t.equal(JSON.parse(lines()[0]!).error, '[redaction failed]')
})

t.test('an invalid record is refused and nothing is written', async t => {
  const { store, dir } = setup(t)
  t.match(store.audit.append({ event: 'Tool Call' }), { ok: false, code: 'audit_invalid_record' })
  t.match(store.audit.append({ event: 'tool_call', decision: 'maybe' as 'allow' }), { ok: false, code: 'audit_invalid_record' })
  t.match(store.audit.append({ event: 'tool_call', input: { x: NaN } }), { ok: false, code: 'audit_invalid_record' })
  t.match(store.audit.append({ event: 'tool_call', input: { a: 1 }, input_digest: 'f'.repeat(64) }), { ok: false, code: 'audit_invalid_record', message: /does not match/ })
  t.match(store.audit.append({ event: 'tool_call', extra: 1 } as never), { ok: false, code: 'audit_invalid_record' })
  t.same(verifyAudit(dir), { ok: true, records: 0, files: [] })
})

t.test('a line edited in the middle is found, with its line number', async t => {
  const { appendN, log, lines, dir } = setup(t)
  appendN(5)
  const original = lines()
  writeFileSync(log, original.map((l, i) => (i === 2 ? l.replace('agent-3', 'agent-X') : l)).join('\n') + '\n')
  t.match(verifyAudit(dir), { ok: false, records: 2, firstBroken: { file: 'audit.log', line: 3, seq: 3, reason: 'hash_mismatch' } })

  writeFileSync(log, original.map((l, i) => (i === 2 ? l.replace('"seq":3', '"seq";3') : l)).join('\n') + '\n')
  t.match(verifyAudit(dir), { ok: false, firstBroken: { line: 3, reason: 'invalid_json' } })

  // Rewriting a line's prev breaks the links on both sides of it: still that line.
  writeFileSync(log, original.map((l, i) => (i === 2 ? l.replace(/"prev":"(.)/, (_m, c) => `"prev":"${c === 'a' ? 'b' : 'a'}`) : l)).join('\n') + '\n')
  t.match(verifyAudit(dir), { ok: false, firstBroken: { line: 3, seq: 3, reason: 'hash_mismatch' } })
})

t.test('a deleted line is found where it was', async t => {
  const { appendN, log, lines, dir } = setup(t)
  appendN(5)
  writeFileSync(log, lines().filter((_l, i) => i !== 2).join('\n') + '\n')
  t.match(verifyAudit(dir), { ok: false, records: 2, firstBroken: { file: 'audit.log', line: 3, seq: 4, reason: 'seq_gap' } })
})

t.test('a deleted first line is found: the chain must start at the genesis', async t => {
  const { appendN, log, lines, dir } = setup(t)
  appendN(3)
  writeFileSync(log, lines().slice(1).join('\n') + '\n')
  t.match(verifyAudit(dir), { ok: false, firstBroken: { line: 1, seq: 2, reason: 'missing_start' } })
})

t.test('cutting lines off the end is caught by the head the store committed', async t => {
  const { appendN, store, log, lines, dir } = setup(t)
  appendN(4)
  writeFileSync(log, lines().slice(0, 3).join('\n') + '\n')
  t.match(verifyAudit(dir), { ok: true }, 'the file alone cannot tell')
  t.match(store.audit.verify(), { ok: false, records: 3, firstBroken: { line: 3, reason: 'truncated' } })
  t.match(store.audit.append({ event: 'tool_call' }), { ok: false, code: 'audit_head_mismatch' }, 'appending to a cut log is refused')
})

t.test('an altered last line is caught by the head the store committed', async t => {
  const { appendN, store, log, lines } = setup(t)
  appendN(3)
  writeFileSync(log, lines().map((l, i) => (i === 2 ? l.replace('agent-3', 'agent-Y') : l)).join('\n') + '\n')
  t.match(store.audit.verify(), { ok: false, records: 2, firstBroken: { line: 3, seq: 3, reason: 'hash_mismatch' } })
  t.match(store.audit.append({ event: 'tool_call' }), { ok: false, code: 'audit_head_mismatch' })
})

t.test('a torn final line is reported, then quarantined by the next append', async t => {
  const { appendN, store, log, lines, dir } = setup(t)
  appendN(3)
  const fragment = '{"seq":4,"ts":"2025-03-01T12:00:03.000Z","event":"tool_c'
  appendFileSync(log, fragment)
  t.match(verifyAudit(dir), { ok: false, records: 3, firstBroken: { file: 'audit.log', line: 4, seq: null, reason: 'torn_tail' } })
  t.same(tailAudit(dir, 10).map(l => l.seq), [1, 2, 3], 'tail skips the torn bytes')

  const r = store.audit.append({ event: 'server_start' })
  t.match(r, { ok: true, seq: 5 })
  const after = lines()
  t.equal(after.length, 5)
  t.match(JSON.parse(after[3]!), { seq: 4, event: 'audit_repaired', error: /torn tail of 56 bytes at offset \d+ .*audit\.torn/ })
  t.match(JSON.parse(after[4]!), { seq: 5, event: 'server_start' })
  t.same(store.audit.verify(), { ok: true, records: 5, files: ['audit.log'] })
  const quarantined = JSON.parse(readFileSync(join(dir, 'audit.torn'), 'utf8').trim())
  t.equal(Buffer.from(quarantined.base64, 'base64').toString(), fragment)
  t.match(quarantined, { file: 'audit.log', length: 56, sha256: sha(fragment) })
  t.equal(statSync(join(dir, 'audit.torn')).mode & 0o777, 0o600)
})

t.test('a last line that is not a record stops appends instead of guessing', async t => {
  const { appendN, store, log } = setup(t)
  appendN(1)
  appendFileSync(log, 'garbage\n')
  t.match(store.audit.append({ event: 'tool_call' }), { ok: false, code: 'audit_corrupt', message: /not an audit record/ })
})

t.test('a symlink planted as audit.log is not followed', async t => {
  const { store, dir, log } = setup(t)
  const target = join(dir, 'elsewhere')
  writeFileSync(target, '')
  symlinkSync(target, log)
  t.match(store.audit.append({ event: 'tool_call' }), { ok: false, code: 'audit_write_failed' })
  t.equal(readFileSync(target, 'utf8'), '')
  unlinkSync(log)
})

t.test('an append inside a database transaction is refused: the lock would not be held', async t => {
  const { store, dir } = setup(t)
  const r = store.db.transaction(() => store.audit.append({ event: 'tool_call' }))()
  t.match(r, { ok: false, code: 'audit_write_failed', message: /transaction/ })
  t.same(verifyAudit(dir), { ok: true, records: 0, files: [] })
})

t.test('tail returns the last n records, oldest first', async t => {
  const { appendN, store, dir } = setup(t)
  t.same(tailAudit(dir, 3), [])
  appendN(5)
  t.same(store.audit.tail(3).map(l => l.seq), [3, 4, 5])
  t.same(tailAudit(dir, 50).map(l => l.seq), [1, 2, 3, 4, 5])
  t.same(tailAudit(dir, 0), [])
})

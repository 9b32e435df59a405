import t from 'tap'
import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { StoreError } from '../../src/store/errors.js'
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../src/store/migrations.js'
import { openStore } from '../../src/store/open-store.js'
import { counterBytes, escalated, fakeClock, T0 } from './fixtures/fixtures.js'

const mode = (p: string) => statSync(p).mode & 0o777

t.test('a fresh state dir is private: dir 0700, database and its WAL 0600', async t => {
  const dir = join(t.testdir(), 'nested', 'state')
  const store = openStore(dir)
  t.teardown(() => store.close())
  t.ok(store.approvals.create(escalated()).ok)
  t.equal(mode(dir), 0o700)
  t.equal(mode(join(dir, 'gateway.db')), 0o600)
  t.equal(mode(join(dir, 'gateway.db-wal')), 0o600)
  t.equal(store.stateDir, dir)
})

t.test('the database runs in WAL mode with full sync and a busy timeout', async t => {
  const store = openStore(t.testdir(), { busyTimeoutMs: 1234 })
  t.teardown(() => store.close())
  t.equal(store.db.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(store.db.pragma('synchronous', { simple: true }), 2, 'FULL')
  t.equal(store.db.pragma('busy_timeout', { simple: true }), 1234)
})

t.test('an existing state dir open to others is tightened', async t => {
  const dir = t.testdir()
  chmodSync(dir, 0o755)
  openStore(dir).close()
  t.equal(mode(dir), 0o700)
})

t.test('an existing database readable by others is tightened', async t => {
  const dir = t.testdir()
  openStore(dir).close()
  chmodSync(join(dir, 'gateway.db'), 0o644)
  openStore(dir).close()
  t.equal(mode(join(dir, 'gateway.db')), 0o600)
})

t.test('a symlink in place of the database or the state dir is refused', async t => {
  const root = t.testdir({ real: {} })
  const dir = join(root, 'state')
  mkdirSync(dir)
  symlinkSync(join(root, 'real', 'x.db'), join(dir, 'gateway.db'))
  t.throws(() => openStore(dir), { name: 'StoreError', code: 'store_unsafe_path' })
  symlinkSync(join(root, 'real'), join(root, 'linked'))
  t.throws(() => openStore(join(root, 'linked')), { code: 'store_unsafe_path' })
})

t.test('a state dir path that is a file is refused', async t => {
  const root = t.testdir()
  writeFileSync(join(root, 'file'), 'x')
  t.throws(() => openStore(join(root, 'file')), StoreError)
})

t.test('migrations are recorded once and reopening keeps the data', async t => {
  const dir = t.testdir()
  const clock = fakeClock()
  const first = openStore(dir, { now: clock.now })
  const r = first.approvals.create(escalated())
  first.close()
  first.close()
  const again = openStore(dir)
  t.teardown(() => again.close())
  t.same(again.db.prepare('SELECT version, applied_at FROM schema_migrations').all(), MIGRATIONS.map(m => ({ version: m.version, applied_at: T0 })))
  t.ok(r.ok && again.approvals.get(r.record.id))
})

t.test('a later migration is applied on top of an existing database, once', async t => {
  const dir = t.testdir()
  openStore(dir).close()
  const db = new Database(join(dir, 'gateway.db'))
  t.teardown(() => db.close())
  const next = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, sql: 'CREATE TABLE extra (x INTEGER) STRICT' }]
  t.equal(migrate(db, 1, next), SCHEMA_VERSION + 1)
  t.equal(migrate(db, 2, next), SCHEMA_VERSION + 1)
  t.same(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all(), next.map(m => ({ version: m.version })))
})

t.test('a database from a newer gateway is refused, not guessed at', async t => {
  const dir = t.testdir()
  openStore(dir).close()
  const db = new Database(join(dir, 'gateway.db'))
  db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(SCHEMA_VERSION + 1)
  db.close()
  t.throws(() => openStore(dir), { code: 'store_schema_too_new' })
})

t.test('plans are saved with their binding fields and read back', async t => {
  const clock = fakeClock()
  const store = openStore(t.testdir(), { now: clock.now, randomBytes: counterBytes() })
  t.teardown(() => store.close())
  const plan = store.plans.create({
    fingerprint: 'fp',
    plan_sha256: 'a'.repeat(64),
    plan_json_digest: 'b'.repeat(64),
    workspace: 'default',
    environment: 'prod',
    working_dir: 'infra/prod',
    tf_version: '1.9.0',
    agent_id: 'agent-7',
    decision: 'escalate',
    reasons: [{ code: 'deletes_db' }],
    summary: { delete: 1 },
    plan_path: '/state/plans/1.tfplan',
    ttlSeconds: 3600,
  })
  t.match(plan, { id: '00000000000000000000000000000001', status: 'planned', created_at: T0, expires_at: T0 + 3_600_000, reasons: [{ code: 'deletes_db' }], summary: { delete: 1 } })
  t.same(store.plans.get(plan.id), plan)
  t.equal(store.plans.get('missing'), null)
  t.throws(() => store.plans.create({ ...plan, plan_sha256: 'short', ttlSeconds: 1 } as never))
})

t.test('a plan status changes only from the status the caller expects', async t => {
  const clock = fakeClock()
  const store = openStore(t.testdir(), { now: clock.now })
  t.teardown(() => store.close())
  const { id } = store.plans.create({ fingerprint: 'fp', plan_sha256: 'a'.repeat(64), plan_json_digest: 'b'.repeat(64), workspace: 'default', environment: 'dev', working_dir: '.', tf_version: null, agent_id: 'a', decision: 'allow', reasons: [], summary: null, plan_path: 'p', ttlSeconds: 60 })
  t.equal(store.plans.setStatus(id, { from: 'planned', to: 'applying' }), true)
  t.equal(store.plans.setStatus(id, { from: 'planned', to: 'applying' }), false, 'a second apply of the same plan loses')
  t.equal(store.plans.get(id)?.status, 'applying')
  clock.advance(120)
  t.equal(store.plans.prune(clock.now(), { retainSeconds: 30 }), 0, 'an applying plan (perhaps left by a crash) is never pruned')
  t.equal(store.plans.finish(id, { from: 'planned', to: 'applied', result: null, now: clock.now() }), false, 'finish is compare-and-set too')
  t.equal(store.plans.finish(id, { from: 'applying', to: 'applied', result: { code: 'applied' }, now: clock.now() }), true)
  t.match(store.plans.get(id), { status: 'applied', result: { code: 'applied' }, ended_at: clock.now().getTime() })
  t.equal(store.plans.prune(clock.now(), { retainSeconds: 30 }), 1)
  t.equal(store.plans.get(id), null)
})

t.test('open plans whose time ran out expire once; open plan paths list only open plans', async t => {
  const clock = fakeClock()
  const store = openStore(t.testdir(), { now: clock.now })
  t.teardown(() => store.close())
  const base = { fingerprint: 'fp', plan_sha256: 'a'.repeat(64), plan_json_digest: 'b'.repeat(64), workspace: 'default', environment: 'dev', working_dir: '.', tf_version: null, agent_id: 'a', decision: 'allow' as const, reasons: [], summary: null, input: { judged: true } }
  const short = store.plans.create({ ...base, plan_path: '/p/short/plan.tfplan', ttlSeconds: 60 })
  const long = store.plans.create({ ...base, plan_path: '/p/long/plan.tfplan', ttlSeconds: 600 })
  const ended = store.plans.create({ ...base, plan_path: '/p/ended/plan.tfplan', ttlSeconds: 60, status: 'blocked' })
  t.same(store.plans.get(short.id)?.input, { judged: true })
  t.same(store.plans.openPlanPaths().sort(), ['/p/long/plan.tfplan', '/p/short/plan.tfplan'])
  clock.advance(61)
  t.same(store.plans.expireDue(clock.now()).map(p => p.id), [short.id])
  t.same(store.plans.expireDue(clock.now()), [], 'only once')
  t.match(store.plans.get(short.id), { status: 'expired', result: { code: 'plan_expired' } })
  t.equal(store.plans.get(long.id)?.status, 'planned')
  t.equal(store.plans.get(ended.id)?.status, 'blocked', 'an ended plan does not become expired')
})

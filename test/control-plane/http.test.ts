// The humans' HTTP API against a real state dir, beside a real MCP client: bearer token required;
// list, show, approve and reject work; the agent's re-call runs once and the approver is recorded.
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { createControlPlaneServer } from '../../src/control-plane/http.js'
import { auditTail, openGateway } from '../mcp/harness.js'

const TOKEN = 'test-token-0123456789abcdef'
const g = await openGateway({ env: 'staging' })
const server = createControlPlaneServer({ store: g.runtime.store, token: TOKEN, now: () => new Date() })
await new Promise<void>(ok => server.listen(0, '127.0.0.1', ok))
t.teardown(async () => {
  await new Promise<void>(ok => server.close(() => ok()))
  await g.close()
})
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

const api = async (method: string, path: string, body?: unknown, auth: string | null = `Bearer ${TOKEN}`) => {
  const res = await fetch(base + path, {
    method,
    headers: { ...(auth === null ? {} : { authorization: auth }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

t.test('the token is at least 16 characters', async t => {
  t.throws(() => createControlPlaneServer({ store: g.runtime.store, token: 'short', now: () => new Date() }), /at least 16/)
})

t.test('every route needs the bearer token', async t => {
  const first = await g.agent.shell({ command: 'echo guarded >> guarded.log' })
  const id = String(first.s.approval_id)
  for (const auth of [null, 'Bearer wrong-token-0123456789abcdef', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `bearer ${TOKEN}`, 'Bearer ']) {
    for (const [method, path, body] of [
      ['GET', '/v1/approvals'],
      ['GET', `/v1/approvals/${id}`],
      ['POST', `/v1/approvals/${id}/approve`, { by: 'mallory' }],
      ['GET', '/v1/audit/verify'],
    ] as const) {
      const r = await api(method, path, body, auth)
      t.equal(r.status, 401, `${method} ${path} with ${auth ?? 'no authorization'}`)
      t.same(r.body, { error: 'unauthorized', message: 'Bearer token required' })
    }
  }
  t.equal((await api('GET', `/v1/approvals/${id}`)).body.status, 'pending', 'nothing was approved without the token')
})

t.test('approve over HTTP, then the agent runs the action exactly once', async t => {
  const args = { command: 'echo shipped >> ship.log' }
  const first = await g.agent.shell(args)
  const id = String(first.s.approval_id)

  const list = await api('GET', '/v1/approvals?status=pending')
  t.equal(list.status, 200)
  t.ok(list.body.approvals.some((a: { id: string }) => a.id === id))
  t.equal((await api('GET', '/v1/approvals?status=sideways')).status, 400)

  const shown = await api('GET', `/v1/approvals/${id}`)
  t.equal(shown.status, 200)
  t.match(shown.body, { id, status: 'pending', agent_id: 'agent-a', environment: 'staging', input: { shell: { command: 'echo shipped >> ship.log', cwd: g.work } } })
  t.equal((await api('GET', `/v1/approvals/${'e'.repeat(32)}`)).status, 404)

  t.equal((await api('POST', `/v1/approvals/${id}/approve`, {})).status, 400, 'the approver is required')
  t.equal((await api('POST', `/v1/approvals/${id}/approve`, { by: 'alice', force: true })).status, 400, 'unknown body keys are refused')
  t.equal((await api('POST', `/v1/approvals/${id}/approve`, '{not json')).status, 400)
  t.equal((await api('GET', `/v1/approvals/${id}`)).body.status, 'pending', 'bad requests changed nothing')

  const ok = await api('POST', `/v1/approvals/${id}/approve`, { by: 'alice', reason: 'change CR-7' })
  t.equal(ok.status, 200)
  t.match(ok.body, { id, status: 'approved', decided_by: 'alice', decision_reason: 'change CR-7' })
  const again = await api('POST', `/v1/approvals/${id}/reject`, { by: 'mallory' })
  t.equal(again.status, 409, 'a decided approval cannot be decided again')

  const run = await g.agent.shell({ ...args, approval_id: id })
  t.match(run.s, { status: 'executed', executed: true, approval_id: id })
  const replay = await g.agent.shell({ ...args, approval_id: id })
  t.equal(replay.s.code, 'approval_consumed')
  t.equal(await readFile(join(g.work, 'ship.log'), 'utf8'), 'shipped\n')

  t.match((await api('GET', `/v1/approvals/${id}`)).body, { status: 'consumed', decided_by: 'alice', decision_reason: 'change CR-7' })
  const decided = (await auditTail(g.state)).find(l => l.event === 'approval_decided' && l.approval_id === id && !l.error)
  t.match(decided, { actor: 'alice', reasons: [{ code: 'approved', message: /via http by alice: change CR-7/ }] })
  const verify = await api('GET', '/v1/audit/verify')
  t.match(verify, { status: 200, body: { ok: true } })
})

t.test('reject over HTTP: the rejection reaches the agent and sticks', async t => {
  const args = { command: 'echo never >> never.log' }
  const first = await g.agent.shell(args)
  const id = String(first.s.approval_id)
  const r = await api('POST', `/v1/approvals/${id}/reject`, { by: 'bob', reason: 'no' })
  t.match(r, { status: 200, body: { status: 'rejected', decided_by: 'bob' } })
  const again = await g.agent.shell(args)
  t.match(again.s, { status: 'rejected', approval_id: id, decided_by: 'bob' })
  t.equal((await g.agent.shell({ ...args, approval_id: id })).s.code, 'approval_rejected')
  t.equal((await api('GET', '/v1/approvals?status=rejected')).body.approvals.length, 1)
  t.equal((await api('POST', `/v1/approvals/${'e'.repeat(32)}/approve`, { by: 'bob' })).status, 404)
})

t.test('unknown routes are 404', async t => {
  t.equal((await api('GET', '/v1/nothing')).status, 404)
  t.equal((await api('DELETE', '/v1/approvals')).status, 404)
})

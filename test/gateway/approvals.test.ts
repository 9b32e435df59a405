// Approval binding through a real MCP client (env staging, where writes escalate): an approval
// runs exactly the approved action, once, for the agent that asked, before it expires.
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { connectAgent, openGateway, runCli } from '../mcp/harness.js'
import { openRuntime } from '../../src/gateway/runtime.js'

let clock = Date.now()
const now = () => new Date(clock)
const g = await openGateway({ env: 'staging', now })
t.teardown(() => g.close())
await mkdir(join(g.work, 'sub'))

const cliAt = (argv: string[]) => runCli([...argv, '--state-dir', g.state], { now })
const decide = async (verdict: 'approve' | 'reject', id: unknown, by = 'alice', reason = 'looks fine') => {
  const r = await cliAt(['approvals', verdict, String(id), '--by', by, '--reason', reason])
  if (r.code !== 0) throw new Error(`approvals ${verdict} failed: ${r.stderr}`)
}
const show = async (id: unknown) => JSON.parse((await cliAt(['approvals', 'show', String(id)])).stdout) as Record<string, unknown>
const lines = async (file: string) => (existsSync(join(g.work, file)) ? (await readFile(join(g.work, file), 'utf8')).split('\n').filter(Boolean) : [])

/** Ask for `args`, have alice approve; the approval id. */
const approved = async (args: Record<string, unknown>): Promise<string> => {
  const first = await g.agent.shell(args)
  if (first.s.status !== 'approval_required') throw new Error(`expected an escalation, got ${first.text}`)
  await decide('approve', first.s.approval_id)
  return String(first.s.approval_id)
}

t.test('a pending approval does not run the action', async t => {
  const first = await g.agent.shell({ command: 'echo p >> pending.txt' })
  const r = await g.agent.shell({ command: 'echo p >> pending.txt', approval_id: first.s.approval_id })
  t.equal(r.isError, true)
  t.equal(r.s.code, 'approval_pending')
  t.equal(r.s.executed, false)
  t.same(await lines('pending.txt'), [])
})

t.test('an approved action runs once; replaying the consumed approval is refused', async t => {
  const args = { command: 'echo once >> once.txt' }
  const id = await approved(args)
  const run = await g.agent.shell({ ...args, approval_id: id })
  t.equal(run.isError, false)
  t.equal(run.s.status, 'executed')
  t.equal(run.s.approval_id, id)
  const replay = await g.agent.shell({ ...args, approval_id: id })
  t.equal(replay.isError, true)
  t.equal(replay.s.code, 'approval_consumed')
  t.equal(replay.s.executed, false)
  t.same(await lines('once.txt'), ['once'], 'the command ran exactly once')
  t.equal((await show(id)).status, 'consumed')
})

t.test('an approval for one command cannot run another, and the attempt does not consume it', async t => {
  const id = await approved({ command: 'echo a >> a.txt' })
  const other = await g.agent.shell({ command: 'echo b >> b.txt', approval_id: id })
  t.equal(other.isError, true)
  t.equal(other.s.code, 'approval_fingerprint_mismatch')
  t.equal(other.s.executed, false)
  t.notOk(existsSync(join(g.work, 'b.txt')))
  t.equal((await show(id)).status, 'approved', 'still approved')
  const right = await g.agent.shell({ command: 'echo a >> a.txt', approval_id: id })
  t.equal(right.s.executed, true, 'the approved action still runs')
  t.same(await lines('a.txt'), ['a'])
})

t.test('an approval for one working directory cannot run the same command in another', async t => {
  const id = await approved({ command: 'echo c >> c.txt' })
  for (const cwd of ['sub', join(g.work, 'sub')]) {
    const r = await g.agent.shell({ command: 'echo c >> c.txt', cwd, approval_id: id })
    t.equal(r.s.code, 'approval_fingerprint_mismatch', cwd)
    t.equal(r.s.executed, false, cwd)
  }
  t.notOk(existsSync(join(g.work, 'sub', 'c.txt')))
  t.equal((await show(id)).status, 'approved', 'not consumed')
  const same = await g.agent.shell({ command: 'echo c >> c.txt', cwd: '.', approval_id: id })
  t.equal(same.s.executed, true, 'the same directory spelled differently is the same action')
  t.same(await lines('c.txt'), ['c'])
})

t.test('an approval expires', async t => {
  const args = { command: 'echo late >> late.txt' }
  const first = await g.agent.shell(args)
  const expires = Date.parse(String(first.s.expires_at))
  t.ok(expires > clock, 'the approval has a deadline')
  await decide('approve', first.s.approval_id)
  const saved = clock
  clock = expires + 1000
  t.teardown(() => void (clock = saved))
  const r = await g.agent.shell({ ...args, approval_id: first.s.approval_id })
  t.equal(r.s.code, 'approval_expired')
  t.equal(r.s.executed, false)
  const check = await g.agent.call('gateway_check_approval', { approval_id: first.s.approval_id })
  t.equal(check.s.status, 'expired')
  t.equal(check.isError, true)
  t.same(await lines('late.txt'), [])
  const again = await g.agent.shell(args)
  t.equal(again.s.status, 'approval_required', 'asking again after expiry starts a new request')
  t.not(again.s.approval_id, first.s.approval_id)
})

t.test('a rejection sticks: asking again returns the rejected approval', async t => {
  const args = { command: 'echo no >> rejected.txt' }
  const first = await g.agent.shell(args)
  await decide('reject', first.s.approval_id, 'bob', 'not during the freeze')
  const again = await g.agent.shell(args)
  t.equal(again.isError, true)
  t.equal(again.s.status, 'rejected')
  t.equal(again.s.approval_id, first.s.approval_id)
  t.equal(again.s.decided_by, 'bob')
  t.match(again.text, /Rejected by bob: not during the freeze/)
  const asked = await g.agent.call('gateway_request_approval', { tool: 'gateway_shell_exec', args })
  t.equal(asked.s.status, 'rejected')
  t.equal(asked.s.approval_id, first.s.approval_id)
  const forced = await g.agent.shell({ ...args, approval_id: first.s.approval_id })
  t.equal(forced.s.code, 'approval_rejected')
  t.equal(forced.s.executed, false)
  t.same(await lines('rejected.txt'), [])
  const approveLater = await cliAt(['approvals', 'approve', String(first.s.approval_id), '--by', 'alice'])
  t.equal(approveLater.code, 1, 'a rejected request cannot be approved afterwards')
})

t.test('a block cannot be approved', async t => {
  const asked = await g.agent.call('gateway_request_approval', { tool: 'gateway_shell_exec', args: { command: 'rm -rf /' } })
  t.equal(asked.isError, true)
  t.equal(asked.s.status, 'blocked')
  t.notOk(asked.s.approval_id, 'no approval is created')
  const all = JSON.parse((await cliAt(['approvals', 'list', '--json'])).stdout) as { input: { shell?: { command: string } } }[]
  t.notOk(all.some(a => a.input.shell?.command === 'rm -rf /'), 'no approval request exists for the blocked action')
  // An approval for something else does not open a blocked action either.
  const id = await approved({ command: 'echo d >> d.txt' })
  const r = await g.agent.shell({ command: 'touch block-marker; sudo true', approval_id: id })
  t.equal(r.s.status, 'blocked')
  t.equal(r.s.executed, false)
  t.match(r.text, /a block cannot be approved/)
  t.notOk(existsSync(join(g.work, 'block-marker')))
  t.equal((await show(id)).status, 'approved', 'the unrelated approval is untouched')
})

t.test('an agent cannot approve its own request: there is no tool for it', async t => {
  const first = await g.agent.shell({ command: 'echo self >> self.txt' })
  const id = first.s.approval_id
  const names = (await g.agent.client.listTools()).tools.map(x => x.name)
  t.notOk(names.some(n => /approve|reject|decide/.test(n)))
  for (const [tool, args] of [
    ['gateway_approve', { approval_id: id }],
    ['approvals_approve', { approval_id: id, by: 'alice' }],
    ['gateway_check_approval', { approval_id: id, status: 'approved' }],
    ['gateway_request_approval', { tool: 'gateway_check_approval', args: { approval_id: id } }],
  ] as const) {
    const r = await g.agent.call(tool, args as Record<string, unknown>)
    t.equal(r.isError, true, tool)
  }
  t.equal((await show(id)).status, 'pending', 'still waiting for a human')
  const r = await g.agent.shell({ command: 'echo self >> self.txt', approval_id: id })
  t.equal(r.s.executed, false)
})

t.test('another agent can neither see nor use an approval', async t => {
  const args = { command: 'echo mine >> mine.txt' }
  const id = await approved(args)
  const runtimeB = await openRuntime({ environment: 'staging', stateDir: g.state, workdir: g.work, agentId: 'agent-b', now })
  const b = await connectAgent(runtimeB)
  t.teardown(async () => {
    await b.close()
    runtimeB.close()
  })
  const seen = await b.call('gateway_check_approval', { approval_id: id })
  t.equal(seen.isError, true)
  t.equal(seen.s.code, 'approval_not_found')
  t.notMatch(seen.text, /alice|mine/, 'nothing about the approval leaks')
  const used = await b.shell({ ...args, approval_id: id })
  t.equal(used.s.executed, false)
  t.equal(used.s.code, 'approval_not_found', 'to agent-b the approval does not exist')
  // A rejected approval of agent-a's tells agent-b nothing either (not who rejected it, nor why).
  const other = await g.agent.shell({ command: 'echo theirs >> theirs.txt' })
  await decide('reject', other.s.approval_id, 'erin', 'secret-reason')
  const probed = await b.shell({ command: 'echo theirs >> theirs.txt', approval_id: other.s.approval_id })
  t.equal(probed.s.code, 'approval_not_found')
  t.notMatch(probed.text, /erin|secret-reason|rejected/)
  // The same agent id in another environment is another identity too.
  const runtimeDev = await openRuntime({ environment: 'dev', stateDir: g.state, workdir: g.work, agentId: 'agent-a', now })
  const devAgent = await connectAgent(runtimeDev)
  t.teardown(async () => {
    await devAgent.close()
    runtimeDev.close()
  })
  t.equal((await devAgent.call('gateway_check_approval', { approval_id: id })).s.code, 'approval_not_found')
  const devUse = await devAgent.shell({ command: 'cat ~/.aws/credentials', approval_id: id })
  t.match(devUse.s, { code: 'approval_not_found', executed: false })
  const own = await b.shell(args)
  t.equal(own.s.status, 'approval_required', 'agent-b gets its own request')
  t.not(own.s.approval_id, id)
  t.same(await lines('mine.txt'), [])
  t.equal((await show(id)).status, 'approved', 'not consumed by agent-b')
  const run = await g.agent.shell({ ...args, approval_id: id })
  t.equal(run.s.executed, true, 'the agent that asked can still use it')
})

t.test('20 parallel calls with one approval execute exactly once', async t => {
  const args = { command: 'echo x >> count.txt' }
  const id = await approved(args)
  const results = await Promise.all(Array.from({ length: 20 }, () => g.agent.shell({ ...args, approval_id: id })))
  const executed = results.filter(r => r.s.status === 'executed')
  t.equal(executed.length, 1, 'exactly one result says executed')
  t.equal(executed[0]?.s.executed, true)
  const refused = results.filter(r => r.s.status !== 'executed')
  t.equal(refused.length, 19)
  t.ok(refused.every(r => r.isError && r.s.executed === false && r.s.code === 'approval_consumed'), 'all others are refused as consumed')
  t.same(await lines('count.txt'), ['x'], 'the file has one line')
})

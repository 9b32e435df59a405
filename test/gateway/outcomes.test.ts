// What an agent gets back for each policy outcome and for bad calls, through a real MCP client:
// nothing runs unless policy allows it, and every refusal is a readable, audited tool error.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { auditTail, openGateway, runCli } from '../mcp/harness.js'

const g = await openGateway({ env: 'dev' })
t.teardown(() => g.close())

const lastAudit = async (pred: (l: Record<string, unknown>) => boolean) => (await auditTail(g.state)).filter(pred).at(-1)

t.test('a blocked command is an error result with reasons and a decision id, and nothing runs', async t => {
  const r = await g.agent.shell({ command: 'touch blocked-marker && sudo true' })
  t.equal(r.isError, true)
  t.equal(r.s.status, 'blocked')
  t.equal(r.s.decision, 'block')
  t.equal(r.s.executed, false)
  t.match(r.s.decision_id, /^[0-9a-f]{32}$/)
  t.match(r.s.reasons, [{ code: 'privilege_escalation', message: String }])
  t.notOk('approval_id' in r.s && r.s.approval_id, 'a block offers no approval')
  t.match(r.text, /^Blocked by policy: privilege_escalation/)
  t.notOk(existsSync(join(g.work, 'blocked-marker')), 'the marker the command would create does not exist')
  const line = await lastAudit(l => l.decision_id === r.s.decision_id)
  t.match(line, { event: 'tool_call', tool: 'gateway_shell_exec', decision: 'block', executed: false, agent_id: 'agent-a' })
})

t.test('an escalated command returns an approval id and does not run', async t => {
  const r = await g.agent.shell({ command: 'touch escalated-marker; cat ~/.aws/credentials' })
  t.equal(r.isError, false, 'waiting for a human is not an error')
  t.equal(r.s.status, 'approval_required')
  t.equal(r.s.decision, 'escalate')
  t.equal(r.s.executed, false)
  t.match(r.s.approval_id, /^[0-9a-f]{32}$/)
  t.match(r.s.reasons, [{ code: 'credential_access' }])
  t.match(r.text, /a human must approve/)
  t.notOk(existsSync(join(g.work, 'escalated-marker')), 'the marker the command would create does not exist')
  const list = await runCli(['approvals', 'list', '--json', '--state-dir', g.state])
  t.equal(list.code, 0)
  const rows = JSON.parse(list.stdout) as { id: string; status: string }[]
  t.match(rows.find(x => x.id === r.s.approval_id), { status: 'pending' }, 'the request waits for a human')
  const line = await lastAudit(l => l.approval_id === r.s.approval_id)
  t.match(line, { event: 'approval_requested', decision: 'escalate', executed: false })
})

t.test('asking again for the same escalated action returns the same pending approval', async t => {
  const a = await g.agent.shell({ command: 'cat ~/.aws/config' })
  const b = await g.agent.shell({ command: 'cat ~/.aws/config' })
  t.equal(b.s.approval_id, a.s.approval_id)
  t.equal(b.s.reused, true)
})

t.test('invalid arguments are an error result and audited', async t => {
  const cases: [string, Record<string, unknown>][] = [
    ['an unknown key', { command: 'touch bad-args-marker', flags: '--force' }],
    ['a wrong type', { command: 42 }],
    ['a missing command', {}],
  ]
  for (const [name, args] of cases) {
    const r = await g.agent.shell(args)
    t.equal(r.isError, true, name)
    t.equal(r.s.executed, false, name)
    t.match(r.s.reasons, [{ code: 'invalid_args' }], name)
    t.match(r.s.decision_id, /^[0-9a-f]{32}$/, name)
    const line = await lastAudit(l => l.decision_id === r.s.decision_id)
    t.match(line, { event: 'tool_call', decision: 'block', executed: false }, `${name} is audited`)
  }
  t.notOk(existsSync(join(g.work, 'bad-args-marker')))
})

t.test('a malformed approval id is refused before anything is judged', async t => {
  const r = await g.agent.shell({ command: 'echo hi', approval_id: 'not-an-id' })
  t.equal(r.isError, true)
  t.equal(r.s.code, 'invalid_args')
  t.equal(r.s.executed, false)
})

t.test('oversize arguments are an error result and nothing runs', async t => {
  const r = await g.agent.shell({ command: `touch oversize-marker; echo ${'a'.repeat(300 * 1024)}` })
  t.equal(r.isError, true)
  t.equal(r.s.executed, false)
  t.match(r.s.reasons, [{ code: 'invalid_args', message: /oversize/ }], 'the reason names the problem')
  t.match(r.s.decision_id, /^[0-9a-f]{32}$/)
  t.notOk(existsSync(join(g.work, 'oversize-marker')))
  const line = await lastAudit(l => l.decision_id === r.s.decision_id)
  t.match(line, { event: 'tool_call', decision: 'block', executed: false }, 'audited')
})

t.test('an unknown tool is an error result, audited', async t => {
  for (const name of ['gateway_approve', 'shell', 'gateway_terraform_apply']) {
    const r = await g.agent.call(name, { approval_id: '0'.repeat(32) })
    t.equal(r.isError, true, name)
    t.equal(r.s.code, 'unknown_tool', name)
    t.equal(r.s.executed, false, name)
  }
  const line = await lastAudit(l => l.tool === 'gateway_terraform_apply')
  t.match(line, { event: 'tool_call', decision: 'block', error: 'unknown_tool' })
})

t.test('asking approval for an allowed action says none is needed and creates none', async t => {
  const r = await g.agent.call('gateway_request_approval', { tool: 'gateway_shell_exec', args: { command: 'ls' } })
  t.equal(r.isError, false)
  t.equal(r.s.status, 'not_needed')
  t.notOk(r.s.approval_id)
})

// The whole approval flow with a human at the CLI: the agent asks, `approvals approve` decides,
// the agent re-calls with approval_id and the action runs once; who and why are recorded.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { auditTail, openGateway, runCli } from '../mcp/harness.js'

const g = await openGateway({ env: 'staging' })
t.teardown(() => g.close())
const cli = (...argv: string[]) => runCli([...argv, '--state-dir', g.state])

t.test('approve at the CLI, then the agent runs the action exactly once', async t => {
  const args = { command: 'echo deployed >> deploy.log' }
  const first = await g.agent.shell(args)
  t.equal(first.s.status, 'approval_required')
  const id = String(first.s.approval_id)

  const pending = await g.agent.call('gateway_check_approval', { approval_id: id })
  t.equal(pending.s.status, 'pending')
  t.equal(pending.isError, false)

  const list = await cli('approvals', 'list')
  t.equal(list.code, 0)
  t.match(list.stdout, new RegExp(`^${id}  pending\\s+staging\\s+gateway_shell_exec  "echo deployed >> deploy.log"  \\(shell_write\\)$`, 'm'), 'the list shows what will run')
  const pendingOnly = JSON.parse((await cli('approvals', 'list', '--status', 'pending', '--json')).stdout) as { id: string }[]
  t.ok(pendingOnly.some(a => a.id === id))

  const shown = await cli('approvals', 'show', id)
  t.equal(shown.code, 0)
  const view = JSON.parse(shown.stdout)
  t.match(view, { id, status: 'pending', tool: 'gateway_shell_exec', environment: 'staging', agent_id: 'agent-a', decision: 'escalate', decided_by: null })
  t.match(view.input.shell, { command: 'echo deployed >> deploy.log', cwd: g.work }, 'the reviewer sees the normalized input')
  t.same(view.args, { command: 'echo deployed >> deploy.log', cwd: g.work })

  const ok = await cli('approvals', 'approve', id, '--by', 'alice', '--reason', 'ticket OPS-42')
  t.equal(ok.code, 0, ok.stderr)
  t.equal(ok.stdout, `${id} approved by alice\n`)

  const checked = await g.agent.call('gateway_check_approval', { approval_id: id })
  t.match(checked.s, { status: 'approved', decided_by: 'alice', decision_reason: 'ticket OPS-42' })

  const run = await g.agent.shell({ ...args, approval_id: id })
  t.equal(run.isError, false, run.text)
  t.match(run.s, { status: 'executed', executed: true, approval_id: id, exit_code: 0 })
  const replay = await g.agent.shell({ ...args, approval_id: id })
  t.equal(replay.s.code, 'approval_consumed')
  t.equal(await readFile(join(g.work, 'deploy.log'), 'utf8'), 'deployed\n', 'executed once')

  const after = JSON.parse((await cli('approvals', 'show', id)).stdout)
  t.match(after, { status: 'consumed', decided_by: 'alice', decision_reason: 'ticket OPS-42' })
  t.type(after.consumed_at, 'string')

  const audit = await auditTail(g.state)
  const decided = audit.find(l => l.event === 'approval_decided' && l.approval_id === id)
  t.match(decided, { actor: 'alice', agent_id: 'agent-a', decision: 'escalate', reasons: [{ code: 'approved', message: /via cli by alice: ticket OPS-42/ }] })
  const executed = audit.filter(l => l.event === 'tool_call' && l.approval_id === id && l.executed === true)
  t.equal(executed.length, 1, 'the audit log has one execution under this approval')
  t.match(executed[0], { decision: 'escalate', exit_code: 0, agent_id: 'agent-a' })
  const verify = await cli('audit', 'verify')
  t.equal(verify.code, 0, verify.stdout)
})

t.test('reject at the CLI: the agent is told who rejected it and why', async t => {
  const first = await g.agent.shell({ command: 'echo nope >> nope.log' })
  const id = String(first.s.approval_id)
  const r = await cli('approvals', 'reject', id, '--by', 'carol', '--reason', 'wrong window')
  t.equal(r.code, 0)
  t.equal(r.stdout, `${id} rejected by carol\n`)
  const checked = await g.agent.call('gateway_check_approval', { approval_id: id })
  t.equal(checked.isError, true)
  t.match(checked.s, { status: 'rejected', decided_by: 'carol', decision_reason: 'wrong window' })
  const audit = await auditTail(g.state)
  t.match(audit.find(l => l.event === 'approval_decided' && l.approval_id === id), { actor: 'carol', reasons: [{ code: 'rejected', message: /wrong window/ }] })
})

t.test('the CLI refuses bad approval commands with clear messages', async t => {
  const first = await g.agent.shell({ command: 'echo later >> later.log' })
  const id = String(first.s.approval_id)
  const noBy = await cli('approvals', 'approve', id)
  t.equal(noBy.code, 2)
  t.match(noBy.stderr, /needs --by/)
  const unknown = await cli('approvals', 'approve', 'f'.repeat(32), '--by', 'alice')
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /approval_not_found/)
  const missing = await cli('approvals', 'show', 'f'.repeat(32))
  t.equal(missing.code, 1)
  const badStatus = await cli('approvals', 'list', '--status', 'maybe')
  t.equal(badStatus.code, 2)
  t.match(badStatus.stderr, /--status: Expected one of/)
  const self = await cli('approvals', 'approve', id, '--by', 'agent-a')
  t.equal(self.code, 1, 'the requesting agent id cannot approve its own request')
  t.match(self.stderr, /approval_self_approval/)
  t.equal((await cli('approvals', 'approve', id, '--by', 'alice')).code, 0)
  const twice = await cli('approvals', 'approve', id, '--by', 'mallory')
  t.equal(twice.code, 1, 'an approval is decided once')
  t.match(twice.stderr, /approval_already_decided|approval_not_pending/)
  t.equal(JSON.parse((await cli('approvals', 'show', id)).stdout).decided_by, 'alice', 'the first decision stands')
  const audit = await auditTail(g.state)
  t.match(audit.filter(l => l.event === 'approval_decided' && l.actor === 'mallory').at(-1), { executed: false, error: String }, 'the refused attempt is audited')
})

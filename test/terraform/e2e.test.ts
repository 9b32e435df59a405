// End to end with the real terraform-compatible binary (OpenTofu, see helpers.ts): an MCP
// client calls the gateway's terraform tools; state files on disk show what really happened.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { auditTail, makeDirs, removeDirs, runCli } from '../mcp/harness.js'
import { countingWrapper, inputOf, movableClock, openTerraformGateway, operatorTerraform, readState, resourceNames, terraformBinary, writeConfig } from './helpers.js'

const bin = terraformBinary()

const planFilesIn = (state: string): string[] => {
  const dir = join(state, 'terraform', 'plans')
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap(d => readdirSync(join(dir, d)).map(f => join(dir, d, f)))
}

t.test('dev: create → plan (allow) → apply → state changed; the plan applies once and its file is gone', async t => {
  const g = await openTerraformGateway('dev')
  t.teardown(() => g.close())
  const infra = writeConfig(join(g.work, 'infra'))

  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.equal(plan.isError, false, plan.text)
  t.match(plan.s, { status: 'planned', decision: 'allow', workspace: 'default', working_dir: infra, summary: { counts: { create: 2 } } })
  t.same((plan.s.summary as { changes: unknown[] }).changes, [
    { address: 'terraform_data.a', type: 'terraform_data', action: 'create' },
    { address: 'terraform_data.b', type: 'terraform_data', action: 'create' },
  ])
  t.equal(readState(infra), null, 'planning changed nothing')
  t.notOk(existsSync(join(infra, '.terraform')), 'terraform data (providers, backend) is not kept in the agent-writable working directory')

  // The plan file lives in the state dir, readable by the gateway alone.
  const [file] = planFilesIn(g.state)
  t.ok(file, 'the plan file is in the gateway state dir')
  t.equal(statSync(file!).mode & 0o777, 0o600)
  t.equal(statSync(join(file!, '..')).mode & 0o777, 0o700)

  const id = plan.s.plan_id as string
  const applied = await g.agent.call('gateway_terraform_apply', { plan_id: id })
  t.equal(applied.isError, false, applied.text)
  t.match(applied.s, { status: 'applied', executed: true, applied: true, plan_id: id, exit_code: 0 })
  t.same(resourceNames(readState(infra)), ['terraform_data.a', 'terraform_data.b'])
  t.same(planFilesIn(g.state), [], 'the plan file is removed when the plan ends')

  const again = await g.agent.call('gateway_terraform_apply', { plan_id: id })
  t.match(again, { isError: true, s: { code: 'plan_already_applied', executed: false } })
  const view = await g.agent.call('gateway_get_plan', { plan_id: id })
  t.match(view.s, { plan_id: id, status: 'applied', decision: 'allow', result: { code: 'applied' } })

  const audit = await auditTail(g.state)
  t.ok(audit.some(l => l.event === 'plan_created' && l.plan_id === id))
  t.equal(audit.filter(l => l.event === 'execution_started' && l.plan_id === id).length, 1)
  t.ok(audit.some(l => l.event === 'tool_call' && l.plan_id === id && l.executed === true))
})

t.test('staging destroy → escalate → a human approves with the CLI → apply → resources gone', async t => {
  const g = await openTerraformGateway('staging')
  t.teardown(() => g.close())
  const infra = writeConfig(join(g.work, 'infra'))
  operatorTerraform(bin, infra, ['apply', '-auto-approve', '-no-color'])
  t.same(resourceNames(readState(infra)), ['terraform_data.a', 'terraform_data.b'])

  const plan = await g.agent.call('gateway_terraform_destroy', { working_dir: 'infra' })
  t.equal(plan.isError, false, plan.text)
  t.match(plan.s, { status: 'planned', decision: 'escalate', approval_status: 'approval_required', summary: { counts: { delete: 2 } } })
  t.ok((plan.s.reasons as { code: string }[]).some(r => r.code === 'terraform_destroy'))
  const planId = plan.s.plan_id as string
  const approvalId = plan.s.approval_id as string
  t.match(approvalId, /^[0-9a-f]{32}$/)

  // Without approval, or before a human decides, nothing is applied.
  const noApproval = await g.agent.call('gateway_terraform_apply', { plan_id: planId })
  t.match(noApproval.s, { status: 'approval_required', approval_id: approvalId, executed: false })
  const early = await g.agent.call('gateway_terraform_apply', { plan_id: planId, approval_id: approvalId })
  t.match(early, { isError: true, s: { executed: false } })
  t.same(resourceNames(readState(infra)), ['terraform_data.a', 'terraform_data.b'])

  // The human sees the plan's changes before approving.
  const show = JSON.parse((await runCli(['approvals', 'show', approvalId, '--state-dir', g.state])).stdout)
  t.match(show, { tool: 'gateway_terraform_apply', args: { plan_id: planId } })
  const approve = await runCli(['approvals', 'approve', approvalId, '--by', 'alice', '--reason', 'cleanup', '--state-dir', g.state])
  t.equal(approve.code, 0, approve.stderr)

  const applied = await g.agent.call('gateway_terraform_apply', { plan_id: planId, approval_id: approvalId })
  t.equal(applied.isError, false, applied.text)
  t.match(applied.s, { status: 'applied', approval_id: approvalId })
  t.same(resourceNames(readState(infra)), [], 'every resource is gone')

  // The approval was for that apply only.
  const replay = await g.agent.call('gateway_terraform_apply', { plan_id: planId, approval_id: approvalId })
  t.match(replay, { isError: true, s: { code: 'plan_already_applied' } })
})

t.test('an approval binds one plan: it cannot apply another plan of the same directory', async t => {
  const g = await openTerraformGateway('staging')
  t.teardown(() => g.close())
  writeConfig(join(g.work, 'infra'))
  const first = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  const second = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.match(first.s, { decision: 'escalate' })
  t.not(first.s.approval_id, second.s.approval_id, 'each plan has its own approval request')
  await runCli(['approvals', 'approve', String(first.s.approval_id), '--by', 'alice', '--state-dir', g.state])
  const wrong = await g.agent.call('gateway_terraform_apply', { plan_id: second.s.plan_id as string, approval_id: first.s.approval_id as string })
  t.match(wrong, { isError: true, s: { code: 'approval_fingerprint_mismatch', executed: false } })
  t.equal(readState(join(g.work, 'infra')), null)
  t.match((await g.agent.call('gateway_get_plan', { plan_id: second.s.plan_id as string })).s, { status: 'planned' }, 'a refused approval leaves the plan applicable')
})

t.test('a plan file altered after planning is refused and nothing is applied', async t => {
  const g = await openTerraformGateway('dev')
  t.teardown(() => g.close())
  const infra = writeConfig(join(g.work, 'infra'))
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  const [file] = planFilesIn(g.state)
  // Someone with access to the state dir swaps in another valid plan of the same directory.
  writeConfig(infra, 'resource "terraform_data" "evil" {\n  input = "x"\n}\n')
  const other = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  const otherFile = planFilesIn(g.state).find(f => f !== file)!
  writeFileSync(file!, readFileSync(otherFile))

  const r = await g.agent.call('gateway_terraform_apply', { plan_id: plan.s.plan_id as string })
  t.match(r, { isError: true, s: { code: 'plan_tampered', executed: false } })
  t.equal(readState(infra), null, 'nothing applied')
  t.match((await g.agent.call('gateway_get_plan', { plan_id: plan.s.plan_id as string })).s, { status: 'tampered' })
  t.ok(other.s.plan_id)
})

t.test('an expired plan is refused and its file removed', async t => {
  const clock = movableClock()
  const g = await openTerraformGateway('dev', { now: clock.now })
  t.teardown(() => g.close())
  const infra = writeConfig(join(g.work, 'infra'))
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.equal(planFilesIn(g.state).length, 1)
  clock.advance(3601) // plan_ttl_seconds is 3600 in dev
  const r = await g.agent.call('gateway_terraform_apply', { plan_id: plan.s.plan_id as string })
  t.match(r, { isError: true, s: { code: 'plan_expired', executed: false } })
  t.equal(readState(infra), null)
  t.same(planFilesIn(g.state), [], 'the expired plan file is gone')
})

t.test('state changed between plan and apply → drift reported, nothing applied', async t => {
  const g = await openTerraformGateway('dev')
  t.teardown(() => g.close())
  const infra = writeConfig(join(g.work, 'infra'))
  const stale = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra', vars: { label: 'first' } })
  const fresh = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra', vars: { label: 'second' } })
  t.match((await g.agent.call('gateway_terraform_apply', { plan_id: fresh.s.plan_id as string })).s, { status: 'applied' })
  const before = readState(infra)!
  t.equal(inputOf(before, 'a'), 'second')

  const r = await g.agent.call('gateway_terraform_apply', { plan_id: stale.s.plan_id as string })
  t.match(r, { isError: true, s: { status: 'drift', code: 'plan_stale', applied: false, executed: false } })
  t.match(r.text, /drift/)
  const after = readState(infra)!
  t.equal(after.serial, before.serial, 'the state was not written')
  t.equal(inputOf(after, 'a'), 'second')
  t.match((await g.agent.call('gateway_get_plan', { plan_id: stale.s.plan_id as string })).s, { status: 'drift', result: { code: 'plan_stale' } })
})

t.test('20 concurrent applies of one plan → exactly one terraform apply', async t => {
  const dirs = await makeDirs()
  t.teardown(() => removeDirs(dirs))
  const wrapper = countingWrapper(dirs.root, bin)
  const g = await openTerraformGateway('dev', { binary: wrapper.path, dirs })
  t.teardown(() => g.close())
  const infra = writeConfig(join(g.work, 'infra'))
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.equal(wrapper.calls().filter(c => c === 'apply').length, 0)

  const results = await Promise.all(Array.from({ length: 20 }, () => g.agent.call('gateway_terraform_apply', { plan_id: plan.s.plan_id as string })))
  const applied = results.filter(r => r.s.status === 'applied')
  t.equal(applied.length, 1, 'one call applied')
  t.ok(
    results.filter(r => r !== applied[0]).every(r => r.isError && ['plan_apply_in_progress', 'plan_already_applied'].includes(r.s.code as string)),
    'the other 19 were refused',
  )
  t.equal(wrapper.calls().filter(c => c === 'apply').length, 1, 'terraform apply ran exactly once')
  t.same(resourceNames(readState(infra)), ['terraform_data.a', 'terraform_data.b'])
})

t.test('a plan made in workspace X applies in X', async t => {
  const g = await openTerraformGateway('dev')
  t.teardown(() => g.close())
  const infra = writeConfig(join(g.work, 'infra'))
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra', workspace: 'blue' })
  t.match(plan.s, { workspace: 'blue', decision: 'allow' })
  // A later plan in another workspace does not move where the first one applies.
  await g.agent.call('gateway_terraform_plan', { working_dir: 'infra', workspace: 'green' })
  const r = await g.agent.call('gateway_terraform_apply', { plan_id: plan.s.plan_id as string })
  t.equal(r.isError, false, r.text)
  t.same(resourceNames(readState(infra, 'blue')), ['terraform_data.a', 'terraform_data.b'])
  t.equal(readState(infra), null, 'the default workspace is untouched')
  t.equal(readState(infra, 'green'), null, 'the other workspace is untouched')
})

t.test('prod: destroy is blocked before terraform runs, and it cannot be approved', async t => {
  const dirs = await makeDirs()
  t.teardown(() => removeDirs(dirs))
  const wrapper = countingWrapper(dirs.root, bin)
  const g = await openTerraformGateway('prod', { binary: wrapper.path, dirs })
  t.teardown(() => g.close())
  writeConfig(join(g.work, 'infra'))
  for (const [tool, args] of [
    ['gateway_terraform_destroy', { working_dir: 'infra' }],
    ['gateway_terraform_plan', { working_dir: 'infra', destroy: true }],
  ] as const) {
    const r = await g.agent.call(tool, args)
    t.match(r, { isError: true, s: { status: 'blocked', decision: 'block', executed: false } }, tool)
    t.ok((r.s.reasons as { code: string }[]).some(x => x.code === 'terraform_destroy'), tool)
    t.notOk(r.s.approval_id, 'no approval request is opened')
    const ask = await g.agent.call('gateway_request_approval', { tool, args })
    t.match(ask, { isError: true }, `${tool}: an approval cannot be requested`)
  }
  t.same(wrapper.calls(), [], 'terraform never ran')
  const list = JSON.parse((await runCli(['approvals', 'list', '--json', '--state-dir', g.state])).stdout)
  t.same(list, [], 'there is nothing a human could approve')
})

t.test("the gateway's terraform credentials reach terraform only: not the agent's results, its shell or the audit log", async t => {
  const secret = 'tf-cred-7d1c0e9a5b3f4a62'
  const g = await openTerraformGateway('dev', { terraformEnv: { TF_VAR_token: secret } })
  t.teardown(() => g.close())
  const infra = writeConfig(
    join(g.work, 'infra'),
    'variable "token" {\n  type = string\n}\nresource "terraform_data" "t" {\n  input = var.token\n}\noutput "leak" {\n  value = var.token\n}\n',
  )
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.equal(plan.isError, false, plan.text)
  const applied = await g.agent.call('gateway_terraform_apply', { plan_id: plan.s.plan_id as string })
  t.equal(applied.isError, false, applied.text)
  // terraform really had it: the state (which belongs to the configuration) holds it.
  t.equal(inputOf(readState(infra), 't'), secret)
  t.match(applied.s.stdout, /leak = "\[REDACTED:gateway-env\]"/, 'terraform printed it; the gateway cut it out')
  const view = await g.agent.call('gateway_get_plan', { plan_id: plan.s.plan_id as string })
  const shell = await g.agent.shell({ command: 'env' })
  t.match(shell.s, { executed: true, exit_code: 0 }, 'the shell probe ran')
  t.match(shell.s.stdout, /PATH=/, 'and printed its environment')
  for (const r of [plan, applied, view, shell]) t.notOk(JSON.stringify(r).includes(secret), 'not in a tool result')
  t.notOk(readFileSync(join(g.state, 'audit.log'), 'utf8').includes(secret), 'not in the audit log')
  const db = (g.runtime.store.db.prepare('SELECT input_json FROM plans').pluck().all() as string[]).join('\n')
  t.notOk(db.includes(secret), 'not in the judged plan document kept in the store')
})

t.test('a replace is judged as delete + create; asking again for approval of the same plan reuses the request', async t => {
  const g = await openTerraformGateway('staging')
  t.teardown(() => g.close())
  const infra = writeConfig(join(g.work, 'infra'), 'variable "v" {\n  type = string\n}\nresource "terraform_data" "r" {\n  triggers_replace = var.v\n}\n')
  operatorTerraform(bin, infra, ['apply', '-auto-approve', '-no-color', '-var', 'v=1'])
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra', vars: { v: '2' } })
  t.match(plan.s, { decision: 'escalate', summary: { counts: { replace: 1 }, changes: [{ address: 'terraform_data.r', action: 'replace' }] } })
  t.ok((plan.s.reasons as { code: string; message: string }[]).some(r => r.code === 'resource_deleted' && /replaced/.test(r.message)), 'the replace counts as a delete')
  const ask = await g.agent.call('gateway_request_approval', { tool: 'gateway_terraform_apply', args: { plan_id: plan.s.plan_id } })
  t.match(ask.s, { status: 'approval_required', approval_id: plan.s.approval_id, reused: true })
  const planAsk = await g.agent.call('gateway_request_approval', { tool: 'gateway_terraform_plan', args: { working_dir: 'infra' } })
  t.match(planAsk, { isError: true, s: { code: 'not_approvable' } })
})

t.test("a long apply is killed at the policy's terraform_apply_timeout_seconds and the plan ends failed", async t => {
  const dirs = await makeDirs()
  t.teardown(() => removeDirs(dirs))
  // The real binary, except that `apply` first sleeps past the timeout.
  const slow = join(dirs.root, 'terraform-slow')
  writeFileSync(slow, `#!/bin/sh\nif [ "$1" = apply ]; then sleep 30; fi\nexec '${bin}' "$@"\n`, { mode: 0o755 })
  const policy = join(dirs.root, 'policy.yaml')
  writeFileSync(policy, 'environments:\n  dev:\n    execution:\n      terraform_apply_timeout_seconds: 1\n')
  const g = await openTerraformGateway('dev', { binary: slow, dirs, policyFile: policy })
  t.teardown(() => g.close())
  const infra = writeConfig(join(g.work, 'infra'))
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  const started = Date.now()
  const r = await g.agent.call('gateway_terraform_apply', { plan_id: plan.s.plan_id as string })
  t.ok(Date.now() - started < 20_000, 'it did not wait for the sleep')
  t.match(r, { isError: true, s: { status: 'failed', code: 'terraform_timed_out', timed_out: true, applied: false } })
  t.equal(readState(infra), null)
  t.match((await g.agent.call('gateway_get_plan', { plan_id: plan.s.plan_id as string })).s, { status: 'failed' })
})

t.test('the hourly prune expires plans and deletes their files without any agent call', async t => {
  const clock = movableClock()
  const g = await openTerraformGateway('dev', { now: clock.now })
  t.teardown(() => g.close())
  writeConfig(join(g.work, 'infra'))
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.equal(planFilesIn(g.state).length, 1)
  t.equal(g.runtime.prune(), 0, 'nothing to do while the plan is open')
  t.equal(planFilesIn(g.state).length, 1)
  clock.advance(3601)
  t.equal(g.runtime.prune(), 1)
  t.same(planFilesIn(g.state), [])
  t.match((await g.agent.call('gateway_get_plan', { plan_id: plan.s.plan_id as string })).s, { status: 'expired', result: { code: 'plan_expired' } })
})

// What an adversarial agent tries against the terraform tools, with the real binary behind a
// counting wrapper: refusals must come before terraform runs at all.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { makeDirs, removeDirs, runCli } from '../mcp/harness.js'
import { countingWrapper, inputOf, openTerraformGateway, readState, resourceNames, terraformBinary, writeConfig } from './helpers.js'

const bin = terraformBinary()

async function setup(t: Test, env = 'dev', agentId?: string) {
  const dirs = await makeDirs()
  t.teardown(() => removeDirs(dirs))
  const wrapper = countingWrapper(dirs.root, bin)
  const g = await openTerraformGateway(env, { binary: wrapper.path, dirs, ...(agentId ? { agentId } : {}) })
  t.teardown(() => g.close())
  return { g, wrapper, infra: writeConfig(join(g.work, 'infra')) }
}

t.test('working directories outside the roots are refused before terraform runs', async t => {
  const { g, wrapper } = await setup(t)
  writeConfig(join(g.root, 'outside'))
  symlinkSync(join(g.root, 'outside'), join(g.work, 'link'))
  for (const working_dir of ['..', '../outside', join(g.root, 'outside'), 'link', '/etc', '../state', 'missing']) {
    const r = await g.agent.call('gateway_terraform_plan', { working_dir })
    t.match(r, { isError: true, s: { status: 'refused', executed: false, code: /^working_dir_(outside_roots|unavailable)$/ } }, working_dir)
  }
  const viaFile = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra/main.tf' })
  t.match(viaFile.s, { code: 'working_dir_unavailable' }, 'a file is not a working directory')
  t.same(wrapper.calls(), [], 'terraform never ran')
})

t.test('var files outside the roots (directly or through a symlink) are refused', async t => {
  const { g, wrapper } = await setup(t)
  writeFileSync(join(g.root, 'secret.tfvars'), 'label = "x"\n')
  symlinkSync(join(g.root, 'secret.tfvars'), join(g.work, 'infra', 'link.tfvars'))
  for (const f of ['../../secret.tfvars', 'link.tfvars', '/etc/passwd', 'missing.tfvars', '.']) {
    const r = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra', var_files: [f] })
    t.match(r, { isError: true, s: { executed: false, code: /^var_file_(outside_roots|unavailable)$/ } }, f)
  }
  t.same(wrapper.calls(), [])
})

t.test('raw flags cannot be smuggled through any field', async t => {
  const { g, wrapper } = await setup(t)
  const attempts: Record<string, unknown>[] = [
    { working_dir: 'infra', lock: false },
    { working_dir: 'infra', refresh: false },
    { working_dir: 'infra', args: ['-lock=false'] },
    { working_dir: 'infra', targets: ['-lock=false'] },
    { working_dir: 'infra', targets: ['a b'] },
    { working_dir: 'infra', workspace: '-or-create' },
    { working_dir: 'infra', workspace: '../default' },
    { working_dir: 'infra', vars: { '-lock': 'false' } },
    { working_dir: 'infra', vars: { label: { nested: 1 } } },
    { working_dir: 'infra', destroy: 'yes' },
  ]
  for (const args of attempts) {
    const r = await g.agent.call('gateway_terraform_plan', args)
    t.match(r, { isError: true }, JSON.stringify(args))
    t.ok((r.s.reasons as { code: string }[] | undefined)?.some(x => x.code === 'invalid_args') ?? /invalid|Input validation/i.test(r.text), JSON.stringify(args))
  }
  const apply = await g.agent.call('gateway_terraform_apply', { plan_id: '0'.repeat(32), auto_approve: true })
  t.match(apply, { isError: true })
  t.same(wrapper.calls(), [], 'terraform never ran')
})

t.test('variable values are data: template syntax in a value is not evaluated', async t => {
  const { g, infra } = await setup(t)
  const value = '${file("/etc/hostname")}'
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra', vars: { label: value } })
  t.equal(plan.isError, false, plan.text)
  t.match((await g.agent.call('gateway_terraform_apply', { plan_id: plan.s.plan_id as string })).s, { status: 'applied' })
  t.equal(inputOf(readState(infra), 'a'), value)
})

t.test('a .terraform directory planted in the working directory is not used', async t => {
  const { g, infra } = await setup(t)
  // With terraform's default data dir this file would select the workspace "evil".
  mkdirSync(join(infra, '.terraform'))
  writeFileSync(join(infra, '.terraform', 'environment'), 'evil')
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.match(plan.s, { workspace: 'default' })
  await g.agent.call('gateway_terraform_apply', { plan_id: plan.s.plan_id as string })
  t.same(resourceNames(readState(infra)), ['terraform_data.a', 'terraform_data.b'])
  t.equal(readState(infra, 'evil'), null)
})

t.test("the agent's shell cannot read plan files or terraform's data dir", async t => {
  const { g } = await setup(t)
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.equal(plan.isError, false, plan.text)
  const r = await g.agent.shell({ command: `ls -R ${join(g.state, 'terraform')}; cat ${join(g.state, 'terraform', 'plans')}/*/plan.tfplan | wc -c` })
  t.equal(r.s.executed, true, 'the probe ran in the sandbox')
  t.notMatch(r.s.stdout, /plan\.tfplan/, 'the plan directory is not visible')
  t.match(r.s.stderr, /No such file or directory/)
})

t.test('another agent cannot read or apply my plan; a plan does not move between environments', async t => {
  const { g } = await setup(t)
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  const id = plan.s.plan_id as string
  const other = await openTerraformGateway('dev', { dirs: { root: g.root, work: g.work, state: g.state }, agentId: 'agent-b' })
  t.teardown(() => other.close())
  t.match(await other.agent.call('gateway_get_plan', { plan_id: id }), { isError: true, s: { code: 'plan_not_found' } })
  t.match(await other.agent.call('gateway_terraform_apply', { plan_id: id }), { isError: true, s: { code: 'plan_not_found' } })
  const prod = await openTerraformGateway('prod', { dirs: { root: g.root, work: g.work, state: g.state } })
  t.teardown(() => prod.close())
  t.match(await prod.agent.call('gateway_terraform_apply', { plan_id: id }), { isError: true, s: { code: 'environment_mismatch', executed: false } })
  t.match((await g.agent.call('gateway_get_plan', { plan_id: id })).s, { status: 'planned' })
})

t.test('a configuration terraform rejects is reported with its diagnostics and nothing is stored', async t => {
  const { g, infra } = await setup(t)
  writeConfig(infra, 'resource "terraform_data" "x" {\n  input = nope(\n}\n')
  const r = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.match(r, { isError: true, s: { status: 'refused', code: /^terraform_(init|plan)_failed$/ } })
  t.match(r.s.message, /Error|error/)
  t.same(g.runtime.store.db.prepare('SELECT COUNT(*) FROM plans').pluck().get(), 0)
})

t.test('a local-exec provisioner (a command on the gateway host, outside the sandbox) never runs on its own', async t => {
  const target = (g: { state: string }) => join(g.state, 'pwned')
  const config = (g: { state: string }) => `resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    command = "touch ${target(g)}"\n  }\n}\n`
  const { g, infra } = await setup(t)
  writeConfig(infra, config(g))
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.match(plan.s, { decision: 'escalate', approval_status: 'approval_required' }, 'dev escalates it')
  t.ok((plan.s.reasons as { code: string; message: string }[]).some(r => r.code === 'terraform_provisioner' && /terraform_data\.x.*local-exec/.test(r.message)))
  const r = await g.agent.call('gateway_terraform_apply', { plan_id: plan.s.plan_id as string })
  t.match(r.s, { status: 'approval_required', executed: false })
  t.notOk(existsSync(target(g)), 'the command did not run')
  t.equal(readState(infra), null)

  const prod = await setup(t, 'prod')
  writeConfig(prod.infra, config(prod.g))
  const blocked = await prod.g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  t.match(blocked, { isError: true, s: { status: 'blocked', decision: 'block' } }, 'prod blocks it')
  t.match(await prod.g.agent.call('gateway_terraform_apply', { plan_id: blocked.s.plan_id as string }), { isError: true, s: { code: 'plan_blocked' } })
  t.notOk(existsSync(target(prod.g)))
})

t.test('even an approved local-exec provisioner cannot see or touch the gateway state dir', async t => {
  const { g, infra } = await setup(t)
  const seen = join(infra, 'seen.txt')
  writeConfig(infra, `resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    command = "ls -A ${g.state} > ${seen}; touch ${join(g.state, 'pwned')}; echo x >> ${join(g.state, 'audit.log')}"\n  }\n}\n`)
  const plan = await g.agent.call('gateway_terraform_plan', { working_dir: 'infra' })
  const approvalId = plan.s.approval_id as string
  t.equal((await runCli(['approvals', 'approve', approvalId, '--by', 'alice', '--state-dir', g.state])).code, 0)
  const auditBefore = readFileSync(join(g.state, 'audit.log'), 'utf8')
  const r = await g.agent.call('gateway_terraform_apply', { plan_id: plan.s.plan_id as string, approval_id: approvalId })
  t.match(r.s, { status: 'applied' }, 'the approved apply ran, provisioner included')
  t.equal(readFileSync(seen, 'utf8').trim(), 'terraform', 'inside, the state dir holds only the paths this run needs')
  t.notOk(existsSync(join(g.state, 'pwned')), 'nothing was written to the real state dir')
  t.ok(readFileSync(join(g.state, 'audit.log'), 'utf8').startsWith(auditBefore), 'the audit log was only appended to by the gateway')
  t.notMatch(readFileSync(join(g.state, 'audit.log'), 'utf8'), /^x$/m)
  t.equal((await runCli(['audit', 'verify', '--state-dir', g.state])).code, 0, 'and its chain verifies')
})

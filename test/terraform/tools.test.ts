// tools/list and the serve flags for terraform: the tools appear only when the operator gives a
// binary, with closed schemas that have no room for a raw flag.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openGateway, runCli } from '../mcp/harness.js'

t.test('the terraform tools are listed only with a terraform configuration, with closed schemas', async t => {
  const plain = await openGateway({ env: 'dev' })
  t.teardown(() => plain.close())
  t.notOk((await plain.agent.client.listTools()).tools.some(x => x.name.includes('terraform') || x.name === 'gateway_get_plan'))
  const r = await plain.agent.call('gateway_terraform_plan', { working_dir: '.' })
  t.match(r, { isError: true, s: { code: 'unknown_tool' } }, 'and cannot be called')

  const g = await openGateway({ env: 'dev', terraform: { binary: '/bin/true' } })
  t.teardown(() => g.close())
  const { tools } = await g.agent.client.listTools()
  const byName = new Map(tools.map(x => [x.name, x]))
  const props = (name: string) => Object.keys(byName.get(name)?.inputSchema.properties ?? {}).sort()
  t.same(props('gateway_terraform_plan'), ['destroy', 'targets', 'var_files', 'vars', 'working_dir', 'workspace'])
  t.same(props('gateway_terraform_apply'), ['approval_id', 'plan_id'])
  t.same(props('gateway_terraform_destroy'), ['working_dir', 'workspace'])
  t.same(props('gateway_get_plan'), ['plan_id'])
  for (const name of ['gateway_terraform_plan', 'gateway_terraform_apply', 'gateway_terraform_destroy', 'gateway_get_plan']) {
    t.equal((byName.get(name)?.inputSchema as Record<string, unknown>).additionalProperties, false, `${name} rejects unknown keys`)
  }
  t.equal(byName.get('gateway_terraform_apply')?.annotations?.destructiveHint, true)
  t.equal(byName.get('gateway_get_plan')?.annotations?.readOnlyHint, true)
})

t.test('serve: --terraform must be an executable; the env file needs --terraform and cannot set what the gateway pins', async t => {
  const dir = t.testdir()
  const base = ['serve', '--env', 'dev', '--state-dir', join(dir, 'state')]
  t.match(await runCli([...base, '--terraform', join(dir, 'nope')]), { code: 2, stderr: /is not an executable file/ })
  t.match(await runCli([...base, '--terraform-env-file', join(dir, 'x')]), { code: 2, stderr: /--terraform-env-file needs --terraform/ })
  writeFileSync(join(dir, 'tf.env'), 'TF_DATA_DIR=/tmp/elsewhere\n')
  t.match(await runCli([...base, '--terraform', '/bin/true', '--terraform-env-file', join(dir, 'tf.env')]), { code: 2, stderr: /cannot set TF_DATA_DIR/ })
})

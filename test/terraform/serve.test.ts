// The real server process with the terraform tools: `serve --terraform <bin> --terraform-env-file`
// over stdio, driven by the SDK's stdio client. The env file's values reach terraform only.
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import t from 'tap'
import { makeDirs, removeDirs } from '../mcp/harness.js'
import { inputOf, readState, terraformBinary, writeConfig } from './helpers.js'

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'bin.js')

t.test('serve --terraform: plan and apply through the real server process', async t => {
  const d = await makeDirs('gateway-tf-serve-')
  t.teardown(() => removeDirs(d))
  const secret = 'env-file-secret-93c1a7'
  const envFile = join(d.root, 'tf.env')
  writeFileSync(envFile, `# the gateway's terraform credentials\nexport TF_VAR_token="${secret}"\n`, { mode: 0o600 })
  const infra = writeConfig(join(d.work, 'infra'), 'variable "token" {\n  type = string\n}\nresource "terraform_data" "t" {\n  input = var.token\n}\n')
  const args = [BIN, 'serve', '--env', 'dev', '--state-dir', d.state, '--workdir', d.work, '--terraform', terraformBinary(), '--terraform-env-file', envFile]
  const transport = new StdioClientTransport({ command: process.execPath, args, stderr: 'pipe' })
  let stderr = ''
  transport.stderr?.on('data', (c: Buffer) => void (stderr += c.toString()))
  const client = new Client({ name: 'tf-serve-test', version: '1.0.0' })
  await client.connect(transport)
  t.teardown(() => client.close())

  const { tools } = await client.listTools()
  t.ok(['gateway_terraform_plan', 'gateway_terraform_apply', 'gateway_terraform_destroy', 'gateway_get_plan'].every(n => tools.some(x => x.name === n)))
  const call = async (name: string, a: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: a })
    return { isError: r.isError === true, s: (r.structuredContent ?? {}) as Record<string, unknown>, raw: JSON.stringify(r) }
  }
  const plan = await call('gateway_terraform_plan', { working_dir: 'infra' })
  t.match(plan, { isError: false, s: { decision: 'allow', status: 'planned' } }, stderr)
  const applied = await call('gateway_terraform_apply', { plan_id: plan.s.plan_id })
  t.match(applied, { isError: false, s: { status: 'applied' } })
  t.equal(inputOf(readState(infra), 't'), secret, 'terraform got the value from the env file')
  t.notOk(plan.raw.includes(secret) || applied.raw.includes(secret), 'the agent did not')
  t.match(stderr, /terraform tools on \(.*1 environment variables/, 'the operator is told, without the values')
  t.notOk(stderr.includes(secret))
})

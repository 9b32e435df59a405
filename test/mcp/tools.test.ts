// tools/list through a real MCP client: what an agent can see is exactly the gateway's tools.
import t from 'tap'
import { openGateway } from './harness.js'

const EXPECTED = ['gateway_check_approval', 'gateway_request_approval', 'gateway_shell_exec']
const g = await openGateway({ env: 'dev' })
t.teardown(() => g.close())
const { tools } = await g.agent.client.listTools()
const byName = new Map(tools.map(tool => [tool.name, tool]))

t.test('tools/list shows exactly the three gateway tools', async t => {
  t.same(tools.map(tool => tool.name).sort(), EXPECTED)
})

t.test('no tool approves, rejects, overrides or reaches a raw shell', async t => {
  for (const tool of tools) t.notMatch(tool.name, /approve|reject|override|bypass|admin|raw|^(shell|exec|bash|sh|terraform|kubectl)$/i)
})

t.test('every input schema is a closed object with its required fields', async t => {
  const required: Record<string, string[]> = {
    gateway_shell_exec: ['command'],
    gateway_request_approval: ['tool', 'args'],
    gateway_check_approval: ['approval_id'],
  }
  for (const tool of tools) {
    t.equal(tool.inputSchema.type, 'object', `${tool.name} takes an object`)
    t.equal((tool.inputSchema as Record<string, unknown>).additionalProperties, false, `${tool.name} rejects unknown keys`)
    t.same(tool.inputSchema.required, required[tool.name], `${tool.name} requires ${required[tool.name]}`)
  }
  t.same(Object.keys(byName.get('gateway_shell_exec')?.inputSchema.properties ?? {}).sort(), ['approval_id', 'command', 'cwd'])
  t.same(Object.keys(byName.get('gateway_check_approval')?.inputSchema.properties ?? {}), ['approval_id'])
})

t.test('approval ids in the schemas are 32 hex digits', async t => {
  for (const name of ['gateway_shell_exec', 'gateway_check_approval']) {
    const props = byName.get(name)?.inputSchema.properties as Record<string, { pattern?: string }>
    t.equal(props.approval_id?.pattern, '^[0-9a-f]{32}$', name)
  }
})

t.test('every tool carries annotations that tell the client what it does', async t => {
  for (const tool of tools) {
    const a = tool.annotations
    t.ok(a, `${tool.name} has annotations`)
    for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) t.type(a?.[hint], 'boolean', `${tool.name}.${hint}`)
    t.type(a?.title, 'string')
  }
  t.equal(byName.get('gateway_shell_exec')?.annotations?.destructiveHint, true, 'running a command may destroy things')
  t.equal(byName.get('gateway_shell_exec')?.annotations?.readOnlyHint, false)
  t.equal(byName.get('gateway_check_approval')?.annotations?.readOnlyHint, true, 'checking an approval changes nothing')
})

t.test('the server announces itself and only the tools capability', async t => {
  t.equal(g.agent.client.getServerVersion()?.name, 'recourse-gateway')
  const caps = g.agent.client.getServerCapabilities() ?? {}
  t.ok(caps.tools, 'tools capability')
  t.notOk(caps.resources, 'no resources')
  t.notOk(caps.prompts, 'no prompts')
})

// `recourse-gateway serve` in-process through cli(): refuses bad setups with clear messages, and
// serves MCP over Streamable HTTP with the control plane beside it.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import t from 'tap'
import { auditTail, makeDirs, removeDirs, runCli } from '../mcp/harness.js'

const d = await makeDirs('gateway-serve-')
t.teardown(() => removeDirs(d))
const TOKEN = 'serve-test-token-0123456789'

t.test('an unknown environment refuses to start with a clear message', async t => {
  const r = await runCli(['serve', '--env', 'qa', '--state-dir', d.state, '--workdir', d.work])
  t.equal(r.code, 2)
  t.match(r.stderr, /^recourse-gateway: unknown environment `qa` \(this policy defines: [a-z, ]*dev[a-z, ]*\)/)
  t.match(r.stderr, /prod/)
  t.match(r.stderr, /staging/)
  t.equal(r.stdout, '', 'nothing on stdout')
})

t.test('the control plane refuses to start without a token', async t => {
  const none = await runCli(['serve', '--env', 'dev', '--http', '127.0.0.1:0', '--control-plane', '127.0.0.1:0', '--state-dir', d.state, '--workdir', d.work])
  t.equal(none.code, 2)
  t.match(none.stderr, /--control-plane needs a token/)
  const short = await runCli(['serve', '--env', 'dev', '--control-plane', '127.0.0.1:0', '--state-dir', d.state], {}, { RECOURSE_GATEWAY_API_TOKEN: 'short' })
  t.equal(short.code, 2)
  t.match(short.stderr, /at least 16 characters/)
  const missingFile = await runCli(['serve', '--env', 'dev', '--control-plane', '127.0.0.1:0', '--api-token-file', join(d.root, 'nope'), '--state-dir', d.state])
  t.equal(missingFile.code, 2)
  t.match(missingFile.stderr, /cannot read --api-token-file/)
})

t.test('bad listen addresses and agent ids are usage errors', async t => {
  t.match(await runCli(['serve', '--http', 'localhost', '--state-dir', d.state]), { code: 2, stderr: /--http: Expected host:port, got `localhost`/ })
  t.match(await runCli(['serve', '--agent-id', 'a b', '--state-dir', d.state]), { code: 2, stderr: /--agent-id: Expected/ })
})

t.test('--http serves Streamable HTTP MCP; the control plane approves; the action runs once', async t => {
  const tokenFile = join(d.root, 'token')
  await writeFile(tokenFile, `${TOKEN}\n`)
  let stop!: () => void
  const until = new Promise<void>(ok => (stop = ok))
  type Addresses = { mcp?: string; controlPlane?: string }
  let onListening!: (a: Addresses) => void
  const listening = new Promise<Addresses>(ok => (onListening = ok))
  const served = runCli(
    ['serve', '--env', 'staging', '--http', '127.0.0.1:0', '--control-plane', '127.0.0.1:0', '--api-token-file', tokenFile, '--state-dir', d.state, '--workdir', d.work, '--agent-id', 'http-agent'],
    { serve: { until, onListening } },
  )
  const endedEarly = served.then(r => Promise.reject(new Error(`serve ended early (${r.code}): ${r.stderr}`)))
  endedEarly.catch(() => {}) // after a normal stop this rejection means nothing
  const addresses = await Promise.race([listening, endedEarly])
  t.match(addresses, { mcp: /^127\.0\.0\.1:\d+$/, controlPlane: /^127\.0\.0\.1:\d+$/ })

  const client = new Client({ name: 'http-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://${addresses.mcp}/mcp`)))
  const { tools } = await client.listTools()
  t.same(tools.map(x => x.name).sort(), ['gateway_check_approval', 'gateway_request_approval', 'gateway_shell_exec'])
  const call = async (args: Record<string, unknown>) => {
    const r = await client.callTool({ name: 'gateway_shell_exec', arguments: args })
    return { isError: r.isError === true, s: (r.structuredContent ?? {}) as Record<string, unknown> }
  }
  t.match(await call({ command: 'echo over-http' }), { isError: false, s: { status: 'executed', stdout: 'over-http\n', sandboxed: true } })

  const args = { command: 'echo released >> release.log' }
  const first = await call(args)
  t.equal(first.s.status, 'approval_required')
  const id = String(first.s.approval_id)
  const cp = `http://${addresses.controlPlane}`
  t.equal((await fetch(`${cp}/v1/approvals`)).status, 401)
  const approve = await fetch(`${cp}/v1/approvals/${id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ by: 'dana', reason: 'release train' }),
  })
  t.equal(approve.status, 200)
  t.match(await call({ ...args, approval_id: id }), { s: { status: 'executed', approval_id: id } })
  t.match(await call({ ...args, approval_id: id }), { isError: true, s: { code: 'approval_consumed' } })
  t.equal(await readFile(join(d.work, 'release.log'), 'utf8'), 'released\n')

  const mcp = `http://${addresses.mcp}`
  t.equal((await fetch(`${mcp}/mcp`)).status, 405, 'stateless: GET /mcp is not allowed')
  t.equal((await fetch(`${mcp}/other`, { method: 'POST', body: '{}' })).status, 404)
  t.equal((await fetch(`${mcp}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' })).status, 400)
  const fromPage = await fetch(`${mcp}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', origin: 'http://attacker.example' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }),
  })
  t.equal(fromPage.status, 403, 'a browser request (DNS rebinding) is refused')
  t.notMatch(await fromPage.text(), /gateway_shell_exec/, 'and learns nothing')
  const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(2 * 1024 * 1024) } })
  t.equal((await fetch(`${mcp}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge })).status, 413)

  await client.close()
  stop()
  const r = await served
  t.equal(r.code, 0)
  t.equal(r.stdout, '', 'nothing but MCP would go to stdout, and MCP went over HTTP')
  t.match(r.stderr, /MCP Streamable HTTP on http:\/\/127\.0\.0\.1:\d+\/mcp/)
  const audit = await auditTail(d.state)
  t.match(audit.find(l => l.event === 'approval_decided' && l.approval_id === id), { actor: 'dana' })
  t.equal(audit.at(-1)?.event, 'server_stop')
  t.equal(audit.filter(l => l.event === 'tool_call' && l.approval_id === id && l.executed === true).length, 1)
})

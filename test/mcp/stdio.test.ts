// The real server process: `node dist/cli/bin.js serve` on stdio, driven by the SDK's stdio client
// (tools, sandbox, a SIGKILL crash) and by raw bytes (garbage lines, bad calls, stdout purity).
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import t from 'tap'
import { auditTail, makeDirs, removeDirs, runCli } from './harness.js'

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'bin.js')
const serveArgs = (d: { state: string; work: string }) => [BIN, 'serve', '--env', 'dev', '--state-dir', d.state, '--workdir', d.work]

t.test('the stdio server: tools, sandbox, and a SIGKILL that loses nothing acknowledged', async t => {
  const d = await makeDirs('gateway-stdio-')
  t.teardown(() => removeDirs(d))
  const transport = new StdioClientTransport({ command: process.execPath, args: serveArgs(d), stderr: 'pipe' })
  let stderr = ''
  transport.stderr?.on('data', (c: Buffer) => void (stderr += c.toString()))
  const client = new Client({ name: 'stdio-test', version: '1.0.0' })
  const protocolErrors: Error[] = []
  client.onerror = e => void protocolErrors.push(e)
  const closed = new Promise<void>(ok => (client.onclose = () => ok()))
  await client.connect(transport)
  const pid = transport.pid!
  t.teardown(() => {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  })
  const call = async (args: Record<string, unknown>) => {
    const r = await client.callTool({ name: 'gateway_shell_exec', arguments: args })
    return { isError: r.isError === true, s: (r.structuredContent ?? {}) as Record<string, unknown> }
  }

  const { tools } = await client.listTools()
  t.same(tools.map(x => x.name).sort(), ['gateway_check_approval', 'gateway_request_approval', 'gateway_shell_exec'])

  const hello = await call({ command: 'echo hello' })
  t.match(hello, { isError: false, s: { status: 'executed', sandboxed: true, stdout: 'hello\n' } })

  const probe = await call({ command: `kill -0 ${pid} && echo SERVER-VISIBLE; ls /proc` })
  t.equal(probe.s.executed, true)
  const seen = String(probe.s.stdout).split('\n')
  t.notOk(seen.includes('SERVER-VISIBLE'), 'the sandbox cannot signal the server process')
  t.notOk(seen.includes(String(pid)), 'the server pid is absent from /proc')
  t.ok(seen.includes('1'), 'the probe did list /proc')

  const ids: string[] = []
  for (const command of ['cat ~/.aws/credentials', 'cat ~/.ssh/id_rsa', 'echo x > /tmp/outside-cwd']) {
    const r = await call({ command })
    t.equal(r.s.status, 'approval_required', command)
    ids.push(String(r.s.approval_id))
  }
  t.equal((await call({ command: 'rm -rf /' })).s.status, 'blocked')
  t.equal(new Set(ids).size, 3, 'three distinct approvals acknowledged')

  process.kill(pid, 'SIGKILL')
  await closed
  t.same(protocolErrors, [], 'the client saw nothing but JSON-RPC')
  t.match(stderr, /MCP on stdio/, 'logs went to stderr')

  const list = await runCli(['approvals', 'list', '--json', '--state-dir', d.state])
  t.equal(list.code, 0, list.stderr)
  const rows = JSON.parse(list.stdout) as { id: string; status: string }[]
  for (const id of ids) t.match(rows.find(r => r.id === id), { status: 'pending' }, `approval ${id} survived the crash`)
  const verify = await runCli(['audit', 'verify', '--state-dir', d.state])
  t.equal(verify.code, 0, verify.stdout)
  const audit = await auditTail(d.state)
  for (const id of ids) t.ok(audit.some(l => l.event === 'approval_requested' && l.approval_id === id), `the request for ${id} is audited`)
  t.equal(audit[0]?.event, 'server_start')
  t.notOk(audit.some(l => l.event === 'server_stop'), 'the server really died without cleaning up')
})

t.test('garbage on stdin does not stop the server; bad calls are tool errors; stdout is only JSON-RPC', async t => {
  const d = await makeDirs('gateway-stdio-raw-')
  t.teardown(() => removeDirs(d))
  // A clean environment, as an MCP host would give (no test-runner hooks).
  const env = { PATH: process.env.PATH, HOME: process.env.HOME }
  const child = spawn(process.execPath, serveArgs(d), { stdio: ['pipe', 'pipe', 'pipe'], env })
  t.teardown(() => void child.kill('SIGKILL'))
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()))
  const exited = new Promise<number | null>(ok => child.on('exit', code => ok(code)))
  const stdoutLines: string[] = []
  const responses = new Map<number, Record<string, any>>()
  const waiters = new Map<number, (m: Record<string, any>) => void>()
  createInterface({ input: child.stdout }).on('line', line => {
    stdoutLines.push(line)
    let m: Record<string, any>
    try {
      m = JSON.parse(line)
    } catch {
      return
    }
    if (typeof m.id === 'number') {
      responses.set(m.id, m)
      waiters.get(m.id)?.(m)
    }
  })
  const send = (line: string) => child.stdin.write(line + '\n')
  const request = (id: number, method: string, params: unknown = {}) => {
    const got = new Promise<Record<string, any>>(ok => waiters.set(id, ok))
    send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    return got
  }
  const callTool = (id: number, name: string, args: unknown) => request(id, 'tools/call', { name, arguments: args })

  const init = await request(1, 'initialize', { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } })
  t.equal(init.result?.serverInfo?.name, 'recourse-gateway')
  send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }))

  for (const garbage of ['this is not json', '{"jsonrpc":"2.0",', '[]', '42', '{"jsonrpc":"1.0","id":3,"method":"tools/list"}', '\u0000\u0001\u0002', '{}'])
    send(garbage)
  const unknownMethod = await request(2, 'no/such/method')
  t.equal(unknownMethod.error?.code, -32601, 'an unknown method is a JSON-RPC error')
  const noName = await request(4, 'tools/call', { arguments: {} })
  t.ok(noName.error, 'a tools/call without a name is a JSON-RPC error')

  const list = await request(10, 'tools/list')
  t.equal(list.result?.tools?.length, 3, 'the server still answers after the garbage')

  const unknownTool = await callTool(11, 'gateway_root_shell', { command: 'id' })
  t.match(unknownTool.result, { isError: true, structuredContent: { code: 'unknown_tool', executed: false } })
  const unknownKey = await callTool(12, 'gateway_shell_exec', { command: 'touch raw-marker', sudo: true })
  t.match(unknownKey.result, { isError: true, structuredContent: { status: 'blocked', executed: false, reasons: [{ code: 'invalid_args' }] } })
  const wrongType = await callTool(13, 'gateway_shell_exec', { command: ['touch', 'raw-marker'] })
  t.match(wrongType.result, { isError: true, structuredContent: { executed: false, reasons: [{ code: 'invalid_args' }] } })
  const oversize = await callTool(14, 'gateway_shell_exec', { command: `touch raw-marker; echo ${'z'.repeat(400 * 1024)}` })
  t.match(oversize.result, { isError: true, structuredContent: { executed: false, reasons: [{ code: 'invalid_args', message: /oversize/ }] } })
  const fine = await callTool(15, 'gateway_shell_exec', { command: 'echo still-here' })
  t.match(fine.result, { isError: false, structuredContent: { stdout: 'still-here\n' } })

  // Closing stdin while a call runs: the call finishes, is answered and audited, then the server stops.
  const last = callTool(16, 'gateway_shell_exec', { command: 'sleep 0.5; echo done >> late.txt' })
  await new Promise(ok => setTimeout(ok, 100))
  child.stdin.end()
  t.match((await last).result, { isError: false, structuredContent: { status: 'executed' } }, 'the call in flight is answered')
  t.equal(await exited, 0, 'closing stdin ends the server cleanly')
  t.ok(stdoutLines.length > 0)
  for (const line of stdoutLines) t.equal(JSON.parse(line).jsonrpc, '2.0', `stdout line is JSON-RPC: ${line.slice(0, 60)}`)
  t.notOk(responses.has(3), 'a message that is not JSON-RPC 2.0 gets no answer')
  t.match(stderr, /MCP on stdio/)

  const audit = await auditTail(d.state)
  t.ok(audit.some(l => l.event === 'tool_call' && l.error === 'unknown_tool' && l.tool === 'gateway_root_shell'), 'the unknown tool is audited')
  t.equal(audit.filter(l => l.event === 'tool_call' && l.decision === 'block' && l.tool === 'gateway_shell_exec').length, 3, 'the three invalid calls are audited')
  t.same(audit.slice(-3).map(l => [l.event, l.executed]), [['execution_started', false], ['tool_call', true], ['server_stop', false]], 'the last call is audited before the stop')
  t.equal((await runCli(['audit', 'verify', '--state-dir', d.state])).code, 0)
})

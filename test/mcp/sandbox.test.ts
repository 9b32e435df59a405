// Allowed shell commands through a real MCP client run in the real bubblewrap sandbox (env dev):
// output comes back; the gateway process, its state dir and the network are out of reach.
import { execFile } from 'node:child_process'
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { bwrapAvailable } from '../../src/exec/shell-exec.js'
import { openGateway } from './harness.js'

if (!(await bwrapAvailable())) t.fail('bubblewrap does not work on this machine; these tests need it')
const g = await openGateway({ env: 'dev' })
t.teardown(() => g.close())

t.test('an allowed command runs sandboxed and its output comes back as structured content', async t => {
  const r = await g.agent.shell({ command: 'echo hello; echo oops >&2' })
  t.equal(r.isError, false)
  t.equal(r.s.status, 'executed')
  t.equal(r.s.executed, true)
  t.equal(r.s.decision, 'allow')
  t.equal(r.s.sandboxed, true)
  t.equal(r.s.exit_code, 0)
  t.equal(r.s.stdout, 'hello\n')
  t.equal(r.s.stderr, 'oops\n')
  t.match(r.text, /^Exited with code 0\n/, 'the text content starts with a readable summary')
  t.match(r.text, /"stdout": "hello\\n"/, 'and carries the same fields')
})

t.test('a command that fails reports its exit code as an error result', async t => {
  const r = await g.agent.shell({ command: 'ls does-not-exist' })
  t.equal(r.isError, true)
  t.equal(r.s.executed, true)
  t.not(r.s.exit_code, 0)
  t.match(r.s.stderr, /does-not-exist/)
})

t.test('the command runs in the workdir and its writes land there on the host', async t => {
  const r = await g.agent.shell({ command: 'pwd; echo made > made.txt' })
  t.equal(r.s.stdout, `${g.work}\n`)
  t.equal(await readFile(join(g.work, 'made.txt'), 'utf8'), 'made\n')
})

t.test('the sandboxed command cannot see or signal the gateway process', async t => {
  const pid = process.pid
  t.ok(process.kill(pid, 0), 'outside the sandbox, kill -0 reaches the gateway')
  const r = await g.agent.shell({ command: `kill -0 $$ && echo self-visible; kill -0 ${pid} && echo GATEWAY-VISIBLE; ls /proc` })
  t.equal(r.s.executed, true)
  const lines = String(r.s.stdout).split('\n')
  t.ok(lines.includes('self-visible'), 'kill -0 works inside the sandbox on its own shell')
  t.notOk(lines.includes('GATEWAY-VISIBLE'), 'kill -0 on the gateway pid fails')
  t.match(r.s.stderr, /No such process/)
  t.ok(lines.includes('1'), 'ls /proc lists the sandbox processes')
  t.notOk(lines.includes(String(pid)), 'the gateway pid is absent from /proc')
  const comm = await g.agent.shell({ command: 'cat /proc/[0-9]*/comm' })
  t.notMatch(comm.s.stdout, /node/, 'no node process is visible at all')
})

t.test('the sandboxed command cannot read the state dir', async t => {
  const onHost = await readdir(g.state)
  t.ok(onHost.includes('gateway.db') && onHost.includes('audit.log'), 'the state dir has the database and audit log on the host')
  const r = await g.agent.shell({ command: `ls ${g.state}; cat ${g.state}/audit.log; cat ${g.state}/gateway.db` })
  t.equal(r.s.decision, 'allow', 'policy lets a read-only command try')
  t.equal(r.s.executed, true)
  t.not(r.s.exit_code, 0)
  t.equal(r.s.stdout, '', 'nothing of the state dir comes back')
  t.match(r.s.stderr, /No such file or directory/)
})

t.test('the sandboxed command cannot reach the network', async t => {
  let connections = 0
  const server = createServer(socket => {
    connections++
    socket.end()
  })
  await new Promise<void>(ok => server.listen(0, '127.0.0.1', ok))
  t.teardown(() => new Promise<void>(ok => server.close(() => ok())))
  const port = (server.address() as AddressInfo).port
  // A script, so policy judges `./probe.sh` (allowed in dev) and the sandbox has to stop it.
  const probe = join(g.work, 'probe.sh')
  await writeFile(probe, '#!/bin/bash\nif exec 3<>/dev/tcp/127.0.0.1/$1; then echo connected; else echo refused; exit 3; fi\n')
  await chmod(probe, 0o755)

  const outside = await promisify(execFile)('bash', [probe, String(port)])
  t.equal(outside.stdout, 'connected\n', 'the probe connects from the host')
  for (let i = 0; i < 40 && connections === 0; i++) await new Promise(ok => setTimeout(ok, 50))
  t.equal(connections, 1, 'and the server saw it')

  const r = await g.agent.shell({ command: `./probe.sh ${port}` })
  t.equal(r.s.decision, 'allow')
  t.equal(r.s.executed, true)
  t.equal(r.s.stdout, 'refused\n', 'the same probe fails in the sandbox')
  t.equal(r.s.exit_code, 3)
  await new Promise(ok => setTimeout(ok, 300))
  t.equal(connections, 1, 'no connection arrived from the sandbox')
})

t.test('policy itself refuses the bare /dev/tcp form without running it', async t => {
  const r = await g.agent.shell({ command: `bash -c 'echo hi > /dev/tcp/127.0.0.1/9'` })
  t.equal(r.isError, true)
  t.equal(r.s.status, 'blocked')
  t.equal(r.s.executed, false)
})

t.test('a state dir inside the workdir makes the sandbox refuse to run anything', async t => {
  const inner = await openGateway({ env: 'dev', dirs: { root: g.root, work: g.work, state: join(g.work, '.gateway-state') } })
  t.teardown(() => inner.close())
  const r = await inner.agent.shell({ command: 'touch inner-marker; ls -a .gateway-state' })
  t.equal(r.isError, true)
  t.equal(r.s.executed, false)
  t.equal(r.s.status, 'not_executed')
  t.type(r.s.error, 'string')
  await t.rejects(readFile(join(g.work, 'inner-marker')), 'nothing ran')
})

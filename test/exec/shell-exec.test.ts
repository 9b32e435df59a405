// Integration tests against the real bubblewrap on this machine.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { runProcess } from '../../src/exec/run.js'
import { bwrapAvailable, MAX_SHELL_TIMEOUT_MS, runSandboxedShell, type ShellExecDeps, type ShellExecRequest } from '../../src/exec/shell-exec.js'
import { marker, survivors, survivorsAfterKill } from './processes.js'

const root = await realpath(await mkdtemp(join(tmpdir(), 'shell-exec-test-')))
t.teardown(() => rm(root, { recursive: true, force: true }))
const work = join(root, 'work')
const state = join(root, 'state')
await mkdir(work)
await mkdir(state)
const STATE_SECRET = `state-secret-${randomBytes(6).toString('hex')}`
await writeFile(join(state, 'approvals.db'), STATE_SECRET)

const available = await bwrapAvailable()
if (!available) t.fail('bubblewrap does not work on this machine; these tests need it')

const run = (command: string, over: Partial<ShellExecRequest> = {}, deps: Partial<ShellExecDeps> = {}) =>
  runSandboxedShell({ command, cwd: work, network: false, timeoutMs: 10_000, maxOutputBytes: 1 << 20, hide: [state], ...over }, deps)

t.test('an allowed command runs inside the sandbox and its output comes back', async t => {
  const r = await run('echo hello; echo oops >&2; hostname')
  t.equal(r.error, undefined)
  t.equal(r.sandboxed, true)
  t.equal(r.stdout, 'hello\nsandbox\n')
  t.equal(r.stderr, 'oops\n')
  t.equal(r.exitCode, 0)
})

t.test('the exit code of the command is the exit code of the result', async t => {
  t.equal((await run('exit 7')).exitCode, 7)
  t.equal((await run('false')).exitCode, 1)
})

t.test('the exact command text runs, quoting and all', async t => {
  const r = await run(`printf '%s|' "a b" 'c"d' $((1+2)) "$0"`)
  t.equal(r.stdout, 'a b|c"d|3|/bin/sh|')
})

t.test('common tools work: pipelines, awk via /etc/alternatives, /dev/null, /dev/fd', async t => {
  const r = await run(`echo a b | awk '{print $2}'; echo gone > /dev/null; cat /dev/fd/0 </etc/passwd >/dev/null; echo e >&2; id -un`)
  t.equal(r.stdout, 'b\nnobody\n')
  t.equal(r.stderr, 'e\n')
})

t.test('writes in cwd work and persist on the host', async t => {
  const r = await run('echo persisted > out.txt && mkdir -p sub && echo x > sub/y && pwd')
  t.equal(r.exitCode, 0)
  t.equal(r.stdout, `${work}\n`)
  t.equal(await readFile(join(work, 'out.txt'), 'utf8'), 'persisted\n')
  t.equal(await readFile(join(work, 'sub', 'y'), 'utf8'), 'x\n')
})

t.test('writes to /usr, /etc, / and /proc/sys fail', async t => {
  const r = await run('for p in /usr/x /etc/x /x /bin/x; do touch $p 2>/dev/null && echo "wrote $p"; done; ' +
    'v=$(cat /proc/sys/kernel/printk_ratelimit) && { echo "$v" > /proc/sys/kernel/printk_ratelimit; } 2>/dev/null && echo wrote-sysctl; echo end')
  t.equal(r.stdout, 'end\n')
})

t.test('/etc is an allowlist: passwd is there, shadow is not', async t => {
  const r = await run('test -r /etc/passwd && echo passwd; test -e /etc/shadow || echo no-shadow; test -e /etc/sudoers || echo no-sudoers')
  t.equal(r.stdout, 'passwd\nno-shadow\nno-sudoers\n')
})

t.test('the sandbox cannot see or signal the gateway process', async t => {
  const pid = process.pid
  const r = await run(`test -e /proc/${pid} && echo visible; kill -0 ${pid} 2>/dev/null && echo signalled; ps -e -o pid= | wc -l; echo end`)
  t.notMatch(r.stdout, /visible|signalled/)
  t.match(r.stdout, /end\n$/)
  const count = Number(r.stdout.split('\n')[0])
  t.ok(count > 0 && count < 10, `only the sandbox's own processes are listed (${count})`)
})

t.test('a hidden state dir cannot be read, not by path, `..`, /proc/1/root or /proc/self/cwd', async t => {
  const cmds = [
    `cat ${state}/approvals.db`,
    'cat ../state/approvals.db',
    'ls -a ..',
    `cat /proc/1/root${state}/approvals.db`,
    `cat /proc/self/cwd/../state/approvals.db`,
    `cat /proc/1/cwd/../state/approvals.db`,
    'find / -name approvals.db 2>/dev/null',
  ]
  const r = await run(cmds.map(c => `${c} 2>&1;`).join(' ') + ' echo end')
  t.notMatch(r.stdout, new RegExp(STATE_SECRET))
  t.notMatch(r.stdout, /approvals\.db\n/, 'not even listed')
  t.match(r.stdout, /end\n$/)
})

t.test('a symlink in cwd pointing at the hidden dir leads nowhere', async t => {
  await symlink(state, join(work, 'link-to-state'))
  t.teardown(() => rm(join(work, 'link-to-state'), { force: true }))
  const r = await run('cat link-to-state/approvals.db 2>&1; echo end')
  t.notMatch(r.stdout, new RegExp(STATE_SECRET))
})

t.test('cwd equal to, inside, or containing the hidden dir is refused and nothing runs', async t => {
  for (const cwd of [state, root]) {
    const r = await run('touch ran-here', { cwd })
    t.equal(r.error, 'sandbox_refused', cwd)
    t.equal(r.exitCode, null)
  }
  await t.rejects(stat(join(root, 'ran-here')))
  await t.rejects(stat(join(state, 'ran-here')))
})

t.test('a cwd that is a symlink to the hidden dir is refused (the real path is checked)', async t => {
  const link = join(root, 'innocent')
  await symlink(state, link)
  t.teardown(() => rm(link, { force: true }))
  const r = await run('cat approvals.db', { cwd: link })
  t.equal(r.error, 'sandbox_refused')
  t.notMatch(r.stdout, new RegExp(STATE_SECRET))
})

t.test('cwd `/` and system directories are refused; a missing cwd is cwd_unavailable', async t => {
  t.equal((await run('true', { cwd: '/' })).error, 'sandbox_refused')
  t.equal((await run('true', { cwd: '/etc' })).error, 'sandbox_refused')
  t.equal((await run('true', { cwd: join(root, 'missing') })).error, 'cwd_unavailable')
  t.equal((await run('true', { cwd: 'relative' })).error, 'invalid_request')
})

t.test('a hidden path below a system directory shows up empty', async t => {
  const r = await run('ls -A /usr/share/doc | wc -l; ls -A /usr/share | wc -l', { hide: [state, '/usr/share/doc'] })
  const [doc, share] = r.stdout.trim().split('\n').map(Number)
  t.equal(doc, 0)
  t.ok((share ?? 0) > 0, 'its parent is still mounted')
})

t.test('the environment is scrubbed: parent variables are not visible inside', async t => {
  process.env.SECRET_TOKEN = 'tok-parent-value'
  process.env.GATEWAY_MARKER_VAR = 'marker-value'
  t.teardown(() => {
    delete process.env.SECRET_TOKEN
    delete process.env.GATEWAY_MARKER_VAR
  })
  const r = await run('env')
  t.notMatch(r.stdout, /SECRET_TOKEN|GATEWAY_MARKER_VAR|marker-value|tok-parent-value/)
  t.match(r.stdout, /^HOME=\/tmp\/home$/m)
  t.match(r.stdout, /^PATH=\/usr\/local\/sbin:/m)
})

t.test('HOME and /tmp are writable, fresh and private to the run', async t => {
  const r = await run('echo x > "$HOME/f" && echo x > /tmp/g && ls -A /tmp', { cwd: work })
  // /tmp holds only this run's files plus the parent of the mounted cwd (itself under /tmp).
  t.same(r.stdout.trim().split('\n').sort(), ['g', 'home', work.split('/')[2]!].sort())
})

t.test('the network is unreachable unless asked for; the same probe works outside', async t => {
  const server: Server = createServer(s => s.end('pong\n'))
  await new Promise<void>(res => server.listen(0, '127.0.0.1', () => res()))
  t.teardown(() => new Promise<void>(res => server.close(() => res())))
  const port = (server.address() as { port: number }).port
  const probe = `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && head -n1 <&3' 2>/dev/null && echo connected || echo refused`

  const outside = await runProcess({ file: '/bin/sh', args: ['-c', probe], cwd: work, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 5000, maxOutputBytes: 1000 })
  t.equal(outside.stdout, 'pong\nconnected\n', 'the probe itself works')

  const inside = await run(probe)
  t.equal(inside.stdout, 'refused\n')
  const interfaces = await run('cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "')
  t.equal(interfaces.stdout, 'lo\n', 'only a loopback of its own')

  const shared = await run(probe, { network: true })
  t.equal(shared.stdout, 'pong\nconnected\n', 'network: true shares the host network')
})

t.test('a timeout kills the whole tree inside the sandbox and returns near the deadline', async t => {
  const m = marker()
  const r = await run(`sleep ${m} & sleep ${m}; echo never`, { timeoutMs: 800, killGraceMs: 300 })
  t.equal(r.timedOut, true)
  t.notMatch(r.stdout, /never/)
  t.ok(r.durationMs >= 750 && r.durationMs < 4000, `took ${r.durationMs} ms`)
  t.equal(await survivorsAfterKill(m), '', 'no sleep survives')
})

t.test('background jobs die with the command', async t => {
  const m = marker()
  const r = await run(`nohup setsid sleep ${m} >/dev/null 2>&1 & echo started`)
  t.equal(r.stdout, 'started\n')
  t.equal(await survivorsAfterKill(m), '')
})

t.test('the timeout is capped at the hard maximum whatever is asked', async t => {
  let seen = 0
  const r = await run('true', { timeoutMs: 10 * MAX_SHELL_TIMEOUT_MS }, {
    run: async opts => {
      seen = opts.timeoutMs
      return { exitCode: 0, signal: null, timedOut: false, stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false, durationMs: 0 }
    },
  })
  t.equal(r.exitCode, 0)
  t.equal(seen, MAX_SHELL_TIMEOUT_MS)
})

t.test('output is capped: a flood is truncated and the command still completes', async t => {
  const r = await run('yes | head -c 10000000; echo done >&2', { maxOutputBytes: 100_000 })
  t.equal(r.stdout.length, 100_000)
  t.equal(r.stdoutTruncated, true)
  t.equal(r.stderr, 'done\n')
  t.equal(r.exitCode, 0)
})

t.test('secrets printed on stdout and stderr are redacted', async t => {
  const r = await run('echo AKIAIOSFODNN7EXAMPLE; echo "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" >&2')
  t.equal(r.stdout, '[REDACTED:aws_access_key_id]\n')
  t.equal(r.stderr, 'aws_secret_access_key = [REDACTED:aws_secret_access_key]\n')
})

t.test('files in cwd cannot be made set-uid or set-gid; ordinary modes still work', async t => {
  const r = await run('cp /bin/true t1 && chmod 755 t1 && echo chmod-ok; chmod u+s t1 2>/dev/null || echo no-suid; chmod g+s t1 2>/dev/null || echo no-sgid; ' +
    'install -m 4755 /bin/true t2 2>/dev/null || echo no-install-suid')
  t.equal(r.stdout, 'chmod-ok\nno-suid\nno-sgid\nno-install-suid\n')
  const mode = (await stat(join(work, 't1'))).mode
  t.equal(mode & 0o7777, 0o755, 'the host sees a plain 755 file')
})

t.test('the sandboxed command holds no file descriptor beyond stdio but /dev/null', async t => {
  // ls lists the shell's fds from outside it (a glob in the shell would open one itself).
  const r = await run('ls -l /proc/$$/fd')
  const fds = [...r.stdout.matchAll(/ (\d+) -> (.*)$/gm)].map(m => [m[1]!, m[2]!] as const)
  t.same(fds.filter(([n]) => Number(n) < 3).map(([n]) => n), ['0', '1', '2'])
  // Whatever the test runner inherited without close-on-exec arrives as /dev/null only.
  for (const [n, target] of fds.filter(([n]) => Number(n) >= 3)) t.equal(target, '/dev/null', `fd ${n}`)
})

t.test('a process limit holds for an unprivileged sandbox user, bounding a fork loop', async t => {
  // As root the kernel exempts uid 0 from RLIMIT_NPROC: run bwrap as nobody for this test.
  const asRoot = process.getuid?.() === 0
  const dir = join(root, 'nproc')
  await mkdir(dir)
  await chmod(dir, 0o777)
  await chmod(root, 0o711)
  t.teardown(() => chmod(root, 0o700))
  const m = marker()
  const r = await run(`while :; do sleep ${m} & done`, {
    cwd: dir,
    maxProcesses: 16,
    timeoutMs: 5000,
    ...(asRoot ? { runAs: { uid: 65534, gid: 65534 } } : {}),
  })
  t.equal(r.error, undefined, r.errorMessage ?? '')
  t.equal(r.timedOut, false, 'the loop ends on fork failure, not on the timeout')
  t.match(r.stderr, /fork|resource temporarily unavailable/i)
  t.equal(await survivorsAfterKill(m), '')
})

t.test('unsafeNoSandbox runs /bin/sh directly with a scrubbed environment', async t => {
  process.env.SECRET_TOKEN = 'tok-parent-value'
  t.teardown(() => delete process.env.SECRET_TOKEN)
  const r = await run(`test -r ${state}/approvals.db && echo host-visible; env; echo end`, { unsafeNoSandbox: true }, { bwrapPath: '/nonexistent/bwrap' })
  t.equal(r.sandboxed, false)
  t.equal(r.error, undefined)
  t.match(r.stdout, /^host-visible$/m, 'no mount namespace: the host filesystem is there')
  t.notMatch(r.stdout, /SECRET_TOKEN/)
  t.match(r.stdout, /end\n$/)
})

t.test('sandbox_unavailable when bwrap is missing or broken, and nothing runs', async t => {
  for (const bwrapPath of ['/nonexistent/bwrap', '/bin/false']) {
    const r = await run('touch should-not-exist', {}, { bwrapPath })
    t.equal(r.error, 'sandbox_unavailable', bwrapPath)
    t.equal(r.sandboxed, true)
    t.equal(r.exitCode, null)
    t.match(r.errorMessage, /nothing was run/)
  }
  await t.rejects(stat(join(work, 'should-not-exist')))
})

t.test('a malformed request is invalid_request, never an exception', async t => {
  const r = await runSandboxedShell({ command: '', cwd: work, network: false, timeoutMs: 1000, maxOutputBytes: 10, hide: [] })
  t.equal(r.error, 'invalid_request')
  const r2 = await runSandboxedShell(null as unknown as ShellExecRequest)
  t.equal(r2.error, 'invalid_request')
})

t.test('a failing injected dependency becomes internal_error, not a rejection', async t => {
  const r = await run('true', {}, {
    run: async () => {
      throw new Error('runner exploded')
    },
  })
  t.equal(r.error, 'internal_error')
  t.match(r.errorMessage, /runner exploded/)
})

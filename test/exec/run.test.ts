import { spawnSync } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { defaultRunDeps, runProcess, type RunProcessOptions } from '../../src/exec/run.js'
import { marker, survivors, survivorsAfterKill } from './processes.js'

const ENV = { PATH: '/usr/bin:/bin' }
const sh = (script: string, over: Partial<RunProcessOptions> = {}) =>
  runProcess({ file: '/bin/sh', args: ['-c', script], cwd: '/', env: ENV, timeoutMs: 10_000, maxOutputBytes: 1 << 20, ...over })

t.test('a command’s output and exit code come back in one shape', async t => {
  const r = await sh('echo out; echo err >&2; exit 3')
  t.equal(r.stdout, 'out\n')
  t.equal(r.stderr, 'err\n')
  t.equal(r.exitCode, 3)
  t.equal(r.signal, null)
  t.equal(r.timedOut, false)
  t.equal(r.stdoutTruncated, false)
  t.equal(r.error, undefined)
  t.ok(r.durationMs >= 0)
})

t.test('a process killed by a signal reports the signal and no exit code', async t => {
  const r = await sh('kill -9 $$')
  t.equal(r.exitCode, null)
  t.equal(r.signal, 'SIGKILL')
})

t.test('the child gets exactly the given environment, nothing inherited', async t => {
  process.env.RUN_TEST_LEAK = 'leaked-value'
  t.teardown(() => delete process.env.RUN_TEST_LEAK)
  const r = await sh('env', { env: { PATH: '/usr/bin:/bin', ONLY: 'this' } })
  t.notMatch(r.stdout, /RUN_TEST_LEAK|leaked-value/)
  t.match(r.stdout, /^ONLY=this$/m)
})

t.test('it runs in the given cwd', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'run-cwd-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  t.equal((await sh('pwd', { cwd: dir })).stdout.trim(), dir)
})

t.test('stdin is fed when given and is /dev/null otherwise', async t => {
  t.equal((await sh('cat', { stdin: 'fed\n' })).stdout, 'fed\n')
  const r = await sh('cat; echo done')
  t.equal(r.stdout, 'done\n', 'cat sees EOF at once')
})

t.test('a timeout kills the whole process tree and returns near the deadline', async t => {
  const m = marker()
  const r = await sh(`sleep ${m} & sleep ${m}; echo never`, { timeoutMs: 700, killGraceMs: 300 })
  t.equal(r.timedOut, true)
  t.equal(r.exitCode, null)
  t.equal(r.signal, 'SIGTERM')
  t.notMatch(r.stdout, /never/)
  t.ok(r.durationMs >= 650 && r.durationMs < 3000, `took ${r.durationMs} ms`)
  t.equal(await survivorsAfterKill(m), '', 'no sleep survives')
})

t.test('a child that ignores SIGTERM is killed after the grace period', async t => {
  const m = marker()
  const r = await sh(`trap '' TERM; sleep ${m} & wait; wait`, { timeoutMs: 300, killGraceMs: 400 })
  t.equal(r.timedOut, true)
  t.equal(r.signal, 'SIGKILL')
  t.ok(r.durationMs >= 650, `waited the grace: ${r.durationMs} ms`)
  t.equal(await survivorsAfterKill(m), '')
})

t.test('background jobs do not outlive a command that exits', async t => {
  const m = marker()
  const r = await sh(`sleep ${m} >/dev/null 2>&1 & echo started`)
  t.equal(r.stdout, 'started\n')
  t.equal(r.timedOut, false)
  t.equal(await survivorsAfterKill(m), '')
})

t.test('a job holding the pipes from another session does not hold the result past a short drain', async t => {
  const m = marker()
  t.teardown(() => spawnSync('pkill', ['-f', m]))
  // The pause lets setsid leave the group before the command exits and the group is killed.
  const r = await sh(`setsid sleep ${m} & sleep 0.3; echo started`, { timeoutMs: 20_000 })
  t.equal(r.stdout, 'started\n')
  t.not(survivors(m), '', 'the escaped job is still running')
  t.ok(r.durationMs >= 1000 && r.durationMs < 5000, `returned after ${r.durationMs} ms`)
  t.equal(r.timedOut, false)
})

t.test('output beyond the cap is dropped, marked truncated, and the child is not blocked', async t => {
  const r = await sh('yes | head -c 10000000; echo tail >&2', { maxOutputBytes: 100_000 })
  t.equal(r.stdout.length, 100_000)
  t.equal(r.stdoutTruncated, true)
  t.equal(r.stderr, 'tail\n')
  t.equal(r.stderrTruncated, false)
  t.equal(r.exitCode, 0)
})

t.test('a zero cap keeps nothing and still reports truncation', async t => {
  const r = await sh('echo x', { maxOutputBytes: 0 })
  t.equal(r.stdout, '')
  t.equal(r.stdoutTruncated, true)
})

t.test('secrets are redacted on stdout and stderr; redaction can be turned off', async t => {
  const r = await sh('echo key AKIAIOSFODNN7EXAMPLE; echo GITHUB_TOKEN=abc >&2')
  t.equal(r.stdout, 'key [REDACTED:aws_access_key_id]\n')
  t.equal(r.stderr, 'GITHUB_TOKEN=[REDACTED:secret]\n')
  t.equal((await sh('echo AKIAIOSFODNN7EXAMPLE', { redact: false })).stdout, 'AKIAIOSFODNN7EXAMPLE\n')
})

t.test('a missing program resolves with spawn_failed, never rejects', async t => {
  const r = await runProcess({ file: '/nonexistent/prog', args: [], cwd: '/', env: ENV, timeoutMs: 1000, maxOutputBytes: 100 })
  t.equal(r.error, 'spawn_failed')
  t.match(r.errorMessage, /ENOENT/)
  t.equal(r.exitCode, null)
})

t.test('a missing cwd resolves with spawn_failed', async t => {
  const r = await sh('true', { cwd: '/nonexistent/dir' })
  t.equal(r.error, 'spawn_failed')
})

t.test('bad options resolve with invalid_request and run nothing', async t => {
  let spawned = false
  const deps = { ...defaultRunDeps, spawn: () => ((spawned = true), defaultRunDeps.spawn('/bin/true', [], {})) }
  const bad: Array<Partial<RunProcessOptions>> = [
    { timeoutMs: 0 },
    { timeoutMs: Number.NaN },
    { timeoutMs: 2 ** 31 },
    { maxOutputBytes: -1 },
    { maxOutputBytes: 1.5 },
    { args: ['-c', 'echo a\0b'] },
    { env: { A: 'x\0y' } },
  ]
  for (const over of bad) {
    const r = await runProcess({ file: '/bin/sh', args: ['-c', 'true'], cwd: '/', env: ENV, timeoutMs: 1000, maxOutputBytes: 10, ...over }, deps)
    t.equal(r.error, 'invalid_request', JSON.stringify(over))
  }
  t.equal(spawned, false)
})

t.test('a spawn that throws synchronously resolves with spawn_failed', async t => {
  const deps = {
    ...defaultRunDeps,
    spawn: () => {
      throw new Error('boom AKIAIOSFODNN7EXAMPLE')
    },
  }
  const r = await runProcess({ file: '/bin/sh', args: [], cwd: '/', env: ENV, timeoutMs: 1000, maxOutputBytes: 10 }, deps)
  t.equal(r.error, 'spawn_failed')
  t.match(r.errorMessage, /boom \[REDACTED:aws_access_key_id\]/, 'error messages are redacted too')
})

t.test('extra fds: bytes arrive on a pipe the child can read to EOF, numbers are shared fds', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'run-fd-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'f'), 'from-file')
  const fd = openSync(join(dir, 'f'), 'r')
  t.teardown(() => closeSync(fd))
  const r = await runProcess({
    file: '/bin/sh',
    args: ['-c', 'cat <&3; echo; cat <&4'],
    cwd: '/',
    env: ENV,
    timeoutMs: 5000,
    maxOutputBytes: 1000,
    extraFds: [Buffer.from('from-parent'), fd],
  })
  t.equal(r.stdout, 'from-parent\nfrom-file')
  t.equal(r.exitCode, 0)
})

t.test('an fd the gateway inherited without close-on-exec reaches the child only as /dev/null', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'run-leak-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const deps = { ...defaultRunDeps, inheritableFds: () => [9, 7] }
  const r = await runProcess(
    { file: '/bin/sh', args: ['-c', 'readlink /proc/$$/fd/7 /proc/$$/fd/9; ls /proc/$$/fd/8 2>/dev/null || echo no-8'], cwd: dir, env: ENV, timeoutMs: 5000, maxOutputBytes: 1000 },
    deps,
  )
  t.equal(r.stdout, '/dev/null\n/dev/null\nno-8\n')
})

t.test('the default inheritableFds finds only fds without close-on-exec', async t => {
  const fd = openSync('/dev/null', 'r')
  t.teardown(() => closeSync(fd))
  t.notOk(defaultRunDeps.inheritableFds().includes(fd), 'node opens files close-on-exec')
  t.ok(defaultRunDeps.inheritableFds().every(n => Number.isInteger(n) && n >= 3))
})

t.test('nonsense options from an untyped caller resolve with an error, never throw', async t => {
  const r1 = await runProcess(null as unknown as RunProcessOptions)
  t.equal(r1.error, 'internal_error')
  const r2 = await runProcess({ file: '/bin/sh', args: 'x', cwd: '/', env: ENV, timeoutMs: 100, maxOutputBytes: 1 } as unknown as RunProcessOptions)
  t.equal(r2.error, 'invalid_request')
  const r3 = await sh('cat', { stdin: 42 as unknown as string })
  t.equal(r3.error, 'invalid_request')
})

// The out-of-process baselines: `opa eval` spawned per request (b) and an `opa run --server`
// queried over loopback HTTP with keep-alive (c), both reading the rego sources as a deployment
// without the embedded wasm would; and the one-rule policy the in-process ceiling is measured with.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const IGNORES = ['--ignore', '*_test.rego', '--ignore', 'testdata']

/** Path of the pinned opa, as scripts/ensure-opa.sh prints it. */
export const findOpa = root =>
  execFileSync(join(root, 'scripts/ensure-opa.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()

/** Returns (input) => decision object, one `opa eval` process per call. Throws on any failure. */
export function opaEvalOnce(opa, root) {
  const args = ['eval', '--data', 'rego', ...IGNORES, '--stdin-input', '--format', 'json', 'data.gateway.decision']
  return input => {
    const r = spawnSync(opa, args, { cwd: root, input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 16 << 20 })
    if (r.error) throw r.error
    if (r.status !== 0) throw new Error(`opa eval exited ${r.status}: ${r.stderr.trim().slice(0, 300)}`)
    const value = JSON.parse(r.stdout).result?.[0]?.expressions?.[0]?.value
    if (value === undefined) throw new Error('opa eval returned no value for data.gateway.decision')
    return value
  }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

/** One HTTP request on the keep-alive agent → {status, body}. */
function request(agent, port, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: '127.0.0.1', port, method, path, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      res => {
        const chunks = []
        res.on('data', c => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * Starts `opa run --server` on a free loopback port and waits for /health.
 * Returns {query(input) → Promise<decision>, stop()}. Rejects (after killing it) when not ready in time.
 */
export async function startOpaServer(opa, root, { readyTimeoutMs = 30_000 } = {}) {
  const port = await freePort()
  const child = spawn(opa, ['run', '--server', '--addr', `127.0.0.1:${port}`, '--log-level', 'error', ...IGNORES, 'rego'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', c => (stderr = (stderr + c).slice(-2000)))
  let exited = null
  child.once('exit', (code, signal) => (exited = signal ?? code))
  // The server must never outlive the bench, even on a crash.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const stop = async () => {
    agent.destroy()
    process.removeListener('exit', killOnExit)
    if (exited !== null) return
    const gone = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGTERM')
    await Promise.race([gone, sleep(3000).then(() => child.kill('SIGKILL'))])
  }

  const deadline = Date.now() + readyTimeoutMs
  for (;;) {
    if (exited !== null) throw new Error(`opa server exited (${exited}) before it was ready: ${stderr.trim().slice(0, 300)}`)
    const ok = await request(agent, port, 'GET', '/health').then(r => r.status === 200, () => false)
    if (ok) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`opa server not healthy after ${readyTimeoutMs} ms`)
    }
    await sleep(100)
  }

  const query = async input => {
    const r = await request(agent, port, 'POST', '/v1/data/gateway/decision', JSON.stringify({ input }))
    if (r.status !== 200) throw new Error(`opa server answered ${r.status}: ${r.body.slice(0, 300)}`)
    const value = JSON.parse(r.body).result
    if (value === undefined) throw new Error('opa server returned no result for gateway/decision')
    return value
  }
  return { port, query, stop }
}

/**
 * Builds, with the pinned opa, a wasm bundle whose `gateway/decision` is one constant rule, and
 * returns its policy.wasm bytes. Evaluating it costs only what opa_eval pays per call whatever the
 * policy: copying and parsing the input document and writing the result. Throws on any failure.
 */
export function buildOneRulePolicy(opa) {
  const dir = mkdtempSync(join(tmpdir(), 'recourse-bench-'))
  try {
    writeFileSync(join(dir, 'one.rego'), 'package gateway\n\ndecision := {"decision": "allow", "reasons": []}\n')
    const r = spawnSync(opa, ['build', '-t', 'wasm', '-e', 'gateway/decision', '-o', join(dir, 'one.tar.gz'), join(dir, 'one.rego')], { encoding: 'utf8' })
    if (r.error) throw r.error
    if (r.status !== 0) throw new Error(`opa build exited ${r.status}: ${r.stderr.trim().slice(0, 300)}`)
    const x = spawnSync('tar', ['-xzf', join(dir, 'one.tar.gz'), '-C', dir, '/policy.wasm'], { encoding: 'utf8' })
    if (x.status !== 0) throw new Error(`tar could not read the one-rule bundle: ${x.stderr.trim().slice(0, 300)}`)
    return readFileSync(join(dir, 'policy.wasm'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// The kubectl tools end to end: a real MCP client → the gateway pipeline → the real kubectl
// binary → a TEST DOUBLE of the Kubernetes API server (./api-double.ts, not a real cluster) that
// records every HTTP request. Environment dev: reads, scale and apply are allowed; delete, exec
// and secret reads escalate. Allowed and approved actions must make exactly the expected
// requests; blocked and escalated ones must make none at all.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { connectAgent, makeDirs, openGateway, removeDirs, runCli, type CallResult } from '../mcp/harness.js'
import { openRuntime } from '../../src/gateway/runtime.js'
import { startApiDouble } from './api-double.js'

// Another kubectl build can be tried with RECOURSE_TEST_KUBECTL=/path/to/kubectl.
const KUBECTL = process.env.RECOURSE_TEST_KUBECTL ?? '/usr/bin/kubectl'
if (!existsSync(KUBECTL)) throw new Error(`${KUBECTL} is missing: install the kubectl client (Debian package kubernetes-client)`)
const clientMinor = Number((JSON.parse(execFileSync(KUBECTL, ['version', '--client', '-o', 'json'], { encoding: 'utf8' })) as { clientVersion: { minor: string } }).clientVersion.minor.replace(/\D.*$/, ''))

// dev's kubectl_timeout_seconds is 60: kubectl sends it as Go duration on every request.
const TIMEOUT = 'timeout=1m0s'

const api = await startApiDouble()
const dirs = await makeDirs('kubectl-gw-')
// kubectl's own default (the context's namespace) is `elsewhere`; the gateway is configured for
// dev, so any request that reached `elsewhere` would show the argv did not pin the namespace.
const kubeconfig = await api.writeKubeconfig(dirs.root, 'elsewhere')
let clock = Date.now()
const now = () => new Date(clock)
const g = await openGateway({ env: 'dev', dirs, now, kubectl: { kubeconfig, binary: KUBECTL, namespace: 'dev' } })
t.teardown(async () => {
  await g.close()
  await api.close()
  await removeDirs(dirs)
})

const deployment = (name: string, ns = 'dev') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'nginx' }] } } },
})
const pod = (name: string, ns = 'dev') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
  status: { phase: 'Running' },
})

/** Fresh cluster contents and an empty request log. */
const reset = () => {
  api.objects.clear()
  api.put('apps', 'dev', 'deployments', deployment('web'))
  api.put('apps', 'dev', 'deployments', deployment('api'))
  api.put('', 'dev', 'pods', pod('web-0'))
  api.put('', 'dev', 'secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'dev' }, type: 'Opaque', data: { password: 'aHVudGVyMg==' } })
  api.clear()
}

/** The query of an apply write; fieldValidation=Strict is what newer kubectl adds (older sends none). */
const applyQuery = (query: string): Record<string, string> => {
  const q = Object.fromEntries(new URLSearchParams(query))
  if (q.fieldValidation === 'Strict') delete q.fieldValidation
  return q
}

const call = (tool: string, args: Record<string, unknown>): Promise<CallResult> => g.agent.call(tool, args)
const approve = async (id: unknown) => {
  const r = await runCli(['approvals', 'approve', String(id), '--by', 'alice', '--reason', 'reviewed', '--state-dir', g.state], { now })
  if (r.code !== 0) throw new Error(`approve failed: ${r.stderr}`)
}
/** Escalated, then approved by a human: the approval id. */
const approved = async (tool: string, args: Record<string, unknown>): Promise<string> => {
  const first = await call(tool, args)
  if (first.s.status !== 'approval_required') throw new Error(`expected an escalation, got ${first.text}`)
  await approve(first.s.approval_id)
  return String(first.s.approval_id)
}

t.test('the seven kubectl tools are listed with read-only and destructive hints', async t => {
  const tools = (await g.agent.client.listTools()).tools
  const kube = Object.fromEntries(tools.filter(x => x.name.startsWith('gateway_kubectl_')).map(x => [x.name, x]))
  t.same(Object.keys(kube).sort(), [
    'gateway_kubectl_apply',
    'gateway_kubectl_delete',
    'gateway_kubectl_describe',
    'gateway_kubectl_exec',
    'gateway_kubectl_get',
    'gateway_kubectl_logs',
    'gateway_kubectl_scale',
  ])
  for (const name of ['gateway_kubectl_get', 'gateway_kubectl_logs', 'gateway_kubectl_describe']) {
    t.equal(kube[name]!.annotations?.readOnlyHint, true, `${name} is read-only`)
    t.equal(kube[name]!.annotations?.destructiveHint, false, name)
  }
  for (const name of ['gateway_kubectl_apply', 'gateway_kubectl_delete', 'gateway_kubectl_scale', 'gateway_kubectl_exec']) {
    t.equal(kube[name]!.annotations?.readOnlyHint, false, name)
    t.equal(kube[name]!.annotations?.destructiveHint, true, `${name} is destructive`)
  }
  for (const x of Object.values(kube)) t.equal((x.inputSchema as { additionalProperties?: unknown }).additionalProperties, false, `${x.name} takes no unknown keys`)
  t.ok((kube.gateway_kubectl_apply!.inputSchema.properties as Record<string, unknown>).approval_id, 'apply accepts approval_id')
})

t.test('without a kubectl configuration the kubectl tools are neither listed nor run', async t => {
  const d = await makeDirs('kubectl-none-')
  const runtime = await openRuntime({ environment: 'dev', stateDir: d.state, workdir: d.work, agentId: 'agent-b', now })
  const agent = await connectAgent(runtime)
  t.teardown(async () => {
    await agent.close()
    runtime.close()
    await removeDirs(d)
  })
  reset()
  const names = (await agent.client.listTools()).tools.map(x => x.name)
  t.notOk(names.some(n => n.startsWith('gateway_kubectl_')), names.join(', '))
  const r = await agent.call('gateway_kubectl_get', { resource: 'pods' })
  t.equal(r.isError, true)
  t.equal(r.s.code, 'unknown_tool')
  const ask = await agent.call('gateway_request_approval', { tool: 'gateway_kubectl_delete', args: { resource: 'deploy', name: 'web' } })
  t.equal(ask.s.code, 'unknown_tool', 'no approval can be requested for it either')
  t.same(api.requests, [], 'nothing reached the API server')
})

t.test('an allowed get makes exactly one list request in the namespace that counts', async t => {
  reset()
  const r = await call('gateway_kubectl_get', { resource: 'po' })
  t.equal(r.s.status, 'executed', r.text)
  t.equal(r.s.exit_code, 0)
  t.match(String(r.s.stdout), /web-0/)
  // The namespace is the gateway's configured one (dev), not kubectl's context default.
  t.same(api.actions(), [`GET /api/v1/namespaces/dev/pods?limit=500&${TIMEOUT}`])
  t.ok(api.requests.every(q => q.impersonate === null), 'no impersonation')
})

t.test('get with a name, selector and output passes each as a value, never as a flag', async t => {
  reset()
  const one = await call('gateway_kubectl_get', { resource: 'deployments.apps', name: 'web', output: 'json' })
  t.equal(one.s.status, 'executed', one.text)
  t.equal(JSON.parse(String(one.s.stdout)).metadata.name, 'web')
  t.same(api.actions(), [`GET /apis/apps/v1/namespaces/dev/deployments/web?${TIMEOUT}`])
  api.clear()
  const sel = await call('gateway_kubectl_get', { resource: 'deploy', selector: 'app=web', output: 'name' })
  t.equal(sel.s.status, 'executed', sel.text)
  t.same(api.actions(), [`GET /apis/apps/v1/namespaces/dev/deployments?labelSelector=app%3Dweb&limit=500&${TIMEOUT}`])
})

t.test('logs and describe make only their read requests', async t => {
  reset()
  const logs = await call('gateway_kubectl_logs', { pod: 'web-0', container: 'web', tail: 5, since: '10m' })
  t.equal(logs.s.status, 'executed', logs.text)
  t.equal(logs.s.stdout, 'log line 1\nlog line 2\n')
  t.same(api.actions(), [
    `GET /api/v1/namespaces/dev/pods/web-0?${TIMEOUT}`,
    `GET /api/v1/namespaces/dev/pods/web-0/log?container=web&sinceSeconds=600&tailLines=5&${TIMEOUT}`,
  ])
  api.clear()
  const desc = await call('gateway_kubectl_describe', { resource: 'pod', name: 'web-0' })
  t.equal(desc.s.status, 'executed', desc.text)
  t.match(String(desc.s.stdout), /Name:\s+web-0/)
  t.ok(api.requests.every(q => q.method === 'GET'), 'describe only reads')
  t.ok(api.actions().includes(`GET /api/v1/namespaces/dev/pods/web-0?${TIMEOUT}`))
})

t.test('an allowed scale patches the scale subresource once', async t => {
  reset()
  const r = await call('gateway_kubectl_scale', { resource: 'deployment', name: 'web', replicas: 3 })
  t.equal(r.s.status, 'executed', r.text)
  t.same(api.actions(), [`GET /apis/apps/v1/namespaces/dev/deployments/web?${TIMEOUT}`, `PATCH /apis/apps/v1/namespaces/dev/deployments/web/scale?${TIMEOUT}`])
  t.same(JSON.parse(api.requests.find(q => q.method === 'PATCH')!.body), { spec: { replicas: 3 } })
})

t.test('an allowed apply sends the parsed objects, pinned to the judged namespace', async t => {
  reset()
  // Comments, a YAML anchor and key order are gone on the wire: kubectl gets the parsed object.
  const manifest = '# config\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  a: &v "1"\n  b: *v\n'
  const r = await call('gateway_kubectl_apply', { manifest })
  t.equal(r.s.status, 'executed', r.text)
  t.equal(r.s.exit_code, 0)
  const actions = api.actions()
  t.same(actions.slice(0, 1), [`GET /api/v1/namespaces/dev/configmaps/app-config?${TIMEOUT}`])
  const writes = api.requests.filter(q => q.method !== 'GET')
  t.same(writes.map(q => `${q.method} ${q.path}`), ['POST /api/v1/namespaces/dev/configmaps'], 'one write')
  t.same(applyQuery(writes[0]!.query), { fieldManager: 'kubectl-client-side-apply', timeout: '1m0s' })
  const sent = JSON.parse(writes[0]!.body)
  t.same(sent.data, { a: '1', b: '1' })
  t.equal(sent.metadata.namespace, 'dev', 'the namespace policy judged is written into the object')
})

t.test('an allowed apply to an existing object patches that object once, and nothing else', async t => {
  reset()
  // `web` exists in dev (replicas 2); `web` in the context's own namespace must stay untouched.
  api.put('apps', 'elsewhere', 'deployments', deployment('web', 'elsewhere'))
  api.clear()
  const manifest = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  replicas: 5',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec: {containers: [{name: web, image: "nginx:1.27"}]}',
    '',
  ].join('\n')
  const r = await call('gateway_kubectl_apply', { manifest })
  t.equal(r.s.status, 'executed', r.text)
  t.equal(r.s.exit_code, 0, r.text)
  t.same(api.actions()[0], `GET /apis/apps/v1/namespaces/dev/deployments/web?${TIMEOUT}`)
  const writes = api.requests.filter(q => q.method !== 'GET')
  t.same(writes.map(q => `${q.method} ${q.path}`), ['PATCH /apis/apps/v1/namespaces/dev/deployments/web'], 'one write: a patch of the judged object')
  t.same(applyQuery(writes[0]!.query), { fieldManager: 'kubectl-client-side-apply', timeout: '1m0s' })
  const patch = JSON.parse(writes[0]!.body)
  t.equal(patch.spec.replicas, 5)
  // The patch records what was applied: the object the gateway judged, pinned to dev.
  const applied = JSON.parse(patch.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'])
  t.equal(applied.metadata.namespace, 'dev')
  t.equal(applied.spec.template.spec.containers[0].image, 'nginx:1.27')
  t.equal(((api.objects.get('apps/dev/deployments/web') as { spec: { replicas: number } }).spec.replicas), 5)
  t.equal(((api.objects.get('apps/elsewhere/deployments/web') as { spec: { replicas: number } }).spec.replicas), 2, 'the other namespace is untouched')
})

// kubectl before 1.26 checks dry-run support in the OpenAPI v2 protobuf, which the double does not serve.
t.test('apply dry_run asks the server not to persist', { skip: clientMinor < 26 ? `kubectl 1.${clientMinor} needs OpenAPI v2 for dry-run` : false }, async t => {
  reset()
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: trial\n'
  const r = await call('gateway_kubectl_apply', { manifest, dry_run: true })
  t.equal(r.s.status, 'executed', r.text)
  t.equal(r.s.exit_code, 0)
  const writes = api.requests.filter(q => q.method !== 'GET')
  t.same(writes.map(q => `${q.method} ${q.path}`), ['POST /api/v1/namespaces/dev/configmaps'])
  t.same(applyQuery(writes[0]!.query), { dryRun: 'All', fieldManager: 'kubectl-client-side-apply', timeout: '1m0s' })
  t.notOk(api.objects.has('/dev/configmaps/trial'))
})

t.test('apply reads a manifest file inside the roots, and refuses one outside', async t => {
  reset()
  await writeFile(join(g.work, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\n')
  const ok = await call('gateway_kubectl_apply', { file: 'cm.yaml' })
  t.equal(ok.s.status, 'executed', ok.text)
  t.match(api.actions().at(-1), /^POST \/api\/v1\/namespaces\/dev\/configmaps\?/)
  api.clear()
  await writeFile(join(dirs.root, 'outside.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\n')
  for (const file of ['../outside.yaml', join(dirs.root, 'outside.yaml'), kubeconfig]) {
    const r = await call('gateway_kubectl_apply', { file })
    t.equal(r.s.status, 'blocked', file)
    t.match(JSON.stringify(r.s.reasons), /manifest_unreadable/, file)
  }
  t.same(api.requests, [], 'nothing reached the API server')
})

t.test('escalated actions make no request until approved', async t => {
  reset()
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['gateway_kubectl_delete', { resource: 'deploy', name: 'web' }, /kubectl_delete/],
    ['gateway_kubectl_exec', { pod: 'web-0', command: ['ls'] }, /kubectl_exec/],
    ['gateway_kubectl_get', { resource: 'secrets', name: 'db', output: 'yaml' }, /secret_read/],
    ['gateway_kubectl_scale', { resource: 'deploy', name: 'web', replicas: 0 }, /scale_to_zero/],
    // The manifest's own namespace counts: kube-system is protected even from a dev request.
    ['gateway_kubectl_apply', { manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: kube-system\n' }, /protected_namespace/],
    ['gateway_kubectl_apply', { manifest: 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: me\n' }, /cluster_scoped_object/],
  ]
  for (const [tool, args, reason] of cases) {
    const r = await call(tool, args)
    t.equal(r.s.status, 'approval_required', `${tool} ${JSON.stringify(args)}`)
    t.equal(r.s.executed, false)
    t.match(JSON.stringify(r.s.reasons), reason)
  }
  t.same(api.requests, [], 'kubectl never ran')
})

t.test('injections through the arguments are blocked and reach nothing', async t => {
  reset()
  const cases: [string, Record<string, unknown>][] = [
    ['gateway_kubectl_delete', { resource: '--namespace=kube-system', name: 'coredns' }],
    ['gateway_kubectl_delete', { resource: 'pods', name: '--all' }],
    ['gateway_kubectl_delete', { resource: 'pods', name: 'web-0', namespace: '--all-namespaces' }],
    ['gateway_kubectl_get', { resource: '--raw', name: '/api/v1/secrets' }],
    ['gateway_kubectl_get', { resource: 'pods', raw: '/api/v1/namespaces/kube-system/secrets' }],
    ['gateway_kubectl_get', { resource: 'pods', output: 'go-template={{.}}' }],
    ['gateway_kubectl_get', { resource: 'pods', selector: 'app=web --raw=/' }],
    // --as=system:admin smuggled into every agent field that reaches the argv
    ['gateway_kubectl_get', { resource: '--as=system:admin' }],
    ['gateway_kubectl_get', { resource: 'pods', name: '--as=system:admin' }],
    ['gateway_kubectl_get', { resource: 'pods', namespace: '--as=system:admin' }],
    ['gateway_kubectl_get', { resource: 'pods', selector: '--as=system:admin' }],
    ['gateway_kubectl_get', { resource: 'pods', output: '--as=system:admin' }],
    ['gateway_kubectl_get', { resource: 'pods', as: 'system:admin' }],
    ['gateway_kubectl_logs', { pod: '--as=system:admin' }],
    ['gateway_kubectl_logs', { pod: 'web-0', container: '--as=system:admin' }],
    ['gateway_kubectl_logs', { pod: 'web-0', since: '--as=system:admin' }],
    ['gateway_kubectl_describe', { resource: 'pods', name: 'web-0 --as=system:admin' }],
    ['gateway_kubectl_scale', { resource: 'deploy', name: 'web', replicas: '3 --as=system:admin' }],
    ['gateway_kubectl_exec', { pod: 'web-0', container: '--as=system:admin', command: ['ls'] }],
    ['gateway_kubectl_apply', { manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n', namespace: '--as=system:admin' }],
    ['gateway_kubectl_apply', { manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "--as=system:admin"\n' }],
    // a request for dev whose manifest names kube-system
    ['gateway_kubectl_apply', { manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: kube-system\n', namespace: 'dev' }],
    ['gateway_kubectl_delete', { resource: 'namespace', name: 'dev' }],
  ]
  for (const [tool, args] of cases) {
    const r = await call(tool, args)
    t.equal(r.s.status, 'blocked', `${tool} ${JSON.stringify(args)}: ${r.text.split('\n')[0]}`)
    t.equal(r.s.executed, false)
  }
  t.same(api.requests, [], 'kubectl never ran')
})

t.test('an approved delete runs once, exactly as approved, through the control plane', async t => {
  reset()
  const args = { resource: 'deployments', name: 'web' }
  const first = await call('gateway_kubectl_delete', args)
  t.equal(first.s.status, 'approval_required')
  const id = String(first.s.approval_id)
  const pending = await call('gateway_kubectl_delete', { ...args, approval_id: id })
  t.equal(pending.s.code, 'approval_pending')
  const review = JSON.parse((await runCli(['approvals', 'show', id, '--state-dir', g.state], { now })).stdout)
  t.same(review.args.kubectl.slice(-4), ['deployments.apps', 'web', '--namespace=dev', '--wait=false'], 'the reviewer sees the exact argv')
  await approve(id)
  const other = await call('gateway_kubectl_delete', { resource: 'deployments', name: 'api', approval_id: id })
  t.equal(other.s.code, 'approval_fingerprint_mismatch', 'an approval for web cannot delete api')
  const elsewhere = await call('gateway_kubectl_delete', { ...args, namespace: 'staging', approval_id: id })
  t.equal(elsewhere.s.code, 'approval_fingerprint_mismatch', 'nor web in another namespace')
  t.same(api.requests, [], 'nothing ran before the approved call')
  const run = await call('gateway_kubectl_delete', { ...args, approval_id: id })
  t.equal(run.s.status, 'executed', run.text)
  t.equal(run.s.approval_id, id)
  t.same(api.actions(), [`DELETE /apis/apps/v1/namespaces/dev/deployments/web?${TIMEOUT}`])
  t.same(JSON.parse(api.requests.find(q => q.method === 'DELETE')!.body), { propagationPolicy: 'Background' })
  t.notOk(api.objects.has('apps/dev/deployments/web'))
  t.ok(api.objects.has('apps/dev/deployments/api'), 'the other deployment is untouched')
  api.clear()
  const replay = await call('gateway_kubectl_delete', { ...args, approval_id: id })
  t.equal(replay.s.code, 'approval_consumed')
  t.same(api.requests, [], 'a replay reaches nothing')
})

t.test('an approved exec runs the approved argv after `--`, never as kubectl flags', async t => {
  reset()
  const args = { pod: 'web-0', command: ['ls', '--as=system:admin', '-la'] }
  const id = await approved('gateway_kubectl_exec', args)
  t.same(api.requests, [])
  const changed = await call('gateway_kubectl_exec', { ...args, command: ['rm', '-rf', '/'], approval_id: id })
  t.equal(changed.s.code, 'approval_fingerprint_mismatch')
  const run = await call('gateway_kubectl_exec', { ...args, approval_id: id })
  t.equal(run.s.status, 'executed', run.text)
  t.not(run.s.exit_code, 0, 'the double refuses to stream, so kubectl exits non-zero')
  const actions = api.actions()
  t.equal(actions[0], `GET /api/v1/namespaces/dev/pods/web-0?${TIMEOUT}`)
  const query = `command=ls&command=--as%3Dsystem%3Aadmin&command=-la&container=web&stderr=true&stdout=true&${TIMEOUT}`
  const attempts = api.requests.filter(q => q.path === '/api/v1/namespaces/dev/pods/web-0/exec')
  t.ok(attempts.length >= 1, 'kubectl tried to open the exec stream')
  for (const a of attempts) {
    t.equal(a.query, query, 'the command is the container argv')
    t.ok(a.upgrade, 'an upgrade (websocket or SPDY) was requested')
  }
  t.same(actions.filter(a => !a.includes('/exec?') && a !== actions[0]), [], 'nothing else')
  t.ok(api.requests.every(q => q.impersonate === null), '--as in the command did not impersonate anyone')
  const replay = await call('gateway_kubectl_exec', { ...args, approval_id: id })
  t.equal(replay.s.code, 'approval_consumed')
})

// Only the websocket stream is served; kubectl before 1.30 opens exec streams over SPDY.
t.test('an approved exec streams the container output back, with its exit code', { skip: clientMinor < 30 ? `kubectl 1.${clientMinor} streams exec over SPDY, which the double does not serve` : false }, async t => {
  reset()
  // The double answers the websocket exec stream with canned output: nothing runs anywhere.
  api.execStreams = command =>
    command[0] === 'false'
      ? { stdout: '', stderr: 'it failed\n', exitCode: 3 }
      : { stdout: `ran: ${command.join(' ')}\n`, stderr: 'a note on stderr\n', exitCode: 0 }
  t.teardown(() => {
    api.execStreams = null
  })
  const args = { pod: 'web-0', command: ['cat', '/etc/os-release'] }
  const id = await approved('gateway_kubectl_exec', args)
  const run = await call('gateway_kubectl_exec', { ...args, approval_id: id })
  t.equal(run.s.status, 'executed', run.text)
  t.equal(run.s.exit_code, 0, run.text)
  t.equal(run.s.stdout, 'ran: cat /etc/os-release\n', 'the container argv ran as approved and its stdout came back')
  t.match(run.s.stderr, /a note on stderr/)
  const streams = api.requests.filter(q => q.path === '/api/v1/namespaces/dev/pods/web-0/exec')
  t.equal(streams.length, 1, 'one exec stream')
  t.equal(streams[0]!.upgrade?.toLowerCase(), 'websocket')

  const failing = { pod: 'web-0', command: ['false'] }
  const id2 = await approved('gateway_kubectl_exec', failing)
  const failed = await call('gateway_kubectl_exec', { ...failing, approval_id: id2 })
  t.equal(failed.s.status, 'executed', failed.text)
  t.equal(failed.s.exit_code, 3, 'the container exit code is kubectl exec\'s')
  t.match(failed.s.stderr, /it failed/)
})

t.test('an approved secret read returns the object with its data redacted', async t => {
  reset()
  const args = { resource: 'secret', name: 'db', output: 'yaml' }
  const id = await approved('gateway_kubectl_get', args)
  const r = await call('gateway_kubectl_get', { ...args, approval_id: id })
  t.equal(r.s.status, 'executed', r.text)
  t.same(api.actions(), [`GET /api/v1/namespaces/dev/secrets/db?${TIMEOUT}`])
  t.notMatch(r.text, /aHVudGVyMg==/, 'the value is not returned')
  t.match(String(r.s.stdout), /password: "\[REDACTED:secret\]"/)
  t.match(String(r.s.stdout), /name: db/, 'the rest of the object is')
})

t.test('an approved file apply is bound to the file content it judged', async t => {
  reset()
  const file = join(g.work, 'sys.yaml')
  await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: kube-system\ndata:\n  a: "1"\n')
  const id = await approved('gateway_kubectl_apply', { file: 'sys.yaml' })
  await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: kube-system\ndata:\n  a: "2"\n')
  const swapped = await call('gateway_kubectl_apply', { file: 'sys.yaml', approval_id: id })
  t.equal(swapped.s.code, 'approval_fingerprint_mismatch', 'changed content needs a new approval')
  t.same(api.requests, [])
  await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: kube-system\ndata:\n  a: "1"\n')
  const run = await call('gateway_kubectl_apply', { file: 'sys.yaml', approval_id: id })
  t.equal(run.s.status, 'executed', run.text)
  const sent = JSON.parse(api.requests.find(q => q.method === 'POST')!.body)
  t.same([sent.metadata.namespace, sent.data], ['kube-system', { a: '1' }])
})

t.test('every kubectl call is audited, executed or not', async t => {
  const r = await runCli(['audit', 'tail', '-n', '400', '--state-dir', g.state])
  const records = r.stdout.split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, unknown>)
  const kube = records.filter(x => String(x.tool ?? '').startsWith('gateway_kubectl_'))
  t.ok(kube.some(x => x.event === 'execution_started' && x.tool === 'gateway_kubectl_delete'), 'delete started')
  t.ok(kube.some(x => x.event === 'tool_call' && x.tool === 'gateway_kubectl_delete' && x.executed === true), 'delete done')
  t.ok(kube.some(x => x.event === 'tool_call' && x.decision === 'block' && x.executed === false), 'blocks recorded')
  t.ok(kube.some(x => x.event === 'approval_requested' && x.tool === 'gateway_kubectl_exec'), 'escalations recorded')
  t.notMatch(r.stdout, /gateway-token-not-for-agents/, 'the kubeconfig credential is not in the audit log')
})

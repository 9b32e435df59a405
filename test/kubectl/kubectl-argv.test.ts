// buildKubectlInvocation: the argv is built from the normalized input only, with the gateway's
// kubeconfig/context/timeout, agent values only as positional or --flag=value values.
import t from 'tap'
import { buildKubectlInvocation, serializeManifest, type KubectlTarget } from '../../src/exec/kubectl-argv.js'
import { normalizeKubectlRequest, type KubectlArgsByTool, type KubectlTool } from '../../src/normalize/kubectl.js'
import type { KubectlInput } from '../../src/normalize/schema.js'

const target: KubectlTarget = { kubeconfig: '/etc/gw/kubeconfig', context: 'prod-eu', requestTimeoutSeconds: 30 }
const GLOBAL = ['--kubeconfig=/etc/gw/kubeconfig', '--context=prod-eu', '--request-timeout=30s']

const norm = <T extends KubectlTool>(tool: T, args: KubectlArgsByTool[T], defaultNamespace = 'dev'): KubectlInput => {
  const r = normalizeKubectlRequest(tool, args, { defaultNamespace })
  if (r.errors.length > 0) throw new Error(`unexpected normalize errors: ${JSON.stringify(r.errors)}`)
  return r.input
}
const argv = (input: KubectlInput, manifest?: string) => {
  const r = buildKubectlInvocation(input, target, manifest)
  if (!r.ok) throw new Error(`refused: ${r.message}`)
  return r
}

t.test('each verb becomes exactly one argv shape', async t => {
  t.same(argv(norm('gateway_kubectl_get', { resource: 'po' })).args, [...GLOBAL, 'get', 'pods', '--namespace=dev'])
  t.same(argv(norm('gateway_kubectl_get', { resource: 'deploy', name: 'web', namespace: 'team-a', selector: 'app=web,tier!=db', output: 'yaml' })).args, [
    ...GLOBAL,
    'get',
    'deployments.apps',
    'web',
    '--namespace=team-a',
    '--selector=app=web,tier!=db',
    '--output=yaml',
  ])
  t.same(argv(norm('gateway_kubectl_get', { resource: 'nodes' })).args, [...GLOBAL, 'get', 'nodes'], 'cluster-scoped kinds take no namespace')
  t.same(argv(norm('gateway_kubectl_logs', { pod: 'web-0', container: 'app', tail: 0, since: '5m' })).args, [
    ...GLOBAL,
    'logs',
    'web-0',
    '--namespace=dev',
    '--container=app',
    '--tail=0',
    '--since=5m',
  ])
  t.same(argv(norm('gateway_kubectl_describe', { resource: 'Ingress', name: 'front' })).args, [...GLOBAL, 'describe', 'ingresses.networking.k8s.io', 'front', '--namespace=dev'])
  t.same(argv(norm('gateway_kubectl_delete', { resource: 'cm', name: 'old' })).args, [...GLOBAL, 'delete', 'configmaps', 'old', '--namespace=dev', '--wait=false'])
  t.same(argv(norm('gateway_kubectl_scale', { resource: 'sts', name: 'db', replicas: 0 })).args, [...GLOBAL, 'scale', 'statefulsets.apps/db', '--replicas=0', '--namespace=dev'])
  t.same(argv(norm('gateway_kubectl_exec', { pod: 'web-0', command: ['--all', '-n', 'kube-system'] })).args, [
    ...GLOBAL,
    'exec',
    'web-0',
    '--namespace=dev',
    '--',
    '--all',
    '-n',
    'kube-system',
  ], 'the command only ever follows --')
})

t.test('the context flag is left out when none is configured', async t => {
  const r = buildKubectlInvocation(norm('gateway_kubectl_get', { resource: 'pods' }), { kubeconfig: '/k', requestTimeoutSeconds: 5 })
  t.same(r.ok && r.args, ['--kubeconfig=/k', '--request-timeout=5s', 'get', 'pods', '--namespace=dev'])
})

t.test('no configuration, no argv', async t => {
  const r = buildKubectlInvocation(norm('gateway_kubectl_get', { resource: 'pods' }), { kubeconfig: '', requestTimeoutSeconds: 5 })
  t.same(r.ok ? null : r.code, 'kubectl_not_configured')
  const bad = buildKubectlInvocation(norm('gateway_kubectl_get', { resource: 'pods' }), { kubeconfig: '/k', requestTimeoutSeconds: 0 })
  t.equal(bad.ok, false)
})

t.test('an input that did not come from the normalizer is refused, not passed through', async t => {
  const base = norm('gateway_kubectl_get', { resource: 'pods', name: 'web' })
  const forged: KubectlInput[] = [
    { ...base, target: { ...base.target!, name: '--all' } },
    { ...base, target: { ...base.target!, namespace: '--as=system:admin' } },
    { ...base, target: { ...base.target!, resource: '--raw=/', known: true } },
    { ...base, target: { ...base.target!, resource: 'widgets', known: false } },
    { ...base, selector: 'a=b --as=x' },
    { ...base, output: 'jsonpath={.data}' },
    { ...norm('gateway_kubectl_logs', { pod: 'web-0' }), since: '1m --as=x' },
    { ...norm('gateway_kubectl_logs', { pod: 'web-0' }), container: '--as=x' },
    { ...norm('gateway_kubectl_scale', { resource: 'deploy', name: 'web', replicas: 1 }), replicas: -1 },
    { ...norm('gateway_kubectl_exec', { pod: 'web-0', command: ['ls'] }), command: [] },
  ]
  for (const input of forged) {
    const r = buildKubectlInvocation(input, target)
    t.equal(r.ok, false, JSON.stringify(input).slice(0, 160))
  }
})

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n'

t.test('apply feeds the parsed objects on stdin, one JSON document each, with the judged namespace', async t => {
  const text = `${CM}---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web, namespace: team-b}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: scratch}\n`
  const input = norm('gateway_kubectl_apply', { manifest: text })
  const r = argv(input, text)
  t.same(r.args, [...GLOBAL, 'apply', '--filename=-'])
  const docs = r.stdin!.split('---\n').filter(Boolean).map(d => JSON.parse(d))
  t.same(docs, [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'dev' }, data: { a: '1' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team-b' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } },
  ])
})

t.test('apply with an explicit namespace and dry_run passes both as gateway flags', async t => {
  const input = norm('gateway_kubectl_apply', { manifest: CM, namespace: 'team-a', dry_run: true })
  const r = argv(input, CM)
  t.same(r.args, [...GLOBAL, 'apply', '--filename=-', '--namespace=team-a', '--dry-run=server'])
  t.equal(JSON.parse(r.stdin!.slice(4)).metadata.namespace, 'team-a')
})

t.test('a manifest that is not the one judged is refused', async t => {
  const input = norm('gateway_kubectl_apply', { manifest: CM })
  for (const other of [CM.replace('name: c', 'name: d'), `${CM}---\n${CM.replace('name: c', 'name: e')}`, CM.replace('kind: ConfigMap', 'kind: Secret'), 'a: [', '']) {
    const r = buildKubectlInvocation(input, target, other)
    t.same(r.ok ? 'ok' : r.code, 'manifest_mismatch', JSON.stringify(other))
  }
  t.same(buildKubectlInvocation(input, target).ok, false, 'no manifest, no apply')
  t.throws(() => serializeManifest(CM.replace('a: "1"', 'a: .nan'), input.objects), /JSON-safe/)
})

t.test('a cyclic or alias-bomb manifest given at apply time is refused, not serialized forever', async t => {
  const input = norm('gateway_kubectl_apply', { manifest: CM })
  for (const other of [`${CM}  b: &a [*a]\n`, `${CM}x: &a ["x","x","x","x","x","x","x","x","x","x"]\ny: &b [${Array(10).fill('*a').join(',')}]\nz: &c [${Array(10).fill('*b').join(',')}]\nw: &d [${Array(10).fill('*c').join(',')}]\nv: &e [${Array(10).fill('*d').join(',')}]\nu: [${Array(10).fill('*e').join(',')}]\n`]) {
    const r = buildKubectlInvocation(input, target, other)
    t.same(r.ok ? 'ok' : r.code, 'manifest_mismatch', other.slice(-60))
  }
})

t.test('a manifest line cannot forge a document boundary on stdin', async t => {
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "x\\n---\\nkind: Secret"\n'
  const input = norm('gateway_kubectl_apply', { manifest: text })
  const stdin = argv(input, text).stdin!
  t.equal(stdin.split('\n').filter(l => l.startsWith('---')).length, 1, 'one document separator for one object')
  t.equal(JSON.parse(stdin.slice(4)).data.a, 'x\n---\nkind: Secret')
})

import t from 'tap'
import { normalizeKubectlRequest, type KubectlArgsByTool, type KubectlContext, type KubectlTool } from '../../src/normalize/kubectl.js'
import { KubectlInput, type KubectlObject } from '../../src/normalize/schema.js'
import { TOOL_ARGS } from '../../src/normalize/tool-args.js'

const CTX: KubectlContext = { defaultNamespace: 'team-a' }

/** Validate args the way the caller does, normalize, and check the output against the schema. */
const norm = <T extends KubectlTool>(tool: T, args: unknown, ctx: KubectlContext = CTX) => {
  const parsed = TOOL_ARGS[tool].parse(args) as KubectlArgsByTool[T]
  const out = normalizeKubectlRequest(tool, parsed, ctx)
  return { input: KubectlInput.parse(out.input), errors: out.errors }
}
const codes = (r: { errors: { code: string }[] }): string[] => r.errors.map(e => e.code)
const apply = (manifest: string, extra: Record<string, unknown> = {}, ctx: KubectlContext = CTX) =>
  norm('gateway_kubectl_apply', { manifest, ...extra }, { ...ctx, manifestText: manifest, manifestSource: 'inline' })

const MULTI = `apiVersion: v1
kind: Secret
metadata:
  name: db-creds
  namespace: shop
stringData:
  password: hunter2
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
`

t.test('get of a named deployment by short name: canonical kind, default namespace, read-only', async t => {
  const r = norm('gateway_kubectl_get', { resource: 'deploy', name: 'web' })
  t.same(r.errors, [])
  t.same(r.input, {
    verb: 'get',
    mutating: false,
    target: {
      api_version: null,
      kind: 'Deployment',
      resource: 'deployments',
      group: 'apps',
      name: 'web',
      namespace: 'team-a',
      namespace_source: 'default',
      cluster_scoped: false,
      known: true,
    },
    objects: [r.input.target],
    selector: null,
    output: null,
    container: null,
    replicas: null,
    command: null,
    tail: null,
    since: null,
    dry_run: false,
    manifest_source: null,
  })
})

t.test('get without a name is a list: target name is null', async t => {
  const r = norm('gateway_kubectl_get', { resource: 'pods', namespace: 'prod' })
  t.equal(r.input.target?.name, null)
  t.equal(r.input.target?.kind, 'Pod')
  t.equal(r.input.target?.namespace, 'prod')
  t.equal(r.input.target?.namespace_source, 'explicit')
})

t.test('an explicit namespace wins over the default', async t => {
  const r = norm('gateway_kubectl_describe', { resource: 'svc', name: 'api', namespace: 'kube-system' })
  t.match(r.input.target, { kind: 'Service', namespace: 'kube-system', namespace_source: 'explicit' })
  t.equal(r.input.mutating, false)
})

t.test('cluster-scoped kinds have no namespace, even when one is given', async t => {
  for (const resource of ['ns', 'nodes', 'clusterrolebindings', 'pv', 'crd', 'storageclasses']) {
    const r = norm('gateway_kubectl_delete', { resource, name: 'x', namespace: 'prod' })
    t.same(r.errors, [], resource)
    t.match(r.input.target, { namespace: null, namespace_source: 'none', cluster_scoped: true, known: true }, resource)
    t.equal(r.input.mutating, true, resource)
  }
})

t.test('an unknown kind is an error and is judged as cluster-scoped', async t => {
  for (const resource of ['widgets', 'all', 'deployments.evil.io', 'secrets.v1.apps']) {
    const r = norm('gateway_kubectl_delete', { resource, name: 'x', namespace: 'prod' })
    t.same(codes(r), ['unknown_resource_kind'], resource)
    t.match(r.input.target, { known: false, cluster_scoped: true, namespace: null, namespace_source: 'none', name: 'x' }, resource)
  }
  const r = norm('gateway_kubectl_get', { resource: 'deployments.evil.io' })
  t.match(r.input.target, { kind: 'deployments.evil.io', resource: 'deployments', group: 'evil.io' })
  t.match(r.errors[0]?.message, /deployments\.evil\.io/)
})

t.test('scale carries the replica count, delete and scale are mutating', async t => {
  const r = norm('gateway_kubectl_scale', { resource: 'sts', name: 'db', replicas: 0 })
  t.equal(r.input.verb, 'scale')
  t.equal(r.input.mutating, true)
  t.equal(r.input.replicas, 0)
  t.match(r.input.target, { kind: 'StatefulSet', name: 'db', namespace: 'team-a' })
})

t.test('logs targets the pod and carries container, tail and since', async t => {
  const r = norm('gateway_kubectl_logs', { pod: 'web-1', container: 'app', tail: 100, since: '5m', namespace: 'prod' })
  t.same(r.errors, [])
  t.equal(r.input.verb, 'logs')
  t.equal(r.input.mutating, false)
  t.match(r.input.target, { kind: 'Pod', resource: 'pods', group: '', name: 'web-1', namespace: 'prod', namespace_source: 'explicit', known: true })
  t.same(r.input.objects, [r.input.target])
  t.equal(r.input.container, 'app')
  t.equal(r.input.tail, 100)
  t.equal(r.input.since, '5m')
  t.equal(r.input.command, null)
})

t.test('exec targets the pod, is mutating and carries the exact argv', async t => {
  const command = ['sh', '-c', 'cat /etc/shadow; rm -rf /']
  const r = norm('gateway_kubectl_exec', { pod: 'web-1', command })
  t.equal(r.input.verb, 'exec')
  t.equal(r.input.mutating, true)
  t.same(r.input.command, command)
  t.match(r.input.target, { kind: 'Pod', name: 'web-1', namespace: 'team-a', namespace_source: 'default' })
})

t.test('apply of a multi-document manifest: every object, namespaces from manifest or default, cluster-scoped null', async t => {
  const r = apply(MULTI)
  t.same(r.errors, [])
  t.equal(r.input.verb, 'apply')
  t.equal(r.input.mutating, true)
  t.equal(r.input.target, null)
  t.equal(r.input.manifest_source, 'inline')
  t.same(r.input.objects, [
    {
      api_version: 'v1',
      kind: 'Secret',
      resource: 'secrets',
      group: '',
      name: 'db-creds',
      namespace: 'shop',
      namespace_source: 'manifest',
      cluster_scoped: false,
      known: true,
    },
    {
      api_version: 'v1',
      kind: 'Namespace',
      resource: 'namespaces',
      group: '',
      name: 'shop',
      namespace: null,
      namespace_source: 'none',
      cluster_scoped: true,
      known: true,
    },
    {
      api_version: 'apps/v1',
      kind: 'Deployment',
      resource: 'deployments',
      group: 'apps',
      name: 'web',
      namespace: 'team-a',
      namespace_source: 'default',
      cluster_scoped: false,
      known: true,
    },
  ])
  t.notMatch(JSON.stringify(r.input), /hunter2/)
})

t.test('namespace precedence for apply: explicit over manifest over default', async t => {
  const noNs = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n'
  const withNs = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: prod\n'
  t.match(apply(noNs).input.objects[0], { namespace: 'team-a', namespace_source: 'default' })
  t.match(apply(withNs).input.objects[0], { namespace: 'prod', namespace_source: 'manifest' })
  t.match(apply(noNs, { namespace: 'staging' }).input.objects[0], { namespace: 'staging', namespace_source: 'explicit' })
  const same = apply(withNs, { namespace: 'prod' })
  t.same(same.errors, [])
  t.match(same.input.objects[0], { namespace: 'prod', namespace_source: 'explicit' })
})

t.test('a namespace in args that differs from the manifest is a conflict, judged by the manifest namespace', async t => {
  const r = apply('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: kube-system\n', { namespace: 'sandbox' })
  t.same(codes(r), ['namespace_conflict'])
  t.match(r.errors[0]?.message, /kube-system.*sandbox/)
  t.match(r.input.objects[0], { namespace: 'kube-system', namespace_source: 'manifest' })
  // a cluster-scoped object's namespace is ignored by kubectl: no conflict
  const ns = apply('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  namespace: other\n', { namespace: 'sandbox' })
  t.same(ns.errors, [])
  t.match(ns.input.objects[0], { namespace: null, namespace_source: 'none' })
})

t.test('apply of a List judges every item', async t => {
  const r = apply(`apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: robot}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: robot-admin}
`)
  t.same(r.errors, [])
  t.same(
    r.input.objects.map(o => [o.kind, o.namespace, o.cluster_scoped]),
    [
      ['ServiceAccount', 'team-a', false],
      ['ClusterRoleBinding', null, true],
    ],
  )
})

t.test('an unknown kind in a manifest is an error and is judged as cluster-scoped', async t => {
  const r = apply('apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: prod\n---\napiVersion: v1\nkind: Deployment\nmetadata:\n  name: d\n')
  t.same(codes(r), ['unknown_resource_kind', 'unknown_resource_kind'])
  t.same(
    r.input.objects.map(o => ({ kind: o.kind, group: o.group, known: o.known, cluster_scoped: o.cluster_scoped, namespace: o.namespace })),
    [
      { kind: 'Widget', group: 'example.com', known: false, cluster_scoped: true, namespace: null },
      { kind: 'Deployment', group: '', known: false, cluster_scoped: true, namespace: null },
    ],
  )
})

t.test('invalid manifests are errors with no objects, and the input still parses', async t => {
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]'].join('\n')
  for (const [why, manifest] of [
    ['alias bomb', `${bomb}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n`],
    ['missing kind', 'apiVersion: v1\nmetadata:\n  name: a\n'],
    ['bad name --all', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: --all\n'],
    ['501 objects', Array.from({ length: 501 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`).join('---\n')],
    ['not YAML', 'apiVersion: v1\nkind: [\n'],
  ] as const) {
    const r = apply(manifest)
    t.same(codes(r), ['invalid_manifest'], why)
    t.same(r.input.objects, [], why)
    t.equal(r.input.verb, 'apply', why)
  }
  t.same(codes(apply('apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: run-\n')), ['manifest_generate_name_unsupported'])
})

t.test('an apply from a file reports the file source; with no text to judge it is an error', async t => {
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n'
  const fromFile = norm('gateway_kubectl_apply', { file: 'k8s/app.yaml', dry_run: true }, { ...CTX, manifestText: text, manifestSource: 'file' })
  t.same(fromFile.errors, [])
  t.equal(fromFile.input.manifest_source, 'file')
  t.equal(fromFile.input.dry_run, true)
  t.equal(fromFile.input.objects[0]?.name, 'c')
  const unread = norm('gateway_kubectl_apply', { file: 'k8s/app.yaml' })
  t.same(codes(unread), ['invalid_manifest'])
  t.equal(unread.input.manifest_source, 'file')
  t.same(unread.input.objects, [])
  // without ctx text, the inline manifest of the args is judged
  t.equal(norm('gateway_kubectl_apply', { manifest: text }).input.objects[0]?.name, 'c')
})

t.test('get validates the selector: only a label selector, no injected flags', async t => {
  t.same(codes(norm('gateway_kubectl_get', { resource: 'pods', selector: 'app=web,tier in (a,b)' })), [])
  t.equal(norm('gateway_kubectl_get', { resource: 'pods', selector: 'app=web' }).input.selector, 'app=web')
  for (const selector of ['app=x --all-namespaces', '-l', '--all-namespaces', 'app=x,-A', 'app=$(id)', ''])
    t.same(codes(norm('gateway_kubectl_get', { resource: 'pods', selector })), ['invalid_selector'], JSON.stringify(selector))
})

t.test('get validates the output format: no jsonpath, templates or custom columns', async t => {
  for (const output of ['json', 'yaml', 'wide', 'name']) t.same(codes(norm('gateway_kubectl_get', { resource: 'pods', output })), [], output)
  t.equal(norm('gateway_kubectl_get', { resource: 'pods', output: 'yaml' }).input.output, 'yaml')
  for (const output of ['jsonpath={..}', 'go-template={{.}}', 'go-template-file=/etc/passwd', 'custom-columns=N:.metadata.name', 'jsonpath-file=x', 'JSON'])
    t.same(codes(norm('gateway_kubectl_get', { resource: 'pods', output })), ['invalid_output'], output)
})

t.test('several problems are all reported', async t => {
  const r = norm('gateway_kubectl_get', { resource: 'widgets', selector: 'a b', output: 'jsonpath={..}' })
  t.same(codes(r), ['unknown_resource_kind', 'invalid_selector', 'invalid_output'])
})

t.test('the default namespace comes from the context', async t => {
  const r = norm('gateway_kubectl_get', { resource: 'cm', name: 'x' }, { defaultNamespace: 'payments' })
  t.match(r.input.target, { namespace: 'payments', namespace_source: 'default' })
})

t.test('arguments that skipped validation never throw and still give a parseable input', async t => {
  const weird: [KubectlTool, unknown, string[]][] = [
    ['gateway_kubectl_get', null, ['invalid_args', 'unknown_resource_kind']],
    ['gateway_kubectl_get', { resource: 42 }, ['invalid_args', 'unknown_resource_kind']],
    ['gateway_kubectl_delete', { resource: 'pods' }, ['invalid_args']],
    ['gateway_kubectl_scale', { resource: 'deploy', name: 'x', replicas: 1.5 }, ['invalid_args']],
    ['gateway_kubectl_exec', { pod: 'p', command: 'rm -rf /' }, ['invalid_args']],
    ['gateway_kubectl_exec', { pod: 'p', command: [] }, ['invalid_args']],
    ['gateway_kubectl_logs', {}, ['invalid_args']],
    ['gateway_kubectl_apply', { manifest: 7 }, ['invalid_manifest']],
  ]
  for (const [tool, args, expected] of weird) {
    const r = normalizeKubectlRequest(tool, args as never, CTX)
    t.ok(KubectlInput.safeParse(r.input).success, `${tool} ${JSON.stringify(args)}`)
    t.same(codes(r), expected, `${tool} ${JSON.stringify(args)}`)
  }
  const unknownTool = normalizeKubectlRequest('gateway_kubectl_port_forward' as never, {} as never, CTX)
  t.same(codes(unknownTool), ['unknown_tool'])
  t.equal(unknownTool.input.mutating, true)
  t.ok(KubectlInput.safeParse(unknownTool.input).success)
})

t.test('every object of a result is a KubectlObject the policy can rely on', async t => {
  const r = apply(MULTI)
  const objects: KubectlObject[] = r.input.objects
  for (const o of objects) t.equal(o.cluster_scoped, o.namespace === null, `${o.kind} namespace matches scope`)
})

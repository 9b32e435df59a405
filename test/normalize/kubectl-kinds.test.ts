import t from 'tap'
import { canonicalKind, groupOfApiVersion, kindForManifest, KUBE_KINDS, namesOf } from '../../src/normalize/kube-kinds.js'

/** [what the agent wrote, expected canonical Kind, expected group] */
const ALIASES: [string, string, string][] = [
  ['ns', 'Namespace', ''],
  ['namespace', 'Namespace', ''],
  ['namespaces', 'Namespace', ''],
  ['Namespace', 'Namespace', ''],
  ['NAMESPACES', 'Namespace', ''],
  ['deploy', 'Deployment', 'apps'],
  ['deployment', 'Deployment', 'apps'],
  ['Deployments', 'Deployment', 'apps'],
  ['deployments.apps', 'Deployment', 'apps'],
  ['deployment.apps', 'Deployment', 'apps'],
  ['deploy.apps', 'Deployment', 'apps'],
  ['deployments.v1.apps', 'Deployment', 'apps'],
  ['Deployment.v1beta2.apps', 'Deployment', 'apps'],
  ['po', 'Pod', ''],
  ['pod', 'Pod', ''],
  ['pods', 'Pod', ''],
  ['svc', 'Service', ''],
  ['services', 'Service', ''],
  ['cm', 'ConfigMap', ''],
  ['secret', 'Secret', ''],
  ['secrets', 'Secret', ''],
  ['sa', 'ServiceAccount', ''],
  ['pvc', 'PersistentVolumeClaim', ''],
  ['pv', 'PersistentVolume', ''],
  ['no', 'Node', ''],
  ['ing', 'Ingress', 'networking.k8s.io'],
  ['ingresses.networking.k8s.io', 'Ingress', 'networking.k8s.io'],
  ['ingress.v1.networking.k8s.io', 'Ingress', 'networking.k8s.io'],
  ['sts', 'StatefulSet', 'apps'],
  ['ds', 'DaemonSet', 'apps'],
  ['rs', 'ReplicaSet', 'apps'],
  ['cj', 'CronJob', 'batch'],
  ['jobs.batch', 'Job', 'batch'],
  ['hpa', 'HorizontalPodAutoscaler', 'autoscaling'],
  ['crd', 'CustomResourceDefinition', 'apiextensions.k8s.io'],
  ['crds', 'CustomResourceDefinition', 'apiextensions.k8s.io'],
  ['customresourcedefinitions.apiextensions.k8s.io', 'CustomResourceDefinition', 'apiextensions.k8s.io'],
  ['netpol', 'NetworkPolicy', 'networking.k8s.io'],
  ['pdb', 'PodDisruptionBudget', 'policy'],
  ['sc', 'StorageClass', 'storage.k8s.io'],
  ['clusterrolebindings', 'ClusterRoleBinding', 'rbac.authorization.k8s.io'],
  ['clusterrolebinding.rbac.authorization.k8s.io', 'ClusterRoleBinding', 'rbac.authorization.k8s.io'],
  ['mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', 'admissionregistration.k8s.io'],
  ['pc', 'PriorityClass', 'scheduling.k8s.io'],
  ['leases', 'Lease', 'coordination.k8s.io'],
  ['endpointslices', 'EndpointSlice', 'discovery.k8s.io'],
  // unqualified names shared by two groups go to core, as with kubectl
  ['events', 'Event', ''],
  ['ev', 'Event', ''],
  ['events.events.k8s.io', 'Event', 'events.k8s.io'],
  ['cert', 'Certificate', 'cert-manager.io'],
  ['vs', 'VirtualService', 'networking.istio.io'],
]

t.test('kubectl resource aliases resolve to one canonical kind, case-insensitively', async t => {
  for (const [input, kind, group] of ALIASES) {
    const entry = canonicalKind(input)
    t.equal(entry?.kind, kind, input)
    t.equal(entry?.group, group, input)
  }
})

t.test('canonical entries carry the plural resource and the scope', async t => {
  t.match(canonicalKind('deploy'), { resource: 'deployments', singular: 'deployment', namespaced: true })
  t.match(canonicalKind('ns'), { resource: 'namespaces', namespaced: false })
  t.match(canonicalKind('clusterroles'), { resource: 'clusterroles', namespaced: false })
  t.match(canonicalKind('pv'), { namespaced: false })
  t.match(canonicalKind('pvc'), { namespaced: true })
  t.match(canonicalKind('crd'), { namespaced: false })
  t.match(canonicalKind('netpol'), { resource: 'networkpolicies', namespaced: true })
})

t.test('a group-qualified name with the wrong group is unknown', async t => {
  for (const input of [
    'deployments.evil.io',
    'deployment.core',
    'deployments.v1.extensions',
    'pods.apps',
    'pods.v1',
    'pods.',
    'secrets.v1.apps',
    'ingresses.networking',
    'deployments.apps.evil.io',
    'deployments.vX.apps',
  ])
    t.equal(canonicalKind(input), null, input)
})

t.test('names the table does not know are unknown', async t => {
  for (const input of ['all', 'foo', 'widgets', 'deployments/web', '', 'po,svc', 'podsecuritypolicies'])
    t.equal(canonicalKind(input), null, JSON.stringify(input))
})

t.test('only the event names belong to two kinds, and an unqualified one goes to core', async t => {
  const owners = new Map<string, string[]>()
  for (const entry of KUBE_KINDS) for (const name of namesOf(entry)) owners.set(name, [...(owners.get(name) ?? []), `${entry.kind}.${entry.group}`])
  const shared = [...owners].filter(([, kinds]) => kinds.length > 1)
  t.same(shared, [
    ['event', ['Event.', 'Event.events.k8s.io']],
    ['events', ['Event.', 'Event.events.k8s.io']],
    ['ev', ['Event.', 'Event.events.k8s.io']],
  ])
})

t.test('every entry is well-formed: lowercase plural and short names, Kind capitalised', async t => {
  for (const e of KUBE_KINDS) {
    t.match(e.kind, /^[A-Z][A-Za-z]+$/, e.kind)
    t.match(e.resource, /^[a-z]+$/, e.kind)
    t.equal(e.singular, e.kind.toLowerCase(), e.kind)
    for (const s of e.shortNames) t.match(s, /^[a-z]+$/, `${e.kind} ${s}`)
  }
})

t.test('the group of an apiVersion: core is "", malformed is null', async t => {
  t.equal(groupOfApiVersion('v1'), '')
  t.equal(groupOfApiVersion('apps/v1'), 'apps')
  t.equal(groupOfApiVersion('networking.k8s.io/v1'), 'networking.k8s.io')
  t.equal(groupOfApiVersion('batch/v1beta1'), 'batch')
  for (const bad of ['', 'apps', 'apps/', '/v1', 'a/b/v1', 'apps/latest', 'V1']) t.equal(groupOfApiVersion(bad), null, bad)
})

t.test('manifest objects are looked up by apiVersion group and kind', async t => {
  t.equal(kindForManifest('apps/v1', 'Deployment')?.resource, 'deployments')
  t.equal(kindForManifest('v1', 'Secret')?.kind, 'Secret')
  t.equal(kindForManifest('v1', 'Namespace')?.namespaced, false)
  t.equal(kindForManifest('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding')?.namespaced, false)
  t.equal(kindForManifest('networking.k8s.io/v1', 'Ingress')?.group, 'networking.k8s.io')
  t.equal(kindForManifest('events.k8s.io/v1', 'Event')?.group, 'events.k8s.io')
  // a kind under the wrong group is a different (unknown) kind
  t.equal(kindForManifest('v1', 'Deployment'), null)
  t.equal(kindForManifest('evil.io/v1', 'Secret'), null)
  t.equal(kindForManifest('extensions/v1beta1', 'Deployment'), null)
  t.equal(kindForManifest('apps/v1', 'Widget'), null)
  t.equal(kindForManifest('apps', 'Deployment'), null)
})

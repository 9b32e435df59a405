/**
 * The Kubernetes kinds the gateway knows: canonical Kind, plural resource, aliases, API group and
 * scope. Anything not in this table is judged as an unknown, cluster-scoped kind (policy blocks).
 */

/** One known kind. `group` is "" for the core API group. */
export interface KubeKind {
  kind: string
  resource: string
  singular: string
  shortNames: readonly string[]
  group: string
  namespaced: boolean
}

const k = (kind: string, resource: string, group: string, namespaced: boolean, shortNames: string[] = []): KubeKind => ({
  kind,
  resource,
  singular: kind.toLowerCase(),
  shortNames,
  group,
  namespaced,
})

const NS = true
const CLUSTER = false

/** Order matters where names repeat across groups: the first entry wins an unqualified name (core first, like kubectl). */
export const KUBE_KINDS: readonly KubeKind[] = [
  // core (v1)
  k('Pod', 'pods', '', NS, ['po']),
  k('Service', 'services', '', NS, ['svc']),
  k('ConfigMap', 'configmaps', '', NS, ['cm']),
  k('Secret', 'secrets', '', NS),
  k('ServiceAccount', 'serviceaccounts', '', NS, ['sa']),
  k('PersistentVolumeClaim', 'persistentvolumeclaims', '', NS, ['pvc']),
  k('PersistentVolume', 'persistentvolumes', '', CLUSTER, ['pv']),
  k('Namespace', 'namespaces', '', CLUSTER, ['ns']),
  k('Node', 'nodes', '', CLUSTER, ['no']),
  k('Endpoints', 'endpoints', '', NS, ['ep']),
  k('Event', 'events', '', NS, ['ev']),
  k('LimitRange', 'limitranges', '', NS, ['limits']),
  k('ResourceQuota', 'resourcequotas', '', NS, ['quota']),
  k('ReplicationController', 'replicationcontrollers', '', NS, ['rc']),
  k('PodTemplate', 'podtemplates', '', NS),
  k('ComponentStatus', 'componentstatuses', '', CLUSTER, ['cs']),
  // apps
  k('Deployment', 'deployments', 'apps', NS, ['deploy']),
  k('StatefulSet', 'statefulsets', 'apps', NS, ['sts']),
  k('DaemonSet', 'daemonsets', 'apps', NS, ['ds']),
  k('ReplicaSet', 'replicasets', 'apps', NS, ['rs']),
  k('ControllerRevision', 'controllerrevisions', 'apps', NS),
  // batch
  k('Job', 'jobs', 'batch', NS),
  k('CronJob', 'cronjobs', 'batch', NS, ['cj']),
  // networking
  k('Ingress', 'ingresses', 'networking.k8s.io', NS, ['ing']),
  k('IngressClass', 'ingressclasses', 'networking.k8s.io', CLUSTER),
  k('NetworkPolicy', 'networkpolicies', 'networking.k8s.io', NS, ['netpol']),
  // rbac
  k('Role', 'roles', 'rbac.authorization.k8s.io', NS),
  k('RoleBinding', 'rolebindings', 'rbac.authorization.k8s.io', NS),
  k('ClusterRole', 'clusterroles', 'rbac.authorization.k8s.io', CLUSTER),
  k('ClusterRoleBinding', 'clusterrolebindings', 'rbac.authorization.k8s.io', CLUSTER),
  // storage
  k('StorageClass', 'storageclasses', 'storage.k8s.io', CLUSTER, ['sc']),
  k('VolumeAttachment', 'volumeattachments', 'storage.k8s.io', CLUSTER),
  k('CSIDriver', 'csidrivers', 'storage.k8s.io', CLUSTER),
  k('CSINode', 'csinodes', 'storage.k8s.io', CLUSTER),
  k('CSIStorageCapacity', 'csistoragecapacities', 'storage.k8s.io', NS),
  // policy, autoscaling
  k('PodDisruptionBudget', 'poddisruptionbudgets', 'policy', NS, ['pdb']),
  k('HorizontalPodAutoscaler', 'horizontalpodautoscalers', 'autoscaling', NS, ['hpa']),
  // extension points: whoever can write these controls the cluster
  k('CustomResourceDefinition', 'customresourcedefinitions', 'apiextensions.k8s.io', CLUSTER, ['crd', 'crds']),
  k('MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', 'admissionregistration.k8s.io', CLUSTER),
  k('ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', 'admissionregistration.k8s.io', CLUSTER),
  k('ValidatingAdmissionPolicy', 'validatingadmissionpolicies', 'admissionregistration.k8s.io', CLUSTER),
  k('ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', 'admissionregistration.k8s.io', CLUSTER),
  k('APIService', 'apiservices', 'apiregistration.k8s.io', CLUSTER),
  // scheduling, coordination, discovery, events, certificates, node
  k('PriorityClass', 'priorityclasses', 'scheduling.k8s.io', CLUSTER, ['pc']),
  k('Lease', 'leases', 'coordination.k8s.io', NS),
  k('EndpointSlice', 'endpointslices', 'discovery.k8s.io', NS),
  k('Event', 'events', 'events.k8s.io', NS, ['ev']),
  k('CertificateSigningRequest', 'certificatesigningrequests', 'certificates.k8s.io', CLUSTER, ['csr']),
  k('RuntimeClass', 'runtimeclasses', 'node.k8s.io', CLUSTER),
  // cert-manager
  k('Certificate', 'certificates', 'cert-manager.io', NS, ['cert', 'certs']),
  k('CertificateRequest', 'certificaterequests', 'cert-manager.io', NS, ['cr', 'crs']),
  k('Issuer', 'issuers', 'cert-manager.io', NS),
  k('ClusterIssuer', 'clusterissuers', 'cert-manager.io', CLUSTER),
  // istio
  k('VirtualService', 'virtualservices', 'networking.istio.io', NS, ['vs']),
  k('DestinationRule', 'destinationrules', 'networking.istio.io', NS, ['dr']),
  k('Gateway', 'gateways', 'networking.istio.io', NS, ['gw']),
  k('ServiceEntry', 'serviceentries', 'networking.istio.io', NS, ['se']),
  k('AuthorizationPolicy', 'authorizationpolicies', 'security.istio.io', NS),
  k('PeerAuthentication', 'peerauthentications', 'security.istio.io', NS, ['pa']),
]

/** Every lowercase name kubectl accepts for a kind: Kind, singular, plural, short names. */
export const namesOf = (entry: KubeKind): string[] => [
  ...new Set([entry.kind.toLowerCase(), entry.singular, entry.resource, ...entry.shortNames]),
]

const BY_NAME: ReadonlyMap<string, readonly KubeKind[]> = (() => {
  const index = new Map<string, KubeKind[]>()
  for (const entry of KUBE_KINDS) {
    for (const name of namesOf(entry)) index.set(name, [...(index.get(name) ?? []), entry])
  }
  return index
})()

const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/

/**
 * The kind named by a kubectl resource argument: `Deployment`, `deployment`, `deployments`,
 * `deploy`, `deployments.apps`, `deployment.apps`, `deployments.v1.apps` (case-insensitive).
 * Null when unknown, including a group-qualified name whose group does not match.
 */
export function canonicalKind(input: string): KubeKind | null {
  if (typeof input !== 'string') return null
  const lower = input.toLowerCase()
  const dot = lower.indexOf('.')
  if (dot === -1) return BY_NAME.get(lower)?.[0] ?? null
  const candidates = BY_NAME.get(lower.slice(0, dot)) ?? []
  const rest = lower.slice(dot + 1)
  const byGroup = candidates.find(c => c.group !== '' && c.group === rest)
  if (byGroup) return byGroup
  // resource.version.group, as kubectl parses a fully qualified argument
  const dot2 = rest.indexOf('.')
  if (dot2 === -1 || !VERSION.test(rest.slice(0, dot2))) return null
  const group = rest.slice(dot2 + 1)
  return candidates.find(c => c.group !== '' && c.group === group) ?? null
}

/** The API group of an apiVersion (`apps/v1` → apps, `v1` → ""); null when malformed. */
export function groupOfApiVersion(apiVersion: string): string | null {
  if (typeof apiVersion !== 'string') return null
  const parts = apiVersion.split('/')
  if (parts.length === 1) return VERSION.test(apiVersion) ? '' : null
  const [group, version] = parts
  if (parts.length !== 2 || !group || !version || !VERSION.test(version)) return null
  return group
}

/** The kind of a manifest object by its apiVersion and kind; null when unknown or the group does not match. */
export function kindForManifest(apiVersion: string, kind: string): KubeKind | null {
  const group = groupOfApiVersion(apiVersion)
  if (group === null || typeof kind !== 'string') return null
  const lower = kind.toLowerCase()
  return KUBE_KINDS.find(e => e.group === group && e.kind.toLowerCase() === lower) ?? null
}

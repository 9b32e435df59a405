/**
 * buildKubectlInvocation: the normalized kubectl input (what policy judged) → the exact kubectl
 * argv and stdin. Pure and never throws. Agent strings only ever appear as positional values
 * or `--flag=value` values after re-validation; the kubeconfig, context and timeout come from
 * the gateway. An apply's manifest is re-serialized from the parsed objects (one JSON document
 * per object, namespaces pinned to the judged ones), never passed through as raw text.
 */
import { canonicalKind } from '../normalize/kube-kinds.js'
import { manifestDocuments } from '../normalize/kubectl-manifest.js'
import { isAllowedOutput, isLabelSelector } from '../normalize/kubectl-selector.js'
import type { KubectlInput, KubectlObject } from '../normalize/schema.js'
import { K8sName } from '../normalize/tool-args.js'

/** Where and how kubectl talks to the cluster: the gateway's configuration, never the agent's. */
export interface KubectlTarget {
  kubeconfig: string
  context?: string | undefined
  /** kubectl's own --request-timeout, in whole seconds. */
  requestTimeoutSeconds: number
}

export type KubectlInvocation = { ok: true; args: string[]; stdin: string | null } | { ok: false; code: string; message: string }

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const refuse = (message: string, code = 'kubectl_argv_refused'): never => {
  throw new Refusal(code, message)
}

const shown = (v: unknown): string => `\`${String(v).slice(0, 80)}\``

function k8sName(v: unknown, what: string): string {
  if (typeof v !== 'string' || !K8sName.safeParse(v).success) refuse(`Expected ${what} to be a DNS-1123 name, got ${shown(v)}`)
  return v as string
}

/** `pods`, `deployments.apps`: re-derived from the gateway's kind table, not from the request. */
function resourceArg(o: KubectlObject | null): string {
  if (o === null || !o.known) return refuse('Expected a resource kind the gateway knows')
  const entry = canonicalKind(o.group === '' ? o.resource : `${o.resource}.${o.group}`)
  if (entry === null || entry.resource !== o.resource || entry.group !== o.group) return refuse(`Expected a known resource, got ${shown(o.resource)}`)
  return entry.group === '' ? entry.resource : `${entry.resource}.${entry.group}`
}

/** `--namespace=<ns>` for a namespaced object; nothing for a cluster-scoped one. */
function namespaceFlag(o: KubectlObject | null): string[] {
  if (o === null || o.cluster_scoped || o.namespace === null) return []
  return [`--namespace=${k8sName(o.namespace, 'the namespace')}`]
}

function globalFlags(target: KubectlTarget): string[] {
  const flags: string[] = []
  if (typeof target.kubeconfig !== 'string' || target.kubeconfig === '') refuse('Expected the gateway kubeconfig path', 'kubectl_not_configured')
  flags.push(`--kubeconfig=${target.kubeconfig}`)
  if (target.context !== undefined && target.context !== '') flags.push(`--context=${target.context}`)
  const timeout = target.requestTimeoutSeconds
  if (!Number.isInteger(timeout) || timeout <= 0) refuse(`Expected a positive request timeout, got ${shown(timeout)}`)
  flags.push(`--request-timeout=${timeout}s`)
  return flags
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The manifest's objects as kubectl reads them: the normalizer's own reader, lists expanded. */
function manifestValues(text: string): unknown[] {
  const read = manifestDocuments(text)
  if (!read.ok) return refuse('The manifest no longer parses', 'manifest_mismatch')
  const values: unknown[] = []
  for (const value of read.values) {
    if (value === null || value === undefined) continue
    if (isRecord(value) && (Object.hasOwn(value, 'items') || value.kind === 'List')) {
      if (!Array.isArray(value.items)) refuse('Expected the list items of the manifest', 'manifest_mismatch')
      values.push(...(value.items as unknown[]))
    } else values.push(value)
  }
  return values
}

/** Refuse values JSON cannot carry faithfully (NaN, Infinity, unsafe integers). */
function checkJsonSafe(root: unknown): void {
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'number' && (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))))
      refuse(`Expected JSON-safe numbers in the manifest, got ${shown(v)}`, 'manifest_mismatch')
    else if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') refuse('Expected plain data in the manifest', 'manifest_mismatch')
    else if (Array.isArray(v)) stack.push(...v)
    else if (isRecord(v)) stack.push(...Object.values(v))
  }
}

/**
 * The stdin of `kubectl apply -f -`: each parsed object as one JSON document, checked one by one
 * against what policy judged (same count, apiVersion, kind, name); a namespaced object gets the
 * judged namespace written into its metadata, so kubectl cannot pick another one.
 */
export function serializeManifest(text: string, judged: readonly KubectlObject[]): string {
  const values = manifestValues(text)
  if (values.length !== judged.length || judged.length === 0)
    refuse(`The manifest has ${values.length} objects but policy judged ${judged.length}`, 'manifest_mismatch')
  const docs = values.map((value, i) => {
    const o = judged[i]!
    if (!isRecord(value) || !isRecord(value.metadata)) return refuse(`Object ${i + 1} is not the one policy judged`, 'manifest_mismatch')
    const meta = value.metadata
    const same =
      value.apiVersion === o.api_version &&
      typeof value.kind === 'string' &&
      value.kind.toLowerCase() === o.kind.toLowerCase() &&
      meta.name === o.name &&
      (meta.namespace === undefined || meta.namespace === null || meta.namespace === o.namespace || o.namespace === null)
    if (!same) refuse(`Object ${i + 1} is not the one policy judged`, 'manifest_mismatch')
    const copy = { ...value, metadata: { ...meta } as Record<string, unknown> }
    // What kubectl applies is in the namespace policy judged, whatever kubectl's default is.
    if (!o.cluster_scoped && o.namespace !== null) copy.metadata.namespace = k8sName(o.namespace, 'the namespace')
    checkJsonSafe(copy)
    return JSON.stringify(copy)
  })
  // JSON has no raw newline, so no line of a document can start with `---`.
  return docs.map(d => `---\n${d}\n`).join('')
}

function verbArgs(input: KubectlInput, manifestText: string | undefined): { args: string[]; stdin: string | null } {
  const t = input.target
  switch (input.verb) {
    case 'get': {
      const args = ['get', resourceArg(t)]
      if (t!.name !== null) args.push(k8sName(t!.name, 'the name'))
      args.push(...namespaceFlag(t))
      if (input.selector !== null) {
        if (!isLabelSelector(input.selector)) refuse(`Expected a label selector, got ${shown(input.selector)}`)
        args.push(`--selector=${input.selector}`)
      }
      if (input.output !== null) {
        if (!isAllowedOutput(input.output)) refuse(`Expected an allowed output format, got ${shown(input.output)}`)
        args.push(`--output=${input.output}`)
      }
      return { args, stdin: null }
    }
    case 'logs': {
      if (t?.resource !== 'pods') return refuse('Expected a pod')
      const args = ['logs', k8sName(t.name, 'the pod'), ...namespaceFlag(t)]
      if (input.container !== null) args.push(`--container=${k8sName(input.container, 'the container')}`)
      if (input.tail !== null) {
        if (!Number.isInteger(input.tail) || input.tail < 0) refuse(`Expected tail >= 0, got ${shown(input.tail)}`)
        args.push(`--tail=${input.tail}`)
      }
      if (input.since !== null) {
        if (!/^[0-9]+(s|m|h)$/.test(input.since)) refuse(`Expected since like 10m, got ${shown(input.since)}`)
        args.push(`--since=${input.since}`)
      }
      return { args, stdin: null }
    }
    case 'describe':
      return { args: ['describe', resourceArg(t), k8sName(t!.name, 'the name'), ...namespaceFlag(t)], stdin: null }
    case 'delete':
      // --wait=false: the gateway's timeout bounds the call, not finalizers.
      return { args: ['delete', resourceArg(t), k8sName(t!.name, 'the name'), ...namespaceFlag(t), '--wait=false'], stdin: null }
    case 'scale': {
      const replicas = input.replicas
      if (!Number.isInteger(replicas) || (replicas as number) < 0) refuse(`Expected replicas >= 0, got ${shown(replicas)}`)
      return { args: ['scale', `${resourceArg(t)}/${k8sName(t!.name, 'the name')}`, `--replicas=${replicas}`, ...namespaceFlag(t)], stdin: null }
    }
    case 'exec': {
      if (t?.resource !== 'pods') return refuse('Expected a pod')
      const command = input.command
      if (command === null || command.length === 0 || !command.every(c => typeof c === 'string' && !c.includes('\0'))) return refuse('Expected a command to run')
      const args = ['exec', k8sName(t.name, 'the pod'), ...namespaceFlag(t)]
      if (input.container !== null) args.push(`--container=${k8sName(input.container, 'the container')}`)
      // Everything after `--` is the container's argv, never kubectl's flags.
      return { args: [...args, '--', ...command], stdin: null }
    }
    case 'apply': {
      if (manifestText === undefined) return refuse('Expected the manifest that policy judged', 'manifest_mismatch')
      const stdin = serializeManifest(manifestText, input.objects)
      const explicit = input.objects.find(o => o.namespace_source === 'explicit')
      const args = ['apply', '--filename=-', ...(explicit ? namespaceFlag(explicit) : [])]
      if (input.dry_run) args.push('--dry-run=server')
      return { args, stdin }
    }
    default:
      return refuse(`Expected a kubectl verb, got ${shown((input as { verb: unknown }).verb)}`)
  }
}

/** The argv (after the kubectl binary) and stdin for one judged kubectl request. */
export function buildKubectlInvocation(input: KubectlInput, target: KubectlTarget, manifestText?: string): KubectlInvocation {
  try {
    const global = globalFlags(target)
    const { args, stdin } = verbArgs(input, manifestText)
    return { ok: true, args: [...global, ...args], stdin }
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, code: e.code, message: e.message }
    return { ok: false, code: 'kubectl_argv_refused', message: `Cannot build the kubectl command: ${e instanceof Error ? e.message : String(e)}` }
  }
}

/**
 * normalizeKubectlRequest: a kubectl tool call → the `kubectl` part of the policy input document.
 * Resolves kind aliases, the namespace that counts and every object of an apply manifest. Pure
 * and never throws: every problem is an entry in `errors` (policy blocks), and `input` always
 * parses with KubectlInput.
 */
import type { z } from 'zod'
import { messageOf } from '../errors.js'
import { canonicalKind, groupOfApiVersion, kindForManifest, type KubeKind } from './kube-kinds.js'
import { parseManifest, type ManifestObject } from './kubectl-manifest.js'
import { isAllowedOutput, isLabelSelector, ALLOWED_OUTPUTS } from './kubectl-selector.js'
import { KubectlInput, type KubectlObject, type NormalizeError } from './schema.js'
import type {
  KubectlApplyArgs,
  KubectlDeleteArgs,
  KubectlDescribeArgs,
  KubectlExecArgs,
  KubectlGetArgs,
  KubectlLogsArgs,
  KubectlScaleArgs,
} from './tool-args.js'

/** Arguments of each kubectl tool, as validated by the tool-args schemas. */
export interface KubectlArgsByTool {
  gateway_kubectl_get: z.infer<typeof KubectlGetArgs>
  gateway_kubectl_logs: z.infer<typeof KubectlLogsArgs>
  gateway_kubectl_describe: z.infer<typeof KubectlDescribeArgs>
  gateway_kubectl_apply: z.infer<typeof KubectlApplyArgs>
  gateway_kubectl_delete: z.infer<typeof KubectlDeleteArgs>
  gateway_kubectl_scale: z.infer<typeof KubectlScaleArgs>
  gateway_kubectl_exec: z.infer<typeof KubectlExecArgs>
}
export type KubectlTool = keyof KubectlArgsByTool

export interface KubectlContext {
  /** Namespace of the configured kubectl context, used when neither args nor manifest name one. */
  defaultNamespace: string
  /** The manifest text of an apply (read from args.manifest or the named file). */
  manifestText?: string
  manifestSource?: 'inline' | 'file'
}

export interface KubectlResult {
  input: KubectlInput
  errors: NormalizeError[]
}

type KubectlVerb = KubectlInput['verb']

const VERBS: Record<KubectlTool, KubectlVerb> = {
  gateway_kubectl_get: 'get',
  gateway_kubectl_logs: 'logs',
  gateway_kubectl_describe: 'describe',
  gateway_kubectl_apply: 'apply',
  gateway_kubectl_delete: 'delete',
  gateway_kubectl_scale: 'scale',
  gateway_kubectl_exec: 'exec',
}
const MUTATING: ReadonlySet<KubectlVerb> = new Set(['apply', 'delete', 'scale', 'exec'])

/** The fields any kubectl tool may carry, read without trusting their types. */
interface LooseArgs {
  resource?: unknown
  name?: unknown
  namespace?: unknown
  pod?: unknown
  selector?: unknown
  output?: unknown
  container?: unknown
  tail?: unknown
  since?: unknown
  replicas?: unknown
  command?: unknown
  manifest?: unknown
  file?: unknown
  dry_run?: unknown
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const int = (v: unknown): number | null => (Number.isInteger(v) ? (v as number) : null)
const shown = (v: string): string => `\`${v.slice(0, 120)}\``

interface Place {
  explicit: string | null
  fallback: string
}

function namespaceFor(entry: KubeKind | null, place: Place, declared: string | null): Pick<KubectlObject, 'namespace' | 'namespace_source'> {
  // Unknown kinds are judged as cluster-scoped: no namespace limits what they touch.
  if (entry === null || !entry.namespaced) return { namespace: null, namespace_source: 'none' }
  if (place.explicit !== null) return { namespace: place.explicit, namespace_source: 'explicit' }
  if (declared !== null) return { namespace: declared, namespace_source: 'manifest' }
  return { namespace: place.fallback, namespace_source: 'default' }
}

function unknownKindError(what: string): NormalizeError {
  return { code: 'unknown_resource_kind', message: `Expected a resource kind the gateway knows, got ${shown(what)}` }
}

/** The object named by a resource argument and name (get/describe/delete/scale). */
function namedObject(resource: string, name: string | null, place: Place, errors: NormalizeError[]): KubectlObject {
  const entry = canonicalKind(resource)
  if (entry === null) {
    errors.push(unknownKindError(resource))
    const dot = resource.indexOf('.')
    return {
      api_version: null,
      kind: resource,
      resource: (dot === -1 ? resource : resource.slice(0, dot)).toLowerCase(),
      group: dot === -1 ? '' : resource.slice(dot + 1).toLowerCase(),
      name,
      ...namespaceFor(null, place, null),
      cluster_scoped: true,
      known: false,
    }
  }
  return {
    api_version: null,
    kind: entry.kind,
    resource: entry.resource,
    group: entry.group,
    name,
    ...namespaceFor(entry, place, null),
    cluster_scoped: !entry.namespaced,
    known: true,
  }
}

/** One manifest object; a namespace given in args that differs from the manifest's is refused, as kubectl does. */
function manifestObject(obj: ManifestObject, place: Place, errors: NormalizeError[]): KubectlObject {
  const entry = kindForManifest(obj.apiVersion, obj.kind)
  if (entry === null) {
    const what = `${obj.apiVersion} ${obj.kind}`
    if (!errors.some(e => e.code === 'unknown_resource_kind' && e.message.endsWith(shown(what)))) errors.push(unknownKindError(what))
  }
  let ns = namespaceFor(entry, place, obj.namespace)
  if (entry?.namespaced && place.explicit !== null && obj.namespace !== null && obj.namespace !== place.explicit) {
    errors.push({
      code: 'namespace_conflict',
      message: `${obj.kind} ${shown(obj.name)} declares namespace ${shown(obj.namespace)} but the request names ${shown(place.explicit)}`,
    })
    // Judge the namespace the manifest declares: it is the one the author meant to touch.
    ns = { namespace: obj.namespace, namespace_source: 'manifest' }
  }
  return {
    api_version: obj.apiVersion,
    kind: entry?.kind ?? obj.kind,
    resource: entry?.resource ?? obj.kind.toLowerCase(),
    group: entry?.group ?? groupOfApiVersion(obj.apiVersion) ?? '',
    name: obj.name,
    ...ns,
    cluster_scoped: entry === null || !entry.namespaced,
    known: entry !== null,
  }
}

function applyObjects(a: LooseArgs, ctx: KubectlContext, place: Place, errors: NormalizeError[]): KubectlObject[] {
  const text = str(ctx.manifestText) ?? str(a.manifest)
  if (text === null) {
    errors.push({ code: 'invalid_manifest', message: 'Expected a manifest to judge, got none' })
    return []
  }
  const parsed = parseManifest(text)
  if (!parsed.ok) {
    errors.push(parsed.error)
    return []
  }
  return parsed.objects.map(obj => manifestObject(obj, place, errors))
}

function checkGetOptions(a: LooseArgs, errors: NormalizeError[]): void {
  const selector = str(a.selector)
  if (a.selector !== undefined && (selector === null || !isLabelSelector(selector)))
    errors.push({ code: 'invalid_selector', message: `Expected a label selector (key=value, key in (a,b), !key, …), got ${shown(String(a.selector))}` })
  const output = str(a.output)
  if (a.output !== undefined && (output === null || !isAllowedOutput(output)))
    errors.push({ code: 'invalid_output', message: `Expected output to be one of ${ALLOWED_OUTPUTS.join(', ')}, got ${shown(String(a.output))}` })
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every(c => typeof c === 'string')

/** Fields a verb cannot be judged without; the caller validated them, this only keeps a bypass from reading as harmless. */
function badArgs(verb: KubectlVerb, a: LooseArgs): string[] {
  const bad: string[] = []
  const need = (field: keyof LooseArgs, ok: (v: unknown) => boolean) => !ok(a[field]) && bad.push(field)
  const isString = (v: unknown) => typeof v === 'string'
  if (verb === 'logs' || verb === 'exec') need('pod', isString)
  else if (verb !== 'apply') need('resource', isString)
  if (verb === 'describe' || verb === 'delete' || verb === 'scale') need('name', isString)
  if (verb === 'scale') need('replicas', Number.isInteger)
  if (verb === 'exec') need('command', isStringList)
  return bad
}

function build(tool: KubectlTool, a: LooseArgs, ctx: KubectlContext, errors: NormalizeError[]): KubectlInput {
  const verb = VERBS[tool]
  const bad = badArgs(verb, a)
  if (bad.length > 0) errors.push({ code: 'invalid_args', message: `Expected valid ${bad.join(', ')} for kubectl ${verb}` })
  const place: Place = {
    explicit: str(a.namespace),
    // an empty configured namespace means kubectl's own default
    fallback: str(ctx.defaultNamespace) || 'default',
  }
  let target: KubectlObject | null = null
  let objects: KubectlObject[] = []
  if (verb === 'apply') {
    objects = applyObjects(a, ctx, place, errors)
  } else {
    const named = verb === 'logs' || verb === 'exec' ? { resource: 'pods', name: str(a.pod) } : { resource: str(a.resource) ?? '', name: str(a.name) }
    target = namedObject(named.resource, named.name, place, errors)
    objects = [target]
  }
  if (verb === 'get') checkGetOptions(a, errors)
  const command = isStringList(a.command) ? [...a.command] : null
  const source = ctx.manifestSource ?? (a.manifest !== undefined ? 'inline' : a.file !== undefined ? 'file' : null)
  return {
    verb,
    mutating: MUTATING.has(verb),
    target,
    objects,
    selector: verb === 'get' ? str(a.selector) : null,
    output: verb === 'get' ? str(a.output) : null,
    container: verb === 'logs' || verb === 'exec' ? str(a.container) : null,
    replicas: verb === 'scale' ? int(a.replicas) : null,
    command: verb === 'exec' ? command : null,
    tail: verb === 'logs' ? int(a.tail) : null,
    since: verb === 'logs' ? str(a.since) : null,
    dry_run: verb === 'apply' && a.dry_run === true,
    manifest_source: verb === 'apply' ? source : null,
  }
}

// What a request that could not be read at all looks like: the most dangerous verb, no objects.
const FALLBACK: KubectlInput = {
  verb: 'exec',
  mutating: true,
  target: null,
  objects: [],
  selector: null,
  output: null,
  container: null,
  replicas: null,
  command: null,
  tail: null,
  since: null,
  dry_run: false,
  manifest_source: null,
}


/** Normalize a kubectl tool call (args already validated with the tool-args schemas) for policy. */
export function normalizeKubectlRequest<T extends KubectlTool>(tool: T, args: KubectlArgsByTool[T], ctx: KubectlContext): KubectlResult {
  const errors: NormalizeError[] = []
  try {
    if (!Object.hasOwn(VERBS, tool)) {
      errors.push({ code: 'unknown_tool', message: `Expected a kubectl tool, got ${shown(String(tool))}` })
      return { input: FALLBACK, errors }
    }
    const loose: LooseArgs = typeof args === 'object' && args !== null ? (args as LooseArgs) : {}
    const input = build(tool, loose, ctx, errors)
    const checked = KubectlInput.safeParse(input)
    if (checked.success) return { input: checked.data, errors }
    errors.push({ code: 'normalize_failed', message: `The kubectl input document did not match its schema: ${checked.error.issues[0]?.message ?? 'unknown'}` })
    return { input: { ...FALLBACK, verb: input.verb, mutating: input.mutating }, errors }
  } catch (e) {
    errors.push({ code: 'normalize_failed', message: `kubectl normalization failed: ${messageOf(e)}` })
    return { input: FALLBACK, errors }
  }
}

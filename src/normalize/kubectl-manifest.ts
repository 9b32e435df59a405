/**
 * parseManifest: the text given to kubectl apply → the objects it would apply. Reads the text the
 * way kubectl splits it (a line starting with `---`), so that both see the same documents, and
 * refuses what could make the two readers disagree: explicit tags, `<<` merge keys, case variants
 * of `items`. Pure and never throws.
 */
import { CORE_SCHEMA, loadAll, type LoadOptions } from 'js-yaml'
import { messageOf } from '../errors.js'
import type { NormalizeError } from './schema.js'
import { K8sName } from './tool-args.js'

/** One object of a manifest, fields as written. */
export interface ManifestObject {
  apiVersion: string
  kind: string
  name: string
  namespace: string | null
}

export type ManifestResult = { ok: true; objects: ManifestObject[] } | { ok: false; error: NormalizeError }

export const MAX_MANIFEST_OBJECTS = 500
const MAX_ALIAS_COUNT = 100
/** Deepest nesting of collections read; real manifests (CRD schemas included) stay far below. */
export const MAX_MANIFEST_NESTING = 200

class ManifestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const invalid = (message: string): never => {
  throw new ManifestError('invalid_manifest', message)
}

const typeName = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v)

// Values are shown only when scalar: a hostile object could be huge or cyclic (aliases).
const describe = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? `\`${String(v).slice(0, 80)}\` (${typeName(v)})` : typeName(v)

/**
 * Chunks as kubectl's YAML reader cuts them: at every line that starts with `---`. The separator
 * line goes, every other line stays whole (a CRLF line stays CRLF inside its chunk).
 */
function splitLikeKubectl(text: string): string[] {
  const chunks: string[] = []
  let chunkStart = 0
  for (let at = text.indexOf('---'); at !== -1; at = text.indexOf('---', at + 3)) {
    if (at > 0 && text[at - 1] !== '\n') continue
    const lineEnd = text.indexOf('\n', at)
    const next = lineEnd === -1 ? text.length : lineEnd + 1
    const rest = text.slice(at + 3, next).trim()
    if (rest !== '' && !rest.startsWith('#')) invalid(`Expected only a comment after the document separator, got \`${rest.slice(0, 80)}\``)
    chunks.push(text.slice(chunkStart, at))
    chunkStart = next
    if (lineEnd === -1) break
    at = lineEnd - 2 // the search resumes at the next line
  }
  chunks.push(text.slice(chunkStart))
  return chunks
}

const LOAD_OPTIONS = {
  // YAML 1.2 core schema: no merge keys (`<<` stays a key, refused below), no timestamps or
  // binary; any other explicit tag is an error.
  schema: CORE_SCHEMA,
  // Duplicate keys are an error, as with kubectl's strict decoding.
  json: false,
  // The loader recurses per collection level: hostile depth is refused before the stack grows.
  maxDepth: MAX_MANIFEST_NESTING,
} as LoadOptions

/**
 * Values aliases may copy in all (an alias of a collection copies every value in it, as JSON
 * output would write them out). Text without aliases needs no bound: each value costs a character.
 */
export const MAX_ALIAS_VALUES = 10_000

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null

/**
 * Refuse what the loaded value must not contain, in one pass that visits each container once:
 * an alias that makes it cyclic (`&a [*a]`), aliases that copy more than MAX_ALIAS_VALUES values
 * or reuse collections more than MAX_ALIAS_COUNT times (billion laughs: the loader shares one object per anchor; JSON
 * output would copy it every time), and `<<` merge keys, which other readers expand. Iterative:
 * no recursion on hostile depth.
 */
function checkValue(root: unknown): void {
  if (!isContainer(root)) return
  // Expanded size of every finished container, and the containers on the current path.
  const size = new Map<object, number>()
  const onPath = new Set<object>()
  let reuses = 0
  let copied = 0
  const stack: { node: object; children: unknown[]; i: number; total: number }[] = []
  const enter = (node: object): void => {
    if (!Array.isArray(node) && Object.hasOwn(node, '<<')) invalid('Expected no `<<` merge keys (kubectl and the gateway may read them differently)')
    onPath.add(node)
    stack.push({ node, children: Array.isArray(node) ? node : Object.values(node), i: 0, total: 1 })
  }
  enter(root)
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    if (top.i === top.children.length) {
      stack.pop()
      onPath.delete(top.node)
      size.set(top.node, top.total)
      if (stack.length > 0) stack[stack.length - 1]!.total += top.total
      continue
    }
    const child = top.children[top.i++]
    if (!isContainer(child)) {
      top.total++
      continue
    }
    if (onPath.has(child)) invalid('Expected no alias inside the value it refers to (a cyclic document)')
    const known = size.get(child)
    if (known === undefined) {
      enter(child)
      continue
    }
    if (++reuses > MAX_ALIAS_COUNT) invalid(`Expected at most ${MAX_ALIAS_COUNT} aliases of collections`)
    top.total += known
    copied += known
    if (copied > MAX_ALIAS_VALUES) invalid(`Expected aliases to copy at most ${MAX_ALIAS_VALUES} values in all`)
  }
}

/** Characters without which a chunk cannot hold an alias or a `<<` key. */
const MAY_NEED_CHECK = /[*<\\]/

/** The documents of one chunk, each checked; YAML errors (js-yaml throws them) become ours. */
function loadChunk(chunk: string): unknown[] {
  let docs: unknown[]
  try {
    docs = loadAll(chunk, null, LOAD_OPTIONS)
  } catch (e) {
    const message = messageOf(e).split('\n')[0] ?? ''
    if (/maxDepth/.test(message)) invalid(`Expected YAML nested at most ${MAX_MANIFEST_NESTING} levels deep`)
    return invalid(message)
  }
  // Without `*` the chunk has no alias, so no value is shared or cyclic; without `<` or `\` (an
  // escape in a double-quoted key) no key can read `<<`. Such a chunk has nothing checkValue refuses.
  if (MAY_NEED_CHECK.test(chunk)) for (const doc of docs) checkValue(doc)
  return docs
}

/**
 * The manifest's documents as plain values, read the way kubectl cuts them and checked (no
 * merge keys, no cycles, bounded aliases). The one reader of manifest text: what policy judges
 * and what the executor sends kubectl come from it. Never throws.
 */
export function manifestDocuments(text: string): { ok: true; values: unknown[] } | { ok: false; error: NormalizeError } {
  try {
    const values: unknown[] = []
    for (const chunk of splitLikeKubectl(text)) values.push(...loadChunk(chunk))
    return { ok: true, values }
  } catch (e) {
    // Our own refusals and anything the loader throws (a RangeError included) end here.
    const code = e instanceof ManifestError ? e.code : 'invalid_manifest'
    return { ok: false, error: { code, message: `Invalid manifest: ${messageOf(e)}` } }
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Refuse keys that differ from a field kubectl reads only by case: another reader may match them. */
function checkSpelling(obj: Record<string, unknown>, fields: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    const field = fields.find(f => f.toLowerCase() === key.toLowerCase())
    if (field !== undefined && field !== key) invalid(`${where}: expected \`${field}\`, got \`${key.slice(0, 80)}\``)
  }
}

function stringField(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key]
  if (typeof v !== 'string' || v === '') invalid(`${where}: expected ${key} to be a non-empty string, got ${describe(v)}`)
  return v as string
}

function toObject(raw: unknown, where: string): ManifestObject {
  if (!isRecord(raw)) return invalid(`${where}: expected a mapping, got ${describe(raw)}`)
  checkSpelling(raw, ['apiVersion', 'kind', 'metadata', 'items'], where)
  const apiVersion = stringField(raw, 'apiVersion', where)
  const kind = stringField(raw, 'kind', where)
  const metadata = raw.metadata
  if (!isRecord(metadata)) return invalid(`${where}: expected metadata to be a mapping, got ${describe(metadata)}`)
  checkSpelling(metadata, ['name', 'namespace', 'generateName'], `${where} metadata`)
  if (metadata.name === undefined && metadata.generateName !== undefined)
    throw new ManifestError('manifest_generate_name_unsupported', `${where}: kubectl apply cannot use metadata.generateName; give metadata.name`)
  const name = stringField(metadata, 'name', `${where} metadata`)
  if (!K8sName.safeParse(name).success) invalid(`${where}: expected metadata.name to be a DNS-1123 name, got ${describe(name)}`)
  let namespace: string | null = null
  if (metadata.namespace !== undefined && metadata.namespace !== null) {
    if (typeof metadata.namespace !== 'string' || !K8sName.safeParse(metadata.namespace).success)
      invalid(`${where}: expected metadata.namespace to be a DNS-1123 name, got ${describe(metadata.namespace)}`)
    namespace = metadata.namespace as string
  }
  return { apiVersion, kind, name, namespace }
}

/** kubectl decodes any object with an `items` field as a list and applies its items instead. */
function expand(raw: unknown, where: string, out: ManifestObject[]): void {
  if (!isRecord(raw)) return invalid(`${where}: expected a mapping, got ${describe(raw)}`)
  checkSpelling(raw, ['apiVersion', 'kind', 'metadata', 'items'], where)
  if (!Object.hasOwn(raw, 'items') && raw.kind !== 'List') {
    out.push(toObject(raw, where))
  } else {
    stringField(raw, 'apiVersion', where)
    stringField(raw, 'kind', where)
    const items = raw.items
    if (!Array.isArray(items)) return invalid(`${where}: expected items to be a list, got ${describe(items)}`)
    items.forEach((item, i) => {
      const at = `${where} item ${i + 1}`
      if (isRecord(item) && (Object.hasOwn(item, 'items') || item.kind === 'List'))
        invalid(`${at}: expected no list inside a list`)
      out.push(toObject(item, at))
      if (out.length > MAX_MANIFEST_OBJECTS) invalid(`Expected at most ${MAX_MANIFEST_OBJECTS} objects in a manifest`)
    })
  }
  if (out.length > MAX_MANIFEST_OBJECTS) invalid(`Expected at most ${MAX_MANIFEST_OBJECTS} objects in a manifest`)
}

/** Parse manifest text into the objects kubectl apply would send; every problem is an error, never a throw. */
export function parseManifest(text: string): ManifestResult {
  if (typeof text !== 'string') return { ok: false, error: { code: 'invalid_manifest', message: `Expected manifest text, got ${describe(text)}` } }
  const read = manifestDocuments(text)
  if (!read.ok) return read
  try {
    const objects: ManifestObject[] = []
    read.values.forEach((value, i) => {
      if (value !== null && value !== undefined) expand(value, `document ${i + 1}`, objects)
    })
    if (objects.length === 0) return { ok: false, error: { code: 'invalid_manifest', message: 'Expected at least one object in the manifest' } }
    return { ok: true, objects }
  } catch (e) {
    const code = e instanceof ManifestError ? e.code : 'invalid_manifest'
    return { ok: false, error: { code, message: `Invalid manifest: ${messageOf(e)}` } }
  }
}

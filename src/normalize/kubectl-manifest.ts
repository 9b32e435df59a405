/**
 * parseManifest: the text given to kubectl apply → the objects it would apply. Reads the text the
 * way kubectl splits it (a line starting with `---`), so that both see the same documents, and
 * refuses what could make the two readers disagree: explicit tags, `<<` merge keys, case variants
 * of `items`. Pure and never throws.
 */
import { Composer, CST, isAlias, isMap, isPair, isScalar, isSeq, Lexer, Parser, type Document } from 'yaml'
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
/** Deepest nesting read (indentation + indicators + flow brackets on a line); real manifests stay far below. */
export const MAX_MANIFEST_NESTING = 200
// Tags that only say what the value already is; any other tag (!!binary, !custom) may decode differently.
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map(t => `tag:yaml.org,2002:${t}`))

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

/** Chunks as kubectl's YAML reader cuts them: at every line that starts with `---`. */
function splitLikeKubectl(text: string): string[] {
  const chunks: string[] = []
  let current = ''
  // Lines keep their own line end, so a CRLF line stays CRLF inside its chunk.
  for (const line of text.split(/(?<=\n)/)) {
    if (line.startsWith('---')) {
      const rest = line.slice(3).trim()
      if (rest !== '' && !rest.startsWith('#')) invalid(`Expected only a comment after the document separator, got \`${rest.slice(0, 80)}\``)
      chunks.push(current)
      current = ''
    } else current += line
  }
  chunks.push(current)
  return chunks
}

/**
 * A depth meter fed the lexer's tokens one by one: true once the nesting (indentation +
 * indicators + flow brackets on a line) passes `limit`. The YAML composer recurses per level,
 * and a stack overflow there can take the whole process down, so hostile depth must be refused
 * before composing.
 */
function depthMeter(limit: number): (token: string) => boolean {
  let flow = 0
  let indent = 0
  let indicators = 0
  let lineStart = true
  let scalarSource = false
  return token => {
    if (scalarSource) {
      // The source of a scalar (a block scalar's body included): content, not structure.
      scalarSource = false
      lineStart = token.endsWith('\n')
      if (lineStart) indent = indicators = 0
      return false
    }
    const type = CST.tokenType(token)
    if (type === 'newline') {
      lineStart = true
      indent = indicators = 0
      return false
    }
    if (type === 'space') {
      if (lineStart) indent = token.length - token.lastIndexOf('\n') - 1
      return false
    }
    lineStart = false
    if (type === 'scalar') scalarSource = true
    else if (type === 'flow-map-start' || type === 'flow-seq-start') flow++
    else if (type === 'flow-map-end' || type === 'flow-seq-end') flow = Math.max(0, flow - 1)
    else if (type === 'seq-item-ind' || type === 'explicit-key-ind' || type === 'map-value-ind') indicators++
    return indent + indicators + flow > limit
  }
}

const PARSE_OPTIONS = { version: '1.2', merge: false, uniqueKeys: true, strict: true, prettyErrors: false, logLevel: 'silent' } as const

/**
 * The documents of one chunk, as parseAllDocuments reads them, from one lexer pass that also
 * measures depth: hostile depth is refused before the parser's stack grows past it and before
 * composing.
 */
function parseChunk(chunk: string): Document.Parsed[] {
  const tooDeep = depthMeter(MAX_MANIFEST_NESTING)
  const parser = new Parser()
  const tokens: CST.Token[] = []
  for (const lexeme of new Lexer().lex(chunk)) {
    if (tooDeep(lexeme)) invalid(`Expected YAML nested at most ${MAX_MANIFEST_NESTING} levels deep`)
    for (const token of parser.next(lexeme)) tokens.push(token)
  }
  for (const token of parser.end()) tokens.push(token)
  return Array.from(new Composer(PARSE_OPTIONS).compose(tokens))
}

/** Refuse explicit tags and `<<` merge keys anywhere in the document (iterative: no recursion on hostile depth). */
function checkNodes(doc: Document.Parsed): void {
  const stack: unknown[] = [doc.contents]
  while (stack.length > 0) {
    const node = stack.pop()
    if (node === null || node === undefined || isAlias(node)) continue
    if (isPair(node)) {
      if (isScalar(node.key) && (node.key.value === '<<' || node.key.source === '<<'))
        invalid('Expected no `<<` merge keys (kubectl and the gateway may read them differently)')
      stack.push(node.key, node.value)
      continue
    }
    const tag = (node as { tag?: unknown }).tag
    if (typeof tag === 'string' && !PLAIN_TAGS.has(tag)) invalid(`Expected no explicit YAML tags, got \`${tag.slice(0, 80)}\``)
    if (isMap(node) || isSeq(node)) for (const item of node.items as unknown[]) stack.push(item)
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

function parseOrThrow(text: string): ManifestObject[] {
  const objects: ManifestObject[] = []
  let docNumber = 0
  for (const chunk of splitLikeKubectl(text)) {
    for (const doc of parseChunk(chunk)) {
      docNumber++
      const where = `document ${docNumber}`
      const [first] = doc.errors
      if (first) invalid(`${where}: ${first.message.split('\n')[0]}`)
      if (doc.contents === null) continue
      checkNodes(doc)
      const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
      if (value === null || value === undefined) continue
      expand(value, where, objects)
    }
  }
  return objects
}


/** Parse manifest text into the objects kubectl apply would send; every problem is an error, never a throw. */
export function parseManifest(text: string): ManifestResult {
  try {
    if (typeof text !== 'string') return { ok: false, error: { code: 'invalid_manifest', message: `Expected manifest text, got ${describe(text)}` } }
    const objects = parseOrThrow(text)
    if (objects.length === 0) return { ok: false, error: { code: 'invalid_manifest', message: 'Expected at least one object in the manifest' } }
    return { ok: true, objects }
  } catch (e) {
    // Alias bombs, hostile nesting (RangeError) and our own refusals all end here.
    const code = e instanceof ManifestError ? e.code : 'invalid_manifest'
    return { ok: false, error: { code, message: `Invalid manifest: ${messageOf(e)}` } }
  }
}

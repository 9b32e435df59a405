/**
 * Canonical JSON and request fingerprints: an approval is bound to the exact action by the
 * sha256 of its canonical form, so key order or whitespace cannot make two actions look alike
 * or one action look different.
 */
import { createHash } from 'node:crypto'

const describe = (v: unknown): string => {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object'
  return typeof v
}

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

const encode = (value: unknown, path: string, seen: Set<object>): string => {
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes like RFC 8785 (lone surrogates as \u escapes).
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Expected a JSON value at ${path}, got \`${value}\` (number)`)
      return JSON.stringify(value)
    case 'object': {
      if (value === null) return 'null'
      if (seen.has(value)) throw new TypeError(`Expected a JSON value at ${path}, got a circular reference`)
      seen.add(value)
      let out: string
      if (Array.isArray(value)) {
        const parts: string[] = []
        for (let i = 0; i < value.length; i++) {
          // A hole is not JSON: `in` tells a hole from an explicit undefined (also refused below).
          if (!(i in value)) throw new TypeError(`Expected a JSON value at ${path}[${i}], got a hole (sparse array)`)
          parts.push(encode(value[i], `${path}[${i}]`, seen))
        }
        out = `[${parts.join(',')}]`
      } else if (isPlainObject(value)) {
        const keys = Object.keys(value).sort()
        const parts = keys.map(k => `${JSON.stringify(k)}:${encode((value as Record<string, unknown>)[k], `${path}.${k}`, seen)}`)
        out = `{${parts.join(',')}}`
      } else {
        throw new TypeError(`Expected a JSON value at ${path}, got \`${String(value)}\` (${describe(value)})`)
      }
      seen.delete(value)
      return out
    }
    default:
      throw new TypeError(`Expected a JSON value at ${path}, got \`${String(value)}\` (${describe(value)})`)
  }
}

/** Canonical JSON text: object keys sorted (UTF-16 code units, as RFC 8785), no whitespace.
 * Throws a TypeError naming the path for anything that is not plain JSON (undefined, NaN,
 * Infinity, bigint, functions, symbols, Dates and other class instances, holes, cycles). */
export function canonicalJson(value: unknown): string {
  return encode(value, '$', new Set())
}

/** sha256 hex of a string or bytes. */
export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

export interface FingerprintRequest {
  tool: string
  args: unknown
  environment: string
  agent_id: string
}

/** The args an approval binds: everything but a top-level `approval_id` (the ticket that
 * presents the approval is not part of the action it approves). */
export function bindableArgs(args: unknown): unknown {
  // Only a plain object is rewritten; anything else reaches canonicalJson as is (and is refused there).
  if (args === null || typeof args !== 'object' || Array.isArray(args) || !isPlainObject(args)) return args
  const { approval_id: _ignored, ...rest } = args as Record<string, unknown>
  return rest
}

/** sha256 hex of the canonical JSON of {tool, args (without approval_id), environment, agent_id}.
 * Throws a TypeError when args is not plain JSON. */
export function fingerprintRequest(request: FingerprintRequest): string {
  const { tool, environment, agent_id } = request
  for (const [name, v] of Object.entries({ tool, environment, agent_id })) {
    if (typeof v !== 'string') throw new TypeError(`Expected ${name} to be a string, got \`${String(v)}\` (${describe(v)})`)
  }
  return sha256Hex(canonicalJson({ tool, args: bindableArgs(request.args), environment, agent_id }))
}

/**
 * The one error class of the gateway: a message plus a stable string `code` callers can switch on.
 */

/** Every code a GatewayError can carry. Add new codes here, never ad hoc strings. */
export type GatewayErrorCode =
  | 'bundle_not_found'
  | 'bundle_unreadable'
  | 'bundle_invalid'
  | 'bundle_too_large'
  | 'bundle_no_wasm'
  | 'bundle_missing_entrypoint'
  | 'bundle_unsupported_builtin'
  | 'bundle_manifest_invalid'
  | 'bundle_data_invalid'
  | 'policy_load_failed'
  | 'usage'

export interface GatewayErrorOptions {
  /** Structured facts about the failure (paths, names), for logs and tests. */
  details?: Record<string, unknown>
  cause?: unknown
}

/** An expected failure with a stable `code`; its message is one readable line. */
export class GatewayError extends Error {
  override name = 'GatewayError'
  readonly code: GatewayErrorCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: GatewayErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details
  }
}

/** True when `e` is a GatewayError (with the given code, if one is named). */
export const isGatewayError = (e: unknown, code?: GatewayErrorCode): e is GatewayError =>
  e instanceof GatewayError && (code === undefined || e.code === code)

const MAX_MESSAGE = 2000

const oneLine = (text: string): string => {
  const line = text.replace(/\s*[\r\n]+\s*/g, ' ').trim()
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}…` : line
}

const render = (e: unknown): string => {
  if (e instanceof Error) return e.message === '' ? e.name : e.message
  if (typeof e === 'string') return e
  if (e === null || e === undefined || typeof e !== 'object') return String(e)
  // The opa-wasm SDK throws plain objects like {message: "not implemented: ..."}.
  const message = (e as { message?: unknown }).message
  if (typeof message === 'string' && message !== '') return message
  const json = JSON.stringify(e)
  return json === undefined ? Object.prototype.toString.call(e) : json
}

/** Renders anything thrown (Errors, strings, plain objects, null) as one line of text. Never throws. */
export function errorMessage(e: unknown): string {
  try {
    return oneLine(render(e))
  } catch {
    // A hostile toString/getter/toJSON, or a circular object.
    return 'unprintable thrown value'
  }
}

/** The message of anything thrown, as is (Error.message, else String(value)). */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** "path: message; …" from zod issues; `root` names the value itself, `max` caps the count. */
export const describeIssues = (issues: readonly { path: readonly PropertyKey[]; message: string }[], root: string, max = Infinity): string =>
  issues
    .slice(0, max)
    .map(i => `${i.path.length ? i.path.map(String).join('.') : root}: ${i.message}`)
    .join('; ')

/**
 * Redaction of terraform attribute values for policy: values marked in a sensitive mask become
 * "(sensitive)", values marked in an unknown mask "(known after apply)", anything deeper than
 * MAX_VALUE_DEPTH "(truncated)". Masks are the same-shaped trees of booleans terraform writes
 * in before_sensitive / after_sensitive / after_unknown.
 */

export const SENSITIVE = '(sensitive)'
export const UNKNOWN = '(known after apply)'
export const TRUNCATED = '(truncated)'
/** Deepest nesting of attribute values kept (the attribute object itself is depth 0). */
export const MAX_VALUE_DEPTH = 64
/** Most values one plan may hold; more is refused rather than copied (a hostile object may share or cycle). */
export const MAX_VALUE_NODES = 1_000_000

/** Thrown when a plan holds more than MAX_VALUE_NODES values. */
export class PlanTooLargeError extends Error {
  constructor(what = `at most ${MAX_VALUE_NODES} attribute values`) {
    super(`Expected a plan with ${what}`)
  }
}

/** Values counted so far for one plan. */
export interface Budget {
  nodes: number
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const spend = (budget: Budget): void => {
  if (++budget.nodes > MAX_VALUE_NODES) throw new PlanTooLargeError()
}

/** True when a mask marks anything at all (iterative: masks are as hostile as values). */
function marksAnything(mask: unknown, budget: Budget): boolean {
  const stack: unknown[] = [mask]
  while (stack.length > 0) {
    const m = stack.pop()
    spend(budget)
    if (m === true) return true
    // push one by one: spreading a huge array would overflow the argument list
    if (Array.isArray(m)) for (const v of m) stack.push(v)
    else if (isRecord(m)) for (const v of Object.values(m)) stack.push(v)
  }
  return false
}

/** The part of a mask that applies to `key` of a container; a mask of the wrong shape marks all or nothing. */
const child = (mask: unknown, key: string | number, shapeOk: boolean): unknown => {
  if (mask === true) return true
  if (!shapeOk) return undefined
  return (mask as Record<string | number, unknown>)[key]
}

function redactValue(value: unknown, sensitive: unknown, unknown: unknown, depth: number, budget: Budget): unknown {
  spend(budget)
  if (sensitive === true) return SENSITIVE
  if (unknown === true) return UNKNOWN
  if (depth > MAX_VALUE_DEPTH) return TRUNCATED
  if (value === null || value === undefined) return null
  const container = Array.isArray(value) ? 'array' : isRecord(value) ? 'object' : 'scalar'
  const fits = (mask: unknown): boolean =>
    mask === undefined || mask === null || mask === false || (container === 'array' ? Array.isArray(mask) : container === 'object' && isRecord(mask))
  // A mask whose shape does not fit the value still hides it if it marks anything: never show a secret by accident.
  if (!fits(sensitive) && marksAnything(sensitive, budget)) return SENSITIVE
  if (!fits(unknown) && marksAnything(unknown, budget)) return UNKNOWN
  const sOk = fits(sensitive) && sensitive !== null && typeof sensitive === 'object'
  const uOk = fits(unknown) && unknown !== null && typeof unknown === 'object'
  if (Array.isArray(value)) {
    // Unknown list elements may be missing from the value: the mask says how long the list is.
    const length = Math.max(value.length, uOk ? (unknown as unknown[]).length : 0)
    const out: unknown[] = []
    for (let i = 0; i < length; i++) out.push(redactValue(value[i], child(sensitive, i, sOk), child(unknown, i, uOk), depth + 1, budget))
    return out
  }
  if (isRecord(value)) return redactObject(value, sensitive, unknown, depth, budget, sOk, uOk)
  return value
}

function redactObject(
  value: Record<string, unknown>,
  sensitive: unknown,
  unknown: unknown,
  depth: number,
  budget: Budget,
  sOk: boolean,
  uOk: boolean,
): Record<string, unknown> {
  const entries: [string, unknown][] = []
  for (const key of Object.keys(value))
    entries.push([key, redactValue(value[key], child(sensitive, key, sOk), child(unknown, key, uOk), depth + 1, budget)])
  // Terraform leaves unknown attributes out of `after`; show them as known after apply.
  if (uOk)
    for (const [key, mark] of Object.entries(unknown as Record<string, unknown>))
      if (mark === true && !Object.hasOwn(value, key)) entries.push([key, sensitive === true || child(sensitive, key, sOk) === true ? SENSITIVE : UNKNOWN])
  // fromEntries defines keys: a `__proto__` attribute stays data, never a prototype.
  return Object.fromEntries(entries)
}

/**
 * Redact one attribute object (a resource change's before or after). Null stays null; a whole
 * object marked sensitive or unknown keeps its keys with every value replaced.
 */
export function redactAttributes(
  value: Record<string, unknown> | null,
  sensitive: unknown,
  unknown: unknown,
  budget: Budget,
): Record<string, unknown> | null {
  if (value === null) return null
  const top = redactValue(value, sensitive, unknown, 0, budget)
  if (isRecord(top)) return top
  // The whole object was marked: keep the attribute names, hide every value.
  spend(budget)
  return Object.fromEntries(Object.keys(value).map(key => [key, top]))
}

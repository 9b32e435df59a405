/** Deep merge of JSON documents: bundle data files at their paths, and data overrides. */

export type JsonObject = Record<string, unknown>

/** A JSON object (not an array, not null). */
export const isJsonObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

// defineProperty, not assignment: a JSON key `__proto__` must stay a plain key.
const put = (target: JsonObject, key: string, value: unknown): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** Called when both sides hold a value at `path` and at least one is not an object. */
export type OnConflict = (path: string[], base: unknown, override: unknown) => unknown

/** Overrides win; arrays and scalars replace, objects merge key by key. */
export const replaceOnConflict: OnConflict = (_path, _base, override) => override

/** Returns a new object: `override` merged into `base` (neither is modified). */
export function deepMerge(base: JsonObject, override: JsonObject, onConflict: OnConflict = replaceOnConflict, path: string[] = []): JsonObject {
  const out: JsonObject = {}
  for (const key of Object.keys(base)) put(out, key, base[key])
  for (const key of Object.keys(override)) {
    const next = override[key]
    if (!Object.hasOwn(out, key)) put(out, key, next)
    else {
      const prev = out[key]
      const at = [...path, key]
      put(out, key, isJsonObject(prev) && isJsonObject(next) ? deepMerge(prev, next, onConflict, at) : onConflict(at, prev, next))
    }
  }
  return out
}

/** Wraps `value` in objects along `path`: (["a","b"], 1) → {a: {b: 1}}. */
export function nestAt(path: string[], value: unknown): unknown {
  let out = value
  for (let i = path.length - 1; i >= 0; i--) {
    const wrapper: JsonObject = {}
    put(wrapper, path[i] as string, out)
    out = wrapper
  }
  return out
}

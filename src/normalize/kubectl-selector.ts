/**
 * Checks for the free-text options of kubectl get: a label selector that is nothing but a label
 * selector, and an output format that cannot read files or templates.
 */

// Label name: 63 chars, alphanumeric at both ends, - _ . inside; optional DNS-subdomain prefix and `/`.
const NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?'
const PREFIX = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*'
const KEY = `(?:${PREFIX}/)?${NAME}`
const VALUE = NAME
const SP = ' *'

const EXISTS = new RegExp(`^${SP}!?${SP}${KEY}${SP}$`)
const EQUALITY = new RegExp(`^${SP}${KEY}${SP}(?:==|!=|=)${SP}(?:${VALUE})?${SP}$`)
const SET = new RegExp(`^${SP}${KEY} +(?:in|notin)${SP}\\(${SP}${VALUE}(?:${SP},${SP}${VALUE})*${SP}\\)${SP}$`)
const MAX_PREFIX = 253

/** Split on commas outside the parentheses of in/notin sets; null when parentheses do not balance. */
function splitRequirements(selector: string): string[] | null {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    if (depth < 0 || depth > 1) return null
    if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i))
      start = i + 1
    }
  }
  if (depth !== 0) return null
  parts.push(selector.slice(start))
  return parts
}

const prefixFits = (requirement: string): boolean => {
  const slash = requirement.indexOf('/')
  return slash === -1 || requirement.slice(0, slash).replace(/^[ !]*/, '').length <= MAX_PREFIX
}

/**
 * True when `selector` is a Kubernetes label selector: comma-separated `key`, `!key`,
 * `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`. Only plain spaces
 * between tokens; nothing that could read as a flag (`-l`, `app=x --all-namespaces`).
 */
export function isLabelSelector(selector: string): boolean {
  if (typeof selector !== 'string' || selector.trim() === '' || selector.length > 1024) return false
  const requirements = splitRequirements(selector)
  if (requirements === null) return false
  return requirements.every(r => (EXISTS.test(r) || EQUALITY.test(r) || SET.test(r)) && prefixFits(r))
}

/** Output formats kubectl get may use: none of them reads a template or a file. */
export const ALLOWED_OUTPUTS: readonly string[] = ['json', 'yaml', 'wide', 'name']

/** True when `output` is one of ALLOWED_OUTPUTS exactly. */
export const isAllowedOutput = (output: string): boolean => ALLOWED_OUTPUTS.includes(output)

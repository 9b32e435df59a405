/**
 * Names of files inside a bundle, normalized to `a/b/c` (no leading slash). opa writes tar entries
 * as `/policy.wasm`: a leading `/` means the bundle root, not the host filesystem.
 */
import { GatewayError } from '../errors.js'

/** Normalizes a bundle file name; refuses traversal (`..`), empty, NUL, backslash and drive names. */
export function bundlePath(name: string): string {
  const refuse = (why: string) =>
    new GatewayError('bundle_invalid', `bundle entry \`${name}\` ${why}`, { details: { entry: name } })
  if (name.includes('\0')) throw refuse('contains a NUL byte')
  // Backslashes and drive letters only make sense as Windows paths: nothing legitimate uses them.
  if (name.includes('\\')) throw refuse('contains a backslash')
  if (/^[A-Za-z]:/.test(name)) throw refuse('is an absolute Windows path')
  if (name.startsWith('//')) throw refuse('is an absolute path')
  const segments = name.replace(/^\//, '').split('/')
  const kept: string[] = []
  for (const segment of segments) {
    if (segment === '..') throw refuse('escapes the bundle root (`..`)')
    if (segment === '' || segment === '.') continue
    kept.push(segment)
  }
  if (kept.length === 0) throw refuse('has an empty path')
  return kept.join('/')
}

/** Pure absolute-path helpers for deciding what the sandbox may mount. */
import { posix } from 'node:path'
import { ExecError } from './exec-error.js'

/** The path itself when it is absolute and in normal form (a trailing `/` is dropped); throws
 * `invalid_path` otherwise: `..`, `.` or `//` could mean one thing to a check and another to
 * the mount. */
export function absolutePath(path: string, what: string): string {
  if (typeof path !== 'string' || path.includes('\0')) {
    throw new ExecError('invalid_path', `Expected ${what} to be a path string without NUL, got ${JSON.stringify(path)}`)
  }
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  if (!posix.isAbsolute(trimmed) || posix.normalize(trimmed) !== trimmed) {
    throw new ExecError('invalid_path', `Expected ${what} to be an absolute path in normal form, got \`${path}\``)
  }
  return trimmed
}

/** True when `path` is `dir` or lies below it (both absolute, normal form). */
export const isWithin = (path: string, dir: string): boolean =>
  path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`)

/** True when one of the two paths is, or lies below, the other. */
export const overlaps = (a: string, b: string): boolean => isWithin(a, b) || isWithin(b, a)

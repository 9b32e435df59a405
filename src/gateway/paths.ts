import { isAbsolute, relative } from 'node:path'

/** Whether `path` is `root` or inside it (both absolute and normalized). */
export const isInside = (path: string, root: string): boolean => {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

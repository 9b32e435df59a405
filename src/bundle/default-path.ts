import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The embedded policy bundle, `dist/bundle.tar.gz` of this package (written by `npm run build`).
 * Resolved from this file: `dist/bundle/` when compiled, `src/bundle/` when run from sources,
 * both two levels below the package root.
 */
export function defaultBundlePath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bundle.tar.gz')
}

/** Reads an unpacked bundle directory: regular files and directories only, within the limits. */
import { join } from 'node:path'
import { GatewayError } from '../errors.js'
import { bundlePath } from './bundle-path.js'
import type { BundleLimits } from './limits.js'

/** The filesystem calls the bundle loader makes (node:fs/promises fits). */
export interface BundleFs {
  readFile(path: string): Promise<Uint8Array>
  stat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>
  lstat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; size: number }>
  readdir(path: string): Promise<string[]>
}

/** Files whose contents the loader needs; everything else (e.g. .rego sources) is only counted. */
export const wantsContents = (path: string): boolean => {
  const base = path.slice(path.lastIndexOf('/') + 1)
  return path === '.manifest' || path === '.signatures.json' || base === 'data.json' || base === 'data.yaml' || base === 'data.yml' || base.endsWith('.wasm')
}

/** Map of normalized path → contents for the files `wantsContents` selects. */
export async function readBundleDir(root: string, fs: BundleFs, limits: BundleLimits): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>()
  let entries = 0
  let total = 0
  const tooLarge = (what: string) => new GatewayError('bundle_too_large', `bundle directory \`${root}\` has more than ${what}`, { details: { ...limits } })

  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await fs.readdir(dir)).sort()) {
      if (++entries > limits.maxEntries) throw tooLarge(`${limits.maxEntries} entries`)
      const abs = join(dir, name)
      const path = bundlePath(rel === '' ? name : `${rel}/${name}`)
      const info = await fs.lstat(abs)
      if (info.isSymbolicLink()) throw new GatewayError('bundle_invalid', `bundle entry \`${path}\` is a symbolic link (links are refused)`, { details: { entry: path } })
      if (info.isDirectory()) await walk(abs, path)
      else if (info.isFile()) {
        total += info.size
        if (total > limits.maxBytes) throw tooLarge(`${limits.maxBytes} bytes`)
        if (!wantsContents(path)) continue
        const bytes = await fs.readFile(abs)
        // The file may have grown since lstat: count what was actually read.
        total += bytes.length - info.size
        if (total > limits.maxBytes) throw tooLarge(`${limits.maxBytes} bytes`)
        files.set(path, bytes)
      } else throw new GatewayError('bundle_invalid', `bundle entry \`${path}\` is not a regular file or directory`, { details: { entry: path } })
    }
  }
  await walk(root, '')
  return files
}

/**
 * loadBundle: an OPA bundle (.tar.gz path, directory path, or .tar.gz bytes) → the wasm module of
 * the gateway entrypoint, the merged data and the manifest. Refuses anything it cannot fully use.
 */
import * as nodeFs from 'node:fs/promises'
import { loadPolicy } from '@open-policy-agent/opa-wasm'
import { GatewayError, errorMessage } from '../errors.js'
import { bundlePath } from './bundle-path.js'
import { mergeBundleData } from './data.js'
import { gunzipLimited } from './gzip.js'
import { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from './limits.js'
import { parseManifest, type Manifest } from './manifest.js'
import { readBundleDir, type BundleFs } from './read-dir.js'
import { readTar } from './tar.js'

/** The one entrypoint the gateway evaluates. */
export const POLICY_ENTRYPOINT = 'gateway/decision'

export interface Bundle {
  /** The wasm module serving POLICY_ENTRYPOINT. */
  wasm: Uint8Array
  /** All data files merged at their paths. */
  data: Record<string, unknown>
  manifest: Manifest
  /** The manifest revision; null when it has none (or an empty one). */
  revision: string | null
  /** Entrypoints the wasm module itself exports. */
  entrypoints: string[]
  /** The path it was loaded from, or `<bytes>`. */
  source: string
  /**
   * A `.signatures.json` is present. Signatures are NOT verified (out of scope for now): this
   * only records that the bundle claims to be signed.
   */
  signed: boolean
}

export interface LoadBundleDeps {
  fs?: BundleFs
  limits?: Partial<BundleLimits>
}

const defaultFs: BundleFs = {
  readFile: path => nodeFs.readFile(path),
  stat: path => nodeFs.stat(path),
  lstat: path => nodeFs.lstat(path),
  readdir: path => nodeFs.readdir(path),
}

const fsCode = (e: unknown): unknown => (e as { code?: unknown } | null)?.code

async function readSource(source: string | Uint8Array, fs: BundleFs, limits: BundleLimits): Promise<Map<string, Uint8Array>> {
  if (typeof source !== 'string') return readTar(await gunzipLimited(source, limits.maxBytes, '<bytes>'), limits)
  let info: Awaited<ReturnType<BundleFs['stat']>>
  try {
    info = await fs.stat(source)
  } catch (e) {
    const code = fsCode(e)
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new GatewayError('bundle_not_found', `bundle \`${source}\` does not exist`, { details: { source } })
    throw new GatewayError('bundle_unreadable', `cannot read bundle \`${source}\`: ${errorMessage(e)}`, { details: { source }, cause: e })
  }
  try {
    if (info.isDirectory()) return await readBundleDir(source, fs, limits)
    if (!info.isFile()) throw new GatewayError('bundle_invalid', `bundle \`${source}\` is neither a file nor a directory`, { details: { source } })
    // Checked before reading, so a huge file is never loaded into memory (gzip cannot inflate to less).
    if (info.size > limits.maxBytes) throw new GatewayError('bundle_too_large', `bundle \`${source}\` is larger than ${limits.maxBytes} bytes`, { details: { source } })
    return readTar(await gunzipLimited(await fs.readFile(source), limits.maxBytes, source), limits)
  } catch (e) {
    if (e instanceof GatewayError) throw e
    throw new GatewayError('bundle_unreadable', `cannot read bundle \`${source}\`: ${errorMessage(e)}`, { details: { source }, cause: e })
  }
}

/** The module the manifest names for the entrypoint, else `policy.wasm` as `opa build -t wasm` writes it. */
function pickModule(files: ReadonlyMap<string, Uint8Array>, manifest: Manifest, source: string): { path: string; wasm: Uint8Array } {
  const named = manifest.wasm?.find(w => w.entrypoint === POLICY_ENTRYPOINT)?.module
  if (named !== undefined) {
    const path = bundlePath(named)
    const wasm = files.get(path)
    if (!wasm) throw new GatewayError('bundle_invalid', `bundle \`${source}\` manifest names wasm module \`${named}\` for ${POLICY_ENTRYPOINT}, but the bundle has no such file`, { details: { source, module: named } })
    return { path, wasm }
  }
  const wasm = files.get('policy.wasm')
  if (wasm) return { path: 'policy.wasm', wasm }
  throw new GatewayError('bundle_no_wasm', `bundle \`${source}\` has no wasm module (build it with \`opa build -t wasm -e ${POLICY_ENTRYPOINT}\`)`, { details: { source } })
}

async function moduleEntrypoints(wasm: Uint8Array, path: string, source: string): Promise<string[]> {
  try {
    // Instantiating runs no policy code: it only lets us ask the module what it exports.
    const policy = await loadPolicy(wasm)
    return Object.keys(policy.entrypoints as Record<string, number>)
  } catch (e) {
    throw new GatewayError('bundle_invalid', `bundle \`${source}\`: \`${path}\` is not an OPA wasm module: ${errorMessage(e)}`, { details: { source, module: path }, cause: e })
  }
}

/**
 * Reads an OPA bundle: a path to a .tar.gz (as `opa build -t wasm` writes it), a path to an
 * unpacked bundle directory, or the bytes of a .tar.gz. Rejects with a GatewayError naming the
 * problem: not found, not gzip/tar, unsafe entries, too large, no wasm, missing entrypoint,
 * invalid manifest or data.
 */
export async function loadBundle(source: string | Uint8Array, deps: LoadBundleDeps = {}): Promise<Bundle> {
  const limits = { ...DEFAULT_BUNDLE_LIMITS, ...deps.limits }
  const name = typeof source === 'string' ? source : '<bytes>'
  const files = await readSource(source, deps.fs ?? defaultFs, limits)
  const manifestBytes = files.get('.manifest')
  const manifest = manifestBytes ? parseManifest(manifestBytes) : {}
  const module = pickModule(files, manifest, name)
  const entrypoints = await moduleEntrypoints(module.wasm, module.path, name)
  if (!entrypoints.includes(POLICY_ENTRYPOINT)) {
    throw new GatewayError(
      'bundle_missing_entrypoint',
      `bundle \`${name}\`: wasm module \`${module.path}\` has no entrypoint ${POLICY_ENTRYPOINT} (it has: ${entrypoints.join(', ') || 'none'}); build with \`-e ${POLICY_ENTRYPOINT}\``,
      { details: { source: name, module: module.path, entrypoints } },
    )
  }
  return {
    // A copy: the view would otherwise keep the whole inflated archive alive.
    wasm: module.wasm.slice(),
    data: mergeBundleData(files),
    manifest,
    revision: manifest.revision ? manifest.revision : null,
    entrypoints,
    source: name,
    signed: files.has('.signatures.json'),
  }
}

/** Reading OPA bundles: .tar.gz or directory → {wasm, data, manifest, revision}. */
export { loadBundle, POLICY_ENTRYPOINT, type Bundle, type LoadBundleDeps } from './load-bundle.js'
export { defaultBundlePath } from './default-path.js'
export { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from './limits.js'
export { Manifest } from './manifest.js'
export type { BundleFs } from './read-dir.js'
export { readTar } from './tar.js'
export { deepMerge, isJsonObject, type JsonObject } from './merge-data.js'

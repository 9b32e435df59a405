/** Caps applied while reading a bundle, so a hostile archive cannot exhaust memory. */
export interface BundleLimits {
  /** Total bytes of all files, unpacked (and of the gzip stream once inflated). */
  maxBytes: number
  /** Archive entries (files, directories and extension headers) or directory-tree entries. */
  maxEntries: number
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = {
  maxBytes: 256 * 1024 * 1024,
  maxEntries: 10_000,
}

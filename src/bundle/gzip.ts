/** Inflates a .tar.gz with a cap on the inflated size (a gzip bomb stops at the cap). */
import { promisify } from 'node:util'
import { gunzip as gunzipCallback } from 'node:zlib'
import { GatewayError } from '../errors.js'

const gunzip = promisify(gunzipCallback)

/** True when the bytes start with the gzip magic number. */
export const isGzip = (bytes: Uint8Array): boolean => bytes[0] === 0x1f && bytes[1] === 0x8b

/** Inflates gzip bytes; refuses non-gzip or corrupt input (bundle_invalid) and output over maxBytes (bundle_too_large). */
export async function gunzipLimited(bytes: Uint8Array, maxBytes: number, source: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) throw new GatewayError('bundle_invalid', `bundle \`${source}\` is not a gzip file (expected a .tar.gz from \`opa build -t wasm\`, or a directory)`)
  try {
    return await gunzip(bytes, { maxOutputLength: maxBytes })
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new GatewayError('bundle_too_large', `bundle \`${source}\` inflates to more than ${maxBytes} bytes`, { details: { maxBytes } })
    throw new GatewayError('bundle_invalid', `bundle \`${source}\` is not a valid gzip stream: ${(e as Error).message}`, { cause: e })
  }
}

/**
 * A small, strict tar reader (ustar, pax and GNU long names): regular files and directories only.
 * Links, devices, fifos, sparse files and anything unknown are refused, as are traversal names,
 * duplicate names, bad checksums, truncation and archives over the limits.
 */
import { GatewayError } from '../errors.js'
import { bundlePath } from './bundle-path.js'
import type { BundleLimits } from './limits.js'

const BLOCK = 512
const utf8 = new TextDecoder('utf-8', { fatal: true })

const invalid = (message: string, details?: Record<string, unknown>) =>
  new GatewayError('bundle_invalid', `not a valid bundle archive: ${message}`, details ? { details } : {})

const decodeText = (bytes: Uint8Array, what: string): string => {
  try {
    return utf8.decode(bytes)
  } catch {
    throw invalid(`${what} is not UTF-8`)
  }
}

/** A NUL-terminated header field. */
const field = (header: Uint8Array, offset: number, length: number, what: string): string => {
  const bytes = header.subarray(offset, offset + length)
  const end = bytes.indexOf(0)
  return decodeText(end === -1 ? bytes : bytes.subarray(0, end), what)
}

const octal = (header: Uint8Array, offset: number, length: number, what: string): number => {
  // The base-256 form (high bit set) only exists for values no bundle needs (≥ 8 GiB).
  if ((header[offset] ?? 0) & 0x80) throw invalid(`${what} uses the base-256 form`)
  const text = field(header, offset, length, what).trim()
  if (!/^[0-7]*$/.test(text)) throw invalid(`${what} is not octal: \`${text}\``)
  return text === '' ? 0 : parseInt(text, 8)
}

const checksumOk = (header: Uint8Array): boolean => {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number)
  return sum === octal(header, 148, 8, 'header checksum')
}

const isZeroBlock = (block: Uint8Array): boolean => block.every(b => b === 0)

/** Pax extended header records: `<length> <key>=<value>\n`, length counting the whole record. */
function parsePax(payload: Uint8Array): Map<string, string> {
  const records = new Map<string, string>()
  let at = 0
  while (at < payload.length) {
    const space = payload.indexOf(0x20, at)
    if (space === -1) throw invalid('malformed pax record')
    const lengthText = decodeText(payload.subarray(at, space), 'pax record length')
    if (!/^[1-9][0-9]*$/.test(lengthText)) throw invalid(`malformed pax record length \`${lengthText}\``)
    const end = at + Number(lengthText)
    if (end > payload.length || payload[end - 1] !== 0x0a) throw invalid('malformed pax record')
    const record = decodeText(payload.subarray(space + 1, end - 1), 'pax record')
    const eq = record.indexOf('=')
    if (eq <= 0) throw invalid('malformed pax record')
    records.set(record.slice(0, eq), record.slice(eq + 1))
    at = end
  }
  return records
}

const paxSize = (text: string): number => {
  if (!/^[0-9]{1,15}$/.test(text)) throw invalid(`pax size \`${text}\` is not a decimal size`)
  return Number(text)
}

/** Reads an uncompressed tar archive into a map of normalized path → contents (views, not copies). */
export function readTar(tar: Uint8Array, limits: BundleLimits): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>()
  const seen = new Set<string>()
  let offset = 0
  let entries = 0
  let total = 0
  let pax: Map<string, string> | undefined // applies to the next entry only
  let longName: string | undefined

  for (;;) {
    if (offset + BLOCK > tar.length) throw invalid('archive is truncated (no end-of-archive marker)')
    const header = tar.subarray(offset, offset + BLOCK)
    if (isZeroBlock(header)) {
      if (pax || longName !== undefined) throw invalid('extension header without an entry')
      return files
    }
    if (++entries > limits.maxEntries) {
      throw new GatewayError('bundle_too_large', `bundle archive has more than ${limits.maxEntries} entries`, {
        details: { maxEntries: limits.maxEntries },
      })
    }
    const magic = field(header, 257, 6, 'magic')
    const gnu = magic === 'ustar ' // GNU tar: "ustar  \0", no prefix field
    if (magic !== 'ustar' && !gnu) throw invalid('not a ustar archive')
    if (!checksumOk(header)) throw invalid(`header checksum mismatch at byte ${offset}`)

    const type = String.fromCharCode(header[156] as number)
    const extension = type === 'x' || type === 'L' || type === 'g'
    let size = octal(header, 124, 12, 'entry size')
    if (!extension && pax?.has('size')) size = paxSize(pax.get('size') as string)
    const start = offset + BLOCK
    const end = start + size
    if (end > tar.length) throw invalid('archive is truncated inside an entry')
    const payload = tar.subarray(start, end)
    offset = start + Math.ceil(size / BLOCK) * BLOCK

    if (type === 'x' || type === 'L') {
      if (type === 'x') pax = new Map([...(pax ?? []), ...parsePax(payload)])
      else longName = field(payload, 0, payload.length, 'GNU long name')
      continue
    }
    if (type === 'g') continue // pax global header: carries no names or sizes we use

    const ustarName = field(header, 0, 100, 'entry name')
    const prefix = gnu ? '' : field(header, 345, 155, 'entry name prefix')
    const rawName = pax?.get('path') ?? longName ?? (prefix === '' ? ustarName : `${prefix}/${ustarName}`)
    pax = undefined
    longName = undefined

    if (type === '1' || type === '2' || type === 'K')
      throw invalid(`entry \`${rawName}\` is a link (links are refused)`, { entry: rawName })
    if (type === '3' || type === '4' || type === '6')
      throw invalid(`entry \`${rawName}\` is a device or fifo`, { entry: rawName })
    if (type !== '0' && type !== '\0' && type !== '7' && type !== '5')
      throw invalid(`entry \`${rawName}\` has unsupported type \`${type}\``, { entry: rawName })

    // The archive's own root (`./`, as `tar -C dir .` writes it) is not an entry of the bundle.
    if (type === '5' && rawName.split('/').every(s => s === '' || s === '.')) continue
    const path = bundlePath(rawName)
    if (seen.has(path)) throw invalid(`entry \`${path}\` appears twice`, { entry: path })
    seen.add(path)
    if (type === '5') continue
    total += size
    if (total > limits.maxBytes) {
      throw new GatewayError('bundle_too_large', `bundle unpacks to more than ${limits.maxBytes} bytes`, {
        details: { maxBytes: limits.maxBytes },
      })
    }
    files.set(path, payload)
  }
}

/**
 * Verify the audit chain across audit.log.N … audit.log: every line is JSON, seq rises by one,
 * and each `prev` is the sha256 of the line before. The first line must be the genesis
 * (seq 1, prev zeros) unless rotation has already dropped older files. With the store's head,
 * a log whose last lines were cut off is caught too.
 * Tamper-evident, not tamper-proof: whoever can write the state dir can rebuild a whole chain.
 */
import { closeSync, fstatSync, readSync } from 'node:fs'
import { listAuditFiles, openForRead, splitLines } from './files.js'
import { GENESIS, hashLine, parseAuditLine } from './line.js'

/** The last line committed, as the store recorded it. */
export interface AuditHead {
  seq: number
  hash: string
}

export type BrokenReason =
  | 'torn_tail' // bytes after the last newline: a write cut short by a crash
  | 'invalid_json'
  | 'invalid_record' // JSON, but no integer seq / hex prev
  | 'seq_gap' // seq is not the previous seq + 1: a line was removed or inserted
  | 'hash_mismatch' // prev does not match the previous line: a line was altered
  | 'missing_start' // the first line is not the genesis and no rotation explains it
  | 'truncated' // the store committed lines the files no longer have
  | 'unreadable'

export interface BrokenAt {
  file: string
  /** 1-based line number in `file` */
  line: number
  seq: number | null
  reason: BrokenReason
  message: string
}

export interface VerifyResult {
  ok: boolean
  /** Records checked and found sound (all of them when ok). */
  records: number
  /** Files read, oldest first. */
  files: string[]
  firstBroken?: BrokenAt
}

export interface VerifyOptions {
  /** The store's head: detects lines cut off the end, and an altered last line. */
  head?: AuditHead | null
  /** Rotated files kept; only when that many exist may the first line follow a dropped one. Default 5. */
  keep?: number
}

interface Entry {
  file: string
  line: number
  bytes: Buffer
  torn: boolean
}

const readAll = (path: string): Buffer | null => {
  const fd = openForRead(path)
  if (fd === null) return null
  try {
    const size = fstatSync(fd).size
    const buf = Buffer.alloc(size)
    let got = 0
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got)
      if (n === 0) break
      got += n
    }
    return buf.subarray(0, got)
  } finally {
    closeSync(fd)
  }
}

/** Check the chain in stateDir's audit files. Never throws: unreadable files are a finding. */
export function verifyAudit(stateDir: string, options: VerifyOptions = {}): VerifyResult {
  const keep = options.keep ?? 5
  const head = options.head ?? null
  const entries: Entry[] = []
  const names: string[] = []
  let files
  try {
    files = listAuditFiles(stateDir)
  } catch (e) {
    return { ok: false, records: 0, files: [], firstBroken: { file: stateDir, line: 0, seq: null, reason: 'unreadable', message: String(e) } }
  }
  for (const f of files) {
    names.push(f.name)
    let data: Buffer | null
    try {
      data = readAll(f.path)
    } catch (e) {
      return { ok: false, records: 0, files: names, firstBroken: { file: f.name, line: 0, seq: null, reason: 'unreadable', message: e instanceof Error ? e.message : String(e) } }
    }
    if (data === null) continue
    const { lines, torn } = splitLines(data)
    lines.forEach((bytes, i) => entries.push({ file: f.name, line: i + 1, bytes, torn: false }))
    if (torn) entries.push({ file: f.name, line: lines.length + 1, bytes: torn, torn: true })
  }
  const rotated = files.filter(f => f.index > 0).length

  let records = 0
  const broken = (e: Entry, seq: number | null, reason: BrokenReason, message: string): VerifyResult => ({
    ok: false,
    records,
    files: names,
    firstBroken: { file: e.file, line: e.line, seq, reason, message },
  })
  const seqOf = (e: Entry | undefined): number | null => {
    if (!e) return null
    const p = parseAuditLine(e.bytes)
    return p.ok ? p.line.seq : null
  }

  let prevHash: string | null = null
  let prevSeq = 0
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!
    if (e.torn) {
      return broken(e, null, 'torn_tail', `${e.file} ends with ${e.bytes.length} bytes and no newline: a write cut short (it is quarantined by the next append)`)
    }
    const parsed = parseAuditLine(e.bytes)
    if (!parsed.ok) return broken(e, null, parsed.reason, `${e.file} line ${e.line}: ${parsed.message}`)
    const { seq, prev } = parsed.line
    if (prevHash === null) {
      if (prev === GENESIS) {
        if (seq !== 1) return broken(e, seq, 'seq_gap', `the genesis line has seq ${seq}, expected 1`)
      } else if (rotated < keep) {
        return broken(e, seq, 'missing_start', `the first line (seq ${seq}) follows a line that is gone, and no rotation dropped it: lines were removed`)
      }
    } else {
      if (seq !== prevSeq + 1) return broken(e, seq, 'seq_gap', `seq ${seq} follows seq ${prevSeq}: a line was removed, inserted or renumbered`)
      if (prev !== prevHash) {
        // A line whose body was altered breaks only the link after it; one whose prev was
        // altered breaks the links on both sides. The next link tells the two apart.
        const next = entries[i + 1]
        const nextPrev = next && !next.torn ? parseAuditLine(next.bytes) : null
        const selfIntact = nextPrev?.ok ? nextPrev.line.prev === hashLine(e.bytes) : head !== null && head.seq === seq && head.hash === hashLine(e.bytes)
        const before = entries[i - 1]!
        if (selfIntact) {
          records-- // the line before was counted as sound; it is the altered one
          return broken(before, seqOf(before), 'hash_mismatch', `${before.file} line ${before.line} does not hash to the prev that seq ${seq} records: it was altered`)
        }
        return broken(e, seq, 'hash_mismatch', `${e.file} line ${e.line}: prev does not match the line before it: this line was altered`)
      }
    }
    prevHash = hashLine(e.bytes)
    prevSeq = seq
    records++
  }
  if (head) {
    const last = entries.at(-1)
    const at: Entry = last ?? { file: names.at(-1) ?? 'audit.log', line: 0, bytes: Buffer.alloc(0), torn: false }
    if (prevSeq < head.seq) return broken(at, prevSeq || null, 'truncated', `the log ends at seq ${prevSeq} but the store committed seq ${head.seq}: lines were cut off the end`)
    if (prevSeq === head.seq && prevHash !== head.hash) {
      records--
      return broken(at, prevSeq, 'hash_mismatch', `the last line (seq ${prevSeq}) is not the line the store committed: it was altered`)
    }
  }
  return { ok: true, records, files: names }
}

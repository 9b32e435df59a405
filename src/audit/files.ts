/**
 * The audit log's files: `audit.log` (newest) and its rotations `audit.log.1` (next older) …
 * `audit.log.N`, plus `audit.torn` where torn tails are quarantined. Helpers read lines from
 * the end without loading whole files, and never follow symlinks.
 */
import { closeSync, constants, fstatSync, fchmodSync, fsyncSync, openSync, readdirSync, readSync } from 'node:fs'
import { join } from 'node:path'

export const AUDIT_FILE = 'audit.log'
export const TORN_FILE = 'audit.torn'

export const rotatedName = (n: number): string => (n === 0 ? AUDIT_FILE : `${AUDIT_FILE}.${n}`)

export interface AuditFile {
  name: string
  path: string
  /** 0 for audit.log, n for audit.log.n */
  index: number
}

/** Audit files present in stateDir, oldest first (audit.log.N … audit.log.1, audit.log). */
export function listAuditFiles(stateDir: string): AuditFile[] {
  let names: string[]
  try {
    names = readdirSync(stateDir)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
  const files: AuditFile[] = []
  for (const name of names) {
    const m = /^audit\.log(?:\.([1-9][0-9]{0,5}))?$/.exec(name)
    if (m) files.push({ name, path: join(stateDir, name), index: m[1] ? Number(m[1]) : 0 })
  }
  return files.sort((a, b) => b.index - a.index)
}

/** Open without following a symlink; a created file is 0600 and an existing one is made so. */
export function openPrivate(path: string, flags: number): number {
  const fd = openSync(path, flags | constants.O_NOFOLLOW, 0o600)
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new Error(`\`${path}\` is not a regular file`)
    if ((flags & (constants.O_WRONLY | constants.O_RDWR)) !== 0 && (st.mode & 0o077) !== 0) fchmodSync(fd, 0o600)
    return fd
  } catch (e) {
    closeSync(fd)
    throw e
  }
}

/** Open for reading, or null when the file does not exist. */
export function openForRead(path: string): number | null {
  try {
    return openPrivate(path, constants.O_RDONLY)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
}

/** fsync a directory so a created or renamed entry survives a crash. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY)
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

export interface LastLines {
  /** Up to `count` complete lines (without their newline), oldest first. */
  lines: Buffer[]
  /** Bytes after the last newline: a line torn by a crash mid-write. */
  torn: { offset: number; bytes: Buffer } | null
}

const CHUNK = 64 * 1024

const countNewlines = (b: Buffer): number => {
  let n = 0
  for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1)) n++
  return n
}

/** The last `count` complete lines of an open file of `size` bytes, reading backwards. */
export function readLastLines(fd: number, size: number, count: number): LastLines {
  let pos = size
  let data = Buffer.alloc(0)
  // count terminators + the newline before the first wanted line (or the start of the file).
  while (pos > 0 && countNewlines(data) < count + 1) {
    const len = Math.min(CHUNK, pos)
    const chunk = Buffer.alloc(len)
    let got = 0
    while (got < len) {
      const n = readSync(fd, chunk, got, len - got, pos - len + got)
      if (n === 0) throw new Error('file shrank while being read')
      got += n
    }
    pos -= len
    data = Buffer.concat([chunk, data])
  }
  const lastNl = data.lastIndexOf(0x0a)
  let torn: LastLines['torn'] = null
  let body = data
  if (lastNl !== data.length - 1) {
    const tornBytes = data.subarray(lastNl + 1)
    if (tornBytes.length > 0) torn = { offset: size - tornBytes.length, bytes: tornBytes }
    body = data.subarray(0, lastNl + 1)
  }
  const segments: Buffer[] = []
  let start = 0
  for (let i = body.indexOf(0x0a); i !== -1; i = body.indexOf(0x0a, start)) {
    segments.push(body.subarray(start, i))
    start = i + 1
  }
  // The first segment is only whole when we read from the start of the file.
  if (pos > 0) segments.shift()
  return { lines: segments.slice(Math.max(0, segments.length - count)), torn }
}

/** Every line of a file's bytes; the last, unterminated, segment is returned as torn. */
export function splitLines(data: Buffer): { lines: Buffer[]; torn: Buffer | null } {
  const lines: Buffer[] = []
  let start = 0
  for (let i = data.indexOf(0x0a); i !== -1; i = data.indexOf(0x0a, start)) {
    lines.push(data.subarray(start, i))
    start = i + 1
  }
  return { lines, torn: start < data.length ? data.subarray(start) : null }
}

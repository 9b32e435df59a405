/** The newest audit records, for humans: read from the end, across rotations. */
import { closeSync, fstatSync } from 'node:fs'
import { join } from 'node:path'
import { listAuditFiles, openForRead, readLastLines } from './files.js'
import { parseAuditLine, type AuditLine } from './line.js'

/** The last n records, oldest first. A torn tail and lines that do not parse are skipped
 * (verifyAudit is the integrity check). Throws when a file cannot be read. */
export function tailAudit(stateDir: string, n: number): AuditLine[] {
  const want = Math.max(0, Math.floor(n))
  const out: AuditLine[] = []
  for (const f of listAuditFiles(stateDir).reverse()) {
    if (out.length >= want) break
    const fd = openForRead(join(stateDir, f.name))
    if (fd === null) continue
    try {
      const { lines } = readLastLines(fd, fstatSync(fd).size, want - out.length)
      const parsed = lines.map(l => parseAuditLine(l)).flatMap(p => (p.ok ? [p.line] : []))
      out.unshift(...parsed)
    } finally {
      closeSync(fd)
    }
  }
  return out.slice(Math.max(0, out.length - want))
}

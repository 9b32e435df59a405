// Markdown rendering of the bench results: plain tables, numbers rounded for reading.

export const num = (v, digits = 0) =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a'

/** µs with precision that suits its size. */
export const us = v => (!Number.isFinite(v) ? 'n/a' : v < 10 ? num(v, 2) : v < 1000 ? num(v, 1) : num(v, 0))

export const ratio = v => (Number.isFinite(v) ? `${v < 10 ? num(v, 2) : num(v, 0)}×` : 'n/a')

/** A markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const line = cells => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** One throughput/latency row; `s` is a summary or {error}. */
export function throughputRow(name, n, s) {
  if (!s || s.error) return [name, String(n), 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', s?.error ? `not measured: ${s.error}` : '']
  return [name, String(n), num(s.perSec), num(s.perCpuSec), us(s.p50), us(s.p99), us(s.meanUs), us(s.cpuUs), num(s.count)]
}

export const THROUGHPUT_HEADER = ['line', 'requests in mix', 'decisions/s (wall)', 'decisions/CPU-s', 'p50 µs', 'p99 µs', 'mean µs (wall)', 'CPU µs/decision', 'samples']

/** PASS/MISS for a target; `measured` is a number or null when not measured. */
export function verdict(ok, measured) {
  if (measured === null || !Number.isFinite(measured)) return 'MISS (not measured)'
  return ok ? 'PASS' : 'MISS'
}

// Timing loops and statistics. Every line runs round-robin over its items, warm-up first, then
// fixed time windows; windows of competing lines alternate so a load spike hits both.
import { performance } from 'node:perf_hooks'

/** A growable list of latencies in µs. */
class Samples {
  constructor() {
    this.buf = new Float64Array(1 << 16)
    this.length = 0
  }
  push(us) {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2)
      next.set(this.buf)
      this.buf = next
    }
    this.buf[this.length++] = us
  }
  values() {
    return this.buf.subarray(0, this.length)
  }
}

/**
 * Calls fn(items[i % n]) untimed for at least `ms` milliseconds and `minCalls` calls (JIT tiers
 * count calls, not time: on a loaded machine a time-only warm-up ends before the code is optimized).
 */
export function warmUp(fn, items, ms, minCalls = 0) {
  const end = performance.now() + ms
  let i = 0
  while (i < minCalls || performance.now() < end) for (let k = 0; k < 16; k++) fn(items[i++ % items.length])
}

/**
 * One timed window: every call timed on its own; adds the window's wall ms and CPU µs to `acc`,
 * and the window's CPU µs per call to `acc.windows`.
 */
function timedWindow(fn, items, ms, samples, acc) {
  const calls0 = samples.length
  const cpu0 = process.cpuUsage()
  const start = performance.now()
  const end = start + ms
  let now = start
  while (now < end) {
    const item = items[acc.i++ % items.length]
    const t0 = performance.now()
    fn(item)
    now = performance.now()
    samples.push((now - t0) * 1000)
  }
  const cpu = process.cpuUsage(cpu0)
  acc.elapsedMs += now - start
  acc.cpuUs += cpu.user + cpu.system
  acc.windows.push((cpu.user + cpu.system) / (samples.length - calls0))
}

/**
 * Measures several lines in alternating windows: `rounds` × (each line for `windowMs`).
 * lines: [{name, fn, items}] → Map name → {count, elapsedMs, cpuUs, samples: Float64Array (µs)}.
 * CPU time is this process's (all its threads, GC helpers included): under a loaded machine it
 * moves far less than wall time.
 */
export function measureLines(lines, { rounds, windowMs, warmupMs, warmupCalls = 0 }) {
  const acc = new Map(lines.map(l => [l.name, { samples: new Samples(), elapsedMs: 0, cpuUs: 0, i: 0, windows: [] }]))
  for (const l of lines) warmUp(l.fn, l.items, warmupMs, warmupCalls)
  for (let r = 0; r < rounds; r++) {
    for (const l of lines) {
      const a = acc.get(l.name)
      timedWindow(l.fn, l.items, windowMs, a.samples, a)
    }
  }
  return new Map([...acc].map(([name, a]) => [name, { count: a.samples.length, elapsedMs: a.elapsedMs, cpuUs: a.cpuUs, samples: a.samples.values(), windows: a.windows }]))
}

/**
 * CPU cost of line `a` over line `b`, window by window: round r's ratio compares the two windows
 * that ran back to back, so a burst of load on the machine skews one ratio, not the result.
 * Returns {median, min, max, rounds} of the per-round ratios.
 */
export function pairedRatio(a, b) {
  const ratios = a.windows.map((w, r) => w / b.windows[r]).filter(Number.isFinite).sort((x, y) => x - y)
  if (ratios.length === 0) return { median: NaN, min: NaN, max: NaN, rounds: 0 }
  const mid = ratios.length >> 1
  const median = ratios.length % 2 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2
  return { median, min: ratios[0], max: ratios[ratios.length - 1], rounds: ratios.length }
}

/** Sequential async calls, each timed: for the opa eval and opa server lines (their CPU is another process's, so none is counted). */
export async function measureAsync(fn, items, count) {
  const samples = new Samples()
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    await fn(items[i % items.length], i)
    samples.push((performance.now() - t0) * 1000)
  }
  return { count, elapsedMs: performance.now() - start, cpuUs: NaN, samples: samples.values() }
}

/** Nearest-rank percentile of µs samples (p in 0..100). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

/**
 * {count, elapsedMs, cpuUs, samples} → {count, perSec, perCpuSec, meanUs, cpuUs, p50, p99}.
 * perSec is wall-clock throughput, perCpuSec decisions per CPU-second (both include timer overhead).
 */
export function summarize({ count, elapsedMs, cpuUs, samples }) {
  const sorted = Float64Array.from(samples).sort()
  let sum = 0
  for (const v of sorted) sum += v
  return {
    count,
    perSec: count / (elapsedMs / 1000),
    perCpuSec: count / (cpuUs / 1e6),
    meanUs: count ? sum / count : NaN,
    cpuUs: cpuUs / count,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  }
}

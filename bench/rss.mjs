// The RSS run: BENCH_DECISIONS decisions over the mix after warm-up, RSS read after a full GC
// before, at ~10 checkpoints and after. run.mjs runs it twice: in its own process (started with
// --single-threaded-gc, as the recourse-gateway bin starts node) and, through this file's
// command-line entry, in a child with V8's default parallel GC (what an embedding application gets).
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Runs the decisions and returns {done, seconds, cpuUs, before, after, checkpoints} (memory in
 * bytes). `decide(i)` judges the i-th request of the mix. Needs global gc (node --expose-gc).
 */
export function rssRun(decide, { decisions, maxSeconds }) {
  if (typeof globalThis.gc !== 'function') throw new Error('the RSS run needs node --expose-gc')
  for (let i = 0; i < 20_000; i++) decide(i)
  globalThis.gc()
  globalThis.gc()
  const before = process.memoryUsage()
  const cpu0 = process.cpuUsage()
  const start = performance.now()
  const deadline = start + maxSeconds * 1000
  let done = 0
  // RSS after a GC at ~10 checkpoints (by count or by time, whichever comes first): a leak climbs,
  // allocator and young-generation churn swings up and down.
  const checkpoints = []
  let nextCount = decisions / 10
  let nextTime = start + (maxSeconds * 1000) / 10
  // Chunks of 1,000 so the time cap is checked without a clock read per decision.
  while (done < decisions && performance.now() < deadline) {
    const end = Math.min(decisions, done + 1000)
    for (; done < end; done++) decide(done)
    const t = performance.now()
    if (done >= nextCount || t >= nextTime) {
      globalThis.gc()
      checkpoints.push(process.memoryUsage.rss())
      nextCount = done + decisions / 10
      nextTime = t + (maxSeconds * 1000) / 10
    }
  }
  const seconds = (performance.now() - start) / 1000
  const cpu = process.cpuUsage(cpu0)
  globalThis.gc()
  globalThis.gc()
  return { done, seconds, cpuUs: cpu.user + cpu.system, before, after: process.memoryUsage(), checkpoints }
}

// Child entry: `node --expose-gc [flags] rss.mjs <dist dir> <decisions> <max seconds>` prints the
// result as one JSON line on stdout.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dist, decisions, maxSeconds] = process.argv.slice(2)
  const { createDecider } = await import(join(dist, 'gateway/decider.js'))
  const { CONTEXT, loadRequests } = await import(join(dirname(fileURLToPath(import.meta.url)), 'requests.mjs'))
  const decider = await createDecider({ context: CONTEXT })
  const requests = loadRequests().map(r => r.request)
  const result = rssRun(i => decider.decide(requests[i % requests.length]), { decisions: Number(decisions), maxSeconds: Number(maxSeconds) })
  process.stdout.write(`${JSON.stringify({ ...result, execArgv: process.execArgv })}\n`)
}

#!/usr/bin/env node
// npm run bench: decide (normalize + evaluate) against raw opa-wasm (the floor), `opa eval` per
// request and an OPA server over loopback HTTP, on one fixed request mix. Prints markdown to
// stdout, progress to stderr; exits 0 whatever the targets say, 1 only when something crashed.
// Settings (env): BENCH_DECISIONS (each of the two RSS runs, default 1e6), BENCH_SECONDS (window per line and
// round, default 0.3), BENCH_ROUNDS (default 9), BENCH_OPA_EVAL_SAMPLE (default: one pass of the
// mix), BENCH_SERVER_REQUESTS (default 2,000 rounded up to whole passes of the mix),
// BENCH_RSS_MAX_SECONDS (time cap of each RSS run, default 45: a loaded machine must not stall it),
// BENCH_WARMUP_PASSES (untimed passes over the mix before measuring, default 100).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

// The RSS target needs a full GC before each reading, and the bench measures node as the bin starts
// it (--single-threaded-gc: one core means no parallel GC helper threads); npm's script cannot
// pass flags, so re-exec.
if (typeof globalThis.gc !== 'function' && process.env.BENCH_REEXEC !== '1') {
  const flags = ['--expose-gc', '--single-threaded-gc', ...process.execArgv]
  const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_REEXEC: '1' },
  })
  process.exit(r.status ?? 1)
}

const { measureAsync, measureLines, pairedRatio, summarize, warmUp } = await import('./measure.mjs')
const { buildOneRulePolicy, findOpa, opaEvalOnce, startOpaServer } = await import('./opa-cli.mjs')
const { THROUGHPUT_HEADER, num, ratio, table, throughputRow, us, verdict } = await import('./report.mjs')
const { CONTEXT, loadRequests } = await import('./requests.mjs')
const { rssRun } = await import('./rss.mjs')

const envNumber = (name, fallback) => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`Expected ${name} to be a positive number, got \`${raw}\``)
  return n
}

const log = msg => process.stderr.write(`bench: ${msg}\n`)
const FAMILIES = ['terraform', 'kubectl', 'shell']
const keyOf = d => JSON.stringify({ decision: d?.decision, reasons: d?.reasons })

async function main() {
  const settings = {
    decisions: Math.round(envNumber('BENCH_DECISIONS', 1e6)),
    windowMs: envNumber('BENCH_SECONDS', 0.3) * 1000,
    rounds: Math.round(envNumber('BENCH_ROUNDS', 9)),
    rssMaxSeconds: envNumber('BENCH_RSS_MAX_SECONDS', 45),
  }
  const dist = join(root, 'dist')
  const { createDecider } = await import(join(dist, 'gateway/decider.js'))
  const { normalizeRequest, TOOL_ARGS } = await import(join(dist, 'normalize/index.js'))
  const { loadBundle, defaultBundlePath } = await import(join(dist, 'bundle/index.js'))
  const { readPolicyResult } = await import(join(dist, 'policy/index.js'))
  const { createRandomId } = await import(join(dist, 'policy/random-id.js'))
  const { loadPolicy } = await import('@open-policy-agent/opa-wasm')
  const { randomBytes } = await import('node:crypto')

  const mix = loadRequests()
  const byFamily = Object.fromEntries(FAMILIES.map(f => [f, mix.filter(r => r.family === f)]))
  const opaEvalSample = Math.round(envNumber('BENCH_OPA_EVAL_SAMPLE', mix.length))
  const serverRequests = Math.ceil(envNumber('BENCH_SERVER_REQUESTS', 2000) / mix.length) * mix.length
  const loadStart = os.loadavg()

  // --- the three in-process subjects, on the same default bundle -----------------------------
  const bundlePath = defaultBundlePath()
  const decider = await createDecider({ context: CONTEXT })
  const pooled = await createDecider({ context: CONTEXT, randomId: createRandomId() })
  const bundle = await loadBundle(bundlePath)
  const floorPolicy = await loadPolicy(bundle.wasm)
  floorPolicy.setData(bundle.data)
  const floor = input => floorPolicy.evaluate(input)

  // The pinned opa: for the one-rule policy below and for (b) and (c).
  let opa = null
  let opaVersion = 'n/a'
  let opaError = null
  try {
    opa = findOpa(root)
    opaVersion = spawnSync(opa, ['version'], { encoding: 'utf8' }).stdout.match(/^Version: (.*)$/m)?.[1] ?? 'unknown'
  } catch (e) {
    opaError = `pinned opa unavailable (${e.message.split('\n')[0]})`
  }
  // One constant rule, evaluated the way floor is: what opa-wasm costs per call on these inputs
  // whatever the policy says (input copied in and parsed by the module, result written out).
  let oneRule = null
  let oneRuleError = opaError
  if (opa) {
    try {
      const policy = await loadPolicy(buildOneRulePolicy(opa))
      policy.setData({})
      oneRule = input => policy.evaluate(input)
    } catch (e) {
      oneRuleError = `one-rule policy unavailable (${e.message.split('\n')[0]})`
    }
  }

  // Pre-normalized inputs: exactly what decide hands to policy.
  const cases = mix.map(r => ({ ...r, input: decider.decideWithInput(r.request).input }))
  const requestsOf = list => list.map(c => c.request)
  const inputsOf = list => list.map(c => c.input)
  const familyCases = Object.fromEntries(FAMILIES.map(f => [f, cases.filter(c => c.family === f)]))

  // --- agreement: a benchmark of different answers would mean nothing --------------------------
  const disagreements = []
  for (const c of cases) {
    const d = decider.decide(c.request)
    const f = floor(c.input)?.[0]?.result
    c.expected = keyOf(f)
    c.decision = f?.decision
    if (keyOf(d) !== c.expected) disagreements.push(`${c.family} ${c.label}: decide=${keyOf(d)} floor=${c.expected}`)
  }
  log(`mix: ${mix.length} requests (${FAMILIES.map(f => `${f} ${byFamily[f].length}`).join(', ')}); decide/floor disagreements: ${disagreements.length}`)

  // --- global warm-up: every request through decide and floor until the JIT has seen them all --
  const warmPasses = Math.round(envNumber('BENCH_WARMUP_PASSES', 100))
  log(`warm-up: ${warmPasses} passes over the mix`)
  warmUp(r => decider.decide(r), requestsOf(cases), 0, warmPasses * cases.length)
  warmUp(r => pooled.decide(r), requestsOf(cases), 0, 10 * cases.length)
  warmUp(floor, inputsOf(cases), 0, warmPasses * cases.length)
  if (oneRule) warmUp(oneRule, inputsOf(cases), 0, warmPasses * cases.length)

  // --- main lines: decide vs floor, per family and mixed, alternating windows -----------------
  const main = {}
  for (const [name, list] of [...FAMILIES.map(f => [f, familyCases[f]]), ['mixed', cases]]) {
    log(`measuring ${name}: decide vs floor (${settings.rounds} × ${settings.windowMs} ms each)`)
    const m = measureLines(
      [
        { name: 'decide', fn: r => decider.decide(r), items: requestsOf(list) },
        { name: 'floor', fn: floor, items: inputsOf(list) },
        ...(oneRule ? [{ name: 'oneRule', fn: oneRule, items: inputsOf(list) }] : []),
      ],
      { rounds: settings.rounds, windowMs: settings.windowMs, warmupMs: 200, warmupCalls: 10 * list.length },
    )
    main[name] = {
      n: list.length,
      overFloor: pairedRatio(m.get('decide'), m.get('floor')),
      decide: summarize(m.get('decide')),
      floor: summarize(m.get('floor')),
      oneRule: oneRule ? summarize(m.get('oneRule')) : { error: oneRuleError },
    }
  }

  // --- where decide's time goes ---------------------------------------------------------------
  const breakdown = {}
  for (const f of FAMILIES) {
    log(`measuring ${f}: breakdown`)
    const list = familyCases[f]
    const resultSets = list.map(c => floor(c.input))
    const m = measureLines(
      [
        { name: 'normalize', fn: r => normalizeRequest(r, { cwd: process.cwd(), ...CONTEXT, now: new Date() }), items: requestsOf(list) },
        { name: 'evaluate', fn: i => decider.evaluate(i), items: inputsOf(list) },
        { name: 'stringify', fn: i => JSON.stringify(i), items: inputsOf(list) },
        { name: 'validate', fn: rs => readPolicyResult(rs), items: resultSets },
        { name: 'stamp', fn: () => randomBytes(16).toString('hex') + new Date().toISOString(), items: [0] },
        { name: 'pooled', fn: r => pooled.decide(r), items: requestsOf(list) },
      ],
      { rounds: 1, windowMs: settings.windowMs * (5 / 3), warmupMs: 100, warmupCalls: 10 * list.length },
    )
    breakdown[f] = Object.fromEntries([...m].map(([k, v]) => [k, summarize(v)]))
  }

  // --- per request: which requests are expensive, and in which stage ------------------------
  log(`measuring per request (${cases.length} × 5 lines × ${settings.windowMs / 2} ms)`)
  const perRequest = cases.map(c => {
    const schema = TOOL_ARGS[c.request.tool]
    const m = measureLines(
      [
        { name: 'decide', fn: r => decider.decide(r), items: [c.request] },
        { name: 'normalize', fn: r => normalizeRequest(r, { cwd: process.cwd(), ...CONTEXT, now: new Date() }), items: [c.request] },
        { name: 'args', fn: a => schema.safeParse(a), items: [c.request.args] },
        { name: 'evaluate', fn: i => decider.evaluate(i), items: [c.input] },
        { name: 'floor', fn: floor, items: [c.input] },
      ],
      { rounds: 1, windowMs: settings.windowMs / 2, warmupMs: 0, warmupCalls: 20 },
    )
    return { c, s: Object.fromEntries([...m].map(([k, v]) => [k, summarize(v)])), bytes: JSON.stringify(c.input).length }
  })

  // --- (b) opa eval per request, (c) opa server ------------------------------------------------
  const outOfProcess = async (name, run) => {
    if (opaError) return { error: opaError }
    try {
      return await run()
    } catch (e) {
      log(`${name} failed: ${e.message}`)
      return { error: e.message.split('\n')[0].slice(0, 160) }
    }
  }
  const checkAgainstFloor = (name, c, value) => {
    if (keyOf(value) !== c.expected) disagreements.push(`${name} ${c.family} ${c.label}: ${keyOf(value)} vs floor ${c.expected}`)
  }

  const opaEval = await outOfProcess('opa eval', async () => {
    log(`measuring (b): opa eval × ${opaEvalSample}`)
    const evalOnce = opaEvalOnce(opa, root)
    return summarize(await measureAsync(
        async (c, i) => {
          const value = evalOnce(c.input)
          if (i < cases.length) checkAgainstFloor('opa eval', c, value)
        },
        cases,
        opaEvalSample,
      ))
  })
  const opaServer = await outOfProcess('opa server', async () => {
    log('starting (c): opa run --server')
    const server = await startOpaServer(opa, root)
    try {
      for (let i = 0; i < 2 * mix.length; i++) await server.query(cases[i % cases.length].input) // warm-up
      log(`measuring (c): opa server × ${serverRequests} sequential keep-alive requests`)
      return summarize(
        await measureAsync(
          async (c, i) => {
            const value = await server.query(c.input)
            if (i < cases.length) checkAgainstFloor('opa server', c, value)
          },
          cases,
          serverRequests,
        ),
      )
    } finally {
      await server.stop()
    }
  })

  // --- RSS over BENCH_DECISIONS decisions after warm-up, as the bin runs and with V8's default GC --
  const requests = requestsOf(cases)
  const rssOptions = { decisions: settings.decisions, maxSeconds: settings.rssMaxSeconds }
  log(`RSS run, as the bin runs node (in this process): ${settings.decisions.toLocaleString('en-US')} decisions (cap ${settings.rssMaxSeconds} s)`)
  const rssBin = rssRun(i => decider.decide(requests[i % requests.length]), rssOptions)
  log(`RSS run, V8 defaults (a child process without --single-threaded-gc): same settings`)
  let rssDefault
  try {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', join(root, 'bench', 'rss.mjs'), dist, String(settings.decisions), String(settings.rssMaxSeconds)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
    )
    if (child.status !== 0) throw new Error(`exited ${child.status ?? child.signal}`)
    rssDefault = JSON.parse(child.stdout.trim().split('\n').pop())
  } catch (e) {
    rssDefault = { error: `the child RSS run failed: ${e.message.split('\n')[0]}` }
  }

  // --- report ----------------------------------------------------------------------------------
  const mixed = main.mixed
  const out = []
  const mb = b => `${(b / 2 ** 20).toFixed(1)} MB`
  out.push('# recourse-gateway bench', '')
  out.push(
    `node ${process.version} · opa ${opaVersion} · bundle ${bundle.revision ?? '(no revision)'} · ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`,
    `load average at start ${loadStart.map(v => v.toFixed(2)).join(' ')}, at end ${os.loadavg().map(v => v.toFixed(2)).join(' ')} (shared machine: numbers move with it)`,
    `windows: ${settings.rounds} × ${settings.windowMs} ms per line, alternating decide/floor/one-rule; node flags: ${process.execArgv.join(' ') || '(none)'}`,
    '',
  )
  out.push('## Decisions/s and latency', '')
  const rows = []
  for (const f of [...FAMILIES, 'mixed']) {
    rows.push(throughputRow(`${f}: decide`, main[f].n, main[f].decide))
    rows.push(throughputRow(`${f}: floor (opa-wasm evaluate)`, main[f].n, main[f].floor))
    rows.push(throughputRow(`${f}: one-rule policy (opa-wasm evaluate)`, main[f].n, main[f].oneRule))
  }
  rows.push(throughputRow(`mixed: (b) opa eval per request`, mix.length, opaEval))
  rows.push(throughputRow(`mixed: (c) opa server, HTTP keep-alive`, mix.length, opaServer))
  out.push(table(THROUGHPUT_HEADER, rows), '')

  out.push('## Targets', '')
  out.push(
    'In-process ratios and the 50,000/s target use CPU time of this process (robust to other load on',
    'the machine); (b) and (c) are compared by wall-clock mean latency, as a caller waits for them.',
    `A decide/floor ratio is the median of ${settings.rounds} per-round ratios of back-to-back windows (range in`,
    'brackets): a burst of load skews one round, not the result.',
    '',
  )
  const wallMean = s => (s && !s.error ? s.meanUs : NaN)
  const overFloor = f => main[f].overFloor.median
  const floorRatio = f => `${ratio(overFloor(f))} [${main[f].overFloor.min.toFixed(2)}–${main[f].overFloor.max.toFixed(2)}]`
  const vs = s => wallMean(s) / mixed.decide.meanUs
  const rssTarget = (label, r) => {
    if (r.error) return [`RSS growth < 5% over ${settings.decisions.toLocaleString('en-US')} decisions, ${label}`, `not measured: ${r.error}`, 'MISS (not measured)']
    const growth = ((r.after.rss - r.before.rss) / r.before.rss) * 100
    const measured = `${mb(r.before.rss)} → ${mb(r.after.rss)} (${growth >= 0 ? '+' : ''}${growth.toFixed(2)}%)`
    const complete = r.done === settings.decisions
    return [
      `RSS growth < 5% over ${settings.decisions.toLocaleString('en-US')} decisions, ${label}`,
      complete ? measured : `${measured} over only ${r.done.toLocaleString('en-US')} decisions (time cap)`,
      complete ? verdict(growth < 5, growth) : 'MISS (incomplete run)',
    ]
  }
  const targets = [
    ['terraform decide ≤ 1.5× floor', floorRatio('terraform'), verdict(overFloor('terraform') <= 1.5, overFloor('terraform'))],
    ['kubectl decide ≤ 1.5× floor', floorRatio('kubectl'), verdict(overFloor('kubectl') <= 1.5, overFloor('kubectl'))],
    ['shell decide vs floor (shell parsing cost; no target)', floorRatio('shell'), 'info'],
    ['mixed decide vs floor (no target)', floorRatio('mixed'), 'info'],
    ['decide ≥ 100× faster than (b) opa eval', ratio(vs(opaEval)), verdict(vs(opaEval) >= 100, vs(opaEval))],
    ['decide ≥ 10× faster than (c) opa server', ratio(vs(opaServer)), verdict(vs(opaServer) >= 10, vs(opaServer))],
    [
      'decide ≥ 50,000 decisions/s on one core (mixed, per CPU-second)',
      `${num(mixed.decide.perCpuSec)} (wall: ${num(mixed.decide.perSec)})`,
      verdict(mixed.decide.perCpuSec >= 50_000, mixed.decide.perCpuSec),
    ],
    [
      'ceiling: one-rule policy, decisions/s on one core (mixed; no target)',
      mixed.oneRule.error ? `not measured: ${mixed.oneRule.error}` : num(mixed.oneRule.perCpuSec),
      'info',
    ],
    rssTarget('the bin (--single-threaded-gc)', rssBin),
    rssTarget('embedded with V8 defaults', rssDefault),
  ]
  out.push(table(['target', 'measured', 'result'], targets), '')
  out.push(
    'The ceiling line is a policy of one constant rule evaluated on the same input documents: the',
    'rate no policy can beat through opa-wasm on this mix and machine, since every call copies the',
    'input into the module, which parses it, and writes the result out.',
    '',
  )
  const rssLines = (label, r) =>
    r.error
      ? [`${label}: ${r.error}`]
      : [
          `${label}: ${r.done.toLocaleString('en-US')} decisions in ${r.seconds.toFixed(1)} s wall` +
            ` (${num(r.done / r.seconds)}/s wall, ${num(r.done / (r.cpuUs / 1e6))}/CPU-s);` +
            ` heap used ${mb(r.before.heapUsed)} → ${mb(r.after.heapUsed)}, external ${mb(r.before.external)} → ${mb(r.after.external)};` +
            ` RSS after GC at checkpoints (MB): ${[r.before.rss, ...r.checkpoints].map(b => (b / 2 ** 20).toFixed(1)).join(', ')}.`,
        ]
  out.push(...rssLines('RSS run, the bin (--single-threaded-gc)', rssBin), '', ...rssLines('RSS run, V8 defaults', rssDefault), '')

  out.push('## Where decide spends its time (CPU µs per decision)', '')
  const bRows = FAMILIES.map(f => {
    const b = breakdown[f]
    const wasm = b.evaluate.cpuUs - b.stringify.cpuUs - b.validate.cpuUs - b.stamp.cpuUs
    return [
      f,
      us(main[f].decide.cpuUs),
      us(b.normalize.cpuUs),
      us(b.evaluate.cpuUs),
      us(b.stringify.cpuUs),
      us(wasm),
      us(b.validate.cpuUs),
      us(b.stamp.cpuUs),
      us(main[f].floor.cpuUs),
      us(b.pooled.cpuUs),
    ]
  })
  out.push(
    table(
      ['family', 'decide', 'normalize', 'evaluate', '↳ stringify input', '↳ wasm + result parse', '↳ validate result (zod)', '↳ id + timestamp', 'floor', 'decide, pooled ids'],
      bRows,
    ),
    '',
  )
  out.push(
    '"↳ wasm + result parse" is evaluate minus the three measured parts. "id + timestamp" is',
    "`randomBytes(16).toString('hex')` + `toISOString()` (an unpooled id, for comparison: createDecider",
    'now pools ids by default); "decide, pooled ids" passes `randomId: createRandomId()` explicitly.',
    '',
  )

  out.push('## Per request (CPU µs per call)', '')
  out.push(
    table(
      ['family', 'request', 'verdict', 'input bytes', 'decide', 'normalize', '↳ args (zod)', 'evaluate', 'floor'],
      perRequest.map(({ c, s: r, bytes }) => [
        c.family,
        c.label,
        c.decision ?? 'n/a',
        num(bytes),
        us(r.decide.cpuUs),
        us(r.normalize.cpuUs),
        us(r.args.cpuUs),
        us(r.evaluate.cpuUs),
        us(r.floor.cpuUs),
      ]),
    ),
    '',
    '"normalize" minus "args" is the family normalizer: shell parsing (mvdan-sh), plan normalization, manifest YAML.',
    '',
  )

  out.push('## Agreement', '')
  if (disagreements.length === 0) {
    out.push(`decide, floor, (b) and (c) gave the same decision and reasons for every request checked (${mix.length} each).`, '')
  } else {
    out.push(
      `**${disagreements.length} disagreement(s)** — the subjects did not judge alike.`,
      '(b) and (c) read rego/ as it is now, decide and floor dist/bundle.tar.gz: if only they disagree, rego/ changed since the last `npm run build`.',
      '',
      ...disagreements.map(d => `- ${d.length > 400 ? `${d.slice(0, 400)}…` : d}`),
      '',
    )
  }
  const decisions = cases.reduce((acc, c) => ({ ...acc, [c.decision]: (acc[c.decision] ?? 0) + 1 }), {})
  out.push(`Mix verdicts (floor): ${Object.entries(decisions).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '')
  process.stdout.write(out.join('\n'))
}

try {
  await main()
} catch (e) {
  process.stderr.write(`bench crashed: ${e?.stack ?? e}\n`)
  process.exit(1)
}

#!/usr/bin/env node
// The whole test command: system programs, pinned opa and OpenTofu, build, Rego checks and tests (with coverage threshold),
// typecheck, the tap suite. Ends with one line `N passed, N failed` counted from opa's and
// tap's own results (each non-test check counts as one).
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const REGO_COVERAGE_THRESHOLD = 90
let passed = 0
let failed = 0
const failures = []

const run = (cmd, args, opts = {}) => {
  process.stderr.write(`\n$ ${cmd} ${args.join(' ')}\n`)
  return spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts })
}
// The failing tap tests, each as `file › subtest › assertion`, read from the TAP stream (four
// spaces per nesting level; a parent's line comes after its children's).
const failedTapTests = tapOutput => {
  const pending = []
  for (const line of tapOutput.split('\n')) {
    const m = /^( *)(not ok|ok) \d+ - (.*?)(?: # time=[\d.]+m?s)?$/.exec(line)
    if (!m) continue
    const depth = m[1].length / 4
    const children = pending[depth + 1] ?? []
    pending[depth + 1] = []
    if (m[2] === 'ok') continue
    const chains = children.length ? children.map(c => `${m[3]} › ${c}`) : [m[3]]
    ;(pending[depth] ??= []).push(...chains)
  }
  return pending[0] ?? []
}
const check = (name, ok) => {
  if (ok) passed++
  else {
    failed++
    failures.push(name)
  }
}
// A step whose output goes straight to the terminal; counts as one check.
const step = (name, cmd, args) => {
  const r = run(cmd, args, { stdio: 'inherit' })
  check(name, r.status === 0)
  return r.status === 0
}

step('install system programs (bwrap, kubectl)', join(root, 'scripts/ensure-system-deps.sh'), [])
const ensure = run(join(root, 'scripts/ensure-opa.sh'), [], { stdio: ['ignore', 'pipe', 'inherit'] })
const opa = ensure.stdout.trim()
check('install opa', ensure.status === 0 && opa !== '')
// The terraform end-to-end tests run the real binary: OpenTofu, built from source once into .tools/.
const tofu = run(join(root, 'scripts/ensure-tofu.sh'), [], { stdio: ['ignore', 'pipe', 'inherit'] })
const tofuBin = tofu.stdout?.trim() ?? ''
check('install OpenTofu', tofu.status === 0 && tofuBin !== '')

if (opa !== '' && step('npm run build', 'npm', ['run', 'build', '--silent'])) {
  step('opa check --strict', opa, ['check', '--strict', 'rego'])
  step('opa fmt --list --fail', opa, ['fmt', '--list', '--fail', 'rego'])

  // Per-test results from opa itself.
  const t = run(opa, ['test', '--timeout', '300s', '--format', 'json', 'rego'])
  let results = []
  try {
    results = JSON.parse(t.stdout)
  } catch {
    process.stderr.write(t.stdout + t.stderr)
  }
  check('opa test produced results', results.length > 0)
  for (const r of results) {
    const ok = !r.fail && !r.error
    check(`rego ${r.package}.${r.name}`, ok)
    if (!ok) process.stderr.write(`FAIL rego ${r.package}.${r.name}: ${JSON.stringify(r.error ?? r.output ?? '')}\n`)
  }
  process.stderr.write(`opa test: ${results.filter(r => !r.fail && !r.error).length}/${results.length} passed\n`)
  const cov = run(opa, ['test', '--timeout', '300s', '--coverage', '--threshold', String(REGO_COVERAGE_THRESHOLD), 'rego'])
  let coverage = 'unknown'
  try {
    coverage = JSON.parse(cov.stdout).coverage
  } catch {}
  process.stderr.write(`opa test coverage: ${coverage}% (threshold ${REGO_COVERAGE_THRESHOLD}%)\n`)
  check(`rego coverage >= ${REGO_COVERAGE_THRESHOLD}%`, cov.status === 0)

  step('tsc (src, tests, bench, examples)', 'npx', ['tsc', '-p', 'tsconfig.test.json'])

  // tap: stream its TAP output through, then read its final `# { total, pass, fail }` summary.
  const tapEnv = { ...process.env, ...(tofuBin && !process.env.RECOURSE_TEST_TERRAFORM ? { RECOURSE_TEST_TERRAFORM: tofuBin } : {}) }
  const tap = run('npx', ['tap', '--reporter=tap', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'], env: tapEnv })
  process.stderr.write(tap.stdout)
  const summary = [...tap.stdout.matchAll(/^# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?/gm)].at(-1)
  if (summary) {
    passed += Number(summary[2] ?? 0)
    failed += Number(summary[3] ?? 0)
    if (Number(summary[3] ?? 0) > 0) failures.push('tap assertions')
    // Named again at the end, where a log's tail shows them.
    for (const name of failedTapTests(tap.stdout).slice(0, 30)) failures.push(`tap: ${name}`)
    // Coverage thresholds or a crashed file fail tap without a failed assertion.
    if (tap.status !== 0 && Number(summary[3] ?? 0) === 0) check('tap exit status (coverage thresholds)', false)
  } else check('tap produced a summary', false)
}

if (failures.length) process.stderr.write(`\nfailed:\n${failures.map(f => `  ${f}`).join('\n')}\n`)
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exit(failed === 0 ? 0 : 1)

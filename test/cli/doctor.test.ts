// `recourse-gateway doctor` with the default bundle in every environment, and with bundles that
// cannot be used: exit codes, readable output, parseable JSON.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { makeDirs, removeDirs, runCli } from '../mcp/harness.js'

const d = await makeDirs('gateway-doctor-')
t.teardown(() => removeDirs(d))

for (const env of ['dev', 'staging', 'prod']) {
  t.test(`doctor passes for ${env} with the default bundle`, async t => {
    const r = await runCli(['doctor', '--env', env])
    t.equal(r.code, 0, r.stdout)
    t.notMatch(r.stdout, /^FAIL/m)
    const summary = /^doctor: (\d+)\/(\d+) checks ok \(environment (\w+)\)$/m.exec(r.stdout)
    t.ok(summary, 'ends with a summary line')
    t.equal(summary?.[1], summary?.[2], 'every check ok')
    t.equal(summary?.[3], env)
    t.match(r.stdout, /^ok {4}only gateway tools are exposed$/m)
    t.match(r.stdout, /^ok {4}the approved action runs once$/m)
  })
}

t.test('doctor --json prints one parseable report', async t => {
  const r = await runCli(['doctor', '--env', 'staging', '--json'])
  t.equal(r.code, 0)
  const lines = r.stdout.trim().split('\n')
  t.equal(lines.length, 1)
  const report = JSON.parse(lines[0]!) as { ok: boolean; environment: string; checks: { name: string; ok: boolean; detail: string }[] }
  t.equal(report.ok, true)
  t.equal(report.environment, 'staging')
  t.ok(report.checks.length > 10)
  t.ok(report.checks.every(c => c.ok && typeof c.name === 'string' && typeof c.detail === 'string'))
  t.ok(report.checks.some(c => c.name === 'a mutating command follows the environment (staging)'))
})

t.test('a bundle path that does not exist fails cleanly', async t => {
  const missing = join(d.root, 'missing.tar.gz')
  const r = await runCli(['doctor', '--env', 'dev', '--bundle', missing])
  t.equal(r.code, 1)
  t.match(r.stdout, new RegExp(`^FAIL  policy bundle loads — bundle \`${missing}\` does not exist$`, 'm'))
  t.notMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace')
  const json = JSON.parse((await runCli(['doctor', '--env', 'dev', '--bundle', missing, '--json'])).stdout)
  t.match(json, { ok: false, checks: [{ name: 'policy bundle loads', ok: false, detail: /does not exist/ }] })
})

t.test('a file that is not a bundle fails cleanly', async t => {
  const junk = join(d.root, 'junk.tar.gz')
  await writeFile(junk, 'this is not a gzip file')
  const r = await runCli(['doctor', '--env', 'dev', '--bundle', junk])
  t.equal(r.code, 1)
  t.match(r.stdout, /^FAIL  policy bundle loads — /m)
  t.notMatch(r.stdout + r.stderr, /\n\s+at /)
})

t.test('an unknown environment is a usage error', async t => {
  const r = await runCli(['doctor', '--env', 'qa'])
  t.equal(r.code, 2)
  t.match(r.stderr, /unknown environment `qa`/)
})

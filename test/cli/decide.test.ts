import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import t from 'tap'
import { cli, type CliIO } from '../../src/cli/index.js'

const fixtures = new URL('../../../shared/fixtures/terraform-plans/', import.meta.url).pathname

const run = async (argv: string[], stdin = '') => {
  let stdout = ''
  let stderr = ''
  const io: CliIO = {
    stdin: Readable.from([stdin]),
    stdout: s => void (stdout += s),
    stderr: s => void (stderr += s),
    env: {},
    cwd: process.cwd(),
  }
  const code = await cli(argv, io)
  return { code, stdout, stderr, lines: stdout.split('\n').filter(Boolean).map(l => JSON.parse(l)) }
}

t.test('decide prints one decision as JSON', async t => {
  const r = await run(['decide', '--tool', 'gateway_shell_exec', '--args', '{"command":"ls -la"}', '--env', 'prod'])
  t.equal(r.code, 0)
  t.equal(r.lines.length, 1)
  t.equal(r.lines[0].decision, 'allow')
  t.match(r.lines[0].decision_id, /^[0-9a-f]{32}$/)
  t.equal(r.lines[0].environment, 'prod')
})

t.test('decide judges a terraform plan file given with --plan', async t => {
  const args = ['decide', '--tool', 'gateway_terraform_apply', '--args', '{"plan_id":"plan-abcdef12"}', '--plan', join(fixtures, 'rds-unprotected-destroy.json')]
  const prod = await run([...args, '--env', 'prod'])
  t.equal(prod.lines[0].decision, 'block', 'an RDS instance without final snapshot or backups cannot be deleted in prod')
  t.ok(prod.lines[0].reasons.some((r: { code: string }) => r.code === 'unrecoverable_data_loss'))
  const dev = await run([...args, '--env', 'dev'])
  t.equal(dev.lines[0].decision, 'escalate')
})

t.test('--input adds the normalized policy input', async t => {
  const r = await run(['decide', '--tool', 'gateway_shell_exec', '--args', '{"command":"sudo rm -rf /"}', '--env', 'dev', '--input'])
  t.equal(r.lines[0].decision, 'block')
  t.same(
    r.lines[0].input.shell.commands.map((c: { name: string }) => c.name),
    ['sudo', 'rm'],
  )
})

t.test('an unknown tool or invalid arguments is a block decision, not a crash', async t => {
  const unknown = await run(['decide', '--tool', 'gateway_make_me_admin', '--args', '{}'])
  t.equal(unknown.code, 0)
  t.equal(unknown.lines[0].decision, 'block')
  t.ok(unknown.lines[0].reasons.some((r: { code: string }) => r.code === 'unknown_tool'))
  const invalid = await run(['decide', '--tool', 'gateway_kubectl_delete', '--args', '{"resource":"pods","name":"--all"}'])
  t.equal(invalid.lines[0].decision, 'block')
  t.ok(invalid.lines[0].reasons.some((r: { code: string }) => r.code === 'invalid_args'))
  t.notMatch(unknown.stderr + invalid.stderr, /\n\s+at /, 'no stack trace')
})

t.test('--batch judges JSON Lines in order in one process', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'decide-batch-'))
  const file = join(dir, 'requests.jsonl')
  const lines = [
    { tool: 'gateway_shell_exec', args: { command: 'cat README.md' }, environment: 'prod' },
    { tool: 'gateway_shell_exec', args: { command: 'rm -rf ~' }, environment: 'dev' },
    { tool: 'gateway_kubectl_exec', args: { pod: 'web-0', command: ['sh'] }, environment: 'dev' },
    { tool: 'gateway_shell_exec', args: { command: 'ls' }, environment: 'qa' },
  ]
  writeFileSync(file, lines.map(l => JSON.stringify(l)).join('\n') + '\nnot json\n')
  const r = await run(['decide', '--batch', file])
  t.equal(r.code, 0)
  t.same(
    r.lines.map(l => l.decision),
    ['allow', 'block', 'escalate', 'block', 'block'],
  )
  t.ok(r.lines[3].reasons.some((x: { code: string }) => x.code === 'unknown_environment'), 'an unknown environment blocks')
  t.ok(r.lines[4].reasons.some((x: { code: string }) => x.code === 'invalid_request'), 'a malformed line is judged invalid and keeps its place')
  const fromStdin = await run(['decide', '--batch', '-'], lines.map(l => JSON.stringify(l)).join('\n'))
  t.same(
    fromStdin.lines.map(l => l.decision),
    ['allow', 'block', 'escalate', 'block'],
  )
})

t.test('usage errors exit 2 with one line', async t => {
  for (const argv of [
    ['decide', '--tool', 'gateway_shell_exec', '--args', '{nope'],
    ['decide', '--tool'],
    ['decide', '--frobnicate'],
    ['decide'],
    ['decide', '--tool', 'gateway_shell_exec', '--args', '{"command":"ls"}', '--env', 'production'],
    ['decide', '--batch', '/nonexistent/requests.jsonl'],
    ['decide', '--tool', 'gateway_terraform_apply', '--args', '{}', '--plan', '/nonexistent/plan.json'],
    ['frobnicate'],
  ]) {
    const r = await run(argv)
    t.equal(r.code, 2, argv.join(' '))
    t.equal(r.stdout, '', 'nothing on stdout')
    t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr.trim()}`)
  }
})

t.test('a bundle that cannot be loaded is reported in one line, exit 1', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'decide-bundle-'))
  writeFileSync(join(dir, 'bad.tar.gz'), 'not a bundle')
  const r = await run(['decide', '--tool', 'gateway_shell_exec', '--args', '{"command":"ls"}', '--bundle', join(dir, 'bad.tar.gz')])
  t.equal(r.code, 1)
  t.match(r.stderr, /cannot load policy bundle/)
  t.equal(r.stderr.trim().split('\n').length, 1)
})

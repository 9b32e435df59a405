// `recourse-gateway audit verify` on a state dir the gateway wrote: an untouched log verifies;
// an edited, removed or truncated line is found and named.
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { makeDirs, openGateway, removeDirs, runCli } from '../mcp/harness.js'

const dirs = await makeDirs()
t.teardown(() => removeDirs(dirs))
const g = await openGateway({ env: 'dev', dirs })
await g.agent.shell({ command: 'echo one' })
await g.agent.shell({ command: 'rm -rf /' })
await g.agent.shell({ command: 'cat ~/.aws/credentials' })
await g.agent.shell({ command: 'echo two' })
await g.close()
const pristine = await readFile(join(dirs.state, 'audit.log'), 'utf8')
const lines = pristine.split('\n').filter(Boolean)

/** A copy of the state dir whose audit.log is `edit`ed. */
const tampered = async (name: string, edit: (lines: string[]) => string[]): Promise<string> => {
  const dir = join(dirs.root, name)
  await cp(dirs.state, dir, { recursive: true })
  await writeFile(join(dir, 'audit.log'), edit([...lines]).map(l => l + '\n').join(''))
  return dir
}
const verify = (dir: string, ...extra: string[]) => runCli(['audit', 'verify', '--state-dir', dir, ...extra])

t.test('the log the gateway wrote verifies', async t => {
  t.ok(lines.length >= 6, `several records were written (${lines.length})`)
  const r = await verify(dirs.state)
  t.equal(r.code, 0)
  t.equal(r.stdout, `audit chain ok: ${lines.length} records\n`)
  const json = JSON.parse((await verify(dirs.state, '--json')).stdout)
  t.match(json, { ok: true, records: lines.length, files: ['audit.log'] })
})

t.test('an edited line in the middle is detected and named', async t => {
  const i = lines.findIndex(l => l.includes('"event":"tool_call"') && l.includes('"executed":true'))
  t.ok(i >= 0 && i < lines.length - 1, 'a middle line records an execution')
  const dir = await tampered('edited', ls => {
    ls[i] = ls[i]!.replace('"executed":true', '"executed":false')
    return ls
  })
  const r = await verify(dir)
  t.equal(r.code, 1)
  t.equal(r.stdout.split('\n')[0]?.startsWith(`audit chain BROKEN at audit.log:${i + 1} (seq ${i + 1}): hash_mismatch`), true, r.stdout)
  const json = JSON.parse((await verify(dir, '--json')).stdout)
  t.match(json, { ok: false, records: i, firstBroken: { file: 'audit.log', line: i + 1, seq: i + 1, reason: 'hash_mismatch' } })
})

t.test('an edited last line is detected against the store head', async t => {
  const dir = await tampered('edited-last', ls => {
    ls[ls.length - 1] = ls.at(-1)!.replace('"agent_id":"agent-a"', '"agent_id":"agent-z"')
    return ls
  })
  const r = await verify(dir)
  t.equal(r.code, 1)
  t.match(r.stdout, new RegExp(`^audit chain BROKEN at audit.log:${lines.length} .*hash_mismatch`))
})

t.test('a removed line and a cut-off tail are detected', async t => {
  const removed = await verify(await tampered('removed', ls => ls.filter((_, j) => j !== 2)))
  t.equal(removed.code, 1)
  t.match(removed.stdout, /BROKEN at audit\.log:3 \(seq 4\): seq_gap/)
  const cut = await verify(await tampered('cut', ls => ls.slice(0, -2)))
  t.equal(cut.code, 1)
  t.match(cut.stdout, /truncated/)
})

t.test('audit tail prints the last records as JSON lines', async t => {
  const r = await runCli(['audit', 'tail', '-n', '2', '--state-dir', dirs.state])
  t.equal(r.code, 0)
  t.same(r.stdout.split('\n').filter(Boolean).map(l => JSON.parse(l)), lines.slice(-2).map(l => JSON.parse(l)))
  t.equal((await runCli(['audit', 'tail', '-n', '0', '--state-dir', dirs.state])).code, 2)
})

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { openRuntime, RETAIN_ENDED_SECONDS } from '../../src/gateway/runtime.js'

t.test('ended approvals are pruned after the retention, live ones are kept', async t => {
  let clock = Date.parse('2026-03-01T00:00:00Z')
  const rt = await openRuntime({
    environment: 'prod',
    stateDir: mkdtempSync(join(tmpdir(), 'prune-state-')),
    agentId: 'agent-a',
    workdir: mkdtempSync(join(tmpdir(), 'prune-work-')),
    now: () => new Date(clock),
    runShell: async () => {
      throw new Error('nothing runs in this test')
    },
  })
  t.teardown(() => rt.close())
  const first = await rt.gateway.call('gateway_shell_exec', { command: 'touch a.txt' })
  t.equal(first.structured.status, 'approval_required')
  // Past its TTL (prod: 15 min) the first request is expired; a second one is made later and stays live.
  clock += 3600_000
  const second = await rt.gateway.call('gateway_shell_exec', { command: 'touch b.txt' })
  t.equal(second.structured.status, 'approval_required')
  t.equal(rt.prune(), 0, 'an expired request is kept for review during the retention')
  clock += RETAIN_ENDED_SECONDS * 1000 + 1000
  const live = await rt.gateway.call('gateway_shell_exec', { command: 'touch c.txt' })
  t.equal(rt.prune(), 1, 'the first request is deleted once its retention has passed')
  t.equal(rt.store.approvals.get(first.structured.approval_id as string), null)
  t.not(rt.store.approvals.get(second.structured.approval_id as string), null, 'the second is still within its retention')
  clock += 20 * 60_000
  t.equal(rt.prune(), 1, 'the second goes when its own retention has passed')
  t.not(rt.store.approvals.get(live.structured.approval_id as string), null, 'the live request stays')
})

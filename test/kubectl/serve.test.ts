// `serve --kubeconfig/--kube-context/--kubectl`: the kubectl tools appear only with a kubeconfig
// and act on the cluster it names (here the API server TEST DOUBLE of ./api-double.ts).
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import t from 'tap'
import { makeDirs, removeDirs, runCli } from '../mcp/harness.js'
import { startApiDouble } from './api-double.js'

const d = await makeDirs('kubectl-serve-')
const api = await startApiDouble()
t.teardown(async () => {
  await api.close()
  await removeDirs(d)
})

t.test('the kubectl flags without --kubeconfig, or an unreadable one, are usage errors', async t => {
  t.match(await runCli(['serve', '--kube-context', 'x', '--state-dir', d.state]), { code: 2, stderr: /--kube-context and --kubectl need --kubeconfig/ })
  t.match(await runCli(['serve', '--kubectl', '/usr/bin/kubectl', '--state-dir', d.state]), { code: 2, stderr: /need --kubeconfig/ })
  t.match(await runCli(['serve', '--env', 'dev', '--kubeconfig', join(d.root, 'nope'), '--state-dir', d.state, '--workdir', d.work]), {
    code: 2,
    stderr: /cannot read --kubeconfig/,
  })
})

t.test('with --kubeconfig and --kube-context the kubectl tools are served and use that context', async t => {
  const kubeconfig = await api.writeKubeconfig(d.root, 'team-a')
  // A second context pointing nowhere: the gateway must use the one named by --kube-context.
  const text = await readFile(kubeconfig, 'utf8')
  await writeFile(kubeconfig, text.replace('current-context: double', 'current-context: broken').replace('contexts:\n', 'contexts:\n- name: broken\n  context: {cluster: nowhere, user: gateway}\n'))
  let stop!: () => void
  const until = new Promise<void>(ok => (stop = ok))
  let onListening!: (a: { mcp?: string }) => void
  const listening = new Promise<{ mcp?: string }>(ok => (onListening = ok))
  const served = runCli(
    ['serve', '--env', 'dev', '--http', '127.0.0.1:0', '--state-dir', d.state, '--workdir', d.work, '--kubeconfig', kubeconfig, '--kube-context', 'double', '--kubectl', '/usr/bin/kubectl'],
    { serve: { until, onListening } },
  )
  const endedEarly = served.then(r => Promise.reject(new Error(`serve ended early (${r.code}): ${r.stderr}`)))
  endedEarly.catch(() => {})
  const addresses = await Promise.race([listening, endedEarly])
  const client = new Client({ name: 'kubectl-serve-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://${addresses.mcp}/mcp`)))
  const names = (await client.listTools()).tools.map(x => x.name)
  t.ok(names.includes('gateway_kubectl_get') && names.includes('gateway_kubectl_exec'), names.join(', '))
  api.put('', 'team-a', 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p-1', namespace: 'team-a' }, spec: { containers: [{ name: 'c', image: 'i' }] } })
  api.clear()
  const r = await client.callTool({ name: 'gateway_kubectl_get', arguments: { resource: 'pods', output: 'name' } })
  const s = (r.structuredContent ?? {}) as Record<string, unknown>
  t.equal(s.status, 'executed', JSON.stringify(s).slice(0, 400))
  t.equal(s.stdout, 'pod/p-1\n')
  t.same(api.actions(), ['GET /api/v1/namespaces/team-a/pods?limit=500&timeout=1m0s'], "the context's namespace is the default")
  await client.close()
  stop()
  t.equal((await served).code, 0)
})

import t from 'tap'
import { createHash } from 'node:crypto'
import { canonicalJson, fingerprintRequest } from '../../src/approvals/fingerprint.js'

const req = { tool: 'gateway_kubectl_scale', args: { resource: 'deployments', name: 'api', replicas: 3, namespace: 'web' }, environment: 'prod', agent_id: 'a1' }

t.test('canonical JSON sorts keys at every depth and has no whitespace', async t => {
  t.equal(canonicalJson({ b: 1, a: [{ d: true, c: null }, 'x'], ä: 'é' }), '{"a":[{"c":null,"d":true},"x"],"b":1,"ä":"é"}')
  t.equal(canonicalJson({ z: { y: 2, x: 1 } }), canonicalJson({ z: { x: 1, y: 2 } }))
  t.equal(canonicalJson('line\nbreak "q"'), '"line\\nbreak \\"q\\""')
  t.equal(canonicalJson([1.5, -0, 1e21]), '[1.5,0,1e+21]')
})

t.test('canonical JSON refuses what is not plain JSON, naming where', async t => {
  t.throws(() => canonicalJson({ a: undefined }), /\$\.a/)
  t.throws(() => canonicalJson({ a: [1, NaN] }), /\$\.a\[1\].*NaN/)
  t.throws(() => canonicalJson(Infinity), TypeError)
  t.throws(() => canonicalJson(10n), /bigint/)
  t.throws(() => canonicalJson({ d: new Date(0) }), /Date/)
  t.throws(() => canonicalJson({ f: () => 1 }), /function/)
  t.throws(() => canonicalJson([, 1]), /hole/)
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  t.throws(() => canonicalJson(cyclic), /circular/)
  // The same object twice is not a cycle.
  const shared = { x: 1 }
  t.equal(canonicalJson([shared, shared]), '[{"x":1},{"x":1}]')
})

t.test('a fingerprint is the sha256 of the canonical request', async t => {
  const expected = createHash('sha256')
    .update('{"agent_id":"a1","args":{"name":"api","namespace":"web","replicas":3,"resource":"deployments"},"environment":"prod","tool":"gateway_kubectl_scale"}')
    .digest('hex')
  t.equal(fingerprintRequest(req), expected)
})

t.test('key order does not change a fingerprint', async t => {
  const reordered = { agent_id: 'a1', environment: 'prod', args: { namespace: 'web', replicas: 3, name: 'api', resource: 'deployments' }, tool: 'gateway_kubectl_scale' }
  t.equal(fingerprintRequest(reordered), fingerprintRequest(req))
})

t.test('changing any argument, the tool, the environment or the agent changes the fingerprint', async t => {
  const base = fingerprintRequest(req)
  t.not(fingerprintRequest({ ...req, args: { ...req.args, replicas: 30 } }), base)
  t.not(fingerprintRequest({ ...req, args: { ...req.args, replicas: '3' } }), base, 'a number and its string differ')
  t.not(fingerprintRequest({ ...req, args: { ...req.args, extra: null } }), base, 'an added null field counts')
  t.not(fingerprintRequest({ ...req, tool: 'gateway_kubectl_delete' }), base)
  t.not(fingerprintRequest({ ...req, environment: 'staging' }), base)
  t.not(fingerprintRequest({ ...req, agent_id: 'a2' }), base)
})

t.test('a top-level approval_id is not part of the fingerprint, a nested one is', async t => {
  const base = fingerprintRequest(req)
  t.equal(fingerprintRequest({ ...req, args: { ...req.args, approval_id: 'abc' } }), base)
  t.not(fingerprintRequest({ ...req, args: { ...req.args, labels: { approval_id: 'abc' } } }), base)
})

t.test('a fingerprint refuses non-JSON args and non-string identity fields', async t => {
  t.throws(() => fingerprintRequest({ ...req, args: { when: new Date() } }), TypeError)
  t.throws(() => fingerprintRequest({ ...req, args: new Map() }), /Map/)
  t.throws(() => fingerprintRequest({ ...req, args: undefined }), TypeError)
  t.throws(() => fingerprintRequest({ ...req, agent_id: undefined as unknown as string }), /agent_id/)
})

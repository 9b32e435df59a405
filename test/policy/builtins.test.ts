import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import t from 'tap'
import { NONDETERMINISTIC_BUILTINS, SDK_BUILTINS, checkBuiltins, isNondeterministic } from '../../src/policy/builtins.js'

t.test('SDK_BUILTINS is exactly what the installed opa-wasm SDK implements in JavaScript', async t => {
  const require = createRequire(import.meta.url)
  // The SDK does not export its builtins table: load it by file path from the package's CommonJS entry.
  const sdkMain = require.resolve('@open-policy-agent/opa-wasm')
  const table = require(join(dirname(sdkMain), 'builtins', 'index.js')) as Record<string, unknown>
  t.same([...SDK_BUILTINS].sort(), Object.keys(table).sort())
})

t.test('the deny list covers network, clock, randomness and runtime builtins', async t => {
  for (const name of ['http.send', 'net.lookup_ip_addr', 'net.cidr_expand', 'opa.runtime', 'rand.intn', 'time.now_ns', 'uuid.rfc4122', 'io.jwt.decode_verify'])
    t.ok(isNondeterministic(name), name)
  for (const name of ['sprintf', 'time.parse_rfc3339_ns', 'network.x', 'random', 'uuid.parse', 'json.is_valid'])
    t.notOk(isNondeterministic(name), name)
  t.ok(NONDETERMINISTIC_BUILTINS.includes('http.send'))
})

t.test('builtins the SDK implements pass; others need a custom implementation', async t => {
  t.doesNotThrow(() => checkBuiltins(['sprintf', 'regex.split', 'yaml.unmarshal']))
  t.doesNotThrow(() => checkBuiltins(['custom.lookup'], ['custom.lookup']))
  t.doesNotThrow(() => checkBuiltins([]))
  t.throws(() => checkBuiltins(['sprintf', 'units.parse', 'crypto.sha256']), {
    name: 'GatewayError',
    code: 'bundle_unsupported_builtin',
    message: /builtins not available to wasm evaluation: crypto.sha256, units.parse\)/,
    details: { denied: [], missing: ['crypto.sha256', 'units.parse'] },
  })
})

t.test('a denied builtin is refused even when implemented, and both problems are named together', async t => {
  t.throws(() => checkBuiltins(['time.now_ns', 'units.parse'], ['time.now_ns']), {
    code: 'bundle_unsupported_builtin',
    message: /non-deterministic builtins are not allowed: time.now_ns; builtins not available to wasm evaluation: units.parse/,
    details: { denied: ['time.now_ns'], missing: ['units.parse'] },
  })
})

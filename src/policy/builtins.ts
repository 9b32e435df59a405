/**
 * Which builtins a policy module may call out to the host for. A wasm module cannot reach the
 * outside world except through these host calls, so checking them at load time is complete.
 */
import { GatewayError } from '../errors.js'

/**
 * Builtins the opa-wasm SDK (v1.10) implements in JavaScript (its src/builtins/). A test checks
 * this list against the installed SDK. Everything else the module lists must be natively compiled.
 */
export const SDK_BUILTINS: readonly string[] = ['json.is_valid', 'regex.split', 'sprintf', 'yaml.is_valid', 'yaml.marshal', 'yaml.unmarshal']

/**
 * Builtins refused even when an implementation is provided: a decision must depend on its input
 * and data only (time comes in as input.time). `prefix.*` matches a whole namespace. Mostly those
 * opa marks nondeterministic (network, clock, randomness, runtime environment).
 */
export const NONDETERMINISTIC_BUILTINS: readonly string[] = [
  'http.send',
  'net.*',
  'opa.runtime',
  'rand.*',
  'time.now_ns',
  'uuid.rfc4122',
  'io.jwt.decode_verify',
  'io.jwt.encode_sign',
  'io.jwt.encode_sign_raw',
  'crypto.x509.parse_and_verify_certificates',
  'crypto.x509.parse_and_verify_certificates_with_options',
  'json.match_schema',
  'json.verify_schema',
]

/** True when `name` is on the deny list. */
export const isNondeterministic = (name: string): boolean =>
  NONDETERMINISTIC_BUILTINS.some(entry => (entry.endsWith('.*') ? name.startsWith(entry.slice(0, -1)) : name === entry))

/**
 * Refuses (bundle_unsupported_builtin) a module whose host builtins are denied or have no
 * implementation among the SDK's and `custom`.
 */
export function checkBuiltins(required: readonly string[], custom: readonly string[] = []): void {
  const denied = required.filter(isNondeterministic).sort()
  const missing = required.filter(name => !isNondeterministic(name) && !SDK_BUILTINS.includes(name) && !custom.includes(name)).sort()
  if (denied.length === 0 && missing.length === 0) return
  const parts = [
    ...(denied.length ? [`non-deterministic builtins are not allowed: ${denied.join(', ')}`] : []),
    ...(missing.length ? [`builtins not available to wasm evaluation: ${missing.join(', ')}`] : []),
  ]
  throw new GatewayError('bundle_unsupported_builtin', `policy module uses unsupported builtins (${parts.join('; ')})`, {
    details: { denied, missing },
  })
}

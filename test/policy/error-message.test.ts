// errorMessage lives in src/errors.ts; the evaluator relies on it to render whatever opa-wasm throws.
import t from 'tap'
import { GatewayError, errorMessage, isGatewayError } from '../../src/errors.js'

t.test('anything thrown renders as one line', async t => {
  t.equal(errorMessage(new Error('boom')), 'boom')
  t.equal(errorMessage(new TypeError('')), 'TypeError', 'an empty message falls back to the name')
  t.equal(errorMessage('file.rego:5:1: var assignment conflict'), 'file.rego:5:1: var assignment conflict')
  t.equal(errorMessage({ message: 'not implemented: built-in function 0: http.send' }), 'not implemented: built-in function 0: http.send')
  t.equal(errorMessage({ code: 7 }), '{"code":7}')
  t.equal(errorMessage(null), 'null')
  t.equal(errorMessage(undefined), 'undefined')
  t.equal(errorMessage(42), '42')
  t.equal(errorMessage(Symbol('s')), 'Symbol(s)')
  t.equal(errorMessage(new Error('line one\n  line two\r\nthree')), 'line one line two three')
})

t.test('values that resist printing still give a line', async t => {
  const circular: Record<string, unknown> = {}
  circular.self = circular
  t.equal(errorMessage(circular), 'unprintable thrown value')
  const hostile = new Proxy({}, {
    get: () => {
      throw new Error('no')
    },
  })
  t.equal(errorMessage(hostile), 'unprintable thrown value')
  t.equal(errorMessage(Object.create(null)), '{}')
})

t.test('long messages are cut', async t => {
  const line = errorMessage('x'.repeat(5000))
  t.equal(line.length, 2001)
  t.ok(line.endsWith('…'))
})

t.test('GatewayError carries a code, details and cause', async t => {
  const cause = new Error('inner')
  const e = new GatewayError('bundle_invalid', 'bad bundle', { details: { entry: 'x' }, cause })
  t.equal(e.name, 'GatewayError')
  t.equal(e.code, 'bundle_invalid')
  t.same(e.details, { entry: 'x' })
  t.equal(e.cause, cause)
  t.equal(errorMessage(e), 'bad bundle')
  t.ok(isGatewayError(e))
  t.ok(isGatewayError(e, 'bundle_invalid'))
  t.notOk(isGatewayError(e, 'usage'))
  t.notOk(isGatewayError(new Error('x')))
})

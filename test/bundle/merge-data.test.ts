import t from 'tap'
import { deepMerge, nestAt } from '../../src/bundle/merge-data.js'

t.test('objects merge key by key; arrays and scalars from the override replace', async t => {
  const base = { a: { b: 1, c: [1, 2, 3] }, d: 'x' }
  const merged = deepMerge(base, { a: { c: [9], e: true }, d: { now: 'object' } })
  t.same(merged, { a: { b: 1, c: [9], e: true }, d: { now: 'object' } })
  t.same(base, { a: { b: 1, c: [1, 2, 3] }, d: 'x' }, 'the base is not modified')
})

t.test('conflicts go to the callback with their path', async t => {
  const seen: unknown[] = []
  const merged = deepMerge({ a: { b: 1 } }, { a: { b: 2 } }, (path, before, after) => {
    seen.push([path, before, after])
    return 'chosen'
  })
  t.same(seen, [[['a', 'b'], 1, 2]])
  t.same(merged, { a: { b: 'chosen' } })
})

t.test('a __proto__ key stays data and never becomes a prototype', async t => {
  const evil = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')
  const merged = deepMerge({}, evil)
  t.equal(Object.getPrototypeOf(merged), Object.prototype)
  t.equal((merged as Record<string, unknown>).polluted, undefined)
  t.same(Object.keys(merged), ['__proto__', 'a'])
  t.equal(JSON.stringify(merged), '{"__proto__":{"polluted":true},"a":1}')
  t.equal(({} as Record<string, unknown>).polluted, undefined)
  t.equal(JSON.stringify(nestAt(['__proto__'], 1)), '{"__proto__":1}')
})

t.test('nestAt wraps a value along a path', async t => {
  t.same(nestAt(['a', 'b'], 1), { a: { b: 1 } })
  t.equal(nestAt([], 1), 1)
})

import t from 'tap'
import { createRandomId } from '../../src/policy/random-id.js'

t.test('ids are 32 hex digits and do not repeat across pool refills', async t => {
  const next = createRandomId(4)
  const ids = Array.from({ length: 50 }, next)
  for (const id of ids) t.match(id, /^[0-9a-f]{32}$/)
  t.equal(new Set(ids).size, ids.length)
})

import { readFileSync } from 'node:fs'
import t from 'tap'
import { createDecider } from '../../src/gateway/decider.js'
import { goldenData, goldenInput, type GoldenCase } from '../../src/normalize/golden.js'

const root = new URL('../../', import.meta.url)
const cases = JSON.parse(readFileSync(new URL('test/golden/cases.json', root), 'utf8')) as GoldenCase[]
const committed = JSON.parse(readFileSync(new URL('rego/testdata/golden/data.json', root), 'utf8'))

t.test('the golden inputs opa test asserts are what the normalizers produce today', async t => {
  // If this fails, run `npm run build && node scripts/golden.mjs` and review the diff.
  t.same(JSON.parse(JSON.stringify(goldenData(cases))), committed)
})

t.test('the built WASM bundle decides every golden case as the Rego tests expect', async t => {
  const decider = await createDecider({ bundle: new URL('dist/bundle.tar.gz', root).pathname })
  t.ok(cases.length >= 50, 'there are golden cases')
  for (const c of cases) {
    const d = decider.evaluate(goldenInput(c))
    t.equal(d.decision, c.expect.decision, c.name)
    const codes = d.reasons.map(r => r.code)
    for (const code of c.expect.codes ?? []) t.ok(codes.includes(code), `${c.name}: reason ${code}`)
  }
})

t.test('the embedded default bundle is the one that was built from rego/', async t => {
  const decider = await createDecider()
  t.match(decider.revision, /^recourse-gateway@\d+\.\d+\.\d+\+[0-9a-f]{12}$/)
  t.same(decider.environments().sort(), ['dev', 'prod', 'staging'])
})

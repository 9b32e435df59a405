import { execFileSync } from 'node:child_process'
import t from 'tap'

t.test('the embedding example runs and prints the three documented decisions', async t => {
  const root = new URL('../../', import.meta.url).pathname
  const out = execFileSync(process.execPath, ['examples/embed-evaluator/decide.mjs'], { cwd: root, encoding: 'utf8' })
  const decisions = out
    .split('\n')
    .filter(l => /^(allow|escalate|block)\s/.test(l))
    .map(l => l.split(/\s+/)[0])
  t.same(decisions, ['allow', 'block', 'escalate'])
  t.match(out, /policy revision recourse-gateway@/)
})

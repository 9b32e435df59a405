import t from 'tap'
import { isAllowedOutput, isLabelSelector } from '../../src/normalize/kubectl-selector.js'

t.test('label selectors in every form kubectl accepts are valid', async t => {
  for (const s of [
    'app=web',
    'app==web',
    'app!=web',
    'app',
    '!app',
    'app=',
    'app in (web,api)',
    'app in (web, api)',
    'app notin (web)',
    'tier=frontend,app in (web,api),!canary',
    'app.kubernetes.io/name=web',
    'example.com/team-a_b.c=x-y_z.1',
    'app = web',
    ' app=web ',
    'A1=B2',
  ])
    t.ok(isLabelSelector(s), s)
})

t.test('a selector cannot smuggle flags, spaces-separated words or shell text', async t => {
  for (const s of [
    'app=x --all-namespaces',
    'app=x -A',
    '-l',
    '--selector=app',
    '-app=x',
    'app=-x',
    'app=x,--all-namespaces',
    'app=x --field-selector=metadata.name=y',
    'app=x\n--all-namespaces',
    'app=x\t-A',
    'app=$(id)',
    'app=`id`',
    'app=x;rm',
    'app=x y',
    'app in (a b)',
    'app in ()',
    'app in (a,)',
    'app in (a',
    'app in a,b)',
    'app in ((a))',
    'app notin',
    'app in',
    '=x',
    '!app=x',
    'app=x=y',
    'app=x,',
    ',app=x',
    '',
    '   ',
    'a/b/c=x',
    '/x=y',
    'UPPER.example.com/x=y',
    `${'a'.repeat(64)}=x`,
    `x=${'a'.repeat(64)}`,
    `${'a'.repeat(254)}/x=y`,
    'app=x\u0000',
  ])
    t.notOk(isLabelSelector(s), JSON.stringify(s))
})

t.test('selector validation stays fast on hostile input', async t => {
  const start = process.hrtime.bigint()
  for (const s of ['a.'.repeat(500) + '-', 'a-'.repeat(500) + '/', `x in (${'a,'.repeat(300)}`, ('a' + '-'.repeat(60)).repeat(16) + '=!'])
    t.notOk(isLabelSelector(s))
  t.ok(Number(process.hrtime.bigint() - start) / 1e6 < 500, 'under 500 ms')
})

t.test('output formats are limited to ones that read no template or file', async t => {
  for (const o of ['json', 'yaml', 'wide', 'name']) t.ok(isAllowedOutput(o), o)
  for (const o of [
    'jsonpath={..}',
    'jsonpath={.items[*].metadata.name}',
    'jsonpath-file=/etc/passwd',
    'go-template={{.}}',
    'go-template-file=/etc/shadow',
    'template={{.}}',
    'custom-columns=NAME:.metadata.name',
    'custom-columns-file=/etc/passwd',
    'JSON',
    'json ',
    'json,yaml',
    '',
    'name --all-namespaces',
  ])
    t.notOk(isAllowedOutput(o), o)
})

import t from 'tap'
import { MAX_MANIFEST_OBJECTS, MAX_ALIAS_VALUES, manifestDocuments, parseManifest, type ManifestObject } from '../../src/normalize/kubectl-manifest.js'

const objectsOf = (text: string): ManifestObject[] => {
  const r = parseManifest(text)
  if (!r.ok) throw new Error(`expected the manifest to parse, got ${r.error.code}: ${r.error.message}`)
  return r.objects
}
const errorOf = (text: string): { code: string; message: string } => {
  const r = parseManifest(text)
  if (r.ok) throw new Error(`expected the manifest to be refused, got ${JSON.stringify(r.objects)}`)
  return r.error
}
const configMap = (name: string, extra = ''): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`

t.test('a multi-document manifest yields every object with its declared namespace', async t => {
  const text = [
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-creds\n  namespace: shop\nstringData:\n  password: hunter2',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop',
    '# a comment only document',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2',
  ].join('\n---\n')
  t.same(objectsOf(text), [
    { apiVersion: 'v1', kind: 'Secret', name: 'db-creds', namespace: 'shop' },
    { apiVersion: 'v1', kind: 'Namespace', name: 'shop', namespace: null },
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: null },
  ])
})

t.test('a leading separator, a commented separator and CRLF line ends are read like kubectl', async t => {
  t.same(
    objectsOf(`---\n${configMap('a')}--- # next\n${configMap('b')}`).map(o => o.name),
    ['a', 'b'],
  )
  t.same(
    objectsOf('apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: b\r\n').map(o => o.name),
    ['a', 'b'],
  )
})

t.test('a JSON manifest is read too', async t => {
  t.same(objectsOf('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"x"}}'), [
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'x' },
  ])
})

t.test('kind: List is expanded into its items', async t => {
  const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: robot, namespace: ci}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: robot-admin}
`
  t.same(objectsOf(text), [
    { apiVersion: 'v1', kind: 'ServiceAccount', name: 'robot', namespace: 'ci' },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: 'robot-admin', namespace: null },
  ])
})

t.test('any object with items is a list to kubectl: a ConfigMap cannot hide a ClusterRoleBinding in items', async t => {
  const text = `${configMap('innocent')}items:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRoleBinding\n  metadata: {name: pwn}\n`
  t.same(
    objectsOf(text).map(o => o.kind),
    ['ClusterRoleBinding'],
  )
  t.same(
    objectsOf('apiVersion: v1\nkind: SecretList\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n').map(o => o.kind),
    ['Secret'],
  )
})

t.test('lists that are not plain lists are refused', async t => {
  for (const [why, text] of [
    ['List without items', 'apiVersion: v1\nkind: List\n'],
    ['items not a list', 'apiVersion: v1\nkind: List\nitems: {a: 1}\n'],
    ['items null', 'apiVersion: v1\nkind: List\nitems: null\n'],
    ['a list inside a list', 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: List, items: []}\n'],
    ['an item with items', 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, items: []}\n'],
    ['an item that is not a mapping', 'apiVersion: v1\nkind: List\nitems:\n- just text\n'],
    ['Items spelled differently', `${configMap('a')}Items:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n`],
    ['list without kind', 'apiVersion: v1\nitems: []\n'],
  ] as const)
    t.equal(errorOf(text).code, 'invalid_manifest', why)
})

t.test('objects without apiVersion, kind or name, or with non-string fields, are invalid', async t => {
  for (const [why, text] of [
    ['missing kind', 'apiVersion: v1\nmetadata:\n  name: a\n'],
    ['missing apiVersion', 'kind: ConfigMap\nmetadata:\n  name: a\n'],
    ['missing metadata', 'apiVersion: v1\nkind: ConfigMap\n'],
    ['missing name', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: a\n'],
    ['metadata not a mapping', 'apiVersion: v1\nkind: ConfigMap\nmetadata: [a]\n'],
    ['numeric name', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 123\n'],
    ['boolean namespace', `${configMap('a')}`.replace('  name: a', '  name: a\n  namespace: true')],
    ['kind is a mapping', 'apiVersion: v1\nkind: {a: 1}\nmetadata:\n  name: a\n'],
    ['empty kind', 'apiVersion: v1\nkind: ""\nmetadata:\n  name: a\n'],
    ['a scalar document', 'just a string\n'],
    ['a sequence document', '- a\n- b\n'],
    ['Kind spelled differently', 'apiVersion: v1\nKind: Secret\nkind: ConfigMap\nmetadata:\n  name: a\n'],
    ['Namespace spelled differently', `${configMap('a')}`.replace('  name: a', '  name: a\n  Namespace: kube-system')],
  ] as const)
    t.equal(errorOf(text).code, 'invalid_manifest', why)
})

t.test('names and namespaces must be DNS-1123 names', async t => {
  for (const [why, text] of [
    ['flag-like name', configMap('--all')],
    ['flag-like quoted name', configMap('"-n"')],
    ['uppercase name', configMap('Web')],
    ['path name', configMap('"a/b"')],
    ['spaced name', configMap('"a b"')],
    ['flag-like namespace', configMap('a').replace('  name: a', '  name: a\n  namespace: "--all-namespaces"')],
    ['namespace with a dot-dot', configMap('a').replace('  name: a', '  name: a\n  namespace: "a..b"')],
  ] as const) {
    const e = errorOf(text)
    t.equal(e.code, 'invalid_manifest', why)
    t.match(e.message, /DNS-1123/, why)
  }
})

t.test('generateName without name is refused with its own code', async t => {
  const e = errorOf('apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: run-\n')
  t.equal(e.code, 'manifest_generate_name_unsupported')
})

t.test('YAML errors and duplicate keys are invalid', async t => {
  for (const [why, text] of [
    ['unclosed quote', 'apiVersion: v1\nkind: "ConfigMap\nmetadata:\n  name: a\n'],
    ['bad indentation', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n bad: x\n'],
    ['duplicate kind', 'apiVersion: v1\nkind: ConfigMap\nkind: ClusterRoleBinding\nmetadata:\n  name: a\n'],
    ['duplicate namespace', configMap('a').replace('  name: a', '  name: a\n  namespace: x\n  namespace: kube-system')],
    ['duplicate key by escape', configMap('a').replace('  name: a', '  name: a\n  namespace: x\n  "namesp\\x61ce": kube-system')],
    ['junk after separator', `${configMap('a')}--- junk\n${configMap('b')}`],
    ['document starting on the separator line', `--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n`],
    ['two JSON objects in one document', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}\n{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}'],
  ] as const)
    t.equal(errorOf(text).code, 'invalid_manifest', why)
})

t.test('a quoted string cannot hide a document from the gateway that kubectl would split out', async t => {
  const text = `${configMap('a')}data:\n  x: "foo\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: pwn\n"\n`
  t.equal(errorOf(text).code, 'invalid_manifest')
})

t.test('merge keys and explicit tags, which other YAML readers decode differently, are refused', async t => {
  for (const [why, text] of [
    ['merge key', `x: &ns {namespace: kube-system}\n${configMap('a').replace('  name: a', '  <<: *ns\n  name: a')}`],
    ['merge key under %YAML 1.1', `%YAML 1.1\n---\nx: &ns {namespace: kube-system}\n${configMap('a').replace('  name: a', '  <<: *ns\n  name: a')}`],
    ['quoted merge key', configMap('a').replace('  name: a', '  "<<": {namespace: kube-system}\n  name: a')],
    // Spelled with escapes, so the text holds no `<` at all.
    ['escaped merge key', configMap('a').replace('  name: a', '  "\\x3c\\x3c": {namespace: kube-system}\n  name: a')],
    ['unicode-escaped merge key', configMap('a').replace('  name: a', '  "\\u003C\\U0000003c": {namespace: kube-system}\n  name: a')],
    ['binary tag', configMap('a').replace('  name: a', '  name: a\n  namespace: !!binary a3ViZS1zeXN0ZW0=')],
    ['custom tag', `${configMap('a')}data: !secret {a: b}\n`],
    ['timestamp tag', `${configMap('a')}data:\n  t: !!timestamp 2001-12-14\n`],
  ] as const)
    t.equal(errorOf(text).code, 'invalid_manifest', why)
  t.same(
    objectsOf(configMap('a', 'data:\n  n: !!str 12\n')).map(o => o.name),
    ['a'],
  )
})

t.test('a billion-laughs alias bomb is refused, plain aliases are fine', async t => {
  const bomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
    configMap('x'),
  ].join('\n')
  const e = errorOf(bomb)
  t.equal(e.code, 'invalid_manifest')
  t.match(e.message, /alias/i)
  t.same(objectsOf(`${configMap('a')}data:\n  x: &v hello\n  y: *v\n`), [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: null }])
})

t.test('a cyclic document (an alias inside the collection it names) is refused, not walked forever', async t => {
  for (const [why, text] of [
    ['sequence', `${configMap('a')}data: &a [*a]\n`],
    ['mapping', `${configMap('a')}data: &a {x: {y: *a}}\n`],
    ['whole document', '&doc {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: *doc}\n'],
  ] as const) {
    const e = errorOf(text)
    t.equal(e.code, 'invalid_manifest', why)
    t.match(e.message, /cyclic/, why)
  }
})

t.test('aliases are bounded by how often collections are reused and by what they expand to', async t => {
  const reused = (n: number): string => `${configMap('a')}x: &v [1]\ny: [${Array(n).fill('*v').join(', ')}]\n`
  t.same(objectsOf(reused(100)).map(o => o.name), ['a'], '100 reuses are fine')
  t.match(errorOf(reused(101)).message, /at most 100 aliases/)
  // Few aliases, each of a large collection: the expansion, not the alias count, is what is too big.
  const copies = (n: number): string => `${configMap('a')}x: &v [${Array(999).fill('0').join(',')}]\ny: [${Array(n).fill('*v').join(',')}]\n`
  t.same(objectsOf(copies(10)).map(o => o.name), ['a'], 'ten copies of 1,000 values are fine')
  t.match(errorOf(copies(11)).message, new RegExp(`at most ${MAX_ALIAS_VALUES} values`))
  // Scalars may be aliased freely: their copies cost no more than the text that names them.
  t.same(objectsOf(`${configMap('a')}x: &s hello\ny: [${Array(500).fill('*s').join(',')}]\n`).map(o => o.name), ['a'])
})

t.test('manifestDocuments is the one reader: plain values, one per document, empty documents kept as null', async t => {
  const r = manifestDocuments(`${configMap('a')}data: {k: v}\n---\n# only a comment\n---\n${configMap('b')}`)
  t.ok(r.ok)
  if (!r.ok) return
  t.same(r.values.map(v => v ?? null), [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } },
    null,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } },
  ])
  t.equal(Object.getPrototypeOf(r.values[0]), Object.prototype)
  const bad = manifestDocuments('a: [')
  t.equal(bad.ok ? 'ok' : bad.error.code, 'invalid_manifest')
})

t.test('hostile nesting is refused before the YAML composer can overflow the stack', async t => {
  for (const [why, text] of [
    ['flow brackets', `${configMap('a')}data: ${'['.repeat(300_000)}${']'.repeat(300_000)}\n`],
    ['flow brackets hidden behind quoted closers', `${configMap('a')}data: ${'["]", '.repeat(5_000)}${']'.repeat(5_000)}\n`],
    ['compact sequences', `${configMap('a')}data:\n  ${'- '.repeat(300_000)}x\n`],
    ['explicit keys', `${'? '.repeat(300_000)}x\n`],
    ['indentation', Array.from({ length: 1_000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')],
  ] as const) {
    const e = errorOf(text)
    t.equal(e.code, 'invalid_manifest', why)
    t.match(e.message, /nested/, why)
  }
  // a realistically deep object (CRD schemas nest a few dozen levels) is fine
  const deepButFine = `${configMap('a')}data:\n${Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} x\n`
  t.same(
    objectsOf(deepButFine).map(o => o.name),
    ['a'],
  )
})

t.test(`more than ${MAX_MANIFEST_OBJECTS} objects are refused, exactly ${MAX_MANIFEST_OBJECTS} are fine`, async t => {
  const docs = (n: number): string => Array.from({ length: n }, (_, i) => configMap(`c${i}`)).join('---\n')
  t.equal(objectsOf(docs(500)).length, 500)
  t.equal(errorOf(docs(501)).code, 'invalid_manifest')
  const list = (n: number): string =>
    `apiVersion: v1\nkind: List\nitems:\n${Array.from({ length: n }, (_, i) => `- {apiVersion: v1, kind: ConfigMap, metadata: {name: c${i}}}`).join('\n')}\n`
  t.equal(errorOf(list(501)).code, 'invalid_manifest')
  t.equal(objectsOf(list(500)).length, 500)
})

t.test('a manifest with no objects is invalid: nothing to judge must not read as nothing to fear', async t => {
  for (const text of ['', '\n', '# just a comment\n', '---\n---\n', '~\n', 'null\n']) t.equal(errorOf(text).code, 'invalid_manifest', JSON.stringify(text))
})

t.test('an object key named __proto__ stays data', async t => {
  t.same(objectsOf(configMap('a', '__proto__: {kind: Secret}\n')), [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: null }])
  t.equal(({} as Record<string, unknown>).kind, undefined)
})

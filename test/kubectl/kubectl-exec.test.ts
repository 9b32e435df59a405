// runKubectl (with the process runner replaced), Secret redaction of get output, the kubeconfig
// context namespace and the manifest file reader.
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { kubeconfigNamespace, readManifestInRoots, redactSecretData, runKubectl, type KubectlDeps, type KubectlRunRequest } from '../../src/exec/kubectl.js'
import type { ProcessResult, RunProcessOptions } from '../../src/exec/run.js'

const ok = (stdout: string, truncated = false): ProcessResult => ({
  exitCode: 0,
  signal: null,
  timedOut: false,
  stdout,
  stderr: '',
  stdoutTruncated: truncated,
  stderrTruncated: false,
  durationMs: 1,
})

const request = (patch: Partial<KubectlRunRequest> = {}): KubectlRunRequest => ({
  binary: '/usr/bin/kubectl',
  args: ['--kubeconfig=/gw/kc', 'get', 'pods'],
  stdin: null,
  kubeconfig: '/gw/kc',
  timeoutMs: 5000,
  maxOutputBytes: 1000,
  secretOutput: null,
  ...patch,
})

const fakeDeps = (result: ProcessResult, seen: RunProcessOptions[], removed: string[]): KubectlDeps => ({
  run: async opts => {
    seen.push(opts)
    return result
  },
  path: '/opt/gw/bin:/usr/bin',
  makeHome: async () => '/tmp/kubectl-home-1',
  removeHome: async dir => void removed.push(dir),
})

t.test('kubectl gets only PATH, a throwaway HOME and the gateway kubeconfig', async t => {
  const seen: RunProcessOptions[] = []
  const removed: string[] = []
  const saved = process.env.KUBECONFIG
  process.env.KUBECONFIG = '/agent/kubeconfig'
  t.teardown(() => (saved === undefined ? delete process.env.KUBECONFIG : (process.env.KUBECONFIG = saved)))
  const r = await runKubectl(request({ stdin: '---\n{}\n' }), fakeDeps(ok('x'), seen, removed))
  t.equal(r.stdout, 'x')
  t.same(seen[0]!.env, { PATH: '/opt/gw/bin:/usr/bin', HOME: '/tmp/kubectl-home-1', KUBECONFIG: '/gw/kc' })
  t.same([seen[0]!.file, seen[0]!.args, seen[0]!.stdin, seen[0]!.cwd, seen[0]!.timeoutMs], ['/usr/bin/kubectl', ['--kubeconfig=/gw/kc', 'get', 'pods'], '---\n{}\n', '/tmp/kubectl-home-1', 5000])
  t.same(removed, ['/tmp/kubectl-home-1'], 'the home is removed afterwards')
})

t.test('a runner that throws or a home that cannot be made ends as a failed result, not a rejection', async t => {
  const removed: string[] = []
  const r = await runKubectl(request(), { ...fakeDeps(ok(''), [], removed), run: async () => Promise.reject(new Error('boom')) })
  t.same([r.error, r.exitCode], ['internal_error', null])
  t.match(r.errorMessage, /boom/)
  t.same(removed, ['/tmp/kubectl-home-1'])
  const h = await runKubectl(request(), { ...fakeDeps(ok(''), [], []), makeHome: async () => Promise.reject(new Error('disk full')) })
  t.equal(h.error, 'internal_error')
})

const SECRET_YAML = 'apiVersion: v1\ndata:\n  password: aHVudGVyMg==\n  user: YWRtaW4=\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\n'

t.test('get -o yaml of a Secret keeps the object and drops its values', async t => {
  const seen: RunProcessOptions[] = []
  const r = await runKubectl(request({ secretOutput: 'yaml' }), fakeDeps(ok(SECRET_YAML), seen, []))
  t.notMatch(r.stdout, /aHVudGVyMg|YWRtaW4/)
  t.match(r.stdout, /password: "\[REDACTED:secret\]"/)
  t.match(r.stdout, /user: "\[REDACTED:secret\]"/)
  t.match(r.stdout, /name: db/)
})

t.test('Secret values are redacted in json lists and stringData too', async t => {
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' }, data: { k: 'c2VjcmV0' }, stringData: { plain: 'hunter2' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, data: { k: 'visible' } },
    ],
  }
  const out = JSON.parse(redactSecretData(JSON.stringify(list), 'json'))
  t.same(out.items[0].data, { k: '[REDACTED:secret]' })
  t.same(out.items[0].stringData, { plain: '[REDACTED:secret]' })
  t.same(out.items[1].data, { k: 'visible' }, 'other kinds are untouched')
})

t.test('output without a Secret is returned byte for byte', async t => {
  const cm = 'apiVersion: v1\ndata:\n  password_hint: "ask alice"\nkind: ConfigMap\n'
  t.equal(redactSecretData(cm, 'yaml'), cm)
})

t.test('Secret output that cannot be parsed, or was cut short, is withheld', async t => {
  t.match(redactSecretData('kind: Secret\ndata:\n  password: [aHVudGVyMg\n', 'yaml'), /output withheld/)
  t.match(redactSecretData(SECRET_YAML, 'yaml', true), /output withheld/)
  t.match(redactSecretData('{"kind": "Secret", "data": {"k": "x"', 'json'), /output withheld/)
})

t.test('the default namespace is the one of the configured or current context', async t => {
  const kc = 'apiVersion: v1\ncontexts:\n- name: a\n  context: {cluster: c, namespace: team-a}\n- name: b\n  context: {cluster: c}\ncurrent-context: a\n'
  t.equal(kubeconfigNamespace(kc), 'team-a')
  t.equal(kubeconfigNamespace(kc, 'a'), 'team-a')
  t.equal(kubeconfigNamespace(kc, 'b'), null, 'a context without a namespace')
  t.equal(kubeconfigNamespace(kc, 'missing'), null)
  t.equal(kubeconfigNamespace('{{{'), null)
})

t.test('manifest files are read only inside the roots, symlinks followed', async t => {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'kubectl-files-')))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  const work = join(root, 'work')
  await mkdir(work)
  await writeFile(join(work, 'ok.yaml'), 'kind: ConfigMap\n')
  await writeFile(join(root, 'secret.yaml'), 'kind: Secret\n')
  await symlink(join(root, 'secret.yaml'), join(work, 'link.yaml'))
  t.equal(readManifestInRoots('ok.yaml', work, [work]), 'kind: ConfigMap\n')
  t.throws(() => readManifestInRoots('../secret.yaml', work, [work]), /outside the allowed roots/)
  t.throws(() => readManifestInRoots('link.yaml', work, [work]), /outside the allowed roots/, 'a symlink out of the roots')
  t.throws(() => readManifestInRoots('.', work, [work]), /not a regular file/)
  t.throws(() => readManifestInRoots('missing.yaml', work, [work]), /ENOENT/)
})

import t from 'tap'
import { ExecError } from '../../src/exec/exec-error.js'
import { credentialPaths } from '../../src/exec/hidden-paths.js'
import { buildBwrapArgv } from '../../src/exec/sandbox-argv.js'

t.test('credential paths are absolute paths under the given home', async t => {
  const paths = credentialPaths('/home/alice')
  for (const p of ['/home/alice/.aws', '/home/alice/.kube', '/home/alice/.ssh', '/home/alice/.config/gcloud']) t.ok(paths.includes(p), p)
  t.ok(paths.every(p => p.startsWith('/home/alice/')))
})

t.test('hiding them refuses the home directory itself as cwd, but not a project below it', async t => {
  const hide = credentialPaths('/home/alice')
  const base = { network: false, env: {}, command: 'ls', hide }
  t.throws(() => buildBwrapArgv({ ...base, cwd: '/home/alice' }), new ExecError('cwd_overlaps_hidden', 'Refusing to run in `/home/alice`: it overlaps hidden path `/home/alice/.aws`'))
  t.throws(() => buildBwrapArgv({ ...base, cwd: '/home/alice/.kube' }), { code: 'cwd_overlaps_hidden' })
  t.doesNotThrow(() => buildBwrapArgv({ ...base, cwd: '/home/alice/src/app' }))
})

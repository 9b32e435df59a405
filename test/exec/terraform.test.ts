import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { RunProcessOptions } from '../../src/exec/run.js'
import { isStalePlanError, redactValues, runTerraform, terraformCommand, terraformEnv, terraformSecrets } from '../../src/exec/terraform.js'
import { readTerraformEnvFile } from '../../src/gateway/runtime.js'

const settings = { binary: '/opt/tofu', env: { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG', TF_CLI_CONFIG_FILE: '/etc/gw/tf.rc', SHORT: 'abc' }, path: '/usr/bin', home: '/home/gw', isolation: null }

t.test('terraform gets the gateway environment only, with the data dir and workspace pinned', async t => {
  const env = terraformEnv({ ...settings, env: { ...settings.env, TF_DATA_DIR: '/tmp/evil', TF_WORKSPACE: 'evil' } }, { dataDir: '/state/tf/data/x', workspace: 'blue' })
  t.same(env, {
    PATH: '/usr/bin',
    HOME: '/home/gw',
    CHECKPOINT_DISABLE: '1',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
    TF_CLI_CONFIG_FILE: '/etc/gw/tf.rc',
    SHORT: 'abc',
    TF_DATA_DIR: '/state/tf/data/x',
    TF_INPUT: '0',
    TF_IN_AUTOMATION: '1',
    TF_WORKSPACE: 'blue',
  })
  t.notOk('TF_WORKSPACE' in terraformEnv(settings, { dataDir: '/d', workspace: null }), 'workspace commands run without TF_WORKSPACE')
  t.notOk(Object.keys(terraformEnv(settings, { dataDir: '/d', workspace: null })).some(k => k in process.env && !(k in settings.env) && !['PATH', 'HOME'].includes(k)), 'nothing inherited from the gateway process')
})

t.test('values of the gateway environment are cut out of terraform output; short values are left', async t => {
  const seen: RunProcessOptions[] = []
  const r = await runTerraform(settings, { args: ['apply', 'x'], cwd: '/w', dataDir: '/d', workspace: 'default', timeoutMs: 1000, maxOutputBytes: 100 }, {
    run: async opts => {
      seen.push(opts)
      return { exitCode: 1, signal: null, timedOut: false, stdout: 'key = wJalrXUtnFEMI/K7MDENG, abc', stderr: 'cfg /etc/gw/tf.rc', stdoutTruncated: false, stderrTruncated: false, durationMs: 1 }
    },
  })
  t.equal(r.stdout, 'key = [REDACTED:gateway-env], abc')
  t.equal(r.stderr, 'cfg [REDACTED:gateway-env]')
  t.equal(seen[0]!.file, '/opt/tofu')
  t.same(seen[0]!.args, ['apply', 'x'])
  t.same(terraformSecrets(settings), ['wJalrXUtnFEMI/K7MDENG', '/etc/gw/tf.rc'])
  t.equal(redactValues('aXa', ['X']), 'a[REDACTED:gateway-env]a')
})

t.test('a runner that throws becomes a result that did not run', async t => {
  const r = await runTerraform(settings, { args: ['plan'], cwd: '/w', dataDir: '/d', workspace: null, timeoutMs: 1000, maxOutputBytes: 100 }, {
    run: async () => {
      throw new Error('boom wJalrXUtnFEMI/K7MDENG')
    },
  })
  t.match(r, { error: 'internal_error', exitCode: null })
})

t.test("terraform's stale-plan refusal is recognised", async t => {
  t.ok(isStalePlanError('Error: Saved plan is stale\n\nThe given plan file can no longer be applied'))
  t.notOk(isStalePlanError('Error: Invalid resource type'))
})

t.test('--terraform-env-file: NAME=value lines; a bad line is named by number, never echoed', async t => {
  const dir = t.testdir()
  const file = join(dir, 'tf.env')
  writeFileSync(file, '# credentials\n\nexport AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY="s3cr3t=x"\nTF_VAR_region=\'eu-west-1\'\n')
  t.same(readTerraformEnvFile(file), { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 's3cr3t=x', TF_VAR_region: 'eu-west-1' })
  writeFileSync(file, 'GOOD=1\nthis is hunter2\n')
  t.throws(() => readTerraformEnvFile(file), { code: 'usage', message: /line 2: Expected NAME=value/ })
  try {
    readTerraformEnvFile(file)
  } catch (e) {
    t.notMatch((e as Error).message, /hunter2/)
  }
  t.throws(() => readTerraformEnvFile(join(dir, 'missing')), { code: 'usage' })
})

t.test('isolated, terraform runs through bubblewrap with the state dir hidden except what this run needs', async t => {
  const iso = { ...settings, isolation: { bwrap: '/usr/bin/bwrap', hide: ['/var/lib/gw'] } }
  t.same(terraformCommand(iso, { args: ['apply', '/var/lib/gw/terraform/plans/apply-1/plan.tfplan'], cwd: '/w/infra', expose: ['/var/lib/gw/terraform/data/x', '/var/lib/gw/terraform/plans/apply-1'] }), {
    file: '/usr/bin/bwrap',
    args: [
      '--die-with-parent', '--bind', '/', '/', '--dev-bind', '/dev', '/dev',
      '--tmpfs', '/var/lib/gw',
      '--bind', '/var/lib/gw/terraform/data/x', '/var/lib/gw/terraform/data/x',
      '--bind', '/var/lib/gw/terraform/plans/apply-1', '/var/lib/gw/terraform/plans/apply-1',
      '--chdir', '/w/infra', '--', '/opt/tofu', 'apply', '/var/lib/gw/terraform/plans/apply-1/plan.tfplan',
    ],
  })
  t.same(terraformCommand(settings, { args: ['plan'], cwd: '/w' }), { file: '/opt/tofu', args: ['plan'] }, 'without isolation: the binary itself')
})

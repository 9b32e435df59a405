import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { TerraformPlan, type TerraformResourceChange } from '../../src/normalize/schema.js'
import { normalizeTerraformPlan } from '../../src/normalize/terraform.js'

const FIXTURES = new URL('../../../shared/fixtures/terraform-plans/', import.meta.url)
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'))

/** Normalize a plan that must be accepted, and check it against the input-document schema. */
const planOf = (doc: unknown): TerraformPlan => {
  const r = normalizeTerraformPlan(doc)
  if (!r.ok) throw new Error(`expected the plan to normalize, got ${r.error.code}: ${r.error.message}`)
  return TerraformPlan.parse(r.plan)
}
const errorOf = (doc: unknown): { code: string; message: string } => {
  const r = normalizeTerraformPlan(doc)
  if (r.ok) throw new Error('expected the plan to be refused')
  return r.error
}
const change = (plan: TerraformPlan, address: string): TerraformResourceChange => {
  const found = plan.resource_changes.find(c => c.address === address)
  if (!found) throw new Error(`no change for ${address} in ${plan.resource_changes.map(c => c.address).join(', ')}`)
  return found
}

/** A hand-made plan document with the given resource changes. */
const doc = (resource_changes: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  format_version: '1.2',
  terraform_version: '1.9.8',
  resource_changes,
  ...extra,
})
const rc = (address: string, actions: string[], change: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
  const parts = address.split('.')
  return {
    address,
    mode: 'managed',
    type: parts.at(-2),
    name: parts.at(-1),
    provider_name: 'registry.terraform.io/hashicorp/aws',
    change: { actions, before: null, after: null, ...change },
    ...extra,
  }
}

t.test('the fixtures directory resolves from the test folder', async t => {
  const names = readdirSync(FIXTURES).filter(n => n.endsWith('.json'))
  t.ok(names.length >= 10, `found ${names.length} fixtures`)
})

t.test('every fixture plan normalizes to a destroy-only plan that matches the schema', async t => {
  for (const name of readdirSync(FIXTURES).filter(n => n.endsWith('.json'))) {
    const raw = fixture(name) as { resource_changes: unknown[] }
    const plan = planOf(raw)
    t.equal(plan.format_version, '1.2', name)
    t.equal(plan.resource_changes.length, raw.resource_changes.length, name)
    t.same(plan.counts, { create: 0, update: 0, delete: raw.resource_changes.length, replace: 0, no_op: 0, read: 0 }, name)
    t.equal(plan.empty, false, name)
    t.equal(plan.errored, false, name)
    for (const c of plan.resource_changes) {
      t.equal(c.action, 'delete', `${name} ${c.address}`)
      t.same(c.actions, ['delete'], `${name} ${c.address}`)
      t.equal(c.after, null, `${name} ${c.address}`)
      t.equal(c.module_address, null, `${name} ${c.address}`)
      t.equal(c.mode, 'managed', `${name} ${c.address}`)
      t.equal(c.address, `${c.type}.${c.name}`, `${name} ${c.address}`)
    }
  }
})

t.test('rds: both instances are deleted and the unprotected one skips its final snapshot', async t => {
  const plan = planOf(fixture('rds-unprotected-destroy.json'))
  t.equal(plan.counts.delete, 2)
  t.equal(plan.terraform_version, '1.6.0')
  const main = change(plan, 'aws_db_instance.main')
  t.equal(main.type, 'aws_db_instance')
  t.equal(main.provider_name, 'registry.terraform.io/hashicorp/aws')
  t.equal(main.before?.skip_final_snapshot, true)
  t.equal(main.before?.deletion_protection, false)
  t.equal(main.before?.backup_retention_period, 0)
  const protectedDb = change(plan, 'aws_db_instance.protected')
  t.equal(protectedDb.before?.deletion_protection, true)
  t.equal(protectedDb.before?.final_snapshot_identifier, 'recourse-test-final-snapshot')
})

t.test('s3 (full terraform 1.9.8 plan): versioning, grants and the random provider survive normalization', async t => {
  const plan = planOf(fixture('s3-no-versioning-destroy-full.json'))
  t.equal(plan.terraform_version, '1.9.8')
  t.equal(plan.counts.delete, 8)
  t.same(change(plan, 'aws_s3_bucket_versioning.unversioned').before?.versioning_configuration, [{ mfa_delete: '', status: 'Disabled' }])
  const bucket = change(plan, 'aws_s3_bucket.unversioned').before
  // before_sensitive marks grant permissions false: nothing is hidden
  t.same((bucket?.grant as { permissions: string[] }[])[0]?.permissions, ['FULL_CONTROL'])
  t.same(bucket?.versioning, [{ enabled: false, mfa_delete: false }])
  t.equal(bucket?.force_destroy, false)
  t.equal(change(plan, 'random_id.bucket_suffix').provider_name, 'registry.terraform.io/hashicorp/random')
})

t.test('the other fixtures keep the attributes the recoverability rules read', async t => {
  const dynamo = planOf(fixture('dynamodb-no-pitr-destroy.json'))
  t.same(change(dynamo, 'aws_dynamodb_table.unprotected').before?.point_in_time_recovery, [{ enabled: false }])
  t.equal(change(dynamo, 'aws_dynamodb_table.unprotected').before?.deletion_protection_enabled, false)
  const kms = planOf(fixture('kms-short-deletion-destroy.json'))
  t.equal(change(kms, 'aws_kms_key.short_window').before?.deletion_window_in_days, 7)
  t.equal(change(kms, 'aws_kms_key.long_window').before?.deletion_window_in_days, 30)
  t.equal(change(kms, 'aws_db_instance.encrypted').before?.storage_encrypted, true)
  const logs = planOf(fixture('cloudwatch-logs-destroy.json'))
  t.equal(logs.counts.delete, 5)
  t.equal(change(logs, 'aws_cloudwatch_log_group.debug').before?.retention_in_days, 3)
  t.equal(change(logs, 'aws_cloudwatch_log_group.audit').before?.retention_in_days, 2555)
  const ec2 = planOf(fixture('ec2-instance-destroy.json'))
  t.same(change(ec2, 'aws_instance.web').before?.tags, { Name: 'web-server' })
  t.same(change(ec2, 'aws_instance.web').before?.root_block_device, [{ volume_id: 'vol-0abc123', volume_size: 8, delete_on_termination: true }])
  const vpc = planOf(fixture('vpc-destroy.json'))
  t.same(
    vpc.resource_changes.map(c => c.address),
    ['aws_vpc.main', 'aws_subnet.public', 'aws_internet_gateway.main'],
  )
  const iam = planOf(fixture('iam-role-destroy.json'))
  t.same(
    iam.resource_changes.map(c => c.type),
    ['aws_iam_role', 'aws_iam_policy'],
  )
  t.equal(change(planOf(fixture('lambda-destroy.json')), 'aws_lambda_function.api').before?.runtime, 'nodejs18.x')
})

t.test('sensitive values are hidden in before and after, unknown values are shown as known after apply', async t => {
  const plan = planOf(
    doc([
      rc('aws_db_instance.main', ['update'], {
        before: { password: 'hunter2', username: 'admin', tags: { secret: 's3cr3t', team: 'db' }, ports: [5432, 5433] },
        after: { password: 'hunter3', username: 'admin', tags: { secret: 's3cr3t', team: 'db' }, ports: [5432, null], tokens: [{ token: 'tok', id: 1 }] },
        before_sensitive: { password: true, tags: { secret: true } },
        after_sensitive: { password: true, tags: { secret: true }, tokens: [{ token: true }] },
        after_unknown: { id: true, arn: true, ports: [false, true], tags: {} },
      }),
    ]),
  )
  const c = change(plan, 'aws_db_instance.main')
  t.equal(c.action, 'update')
  t.same(c.before, { password: '(sensitive)', username: 'admin', tags: { secret: '(sensitive)', team: 'db' }, ports: [5432, 5433] })
  t.same(c.after, {
    password: '(sensitive)',
    username: 'admin',
    tags: { secret: '(sensitive)', team: 'db' },
    ports: [5432, '(known after apply)'],
    tokens: [{ token: '(sensitive)', id: 1 }],
    // terraform leaves unknown attributes out of `after`: they appear as known after apply
    id: '(known after apply)',
    arn: '(known after apply)',
  })
  t.notMatch(JSON.stringify(plan), /hunter|s3cr3t|tok"/)
})

t.test('a whole attribute object marked sensitive keeps its keys and hides every value', async t => {
  const plan = planOf(
    doc([
      rc('aws_secretsmanager_secret_version.v', ['create'], {
        after: { secret_string: 'pw', version_id: 'x', nested: { a: 1 } },
        after_sensitive: true,
        after_unknown: {},
      }),
    ]),
  )
  t.same(change(plan, 'aws_secretsmanager_secret_version.v').after, { secret_string: '(sensitive)', version_id: '(sensitive)', nested: '(sensitive)' })
})

t.test('a sensitive mask of the wrong shape still hides what it marks, and hides nothing when it marks nothing', async t => {
  const plan = planOf(
    doc([
      rc('aws_x.y', ['create'], {
        after: { a: 'secret-a', b: 'plain-b', c: ['secret-c'], d: { k: 'plain-d' } },
        after_sensitive: { a: { deep: true }, b: {}, c: { 0: true }, d: [] },
      }),
    ]),
  )
  t.same(change(plan, 'aws_x.y').after, { a: '(sensitive)', b: 'plain-b', c: '(sensitive)', d: { k: 'plain-d' } })
})

t.test('delete-then-create and create-then-delete are both replace', async t => {
  const plan = planOf(
    doc([
      rc('aws_instance.a', ['delete', 'create'], { before: { ami: 'old' }, after: { ami: 'new' } }),
      rc('aws_instance.b', ['create', 'delete'], { before: { ami: 'old' }, after: { ami: 'new' } }),
      rc('aws_instance.c', ['no-op'], { before: { ami: 'same' }, after: { ami: 'same' } }),
    ]),
  )
  t.same(
    plan.resource_changes.map(c => c.action),
    ['replace', 'replace', 'no-op'],
  )
  t.same(change(plan, 'aws_instance.b').actions, ['create', 'delete'])
  t.same(plan.counts, { create: 0, update: 0, delete: 0, replace: 2, no_op: 1, read: 0 })
  t.equal(plan.empty, false)
})

t.test('a plan without resource_changes is an empty plan', async t => {
  const plan = planOf({ format_version: '1.2', terraform_version: '1.9.8', planned_values: {} })
  t.same(plan.resource_changes, [])
  t.same(plan.counts, { create: 0, update: 0, delete: 0, replace: 0, no_op: 0, read: 0 })
  t.equal(plan.empty, true)
  t.equal(plan.errored, false)
})

t.test('no-ops and data reads leave the plan empty; one managed create does not', async t => {
  const reads = [
    rc('aws_instance.a', ['no-op'], { before: { ami: 'x' }, after: { ami: 'x' } }),
    rc('data.aws_ami.ubuntu', ['read'], { after: { id: 'ami-1' } }, { mode: 'data', type: 'aws_ami', name: 'ubuntu' }),
  ]
  const quiet = planOf(doc(reads))
  t.equal(quiet.empty, true)
  t.same(quiet.counts, { create: 0, update: 0, delete: 0, replace: 0, no_op: 1, read: 1 })
  t.equal(change(quiet, 'data.aws_ami.ubuntu').mode, 'data')
  const busy = planOf(doc([...reads, rc('aws_s3_bucket.b', ['create'], { after: { bucket: 'b' } })]))
  t.equal(busy.empty, false)
  t.equal(busy.counts.create, 1)
})

t.test('an errored plan is reported as errored', async t => {
  t.equal(planOf(doc([], { errored: true })).errored, true)
  t.equal(planOf(doc([], { errored: false })).errored, false)
})

t.test('resource_drift, output_changes and other unknown fields are ignored', async t => {
  const plan = planOf(
    doc([rc('aws_instance.a', ['create'], { after: { ami: 'x' } }, { index: 0, action_reason: 'x', future_field: { deep: 1 } })], {
      resource_drift: [rc('aws_instance.drifted', ['update'])],
      output_changes: { ip: { actions: ['create'] } },
      checks: [],
      timestamp: '2024-01-01T00:00:00Z',
    }),
  )
  t.same(
    plan.resource_changes.map(c => c.address),
    ['aws_instance.a'],
  )
})

t.test('module addresses are kept, null when the resource is in the root module', async t => {
  const plan = planOf(
    doc([
      rc('module.db.aws_db_instance.this', ['delete'], { before: { id: 'x' } }, { module_address: 'module.db' }),
      rc('module.net.module.vpc["a"].aws_vpc.this', ['delete'], { before: { id: 'y' } }, { module_address: 'module.net.module.vpc["a"]', type: 'aws_vpc', name: 'this' }),
      rc('aws_s3_bucket.root', ['delete'], { before: { id: 'z' } }),
    ]),
  )
  t.equal(change(plan, 'module.db.aws_db_instance.this').module_address, 'module.db')
  t.equal(change(plan, 'module.net.module.vpc["a"].aws_vpc.this').module_address, 'module.net.module.vpc["a"]')
  t.equal(change(plan, 'module.net.module.vpc["a"].aws_vpc.this').type, 'aws_vpc')
  t.equal(change(plan, 'aws_s3_bucket.root').module_address, null)
  t.equal(plan.counts.delete, 3)
})

t.test('a format_version other than 1.x is refused as unsupported', async t => {
  for (const format_version of ['2.0', '0.1', '10.1', '1.x', '', 1.2, null, undefined]) {
    const e = errorOf({ format_version, resource_changes: [] })
    t.equal(e.code, 'unsupported_plan_format', String(format_version))
  }
  t.match(errorOf({ format_version: '2.0' }).message, /1\.x.*`2\.0`/)
  t.equal(planOf({ format_version: '1.0' }).format_version, '1.0')
  t.equal(planOf({ format_version: '1' }).format_version, '1')
})

t.test('something that is not a plan object is refused as invalid', async t => {
  for (const bad of [null, undefined, 'plan', 42, [], [{ format_version: '1.2' }]]) t.equal(errorOf(bad).code, 'invalid_plan', JSON.stringify(bad) ?? 'undefined')
  t.equal(errorOf({ format_version: '1.2', resource_changes: null }).code, 'invalid_plan')
  t.equal(errorOf({ format_version: '1.2', resource_changes: {} }).code, 'invalid_plan')
  t.equal(errorOf({ format_version: '1.2', resource_changes: [{ address: 'a.b' }] }).code, 'invalid_plan')
  t.equal(errorOf(doc([rc('aws_x.y', ['delete'], { before: 'not an object' })])).code, 'invalid_plan')
  t.equal(errorOf(doc([rc('aws_x.y', ['delete'], { before: [1, 2] })])).code, 'invalid_plan')
  t.equal(errorOf(doc([rc('aws_x.y', ['delete'])], { errored: 'no' })).code, 'invalid_plan')
  t.equal(errorOf(doc([rc('aws_x.y', ['delete'], {}, { mode: 'weird' })])).code, 'invalid_plan')
})

t.test('actions terraform does not plan are refused, never guessed', async t => {
  for (const actions of [[], ['forget'], ['delete', 'delete'], ['create', 'update'], ['Delete'], ['read', 'delete']]) {
    const e = errorOf(doc([rc('aws_x.y', actions)]))
    t.equal(e.code, 'invalid_plan', JSON.stringify(actions))
  }
  t.match(errorOf(doc([rc('aws_x.y', ['forget'])])).message, /aws_x\.y.*forget/)
})

t.test('a data resource that claims to delete is refused: it cannot hide a deletion from the empty check', async t => {
  const e = errorOf(doc([rc('aws_db_instance.main', ['delete'], { before: { id: 'x' } }, { mode: 'data' })]))
  t.equal(e.code, 'invalid_plan')
  t.match(e.message, /data resource/)
})

t.test('a resource change without mode is judged as managed', async t => {
  const raw = rc('aws_db_instance.main', ['delete'], { before: { id: 'x' } }) as Record<string, unknown>
  delete raw.mode
  const plan = planOf(doc([raw]))
  t.equal(plan.resource_changes[0]?.mode, 'managed')
  t.equal(plan.empty, false)
})

t.test('hostile nesting a million levels deep is truncated at depth 64 without blowing the stack', async t => {
  const deep = (levels: number): Record<string, unknown> => {
    let v: Record<string, unknown> = { leaf: 'bottom' }
    for (let i = 0; i < levels; i++) v = { a: v }
    return v
  }
  const hostile = deep(1_000_000)
  // the same tree as value and as both masks: none of them may be walked past the cap
  const plan = planOf(doc([rc('aws_x.y', ['create'], { after: hostile, after_unknown: hostile, after_sensitive: hostile })]))
  let node: unknown = change(plan, 'aws_x.y').after
  for (let depth = 1; depth <= 64; depth++) {
    node = (node as Record<string, unknown>).a
    t.type(node, 'object', `depth ${depth} is kept`)
    if (typeof node !== 'object') break
  }
  t.equal((node as Record<string, unknown>).a, '(truncated)')
  t.same(Object.keys(node as object), ['a'])
})

t.test('a cyclic attribute object (in-process callers) ends in truncation or a size refusal, never a hang', async t => {
  const loop: Record<string, unknown> = { name: 'x' }
  loop.self = loop
  t.equal(normalizeTerraformPlan(doc([rc('aws_x.y', ['create'], { after: loop })])).ok, true)
  const fan: Record<string, unknown> = {}
  fan.a = fan
  fan.b = fan
  const e = errorOf(doc([rc('aws_x.y', ['create'], { after: fan })]))
  t.equal(e.code, 'invalid_plan')
  t.match(e.message, /at most/)
})

t.test('an attribute named __proto__ stays an attribute and pollutes nothing', async t => {
  const raw = JSON.parse(
    '{"format_version":"1.2","resource_changes":[{"address":"aws_x.y","mode":"managed","type":"aws_x","name":"y","provider_name":"p","change":{"actions":["create"],"before":null,"after":{"__proto__":{"polluted":true},"ok":1}}}]}',
  ) as unknown
  const r = normalizeTerraformPlan(raw)
  // read the normalizer's own output: a zod record parse would drop the key itself
  const after = (r.ok ? r.plan.resource_changes[0]?.after : null) as Record<string, unknown>
  t.ok(Object.hasOwn(after, '__proto__'))
  t.same(Object.getOwnPropertyDescriptor(after, '__proto__')?.value, { polluted: true })
  t.equal(Object.getPrototypeOf(after), Object.prototype)
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

t.test('provisioners are read from the configuration, modules included, and count even when malformed', async t => {
  const doc = {
    format_version: '1.2',
    resource_changes: [],
    configuration: {
      root_module: {
        resources: [
          { address: 'terraform_data.x', provisioners: [{ type: 'local-exec', expressions: { command: { constant_value: 'echo hi' } } }] },
          { address: 'terraform_data.quiet' },
        ],
        module_calls: {
          m: { module: { resources: [{ address: 'terraform_data.y', provisioners: [{ type: 'remote-exec' }, 'garbage'] }], module_calls: { n: { module: { resources: [{ provisioners: [{}] }] } } } } },
        },
      },
    },
  }
  const r = normalizeTerraformPlan(doc)
  t.ok(r.ok)
  if (r.ok)
    t.same(r.plan.provisioners, [
      { address: 'terraform_data.x', type: 'local-exec' },
      { address: 'module.m.terraform_data.y', type: 'remote-exec' },
      { address: 'module.m.terraform_data.y', type: '(unknown)' },
      { address: 'module.m.module.n.(unknown)', type: '(unknown)' },
    ])
  const none = normalizeTerraformPlan({ format_version: '1.2', resource_changes: [] })
  t.same(none.ok && none.plan.provisioners, [], 'no configuration, no provisioners')
})

t.test('modules nested beyond the cap are refused, not walked forever', async t => {
  let module: Record<string, unknown> = { resources: [] }
  for (let i = 0; i < 40; i++) module = { module_calls: { m: { module } } }
  const r = normalizeTerraformPlan({ format_version: '1.2', resource_changes: [], configuration: { root_module: module } })
  t.match(r, { ok: false, error: { code: 'invalid_plan', message: /nested at most 32 deep/ } })
})

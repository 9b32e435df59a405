import t from 'tap'
import { TerraformInput, type TerraformPlan } from '../../src/normalize/schema.js'
import { normalizeTerraformPlan, normalizeTerraformRequest } from '../../src/normalize/terraform.js'
import { TerraformApplyArgs, TerraformDestroyArgs, TerraformGetPlanArgs, TerraformPlanArgs } from '../../src/normalize/tool-args.js'

const plan = ((): TerraformPlan => {
  const r = normalizeTerraformPlan({
    format_version: '1.2',
    resource_changes: [
      { address: 'aws_s3_bucket.b', mode: 'managed', type: 'aws_s3_bucket', name: 'b', provider_name: 'p', change: { actions: ['delete'], before: { bucket: 'b' }, after: null } },
    ],
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.plan
})()

t.test('a plan request carries its directory, workspace, targets, var files and only the names of its variables', async t => {
  const args = TerraformPlanArgs.parse({
    working_dir: 'infra/prod',
    workspace: 'prod-eu',
    vars: { zone: 'eu-west-1', db_password: 'hunter2', count: 3, enabled: true },
    var_files: ['prod.tfvars'],
    targets: ['aws_db_instance.main', 'module.net'],
  })
  const input = TerraformInput.parse(normalizeTerraformRequest('gateway_terraform_plan', args))
  t.same(input, {
    operation: 'plan',
    destroy: false,
    working_dir: 'infra/prod',
    workspace: 'prod-eu',
    targets: ['aws_db_instance.main', 'module.net'],
    var_names: ['count', 'db_password', 'enabled', 'zone'],
    var_files: ['prod.tfvars'],
    plan_id: null,
    plan: null,
  })
  t.notMatch(JSON.stringify(input), /hunter2|eu-west-1/)
})

t.test('a plan request without workspace or lists gets the defaults', async t => {
  const input = normalizeTerraformRequest('gateway_terraform_plan', TerraformPlanArgs.parse({ working_dir: '.' }))
  t.equal(input.workspace, 'default')
  t.same(input.targets, [])
  t.same(input.var_names, [])
  t.same(input.var_files, [])
  t.equal(input.destroy, false)
})

t.test('a plan with destroy: true is a destroy, and so is every destroy call', async t => {
  t.equal(normalizeTerraformRequest('gateway_terraform_plan', TerraformPlanArgs.parse({ working_dir: '.', destroy: true })).destroy, true)
  t.equal(normalizeTerraformRequest('gateway_terraform_plan', TerraformPlanArgs.parse({ working_dir: '.', destroy: false })).destroy, false)
  const destroy = TerraformInput.parse(normalizeTerraformRequest('gateway_terraform_destroy', TerraformDestroyArgs.parse({ working_dir: 'infra', workspace: 'staging' })))
  t.equal(destroy.operation, 'destroy')
  t.equal(destroy.destroy, true)
  t.equal(destroy.workspace, 'staging')
  t.equal(destroy.working_dir, 'infra')
})

t.test('apply and get_plan name the plan by id and carry the normalized plan when known', async t => {
  const apply = TerraformInput.parse(normalizeTerraformRequest('gateway_terraform_apply', TerraformApplyArgs.parse({ plan_id: 'plan_0123456789' }), plan))
  t.equal(apply.operation, 'apply')
  t.equal(apply.plan_id, 'plan_0123456789')
  t.equal(apply.working_dir, null)
  t.equal(apply.workspace, 'default')
  t.equal(apply.destroy, false)
  t.equal(apply.plan?.counts.delete, 1)
  const get = normalizeTerraformRequest('gateway_get_plan', TerraformGetPlanArgs.parse({ plan_id: 'plan_0123456789' }), null)
  t.equal(get.operation, 'get_plan')
  t.equal(get.plan, null)
  t.equal(normalizeTerraformRequest('gateway_get_plan', TerraformGetPlanArgs.parse({ plan_id: 'plan_0123456789' })).plan, null)
})

t.test('a tool that is not a terraform tool is a caller bug and throws', async t => {
  t.throws(() => normalizeTerraformRequest('gateway_shell_exec' as never, {} as never), TypeError)
})

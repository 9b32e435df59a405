// The fixed request mix the benchmark judges. Terraform plans are read at run time from the
// shared fixtures (never copied), so the bench measures what terraform really writes.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Where the terraform plan fixtures live (override with BENCH_PLANS_DIR). */
export const plansDir = () => process.env.BENCH_PLANS_DIR ?? join(root, '..', 'shared', 'fixtures', 'terraform-plans')

const readPlan = name => JSON.parse(readFileSync(join(plansDir(), name), 'utf8'))

/** A small two-object manifest, as an agent would send inline. */
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
`

const shell = (label, command, environment = 'dev') => ({
  family: 'shell',
  label,
  request: { tool: 'gateway_shell_exec', args: { command }, environment, agent_id: 'bench' },
})

const kubectl = (label, tool, args, environment = 'dev') => ({
  family: 'kubectl',
  label,
  request: { tool, args, environment, agent_id: 'bench' },
})

/** The mix, in a fixed order: {family, label, request} where request is a RawRequest. */
export function loadRequests() {
  const ec2 = readPlan('ec2-instance-destroy.json')
  const rds = readPlan('rds-unprotected-destroy.json')
  const s3Full = readPlan('s3-no-versioning-destroy-full.json')
  const terraform = (label, tool, args, environment, plan) => ({
    family: 'terraform',
    label,
    request: { tool, args, environment, agent_id: 'bench', ...(plan === undefined ? {} : { plan }) },
  })
  return [
    shell('ls (read-only)', 'ls -la src'),
    shell('grep (read-only)', 'grep -rn TODO src --include=*.ts'),
    shell('git status (read-only)', 'git status --short', 'prod'),
    shell('pipeline ps|grep|head', 'ps aux | grep node | head -n 5'),
    shell('pipeline log stats', "cat logs/access.log | awk '{print $1}' | sort | uniq -c | sort -rn | head"),
    shell('nested sh -c', `sh -c 'echo start && bash -c "ls -la /tmp | wc -l"'`),
    shell('sudo sh -c', `sudo -u app sh -c "cat /etc/hostname"`, 'staging'),
    shell('rm -rf / (blocked)', 'rm -rf / --no-preserve-root'),
    shell('rm -rf ~ via bash -c', `bash -c "rm -rf ~"`),
    terraform('plan', 'gateway_terraform_plan', { working_dir: 'infra/app', workspace: 'dev' }, 'dev'),
    terraform('plan with vars+targets', 'gateway_terraform_plan', {
      working_dir: 'infra/db',
      workspace: 'prod',
      vars: { region: 'eu-west-1', replicas: 3 },
      targets: ['aws_db_instance.main'],
    }, 'prod'),
    terraform('apply ec2 destroy plan', 'gateway_terraform_apply', { plan_id: 'plan_ec2_0001' }, 'dev', ec2),
    terraform('apply rds destroy plan', 'gateway_terraform_apply', { plan_id: 'plan_rds_0001' }, 'prod', rds),
    terraform('apply s3 full plan (21 KB)', 'gateway_terraform_apply', { plan_id: 'plan_s3_00001' }, 'staging', s3Full),
    kubectl('get pods', 'gateway_kubectl_get', { resource: 'pods', namespace: 'shop' }),
    kubectl('get deploy -l', 'gateway_kubectl_get', { resource: 'deployments', namespace: 'shop', selector: 'app=web', output: 'json' }, 'prod'),
    kubectl('delete pod', 'gateway_kubectl_delete', { resource: 'pod', name: 'web-5d8f7', namespace: 'shop' }),
    kubectl('delete namespace', 'gateway_kubectl_delete', { resource: 'namespace', name: 'shop' }, 'prod'),
    kubectl('scale deployment', 'gateway_kubectl_scale', { resource: 'deployment', name: 'web', replicas: 3, namespace: 'shop' }, 'staging'),
    kubectl('exec sh -c', 'gateway_kubectl_exec', { pod: 'web-5d8f7', namespace: 'shop', command: ['sh', '-c', 'cat /etc/os-release'] }),
    kubectl('apply manifest (2 objects)', 'gateway_kubectl_apply', { manifest: MANIFEST }),
  ]
}

/** The normalization context every subject uses. */
export const CONTEXT = { cwd: '/srv/app', home: '/home/agent', defaultNamespace: 'default' }

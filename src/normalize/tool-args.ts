/**
 * Strict argument schemas of the agent-facing tools. Unknown keys are rejected; no field can
 * smuggle a raw flag. The MCP server and the normalizers share these.
 */
import { z } from 'zod'

const MAX_TEXT = 64 * 1024

/** DNS-1123 subdomain: what Kubernetes accepts as an object or namespace name. */
export const K8sName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'Expected a DNS-1123 name')

const RelPath = z.string().min(1).max(4096)

export const ShellExecArgs = z.strictObject({
  command: z.string().min(1).max(MAX_TEXT),
  cwd: z.string().min(1).max(4096).optional(),
})

export const TerraformPlanArgs = z.strictObject({
  working_dir: RelPath,
  workspace: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,89}$/).optional(),
  vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), z.union([z.string(), z.number(), z.boolean()])).optional(),
  var_files: z.array(RelPath).max(32).optional(),
  targets: z.array(z.string().regex(/^[A-Za-z0-9_.\[\]"\-]+$/).max(512)).max(64).optional(),
  destroy: z.boolean().optional(),
})

export const TerraformApplyArgs = z.strictObject({
  plan_id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
})

export const TerraformDestroyArgs = z.strictObject({
  working_dir: RelPath,
  workspace: TerraformPlanArgs.shape.workspace,
})

export const TerraformGetPlanArgs = TerraformApplyArgs

const Resource = z.string().min(1).max(128).regex(/^[A-Za-z][A-Za-z0-9.-]*$/, 'Expected a resource kind')

export const KubectlGetArgs = z.strictObject({
  resource: Resource,
  name: K8sName.optional(),
  namespace: K8sName.optional(),
  selector: z.string().max(1024).optional(),
  output: z.string().max(64).optional(),
})

export const KubectlLogsArgs = z.strictObject({
  pod: K8sName,
  namespace: K8sName.optional(),
  container: K8sName.optional(),
  tail: z.number().int().min(0).max(100000).optional(),
  since: z.string().regex(/^[0-9]+(s|m|h)$/).optional(),
})

export const KubectlDescribeArgs = z.strictObject({
  resource: Resource,
  name: K8sName,
  namespace: K8sName.optional(),
})

export const KubectlApplyArgs = z
  .strictObject({
    manifest: z.string().min(1).max(1024 * 1024).optional(),
    file: RelPath.optional(),
    namespace: K8sName.optional(),
    dry_run: z.boolean().optional(),
  })
  .refine(a => (a.manifest === undefined) !== (a.file === undefined), 'Expected exactly one of manifest or file')

export const KubectlDeleteArgs = z.strictObject({
  resource: Resource,
  name: K8sName,
  namespace: K8sName.optional(),
})

export const KubectlScaleArgs = z.strictObject({
  resource: Resource,
  name: K8sName,
  replicas: z.number().int().min(0).max(10000),
  namespace: K8sName.optional(),
})

export const KubectlExecArgs = z.strictObject({
  pod: K8sName,
  command: z.array(z.string().max(MAX_TEXT)).min(1).max(256),
  namespace: K8sName.optional(),
  container: K8sName.optional(),
})

/** Tools judged by policy, by MCP name. */
export const TOOL_ARGS = {
  gateway_shell_exec: ShellExecArgs,
  gateway_terraform_plan: TerraformPlanArgs,
  gateway_terraform_apply: TerraformApplyArgs,
  gateway_terraform_destroy: TerraformDestroyArgs,
  gateway_get_plan: TerraformGetPlanArgs,
  gateway_kubectl_get: KubectlGetArgs,
  gateway_kubectl_logs: KubectlLogsArgs,
  gateway_kubectl_describe: KubectlDescribeArgs,
  gateway_kubectl_apply: KubectlApplyArgs,
  gateway_kubectl_delete: KubectlDeleteArgs,
  gateway_kubectl_scale: KubectlScaleArgs,
  gateway_kubectl_exec: KubectlExecArgs,
} as const

export type ToolName = keyof typeof TOOL_ARGS
export const TOOL_NAMES = Object.keys(TOOL_ARGS) as ToolName[]
export const isToolName = (name: string): name is ToolName => Object.hasOwn(TOOL_ARGS, name)

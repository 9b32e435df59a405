/**
 * The tools an agent sees. Only gateway tools: nothing approves, rejects, overrides policy or
 * reaches terraform, kubectl or a shell except through the gateway pipeline.
 */
import { z } from 'zod'
import { APPROVAL_ID } from '../gateway/gateway.js'
import {
  KubectlApplyArgs,
  KubectlDeleteArgs,
  KubectlDescribeArgs,
  KubectlExecArgs,
  KubectlGetArgs,
  KubectlLogsArgs,
  KubectlScaleArgs,
  ShellExecArgs,
  TerraformApplyArgs,
  TerraformDestroyArgs,
  TerraformGetPlanArgs,
  TerraformPlanArgs,
} from '../normalize/tool-args.js'

const ApprovalId = APPROVAL_ID.describe('id of a human approval for exactly this action')

export interface ToolDefinition {
  name: string
  title: string
  description: string
  schema: z.ZodType
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean }
}

export const TOOL_DEFINITIONS: ToolDefinition[] = [
  {
    name: 'gateway_shell_exec',
    title: 'Run a shell command (policy-checked, sandboxed)',
    description:
      'Run one command line via /bin/sh -c inside a sandbox (no network, read-only system, only the working directory writable). ' +
      'Policy allows, blocks, or asks a human to approve. When approval is required, wait for it with gateway_check_approval, then call again ' +
      'with exactly the same arguments plus approval_id.',
    schema: ShellExecArgs.extend({ approval_id: ApprovalId.optional() }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  },
  {
    name: 'gateway_request_approval',
    title: 'Ask a human to approve an action',
    description:
      'Ask for human approval of one exact gateway tool call ({tool, args}) before running it. Returns the approval id to wait on. ' +
      'Actions policy blocks cannot be approved; actions policy allows need no approval.',
    schema: z.strictObject({
      tool: z.string().min(1).max(128).describe('a gateway tool name, e.g. gateway_shell_exec'),
      args: z.record(z.string(), z.unknown()).describe('the exact arguments the tool will be called with'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  {
    name: 'gateway_check_approval',
    title: 'Check an approval request',
    description: 'Status of an approval request: pending, approved, rejected, expired or consumed.',
    schema: z.strictObject({ approval_id: ApprovalId }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
]

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false }
const MUTATE = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false }
const APPROVAL_NOTE = ' Policy allows, blocks, or asks a human to approve; when approval is required, wait with gateway_check_approval, then call again with exactly the same arguments plus approval_id.'
const withApproval = <T extends z.ZodObject>(schema: T) => schema.extend({ approval_id: ApprovalId.optional() })

/** The kubectl tools: exposed only when the gateway has a kubectl configuration. */
export const KUBECTL_TOOL_DEFINITIONS: ToolDefinition[] = [
  {
    name: 'gateway_kubectl_get',
    title: 'kubectl get (policy-checked)',
    description: 'List or read Kubernetes objects of one kind, optionally by name, label selector and output format (json, yaml, wide, name). Secret values are redacted.' + APPROVAL_NOTE,
    schema: withApproval(KubectlGetArgs),
    annotations: READ,
  },
  {
    name: 'gateway_kubectl_logs',
    title: 'kubectl logs (policy-checked)',
    description: 'Read the logs of a pod (optionally one container, the last N lines, or since a duration like 10m).' + APPROVAL_NOTE,
    schema: withApproval(KubectlLogsArgs),
    annotations: READ,
  },
  {
    name: 'gateway_kubectl_describe',
    title: 'kubectl describe (policy-checked)',
    description: 'Describe one Kubernetes object.' + APPROVAL_NOTE,
    schema: withApproval(KubectlDescribeArgs),
    annotations: READ,
  },
  {
    name: 'gateway_kubectl_apply',
    title: 'kubectl apply (policy-checked)',
    description: 'Apply a YAML manifest (inline, or a file inside the allowed roots); every object is judged. dry_run asks the server to validate without persisting.' + APPROVAL_NOTE,
    // The refine of KubectlApplyArgs (exactly one of manifest/file) still applies in the gateway.
    schema: KubectlApplyArgs.safeExtend({ approval_id: ApprovalId.optional() }),
    annotations: MUTATE,
  },
  {
    name: 'gateway_kubectl_delete',
    title: 'kubectl delete (policy-checked)',
    description: 'Delete one named Kubernetes object.' + APPROVAL_NOTE,
    schema: withApproval(KubectlDeleteArgs),
    annotations: MUTATE,
  },
  {
    name: 'gateway_kubectl_scale',
    title: 'kubectl scale (policy-checked)',
    description: 'Set the replica count of a deployment, statefulset or replicaset.' + APPROVAL_NOTE,
    schema: withApproval(KubectlScaleArgs),
    annotations: MUTATE,
  },
  {
    name: 'gateway_kubectl_exec',
    title: 'kubectl exec (policy-checked)',
    description: 'Run a command (an argv list, no shell) in a pod container.' + APPROVAL_NOTE,
    schema: withApproval(KubectlExecArgs),
    annotations: MUTATE,
  },
]

const PLAN = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true }

/** The plan-bound terraform tools: exposed only when the gateway has a terraform configuration. */
export const TERRAFORM_TOOL_DEFINITIONS: ToolDefinition[] = [
  {
    name: 'gateway_terraform_plan',
    title: 'terraform plan (stored, policy-checked)',
    description:
      'Run terraform plan in a working directory inside the allowed roots (optionally a workspace, variables, var files, targets, or destroy) and save the plan. ' +
      'Policy judges the plan itself; returns plan_id, the decision, its reasons and a summary of resource changes. Only a saved plan can be applied ' +
      '(gateway_terraform_apply); when applying needs a human approval, the approval request is opened now and its id returned.',
    schema: TerraformPlanArgs,
    annotations: PLAN,
  },
  {
    name: 'gateway_terraform_apply',
    title: 'terraform apply of a saved plan (policy-checked)',
    description:
      'Apply exactly the plan saved under plan_id, once. Refused for unknown, expired, blocked or already applied plans; escalated plans need approval_id ' +
      '(wait with gateway_check_approval). If the state changed since the plan was made, terraform applies nothing and the result says drift: make a new plan.',
    schema: TerraformApplyArgs.extend({ approval_id: ApprovalId.optional() }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  },
  {
    name: 'gateway_terraform_destroy',
    title: 'terraform destroy plan (stored, policy-checked)',
    description: 'Plan the destruction of every resource of a working directory (and workspace) and save it like gateway_terraform_plan; apply it with gateway_terraform_apply.',
    schema: TerraformDestroyArgs,
    annotations: PLAN,
  },
  {
    name: 'gateway_get_plan',
    title: 'Read a saved terraform plan',
    description: 'Status (planned, applying, applied, drift, failed, expired, blocked), decision, reasons and resource change summary of a saved plan.',
    schema: TerraformGetPlanArgs,
    annotations: READ,
  },
]

/** The tools a gateway exposes: kubectl and terraform tools only when they are configured. */
export const toolDefinitions = (config: { kubectl?: unknown; terraform?: unknown }): ToolDefinition[] => [
  ...TOOL_DEFINITIONS,
  ...(config.kubectl ? KUBECTL_TOOL_DEFINITIONS : []),
  ...(config.terraform ? TERRAFORM_TOOL_DEFINITIONS : []),
]

/** The JSON Schema published in tools/list (additionalProperties: false everywhere). */
export const toolInputJsonSchema = (def: ToolDefinition): Record<string, unknown> => {
  const schema = z.toJSONSchema(def.schema, { io: 'input' }) as Record<string, unknown>
  delete schema.$schema
  return schema
}

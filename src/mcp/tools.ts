/**
 * The tools an agent sees. Only gateway tools: nothing approves, rejects, overrides policy or
 * reaches terraform, kubectl or a shell except through the gateway pipeline.
 */
import { z } from 'zod'
import { ShellExecArgs } from '../normalize/tool-args.js'

const ApprovalId = z.string().regex(/^[0-9a-f]{32}$/).describe('id of a human approval for exactly this action')

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

/** The JSON Schema published in tools/list (additionalProperties: false everywhere). */
export const toolInputJsonSchema = (def: ToolDefinition): Record<string, unknown> => {
  const schema = z.toJSONSchema(def.schema, { io: 'input' }) as Record<string, unknown>
  delete schema.$schema
  return schema
}

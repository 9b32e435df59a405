/**
 * normalizeRequest: a raw tool request → the policy input document. Pure: the clock and the
 * manifest reader come in through ctx. Never throws; every problem is an entry in `errors`,
 * which makes policy block.
 */
import { resolve } from 'node:path'
import type { z } from 'zod'
import { describeIssues, messageOf } from '../errors.js'
import { normalizeKubectlRequest } from './kubectl.js'
import { INPUT_VERSION, type Family, type NormalizeError, type PolicyInput } from './schema.js'
import { normalizeShell } from './shell.js'
import { normalizeTerraformPlan, normalizeTerraformRequest } from './terraform.js'
import { TOOL_ARGS, isToolName, type ToolName } from './tool-args.js'

export interface NormalizeContext {
  now: Date
  /** Working directory relative shell cwd values resolve against. */
  cwd: string
  /** $HOME as the sandboxed command would see it (for ~ paths). */
  home?: string
  /** Namespace of the gateway's configured kubectl context. */
  defaultNamespace?: string
  /** Reads a manifest file named by gateway_kubectl_apply {file}; throws when not allowed. */
  readManifest?: (file: string) => string
}

export interface RawRequest {
  tool: string
  args: unknown
  environment: string
  agent_id?: string | undefined
  /** A `terraform show -json` document for terraform tools. */
  plan?: unknown
}

export const familyOf = (tool: string): Family =>
  tool.startsWith('gateway_shell_')
    ? 'shell'
    : tool.startsWith('gateway_terraform_') || tool === 'gateway_get_plan'
      ? 'terraform'
      : tool.startsWith('gateway_kubectl_')
        ? 'kubectl'
        : 'unknown'

/** "Expected X, got `v` (type)" style one-liner from a zod error. */
export const describeZodError = (error: z.ZodError): string => describeIssues(error.issues, 'args', 5)

export function normalizeRequest(req: RawRequest, ctx: NormalizeContext): PolicyInput {
  try {
    return normalizeReadable(req, ctx)
  } catch (e) {
    return unreadable(req, ctx, e)
  }
}

const safeString = (v: unknown): string => {
  try {
    return String(v)
  } catch {
    return '(unprintable)'
  }
}

/** A request that could not even be read (hostile values, a broken clock): judged as unknown. */
function unreadable(req: RawRequest, ctx: NormalizeContext, e: unknown): PolicyInput {
  let ms = 0
  try {
    ms = Number.isFinite(ctx.now.getTime()) ? ctx.now.getTime() : 0
  } catch {}
  return {
    version: INPUT_VERSION,
    tool: safeString((req as Partial<RawRequest> | null)?.tool),
    family: 'unknown',
    environment: safeString((req as Partial<RawRequest> | null)?.environment),
    agent_id: 'anonymous',
    time: { unix_ms: ms, rfc3339: new Date(ms).toISOString() },
    errors: [{ code: 'normalize_failed', message: `Normalization failed: ${safeString(messageOf(e))}` }],
    shell: null,
    terraform: null,
    kubectl: null,
  }
}

function normalizeReadable(req: RawRequest, ctx: NormalizeContext): PolicyInput {
  const errors: NormalizeError[] = []
  const base = {
    version: INPUT_VERSION,
    tool: String(req.tool),
    family: familyOf(String(req.tool)),
    environment: String(req.environment),
    agent_id: req.agent_id ?? 'anonymous',
    time: { unix_ms: ctx.now.getTime(), rfc3339: ctx.now.toISOString() },
    errors,
    shell: null,
    terraform: null,
    kubectl: null,
  } satisfies PolicyInput
  try {
    if (!isToolName(base.tool)) {
      errors.push({ code: 'unknown_tool', message: `Expected a gateway tool name, got \`${base.tool}\`` })
      return { ...base, family: 'unknown' }
    }
    const tool: ToolName = base.tool
    const parsed = TOOL_ARGS[tool].safeParse(req.args)
    if (!parsed.success) {
      errors.push({ code: 'invalid_args', message: describeZodError(parsed.error) })
      return base
    }
    const args = parsed.data as Record<string, unknown>
    switch (base.family) {
      case 'shell': {
        const a = args as { command: string; cwd?: string }
        const shell = normalizeShell(
          { command: a.command, cwd: resolve(ctx.cwd, a.cwd ?? '.') },
          ctx.home === undefined ? {} : { home: ctx.home },
        )
        return { ...base, shell }
      }
      case 'terraform': {
        let plan = null
        if (req.plan !== undefined && req.plan !== null) {
          const p = normalizeTerraformPlan(req.plan)
          if (p.ok) plan = p.plan
          else errors.push(p.error)
        }
        const terraform = normalizeTerraformRequest(tool as Parameters<typeof normalizeTerraformRequest>[0], args as never, plan)
        return { ...base, terraform }
      }
      case 'kubectl': {
        let manifestText: string | undefined
        let manifestSource: 'inline' | 'file' | undefined
        if (tool === 'gateway_kubectl_apply') {
          const a = args as { manifest?: string; file?: string }
          if (a.manifest !== undefined) {
            manifestText = a.manifest
            manifestSource = 'inline'
          } else if (a.file !== undefined) {
            manifestSource = 'file'
            try {
              if (!ctx.readManifest) throw new Error('manifest files are not readable here')
              manifestText = ctx.readManifest(a.file)
            } catch (e) {
              errors.push({ code: 'manifest_unreadable', message: `Cannot read manifest \`${a.file}\`: ${messageOf(e)}` })
            }
          }
        }
        const k = normalizeKubectlRequest(tool as Parameters<typeof normalizeKubectlRequest>[0], args as never, {
          defaultNamespace: ctx.defaultNamespace ?? 'default',
          ...(manifestText === undefined ? {} : { manifestText }),
          ...(manifestSource === undefined ? {} : { manifestSource }),
        })
        errors.push(...k.errors)
        return { ...base, kubectl: k.input }
      }
      default:
        errors.push({ code: 'unknown_tool', message: `Tool \`${base.tool}\` is not judged by policy` })
        return base
    }
  } catch (e) {
    // A normalizer bug must still end in block, with the reason visible.
    errors.push({ code: 'normalize_failed', message: `Normalization failed: ${messageOf(e)}` })
    return { ...base, shell: null, terraform: null, kubectl: null }
  }
}

export * from './schema.js'
export * from './tool-args.js'
export { normalizeShell } from './shell.js'
export { normalizeTerraformPlan, normalizeTerraformRequest } from './terraform.js'
export { normalizeKubectlRequest } from './kubectl.js'

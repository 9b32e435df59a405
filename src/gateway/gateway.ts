/**
 * The pipeline behind every agent tool: normalize → decide → (approval binding) → execute →
 * audit. Fails closed: a refusal, a store error or an audit failure before execution means the
 * action does not run, and the outcome says why.
 */
import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import { z } from 'zod'
import { fingerprintRequest } from '../approvals/fingerprint.js'
import { APPROVAL_ID_PATTERN, type ApprovalRecord } from '../approvals/record.js'
import type { AuditInput } from '../audit/line.js'
import { errorMessage } from '../errors.js'
import { buildKubectlInvocation } from '../exec/kubectl-argv.js'
import type { KubectlRunRequest } from '../exec/kubectl.js'
import { isWithin } from '../exec/paths.js'
import { notRun, type ProcessResult } from '../exec/run.js'
import type { ShellExecRequest, ShellExecResult } from '../exec/shell-exec.js'
import type { TerraformRunRequest } from '../exec/terraform.js'
import { describeZodError } from '../normalize/index.js'
import type { PolicyInput } from '../normalize/schema.js'
import { isToolName, TOOL_ARGS } from '../normalize/tool-args.js'
import type { Decision } from '../policy/index.js'
import type { Store } from '../store/index.js'
import type { Decider } from './decider.js'
import { outcome, type ToolOutcome } from './outcome.js'
import { createTerraformStage, type TerraformConfig, type TerraformStage } from './terraform-stage.js'

export const APPROVAL_ID = z.string().regex(APPROVAL_ID_PATTERN, 'Expected an approval id (32 hex digits)')

export interface GatewayConfig {
  /** Environment every request is judged in. */
  environment: string
  /** Identity of the agent on this connection; part of every approval fingerprint. */
  agentId: string
  /** Default working directory of shell commands. */
  workdir: string
  /** Shell commands may only run inside these directories. */
  roots: string[]
  /** Paths the sandbox must never show (the state dir is always added). */
  hide: string[]
  /** Run shell commands without bubblewrap (announced and audited by the server). */
  unsafeNoSandbox: boolean
  /** The cluster the kubectl tools act on; without it they are not exposed. */
  kubectl?: KubectlConfig | undefined
  /** Terraform (or OpenTofu) for the plan-bound terraform tools; without it they are not exposed. */
  terraform?: TerraformConfig | undefined
}

/** The gateway's own kubectl settings: never visible to or changeable by the agent. */
export interface KubectlConfig {
  kubeconfig: string
  context?: string | undefined
  /** The namespace that counts when neither the request nor the manifest names one (default "default"). */
  namespace?: string | undefined
  /** Path of the kubectl binary (default /usr/bin/kubectl). */
  binary?: string | undefined
}

export interface GatewayDeps {
  decider: Decider
  store: Store
  runShell: (request: ShellExecRequest) => Promise<ShellExecResult>
  /** Runs a judged kubectl invocation; required when config.kubectl is set. */
  runKubectl?: (request: KubectlRunRequest) => Promise<ProcessResult>
  /** Reads an apply manifest file (relative to cwd) only inside roots; throws with a reason. */
  readManifest?: (file: string, cwd: string, roots: readonly string[]) => string
  /** Runs terraform with the gateway's binary and environment; required when config.terraform is set. */
  runTerraform?: (request: TerraformRunRequest) => Promise<ProcessResult>
  now: () => Date
}

export interface Gateway {
  /** Handle one agent tool call. Never throws. */
  call(tool: string, args: unknown): Promise<ToolOutcome>
  /** Expire terraform plans whose time ran out and remove their files; returns how many. */
  sweep(): number
  readonly config: GatewayConfig
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback)

const reasonsOf = (d: Decision) => d.reasons

const approvalView = (r: ApprovalRecord) => ({
  approval_id: r.id,
  status: r.status,
  tool: r.tool,
  environment: r.environment,
  reasons: r.decision.reasons,
  expires_at: new Date(r.expires_at).toISOString(),
  decided_by: r.decided_by,
  decision_reason: r.decision_reason,
})

/** Split the gateway's own `approval_id` field from the tool's arguments. */
function splitApproval(args: unknown): { args: unknown; approvalId: string | undefined; error?: string } {
  if (typeof args !== 'object' || args === null || Array.isArray(args) || !Object.hasOwn(args, 'approval_id')) {
    return { args, approvalId: undefined }
  }
  const { approval_id, ...rest } = args as Record<string, unknown>
  const parsed = APPROVAL_ID.safeParse(approval_id)
  if (!parsed.success) return { args: rest, approvalId: undefined, error: `approval_id: ${parsed.error.issues[0]?.message}` }
  return { args: rest, approvalId: parsed.data }
}

/** kubectl's deadline from the policy's execution settings, at most ten minutes. */
const kubectlTimeoutS = (d: Decision): number => Math.ceil(Math.min(num(d.execution?.kubectl_timeout_seconds, 60), 600))

/** What judge returns: the input and decision, what an approval binds, and what kubectl would run. */
interface Judged {
  input: PolicyInput
  decision: Decision
  bound: unknown
  kubectl?: { args: string[]; stdin: string | null }
}

/** The inline manifest policy judged (the schema does not transform it). */
const inlineManifest = (input: PolicyInput, args: unknown): string | undefined => {
  if (input.kubectl?.manifest_source !== 'inline' || typeof args !== 'object' || args === null) return undefined
  const m = (args as { manifest?: unknown }).manifest
  return typeof m === 'string' ? m : undefined
}

export function createGateway(config: GatewayConfig, deps: GatewayDeps): Gateway {
  const { decider, store } = deps
  const roots = config.roots.map(r => resolve(r))

  const audit = (record: AuditInput): { ok: true } | { ok: false; message: string } => {
    const r = store.audit.append({ revision: decider.revision, agent_id: config.agentId, ...record })
    return r.ok ? { ok: true } : { ok: false, message: `${r.code}: ${r.message}` }
  }

  /** The approval with this id if it belongs to this agent and environment; others do not exist for it. */
  const ownApproval = (id: string): ApprovalRecord | null => {
    const rec = store.approvals.get(id, deps.now())
    return rec && rec.agent_id === config.agentId && rec.environment === config.environment ? rec : null
  }

  /** Judge a request in this gateway's environment; returns what policy saw and said. */
  const judge = (tool: string, args: unknown): Judged => {
    const request = { tool, args, environment: config.environment, agent_id: config.agentId }
    // The manifest file is read once: the text policy judges is the text kubectl gets.
    let manifestText: string | undefined
    const kube = config.kubectl
    const context = kube
      ? {
          cwd: config.workdir,
          defaultNamespace: kube.namespace ?? 'default',
          readManifest: (file: string) => {
            if (!deps.readManifest) throw new Error('manifest files are not readable here')
            return (manifestText = deps.readManifest(file, config.workdir, roots))
          },
        }
      : { cwd: config.workdir }
    let { input, decision } = decider.decideWithInput(request, context)
    // The shell's cwd is a gateway boundary: outside the roots nothing runs, whatever policy says.
    if (input.shell && !roots.some(root => isWithin(input.shell!.cwd, root))) {
      decision = {
        ...decision,
        decision: 'block',
        reasons: [{ code: 'cwd_outside_roots', message: `Working directory ${input.shell.cwd} is outside the allowed roots (${roots.join(', ')})` }],
      }
    }
    if (input.kubectl && decision.decision !== 'block') {
      // What runs is built from what policy judged; if it cannot be built, nothing runs.
      const timeoutS = kubectlTimeoutS(decision)
      const inv = kube
        ? buildKubectlInvocation(input.kubectl, { kubeconfig: kube.kubeconfig, context: kube.context, requestTimeoutSeconds: timeoutS }, manifestText ?? inlineManifest(input, args))
        : { ok: false as const, code: 'kubectl_not_configured', message: 'This gateway has no kubectl configuration' }
      if (!inv.ok) return { input, decision: { ...decision, decision: 'block', reasons: [{ code: inv.code, message: inv.message }] }, bound: args }
      const stdinSha256 = inv.stdin === null ? null : createHash('sha256').update(inv.stdin).digest('hex')
      // An approval binds the exact argv and stdin that will run.
      return { input, decision, bound: { kubectl: inv.args, stdin_sha256: stdinSha256 }, kubectl: { args: inv.args, stdin: inv.stdin } }
    }
    // What an approval binds: the tool's arguments as normalized (absolute cwd), nothing else.
    const bound = input.shell ? { command: input.shell.command, cwd: input.shell.cwd } : args
    return { input, decision, bound }
  }

  const refused = (tool: string, code: string, message: string, extra: Record<string, unknown> = {}, input?: unknown): ToolOutcome => {
    const a = audit({ event: 'tool_call', tool, decision: 'block', reasons: [{ code, message }], executed: false, error: code, ...(input === undefined ? {} : { input }), ...pick(extra) })
    return outcome(true, `Refused (${code}): ${message}${a.ok ? '' : ` [audit failed: ${a.message}]`}`, { status: 'refused', executed: false, code, message, ...extra })
  }
  const pick = (extra: Record<string, unknown>): Partial<AuditInput> => ({
    ...(typeof extra.decision_id === 'string' ? { decision_id: extra.decision_id } : {}),
    ...(typeof extra.approval_id === 'string' ? { approval_id: extra.approval_id } : {}),
    ...(typeof extra.plan_id === 'string' ? { plan_id: extra.plan_id } : {}),
  })

  /** The executor of a judged request: how long it may take and how to run it; null when this gateway does not run it. */
  function executorFor(j: Judged): { timeoutS: number; run: () => Promise<ProcessResult & { sandboxed?: boolean }>; sandboxed: boolean } | null {
    const exec = j.decision.execution ?? {}
    const maxOutputBytes = num(exec.max_output_bytes, 1024 * 1024)
    const shell = j.input.shell
    if (shell) {
      const timeoutS = Math.min(num(exec.shell_timeout_seconds, 60), num(exec.shell_max_timeout_seconds, 600))
      const request: ShellExecRequest = {
        command: shell.command,
        cwd: shell.cwd,
        network: exec.shell_network === true,
        timeoutMs: timeoutS * 1000,
        maxOutputBytes,
        hide: [store.stateDir, ...config.hide],
        ...(config.unsafeNoSandbox ? { unsafeNoSandbox: true } : {}),
      }
      return { timeoutS, run: () => deps.runShell(request), sandboxed: !config.unsafeNoSandbox }
    }
    const k = j.input.kubectl
    const runKubectl = deps.runKubectl
    if (k && j.kubectl && config.kubectl && runKubectl) {
      const timeoutS = kubectlTimeoutS(j.decision)
      const secretOutput = k.verb === 'get' && (k.output === 'json' || k.output === 'yaml') ? k.output : null
      const request: KubectlRunRequest = {
        binary: config.kubectl.binary ?? '/usr/bin/kubectl',
        args: j.kubectl.args,
        stdin: j.kubectl.stdin,
        kubeconfig: config.kubectl.kubeconfig,
        // kubectl's own --request-timeout ends first; this deadline catches a hung process.
        timeoutMs: (timeoutS + 5) * 1000,
        maxOutputBytes,
        secretOutput,
      }
      return { timeoutS, run: () => runKubectl(request), sandboxed: false }
    }
    return null
  }

  async function execute(tool: string, j: Judged, approvalId: string | null): Promise<ToolOutcome> {
    const { input, decision } = j
    const executor = executorFor(j)
    if (!executor) return refused(tool, 'not_executable', `${tool} is not executed by this gateway`, { decision_id: decision.decision_id })
    const { timeoutS } = executor
    // Recorded before anything runs: if this cannot be written, nothing runs.
    const started = audit({ event: 'execution_started', decision_id: decision.decision_id, tool, input, decision: decision.decision, reasons: reasonsOf(decision), approval_id: approvalId, executed: false })
    if (!started.ok) return outcome(true, `Not executed: the audit log cannot be written (${started.message})`, { status: 'refused', executed: false, code: 'audit_failed', decision_id: decision.decision_id })
    let result: ProcessResult & { sandboxed?: boolean }
    try {
      result = await executor.run()
    } catch (e) {
      result = { ...notRun('internal_error', errorMessage(e)), sandboxed: executor.sandboxed }
    }
    const ran = result.error === undefined || result.error === null
    const done = audit({
      event: 'tool_call',
      decision_id: decision.decision_id,
      tool,
      input,
      decision: decision.decision,
      reasons: reasonsOf(decision),
      approval_id: approvalId,
      executed: ran,
      exit_code: result.exitCode,
      duration_ms: result.durationMs,
      ...(ran ? {} : { error: String(result.error) }),
    })
    const structured = {
      status: ran ? 'executed' : 'not_executed',
      executed: ran,
      decision: decision.decision,
      decision_id: decision.decision_id,
      reasons: decision.reasons,
      approval_id: approvalId,
      exit_code: result.exitCode,
      signal: result.signal,
      timed_out: result.timedOut,
      stdout: result.stdout,
      stderr: result.stderr,
      stdout_truncated: result.stdoutTruncated,
      stderr_truncated: result.stderrTruncated,
      duration_ms: result.durationMs,
      sandboxed: result.sandboxed ?? executor.sandboxed,
      ...(ran ? {} : { error: result.error, error_message: (result as { errorMessage?: string }).errorMessage ?? null }),
      ...(done.ok ? {} : { audit_error: done.message }),
    }
    const summary = !ran
      ? `Not executed (${String(result.error)}): ${(result as { errorMessage?: string }).errorMessage ?? ''}`
      : result.timedOut
        ? `Timed out after ${timeoutS}s and was killed`
        : `Exited with code ${result.exitCode}`
    return outcome(!ran || result.exitCode !== 0 || !done.ok, summary, structured)
  }

  /** Every executed tool: judge → block / allow → execute / escalate → approval → execute. */
  async function judgedCall(tool: string, rawArgs: unknown): Promise<ToolOutcome> {
    const split = splitApproval(rawArgs)
    if (split.error) return refused(tool, 'invalid_args', split.error)
    const judged = judge(tool, split.args)
    const { input, decision, bound } = judged
    const base = { decision: decision.decision, decision_id: decision.decision_id, reasons: decision.reasons }
    if (decision.decision === 'block') {
      const a = audit({ event: 'tool_call', decision_id: decision.decision_id, tool, input, decision: 'block', reasons: decision.reasons, approval_id: split.approvalId ?? null, executed: false })
      return outcome(true, `Blocked by policy: ${decision.reasons.map(r => r.code).join(', ')}${split.approvalId ? ' (a block cannot be approved)' : ''}`, {
        status: 'blocked',
        executed: false,
        ...base,
        ...(a.ok ? {} : { audit_error: a.message }),
      })
    }
    if (decision.decision === 'allow') return execute(tool, judged, null)

    // escalate: run only with an approval bound to this exact action, consumed exactly once.
    const fingerprint = fingerprintRequest({ tool, args: bound, environment: config.environment, agent_id: config.agentId })
    if (split.approvalId) {
      // Another agent's (or environment's) approval does not exist for this one: no status, no approver.
      if (!ownApproval(split.approvalId))
        return refused(tool, 'approval_not_found', `No approval ${split.approvalId} for this agent`, { ...base, approval_id: split.approvalId }, input)
      const consumed = store.approvals.consume(split.approvalId, fingerprint, deps.now())
      if (!consumed.ok) return refused(tool, consumed.code, consumed.message, { ...base, approval_id: split.approvalId }, input)
      return execute(tool, judged, split.approvalId)
    }
    return requestApproval(tool, input, decision, bound, fingerprint)
  }

  function requestApproval(tool: string, input: PolicyInput, decision: Decision, bound: unknown, fingerprint: string, extra: Record<string, unknown> = {}): ToolOutcome {
    const ttl = num(decision.execution?.approval_ttl_seconds, 900)
    const r = store.approvals.requestOrReuse({
      fingerprint,
      tool,
      args: bound,
      environment: config.environment,
      agent_id: config.agentId,
      decision,
      input,
      ttlSeconds: ttl,
      now: deps.now(),
    })
    if (!r.ok) return refused(tool, r.code, r.message, { decision_id: decision.decision_id }, input)
    const rec = r.record
    const a = audit({ event: 'approval_requested', decision_id: decision.decision_id, tool, input, decision: 'escalate', reasons: decision.reasons, approval_id: rec.id, executed: false })
    const view = { ...approvalView(rec), ...extra, executed: false, decision: 'escalate', decision_id: decision.decision_id, reused: r.reused, ...(a.ok ? {} : { audit_error: a.message }) }
    if (rec.status === 'rejected')
      return outcome(true, `Rejected by ${rec.decided_by ?? 'a human'}${rec.decision_reason ? `: ${rec.decision_reason}` : ''}; this exact action stays rejected until ${view.expires_at}`, { ...view, status: 'rejected' })
    if (rec.status === 'approved')
      return outcome(false, `Approved by ${rec.decided_by}: call ${tool} again with the same arguments and approval_id "${rec.id}"`, { ...view, status: 'approved' })
    return outcome(false, `Not executed: a human must approve this action. Wait for approval ${rec.id} (gateway_check_approval), then call ${tool} again with the same arguments and approval_id.`, { ...view, status: 'approval_required' })
  }

  const RequestApprovalArgs = z.strictObject({ tool: z.string().min(1).max(128), args: z.record(z.string(), z.unknown()) })
  const CheckApprovalArgs = z.strictObject({ approval_id: APPROVAL_ID })

  function requestApprovalTool(tool: string, rawArgs: unknown): ToolOutcome {
    const parsed = RequestApprovalArgs.safeParse(rawArgs)
    if (!parsed.success) return refused(tool, 'invalid_args', describeZodError(parsed.error))
    const target = parsed.data.tool
    if (!isToolName(target) || !executable(target)) return refused(tool, 'unknown_tool', `Expected a gateway tool this server runs, got \`${target}\``)
    if (target === 'gateway_terraform_apply' && terraform) return terraform.requestApproval(parsed.data.args)
    if (TERRAFORM_TOOLS.has(target))
      return refused(tool, 'not_approvable', `${target} needs no approval: planning is judged when it runs, and an escalated plan asks for approval of its apply`)
    const { input, decision, bound } = judge(target, parsed.data.args)
    if (decision.decision === 'block') {
      audit({ event: 'tool_call', decision_id: decision.decision_id, tool, input, decision: 'block', reasons: decision.reasons, executed: false })
      return outcome(true, `Blocked by policy (a block cannot be approved): ${decision.reasons.map(r => r.code).join(', ')}`, { status: 'blocked', executed: false, decision: 'block', decision_id: decision.decision_id, reasons: decision.reasons })
    }
    if (decision.decision === 'allow') {
      audit({ event: 'tool_call', decision_id: decision.decision_id, tool, input, decision: 'allow', reasons: decision.reasons, executed: false })
      return outcome(false, `No approval needed: policy allows this action; call ${target} directly.`, { status: 'not_needed', executed: false, decision: 'allow', decision_id: decision.decision_id, reasons: decision.reasons })
    }
    const fingerprint = fingerprintRequest({ tool: target, args: bound, environment: config.environment, agent_id: config.agentId })
    return requestApproval(target, input, decision, bound, fingerprint)
  }

  function checkApprovalTool(tool: string, rawArgs: unknown): ToolOutcome {
    const parsed = CheckApprovalArgs.safeParse(rawArgs)
    if (!parsed.success) return refused(tool, 'invalid_args', describeZodError(parsed.error))
    let rec: ApprovalRecord | null
    try {
      rec = ownApproval(parsed.data.approval_id)
    } catch (e) {
      return refused(tool, 'approval_store_error', errorMessage(e))
    }
    if (!rec)
      return refused(tool, 'approval_not_found', `No approval ${parsed.data.approval_id} for this agent`)
    audit({ event: 'approval_checked', tool, approval_id: rec.id, executed: false })
    return outcome(rec.status === 'rejected' || rec.status === 'expired', `Approval ${rec.id} is ${rec.status}`, approvalView(rec))
  }

  const executable = (tool: string): boolean =>
    EXECUTABLE.has(tool) || (config.kubectl !== undefined && KUBECTL_TOOLS.has(tool)) || (terraform !== null && TERRAFORM_TOOLS.has(tool))

  const runTerraform = deps.runTerraform
  const terraform: TerraformStage | null =
    config.terraform && runTerraform
      ? createTerraformStage({
          environment: config.environment,
          agentId: config.agentId,
          workdir: config.workdir,
          roots,
          decider,
          store,
          now: deps.now,
          runTerraform,
          audit,
          refused,
          requestApproval,
          ownApproval,
        })
      : null

  async function terraformCall(stage: TerraformStage, tool: string, args: unknown): Promise<ToolOutcome> {
    switch (tool) {
      case 'gateway_terraform_plan':
      case 'gateway_terraform_destroy':
        return stage.plan(tool, args)
      case 'gateway_terraform_apply': {
        const split = splitApproval(args)
        if (split.error) return refused(tool, 'invalid_args', split.error)
        return stage.apply(split.args, split.approvalId)
      }
      default:
        return stage.getPlan(args)
    }
  }

  return {
    config,
    sweep: () => terraform?.sweep() ?? 0,
    async call(tool, args) {
      try {
        switch (tool) {
          case 'gateway_shell_exec':
            return await judgedCall(tool, args)
          case 'gateway_request_approval':
            return requestApprovalTool(tool, args)
          case 'gateway_check_approval':
            return checkApprovalTool(tool, args)
          default:
            if (typeof tool === 'string' && KUBECTL_TOOLS.has(tool) && config.kubectl) return await judgedCall(tool, args)
            if (typeof tool === 'string' && TERRAFORM_TOOLS.has(tool) && terraform) return await terraformCall(terraform, tool, args)
            return refused(String(tool).slice(0, 128), 'unknown_tool', `No tool named \`${String(tool).slice(0, 128)}\``)
        }
      } catch (e) {
        return refused(tool, 'internal_error', errorMessage(e))
      }
    },
  }
}

/** Tools every gateway executes. */
export const EXECUTABLE = new Set<string>(['gateway_shell_exec'])

/** Tools executed only when the gateway has a kubectl configuration. */
export const KUBECTL_TOOLS: ReadonlySet<string> = new Set([
  'gateway_kubectl_get',
  'gateway_kubectl_logs',
  'gateway_kubectl_describe',
  'gateway_kubectl_apply',
  'gateway_kubectl_delete',
  'gateway_kubectl_scale',
  'gateway_kubectl_exec',
])

export { TOOL_ARGS }

/** Tools executed only when the gateway has a terraform configuration. */
export const TERRAFORM_TOOLS: ReadonlySet<string> = new Set(['gateway_terraform_plan', 'gateway_terraform_apply', 'gateway_terraform_destroy', 'gateway_get_plan'])

/**
 * The pipeline behind every agent tool: normalize → decide → (approval binding) → execute →
 * audit. Fails closed: a refusal, a store error or an audit failure before execution means the
 * action does not run, and the outcome says why.
 */
import { resolve } from 'node:path'
import { z } from 'zod'
import { fingerprintRequest } from '../approvals/fingerprint.js'
import type { ApprovalRecord } from '../approvals/record.js'
import type { AuditInput } from '../audit/line.js'
import { errorMessage } from '../errors.js'
import type { ShellExecRequest, ShellExecResult } from '../exec/shell-exec.js'
import { describeZodError } from '../normalize/index.js'
import type { PolicyInput } from '../normalize/schema.js'
import { isToolName, TOOL_ARGS } from '../normalize/tool-args.js'
import type { Decision } from '../policy/index.js'
import type { Store } from '../store/index.js'
import type { Decider } from './decider.js'
import { outcome, type ToolOutcome } from './outcome.js'
import { isInside } from './paths.js'

export const APPROVAL_ID = z.string().regex(/^[0-9a-f]{32}$/, 'Expected an approval id (32 hex digits)')

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
}

export interface GatewayDeps {
  decider: Decider
  store: Store
  runShell: (request: ShellExecRequest) => Promise<ShellExecResult>
  now: () => Date
}

export interface Gateway {
  /** Handle one agent tool call. Never throws. */
  call(tool: string, args: unknown): Promise<ToolOutcome>
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

export function createGateway(config: GatewayConfig, deps: GatewayDeps): Gateway {
  const { decider, store } = deps
  const roots = config.roots.map(r => resolve(r))

  const audit = (record: AuditInput): { ok: true } | { ok: false; message: string } => {
    const r = store.audit.append({ revision: decider.revision, agent_id: config.agentId, ...record })
    return r.ok ? { ok: true } : { ok: false, message: `${r.code}: ${r.message}` }
  }

  /** Judge a request in this gateway's environment; returns what policy saw and said. */
  const judge = (tool: string, args: unknown): { input: PolicyInput; decision: Decision; bound: unknown } => {
    const request = { tool, args, environment: config.environment, agent_id: config.agentId }
    let { input, decision } = decider.decideWithInput(request, { cwd: config.workdir })
    // The shell's cwd is a gateway boundary: outside the roots nothing runs, whatever policy says.
    if (input.shell && !roots.some(root => isInside(input.shell!.cwd, root))) {
      decision = {
        ...decision,
        decision: 'block',
        reasons: [{ code: 'cwd_outside_roots', message: `Working directory ${input.shell.cwd} is outside the allowed roots (${roots.join(', ')})` }],
      }
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
  })

  async function execute(tool: string, input: PolicyInput, decision: Decision, approvalId: string | null): Promise<ToolOutcome> {
    const shell = input.shell
    if (!shell) return refused(tool, 'not_executable', `${tool} is not executed by this gateway`, { decision_id: decision.decision_id })
    const exec = decision.execution ?? {}
    const timeoutS = Math.min(num(exec.shell_timeout_seconds, 60), num(exec.shell_max_timeout_seconds, 600))
    const request: ShellExecRequest = {
      command: shell.command,
      cwd: shell.cwd,
      network: exec.shell_network === true,
      timeoutMs: timeoutS * 1000,
      maxOutputBytes: num(exec.max_output_bytes, 1024 * 1024),
      hide: [store.stateDir, ...config.hide],
      ...(config.unsafeNoSandbox ? { unsafeNoSandbox: true } : {}),
    }
    // Recorded before anything runs: if this cannot be written, nothing runs.
    const started = audit({ event: 'execution_started', decision_id: decision.decision_id, tool, input, decision: decision.decision, reasons: reasonsOf(decision), approval_id: approvalId, executed: false })
    if (!started.ok) return outcome(true, `Not executed: the audit log cannot be written (${started.message})`, { status: 'refused', executed: false, code: 'audit_failed', decision_id: decision.decision_id })
    let result: ShellExecResult
    try {
      result = await deps.runShell(request)
    } catch (e) {
      result = { exitCode: null, signal: null, timedOut: false, stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false, durationMs: 0, error: 'internal_error', errorMessage: errorMessage(e), sandboxed: !config.unsafeNoSandbox } as ShellExecResult
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
      sandboxed: result.sandboxed,
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

  async function shellExec(tool: string, rawArgs: unknown): Promise<ToolOutcome> {
    const split = splitApproval(rawArgs)
    if (split.error) return refused(tool, 'invalid_args', split.error)
    const { input, decision, bound } = judge(tool, split.args)
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
    if (decision.decision === 'allow') return execute(tool, input, decision, null)

    // escalate: run only with an approval bound to this exact action, consumed exactly once.
    const fingerprint = fingerprintRequest({ tool, args: bound, environment: config.environment, agent_id: config.agentId })
    if (split.approvalId) {
      const consumed = store.approvals.consume(split.approvalId, fingerprint, deps.now())
      if (!consumed.ok) return refused(tool, consumed.code, consumed.message, { ...base, approval_id: split.approvalId }, input)
      return execute(tool, input, decision, split.approvalId)
    }
    return requestApproval(tool, input, decision, bound, fingerprint)
  }

  function requestApproval(tool: string, input: PolicyInput, decision: Decision, bound: unknown, fingerprint: string): ToolOutcome {
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
    const view = { ...approvalView(rec), executed: false, decision: 'escalate', decision_id: decision.decision_id, reused: r.reused, ...(a.ok ? {} : { audit_error: a.message }) }
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
    if (!isToolName(target) || !EXECUTABLE.has(target)) return refused(tool, 'unknown_tool', `Expected a gateway tool this server runs, got \`${target}\``)
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
      rec = store.approvals.get(parsed.data.approval_id, deps.now())
    } catch (e) {
      return refused(tool, 'approval_store_error', errorMessage(e))
    }
    // Another agent's approvals do not exist for this one.
    if (!rec || rec.agent_id !== config.agentId || rec.environment !== config.environment)
      return refused(tool, 'approval_not_found', `No approval ${parsed.data.approval_id} for this agent`)
    audit({ event: 'approval_checked', tool, approval_id: rec.id, executed: false })
    return outcome(rec.status === 'rejected' || rec.status === 'expired', `Approval ${rec.id} is ${rec.status}`, approvalView(rec))
  }

  return {
    config,
    async call(tool, args) {
      try {
        switch (tool) {
          case 'gateway_shell_exec':
            return await shellExec(tool, args)
          case 'gateway_request_approval':
            return requestApprovalTool(tool, args)
          case 'gateway_check_approval':
            return checkApprovalTool(tool, args)
          default:
            return refused(String(tool).slice(0, 128), 'unknown_tool', `No tool named \`${String(tool).slice(0, 128)}\``)
        }
      } catch (e) {
        return refused(tool, 'internal_error', errorMessage(e))
      }
    },
  }
}

/** Tools this gateway executes (the terraform and kubectl tools arrive with their stages). */
export const EXECUTABLE = new Set<string>(['gateway_shell_exec'])

export { TOOL_ARGS }

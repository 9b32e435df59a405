/**
 * Plan-bound terraform: gateway_terraform_plan / _destroy run `terraform plan -out` into a
 * gateway-owned file, policy judges the plan, and the plan is stored; gateway_terraform_apply runs
 * `terraform apply` on exactly that file (re-hashed, copied privately, applied once);
 * gateway_get_plan reads a stored plan. What a human or the policy judged is what runs.
 *
 * Fails closed: every refusal, terraform error or store error before `apply` starts means
 * nothing is applied, and the outcome says why.
 */
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fingerprintRequest } from '../approvals/fingerprint.js'
import type { ApprovalRecord } from '../approvals/record.js'
import type { AuditInput } from '../audit/line.js'
import { errorMessage } from '../errors.js'
import { isWithin, overlaps } from '../exec/paths.js'
import { notRun, type ProcessResult } from '../exec/run.js'
import { isStalePlanError, type TerraformRunRequest } from '../exec/terraform.js'
import { describeZodError } from '../normalize/index.js'
import type { PolicyInput, TerraformPlan } from '../normalize/schema.js'
import { TerraformApplyArgs, TerraformDestroyArgs, TerraformGetPlanArgs, TerraformPlanArgs } from '../normalize/tool-args.js'
import type { Decision } from '../policy/index.js'
import type { Store } from '../store/index.js'
import type { PlanRecord } from '../store/plans.js'
import type { Decider } from './decider.js'
import { outcome, type ToolOutcome } from './outcome.js'

/** The gateway's terraform settings: never visible to or changeable by the agent. */
export interface TerraformConfig {
  /** Absolute path of terraform or tofu. */
  binary: string
  /** Environment for terraform only (credentials, TF_CLI_CONFIG_FILE, ...). */
  env: Record<string, string>
}

export type AuditResult = { ok: true } | { ok: false; message: string }

/** What the stage borrows from the gateway it belongs to. */
export interface TerraformStageDeps {
  environment: string
  agentId: string
  workdir: string
  roots: readonly string[]
  decider: Decider
  store: Store
  now: () => Date
  /** Runs terraform with the gateway's binary and environment; its output comes back with the
   * environment's values already cut out (exec/terraform.ts). */
  runTerraform: (request: TerraformRunRequest) => Promise<ProcessResult>
  audit: (record: AuditInput) => AuditResult
  refused: (tool: string, code: string, message: string, extra?: Record<string, unknown>, input?: unknown) => ToolOutcome
  /** Open (or reuse) the approval request of an escalated action; see gateway.ts. */
  requestApproval: (tool: string, input: PolicyInput, decision: Decision, bound: unknown, fingerprint: string, extra?: Record<string, unknown>) => ToolOutcome
  ownApproval: (id: string) => ApprovalRecord | null
}

export interface TerraformStage {
  plan(tool: 'gateway_terraform_plan' | 'gateway_terraform_destroy', args: unknown): Promise<ToolOutcome>
  apply(args: unknown, approvalId: string | undefined): Promise<ToolOutcome>
  getPlan(args: unknown): ToolOutcome
  /** gateway_request_approval for gateway_terraform_apply {plan_id}. */
  requestApproval(args: unknown): ToolOutcome
  /** Expire plans whose time ran out and delete plan files no open plan owns; returns plans expired. */
  sweep(): number
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback)
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex')

/** Largest `terraform show -json` document read (a plan of tens of thousands of resources). */
const MAX_PLAN_JSON_BYTES = 256 * 1024 * 1024
const MAX_VAR_FILE_BYTES = 4 * 1024 * 1024
const MAX_SUMMARY_CHANGES = 200
/** Output of init/plan/apply returned to the agent, per stream. */
const MAX_OUTPUT_BYTES = 1024 * 1024
/** Steps before the plan proper (init, workspace) are short. */
const SETUP_TIMEOUT_MS = 300_000
const FILE_MODE = 0o600
const DIR_MODE = 0o700

/** Plan files by plan, and terraform data dirs by working directory, under the state dir. */
export const terraformDirs = (stateDir: string) => ({
  plans: join(stateDir, 'terraform', 'plans'),
  data: join(stateDir, 'terraform', 'data'),
})

/** The resource-change summary returned to the agent and shown to a human. */
export function planSummary(plan: TerraformPlan | null | undefined): Record<string, unknown> {
  if (!plan) return { counts: null, changes: [], changes_truncated: false }
  const changes = plan.resource_changes
    .filter(rc => rc.mode === 'managed' && rc.action !== 'no-op' && rc.action !== 'read')
    .map(rc => ({ address: rc.address, type: rc.type, action: rc.action }))
  return {
    counts: plan.counts,
    empty: plan.empty,
    changes: changes.slice(0, MAX_SUMMARY_CHANGES),
    changes_truncated: changes.length > MAX_SUMMARY_CHANGES,
  }
}

type Refusal = { ok: false; code: string; message: string }
const refusal = (code: string, message: string): Refusal => ({ ok: false, code, message })

/** One promise chain per key: terraform runs in one working directory never overlap in this process. */
function createLocks() {
  const tails = new Map<string, Promise<unknown>>()
  return <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const prev = tails.get(key) ?? Promise.resolve()
    const run = prev.then(fn, fn)
    const tail = run.catch(() => {})
    tails.set(key, tail)
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return run
  }
}

export function createTerraformStage(deps: TerraformStageDeps): TerraformStage {
  const { store, decider } = deps
  const dirs = terraformDirs(store.stateDir)
  const withLock = createLocks()

  const ensureDir = (dir: string) => {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE })
    chmodSync(dir, DIR_MODE)
  }

  const realRoots = (): string[] =>
    deps.roots.map(r => {
      try {
        return realpathSync(r)
      } catch {
        return resolve(r)
      }
    })

  /** The real path of a directory inside the roots and outside the state dir, or why not. */
  function resolveWorkingDir(raw: string): { ok: true; path: string } | Refusal {
    let real: string
    try {
      real = realpathSync(resolve(deps.workdir, raw))
    } catch (e) {
      return refusal('working_dir_unavailable', `Cannot use working_dir \`${raw}\`: ${errorMessage(e)}`)
    }
    if (!statSync(real).isDirectory()) return refusal('working_dir_unavailable', `working_dir \`${raw}\` is not a directory`)
    const roots = realRoots()
    if (!roots.some(root => isWithin(real, root)))
      return refusal('working_dir_outside_roots', `working_dir ${real} is outside the allowed roots (${roots.join(', ')})`)
    if (overlaps(real, realpathSync(store.stateDir))) return refusal('working_dir_outside_roots', 'working_dir overlaps the gateway state directory')
    return { ok: true, path: real }
  }

  /** A var file: a regular file inside the roots (resolved from the working directory). */
  function resolveVarFile(workingDir: string, file: string): { ok: true; path: string } | Refusal {
    let real: string
    try {
      real = realpathSync(resolve(workingDir, file))
    } catch (e) {
      return refusal('var_file_unavailable', `Cannot read var file \`${file}\`: ${errorMessage(e)}`)
    }
    const st = statSync(real)
    if (!st.isFile()) return refusal('var_file_unavailable', `var file \`${file}\` is not a regular file`)
    if (st.size > MAX_VAR_FILE_BYTES) return refusal('var_file_unavailable', `var file \`${file}\` is larger than ${MAX_VAR_FILE_BYTES} bytes`)
    if (!realRoots().some(root => isWithin(real, root)) || overlaps(real, realpathSync(store.stateDir)))
      return refusal('var_file_outside_roots', `var file ${real} is outside the allowed roots`)
    return { ok: true, path: real }
  }

  const dataDirFor = (workingDir: string): string => join(dirs.data, sha256(workingDir).slice(0, 32))

  /** Terraform's diagnostics for the agent: stderr (or stdout), redacted and trimmed. */
  const diagnostics = (r: ProcessResult): string => (r.stderr.trim() || r.stdout.trim() || r.errorMessage || '').slice(-8000)

  const failedStep = (step: string, r: ProcessResult): Refusal =>
    refusal(
      r.error ? `terraform_${r.error}` : r.timedOut ? 'terraform_timed_out' : `terraform_${step}_failed`,
      r.error
        ? `terraform ${step} did not run: ${r.errorMessage ?? r.error}`
        : r.timedOut
          ? `terraform ${step} timed out and was killed`
          : `terraform ${step} failed (exit ${r.exitCode}): ${diagnostics(r)}`,
    )

  const ok = (r: ProcessResult) => !r.error && !r.timedOut && r.exitCode === 0

  interface PlanRun {
    planFile: string
    planDir: string
    showJson: string
  }

  /** init → workspace → plan -out → show -json, in one working directory at a time. */
  async function runPlan(
    workingDir: string,
    workspace: string,
    a: { vars?: Record<string, unknown> | undefined; var_files?: string[] | undefined; targets?: string[] | undefined },
    destroy: boolean,
    timeoutS: number,
  ): Promise<({ ok: true } & PlanRun) | Refusal> {
    const varFiles: string[] = []
    for (const f of a.var_files ?? []) {
      const v = resolveVarFile(workingDir, f)
      if (!v.ok) return v
      varFiles.push(v.path)
    }
    ensureDir(dirs.plans)
    const planDir = join(dirs.plans, randomBytes(16).toString('hex'))
    mkdirSync(planDir, { mode: DIR_MODE })
    const planFile = join(planDir, 'plan.tfplan')
    const dataDir = dataDirFor(workingDir)
    ensureDir(dirs.data)
    ensureDir(dataDir)
    const tf = (args: string[], workspaceEnv: string | null, timeoutMs = SETUP_TIMEOUT_MS, extra: Partial<TerraformRunRequest> = {}) =>
      deps.runTerraform({ args, cwd: workingDir, dataDir, workspace: workspaceEnv, timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES, expose: [dataDir, planDir], ...extra })
    const done = await withLock(workingDir, async (): Promise<({ ok: true } & PlanRun) | Refusal> => {
      const init = await tf(['init', '-input=false', '-no-color'], null)
      if (!ok(init)) return failedStep('init', init)
      if (workspace !== 'default') {
        const ws = await tf(['workspace', 'select', '-or-create=true', '-no-color', workspace], null)
        if (!ok(ws)) return failedStep('workspace select', ws)
      }
      const args = ['plan', '-input=false', '-no-color', '-lock-timeout=60s', `-out=${planFile}`]
      if (destroy) args.push('-destroy')
      for (const t of a.targets ?? []) args.push(`-target=${t}`)
      for (const f of varFiles) args.push(`-var-file=${f}`)
      if (a.vars && Object.keys(a.vars).length > 0) {
        // Values go through a private file, typed exactly as given (no HCL parsing of -var strings).
        const varsFile = join(planDir, 'agent.auto.tfvars.json')
        writeFileSync(varsFile, JSON.stringify(a.vars), { mode: FILE_MODE, flag: 'wx' })
        args.push(`-var-file=${varsFile}`)
      }
      const plan = await tf(args, workspace, timeoutS * 1000)
      if (!ok(plan)) return failedStep('plan', plan)
      const show = await tf(['show', '-json', '-no-color', planFile], workspace, SETUP_TIMEOUT_MS, { maxOutputBytes: MAX_PLAN_JSON_BYTES, redact: false })
      if (!ok(show)) return failedStep('show', show)
      if (show.stdoutTruncated) return refusal('plan_too_large', `terraform show -json printed more than ${MAX_PLAN_JSON_BYTES} bytes`)
      return { ok: true, planFile, planDir, showJson: show.stdout }
    })
    if (!done.ok) rmSync(planDir, { recursive: true, force: true })
    else rmSync(join(planDir, 'agent.auto.tfvars.json'), { force: true })
    return done
  }

  const planView = (rec: PlanRecord) => ({
    plan_id: rec.id,
    status: rec.status,
    decision: rec.decision,
    reasons: rec.reasons,
    summary: rec.summary,
    environment: rec.environment,
    workspace: rec.workspace,
    working_dir: rec.working_dir,
    terraform_version: rec.tf_version,
    created_at: new Date(rec.created_at).toISOString(),
    expires_at: new Date(rec.expires_at).toISOString(),
    ended_at: rec.ended_at === null ? null : new Date(rec.ended_at).toISOString(),
    result: rec.result,
  })

  /** What an approval of this plan's apply binds: the plan by id and by the hashes of both its forms. */
  const boundOf = (rec: Pick<PlanRecord, 'id' | 'plan_sha256' | 'plan_json_digest' | 'working_dir' | 'workspace'>) => ({
    plan_id: rec.id,
    plan_sha256: rec.plan_sha256,
    plan_json_digest: rec.plan_json_digest,
    working_dir: rec.working_dir,
    workspace: rec.workspace,
  })
  const fingerprintOf = (bound: unknown) =>
    fingerprintRequest({ tool: 'gateway_terraform_apply', args: bound, environment: deps.environment, agent_id: deps.agentId })

  const removePlanDir = (rec: Pick<PlanRecord, 'plan_path'>) => {
    const dir = resolve(rec.plan_path, '..')
    // Only ever a directory this stage created.
    if (isWithin(dir, dirs.plans) && dir !== dirs.plans) rmSync(dir, { recursive: true, force: true })
  }

  async function plan(tool: 'gateway_terraform_plan' | 'gateway_terraform_destroy', rawArgs: unknown): Promise<ToolOutcome> {
    const request = { tool, args: rawArgs, environment: deps.environment, agent_id: deps.agentId }
    // Judged before terraform runs: what policy blocks (a destroy in prod, bad args) never plans.
    const pre = decider.decideWithInput(request, { cwd: deps.workdir })
    if (pre.decision.decision === 'block') {
      const a = deps.audit({ event: 'tool_call', decision_id: pre.decision.decision_id, tool, input: pre.input, decision: 'block', reasons: pre.decision.reasons, executed: false })
      return outcome(true, `Blocked by policy (a block cannot be approved): ${pre.decision.reasons.map(r => r.code).join(', ')}`, {
        status: 'blocked',
        executed: false,
        decision: 'block',
        decision_id: pre.decision.decision_id,
        reasons: pre.decision.reasons,
        ...(a.ok ? {} : { audit_error: a.message }),
      })
    }
    // Whatever a policy says, terraform runs only on arguments that pass the tool's own schema.
    const parsedArgs = (tool === 'gateway_terraform_plan' ? TerraformPlanArgs : TerraformDestroyArgs).safeParse(rawArgs)
    if (!parsedArgs.success || pre.input.errors.length > 0)
      return deps.refused(tool, 'invalid_args', parsedArgs.success ? pre.input.errors.map(e => e.message).join('; ') : describeZodError(parsedArgs.error), {}, pre.input)
    const a: { working_dir: string; workspace?: string | undefined; vars?: Record<string, unknown> | undefined; var_files?: string[] | undefined; targets?: string[] | undefined; destroy?: boolean | undefined } = parsedArgs.data
    const wd = resolveWorkingDir(a.working_dir)
    if (!wd.ok) return deps.refused(tool, wd.code, wd.message, {}, pre.input)
    const workspace = a.workspace ?? 'default'
    const destroy = tool === 'gateway_terraform_destroy' || a.destroy === true
    const exec = pre.decision.execution ?? {}
    const started = deps.audit({ event: 'terraform_plan_started', decision_id: pre.decision.decision_id, tool, input: pre.input, decision: pre.decision.decision, reasons: pre.decision.reasons, executed: false })
    if (!started.ok) return deps.refused(tool, 'audit_failed', `Not planned: the audit log cannot be written (${started.message})`)
    const run = await runPlan(wd.path, workspace, a, destroy, num(exec.terraform_plan_timeout_seconds, 600))
    if (!run.ok) return deps.refused(tool, run.code, run.message, { decision_id: pre.decision.decision_id }, pre.input)

    // The plan itself is what policy judges, and what is stored.
    let planBytes: Buffer
    try {
      planBytes = readFileSync(run.planFile)
      chmodSync(run.planFile, FILE_MODE)
    } catch (e) {
      rmSync(run.planDir, { recursive: true, force: true })
      return deps.refused(tool, 'plan_unreadable', `Cannot read the plan file: ${errorMessage(e)}`)
    }
    let showDoc: unknown
    try {
      showDoc = JSON.parse(run.showJson)
    } catch (e) {
      rmSync(run.planDir, { recursive: true, force: true })
      return deps.refused(tool, 'invalid_plan', `terraform show -json did not print JSON: ${errorMessage(e)}`)
    }
    const judgedArgs = { ...a, working_dir: wd.path }
    const { input, decision } = decider.decideWithInput({ ...request, args: judgedArgs, plan: showDoc }, { cwd: deps.workdir })
    const tfVersion = typeof (showDoc as { terraform_version?: unknown }).terraform_version === 'string' ? (showDoc as { terraform_version: string }).terraform_version : null
    const summary = planSummary(input.terraform?.plan)
    const ttl = num(decision.execution?.plan_ttl_seconds, 3600)
    const planSha256 = sha256(planBytes)
    let rec: PlanRecord
    try {
      rec = store.plans.create({
        fingerprint: planSha256,
        plan_sha256: planSha256,
        plan_json_digest: sha256(run.showJson),
        workspace,
        environment: deps.environment,
        working_dir: wd.path,
        tf_version: tfVersion,
        agent_id: deps.agentId,
        decision: decision.decision,
        reasons: decision.reasons,
        status: decision.decision === 'block' ? 'blocked' : 'planned',
        summary,
        plan_path: run.planFile,
        input,
        ttlSeconds: ttl,
        now: deps.now(),
      })
    } catch (e) {
      rmSync(run.planDir, { recursive: true, force: true })
      return deps.refused(tool, 'plan_store_error', `The plan could not be stored: ${errorMessage(e)}`, { decision_id: decision.decision_id }, input)
    }
    // A blocked plan can never be applied: its file goes now.
    if (rec.status === 'blocked') removePlanDir(rec)
    const audited = deps.audit({ event: 'plan_created', decision_id: decision.decision_id, tool, input, decision: decision.decision, reasons: decision.reasons, executed: false, plan_id: rec.id })
    const view = { ...planView(rec), decision_id: decision.decision_id, executed: false, ...(audited.ok ? {} : { audit_error: audited.message }) }
    if (decision.decision === 'block')
      return outcome(true, `Plan ${rec.id} is blocked by policy and cannot be applied (a block cannot be approved): ${decision.reasons.map(r => r.code).join(', ')}`, view)
    if (decision.decision === 'allow')
      return outcome(false, `Plan ${rec.id} saved; policy allows applying it: call gateway_terraform_apply with plan_id "${rec.id}" before ${view.expires_at}.`, view)
    // Escalated: the approval request opens now, bound to this plan id and its hashes.
    const bound = boundOf(rec)
    const approval = deps.requestApproval('gateway_terraform_apply', applyInput(input, rec.id), decision, bound, fingerprintOf(bound), { plan_id: rec.id })
    const approvalId = approval.structured.approval_id
    return outcome(
      approval.isError,
      typeof approvalId === 'string' && !approval.isError
        ? `Plan ${rec.id} saved; applying it needs a human's approval. Wait for approval ${approvalId} (gateway_check_approval), then call gateway_terraform_apply with plan_id "${rec.id}" and approval_id "${approvalId}".`
        : `Plan ${rec.id} saved, but its approval request failed: ${approval.summary}`,
      { ...view, approval_id: approvalId ?? null, approval_status: approval.structured.status ?? null, approval_expires_at: approval.structured.expires_at ?? null },
    )
  }

  /** The input document of applying a stored plan: the judged plan, as an apply of it, now. */
  function applyInput(stored: PolicyInput, planId: string): PolicyInput {
    const at = deps.now()
    return {
      ...stored,
      tool: 'gateway_terraform_apply',
      agent_id: deps.agentId,
      time: { unix_ms: at.getTime(), rfc3339: at.toISOString() },
      terraform: stored.terraform ? { ...stored.terraform, operation: 'apply', plan_id: planId } : null,
    }
  }

  /** End every open plan whose time ran out, removing its file; returns how many. */
  const expireDue = (): number => {
    const expired = store.plans.expireDue(deps.now())
    for (const rec of expired) removePlanDir(rec)
    return expired.length
  }

  /** The caller's own plan, expired if its time ran out. */
  function ownPlan(planId: string): PlanRecord | null {
    const rec = store.plans.get(planId)
    if (!rec || rec.agent_id !== deps.agentId) return null
    if (rec.status === 'planned' && rec.expires_at <= deps.now().getTime()) {
      expireDue()
      return store.plans.get(planId)
    }
    return rec
  }

  const ENDED: Record<string, [string, string]> = {
    blocked: ['plan_blocked', 'policy blocked this plan; a block cannot be approved'],
    applying: ['plan_apply_in_progress', 'this plan is being applied now'],
    applied: ['plan_already_applied', 'this plan was already applied; make a new plan'],
    expired: ['plan_expired', 'this plan expired; make a new plan'],
    drift: ['plan_stale', 'the state changed after this plan was made and nothing was applied; make a new plan'],
    failed: ['plan_ended', 'an apply of this plan already ran and failed; make a new plan'],
    tampered: ['plan_tampered', 'the stored plan file was altered after planning; make a new plan'],
  }

  /** The plan an apply (or an approval request for it) may use, and policy's verdict on it now. */
  function applicable(planId: string): ({ ok: true; rec: PlanRecord; input: PolicyInput; decision: Decision; bound: ReturnType<typeof boundOf> }) | Refusal {
    const rec = ownPlan(planId)
    if (!rec) return refusal('plan_not_found', `No plan ${planId} for this agent`)
    if (rec.environment !== deps.environment)
      return refusal('environment_mismatch', `Plan ${rec.id} was made in environment ${rec.environment}; this gateway acts in ${deps.environment}`)
    if (rec.status !== 'planned') {
      const [code, message] = ENDED[rec.status] ?? ['plan_ended', `this plan is ${rec.status}`]
      return refusal(code, `Plan ${rec.id}: ${message}`)
    }
    if (rec.decision === 'block') return refusal('plan_blocked', `Plan ${rec.id}: ${ENDED.blocked![1]}`)
    const stored = rec.input as PolicyInput | null
    if (!stored || typeof stored !== 'object' || !stored.terraform || stored.environment !== deps.environment || stored.terraform.workspace !== rec.workspace)
      return refusal('plan_unusable', `Plan ${rec.id} has no judged plan document in this environment and workspace; make a new plan`)
    // Judged again now, on the plan as stored: the policy in force at apply time decides.
    const input = applyInput(stored, rec.id)
    const decision = decider.evaluate(input)
    return { ok: true, rec, input, decision, bound: boundOf(rec) }
  }

  /** The plan file's bytes if they still hash to what was planned. */
  function verifiedPlanBytes(rec: PlanRecord): { ok: true; bytes: Buffer } | Refusal {
    let bytes: Buffer
    try {
      const fd = openSync(rec.plan_path, 'r')
      try {
        if (!fstatSync(fd).isFile()) return refusal('plan_tampered', `Plan ${rec.id}: the plan file is not a regular file`)
        bytes = readFileSync(fd)
      } finally {
        closeSync(fd)
      }
    } catch (e) {
      return refusal('plan_file_missing', `Plan ${rec.id}: cannot read the stored plan file: ${errorMessage(e)}`)
    }
    const actual = sha256(bytes)
    if (actual !== rec.plan_sha256)
      return refusal('plan_tampered', `Plan ${rec.id}: the plan file's sha256 is ${actual}, not the ${rec.plan_sha256} that was planned and judged`)
    return { ok: true, bytes }
  }

  async function apply(rawArgs: unknown, approvalId: string | undefined): Promise<ToolOutcome> {
    const tool = 'gateway_terraform_apply'
    const parsed = TerraformApplyArgs.safeParse(rawArgs)
    if (!parsed.success) return deps.refused(tool, 'invalid_args', describeZodError(parsed.error))
    const planId = parsed.data.plan_id
    const found = applicable(planId)
    if (!found.ok) return deps.refused(tool, found.code, found.message, { plan_id: planId, ...(approvalId ? { approval_id: approvalId } : {}) })
    const { rec, input, decision, bound } = found
    const base = { plan_id: rec.id, decision: decision.decision, decision_id: decision.decision_id, reasons: decision.reasons }
    if (decision.decision === 'block') {
      const a = deps.audit({ event: 'tool_call', decision_id: decision.decision_id, tool, input, decision: 'block', reasons: decision.reasons, approval_id: approvalId ?? null, executed: false, plan_id: rec.id })
      return outcome(true, `Blocked by policy (a block cannot be approved): ${decision.reasons.map(r => r.code).join(', ')}`, {
        status: 'blocked',
        executed: false,
        ...base,
        ...(a.ok ? {} : { audit_error: a.message }),
      })
    }
    const fingerprint = fingerprintOf(bound)
    if (decision.decision === 'escalate') {
      if (!approvalId) return deps.requestApproval(tool, input, decision, bound, fingerprint, { plan_id: rec.id })
      if (!deps.ownApproval(approvalId)) return deps.refused(tool, 'approval_not_found', `No approval ${approvalId} for this agent`, { ...base, approval_id: approvalId }, input)
    }

    // Exactly once: only the caller that moves planned → applying goes on.
    if (!store.plans.setStatus(rec.id, { from: 'planned', to: 'applying' }))
      return deps.refused(tool, 'plan_apply_in_progress', `Plan ${rec.id} is already being applied or has ended`, { ...base, ...(approvalId ? { approval_id: approvalId } : {}) }, input)
    const endWith = (status: string, result: Record<string, unknown>) => {
      store.plans.finish(rec.id, { from: 'applying', to: status, result, now: deps.now() })
      removePlanDir(rec)
    }

    const verified = verifiedPlanBytes(rec)
    if (!verified.ok) {
      endWith(verified.code === 'plan_tampered' ? 'tampered' : 'failed', { code: verified.code, message: verified.message })
      return deps.refused(tool, verified.code, verified.message, { ...base, executed: false }, input)
    }
    let usedApproval: string | null = null
    if (decision.decision === 'escalate' && approvalId) {
      const consumed = store.approvals.consume(approvalId, fingerprint, deps.now())
      if (!consumed.ok) {
        store.plans.setStatus(rec.id, { from: 'applying', to: 'planned' })
        return deps.refused(tool, consumed.code, consumed.message, { ...base, approval_id: approvalId }, input)
      }
      usedApproval = approvalId
    }
    // The bytes that were hashed are the bytes applied: a private copy nobody else can swap.
    const applyDir = join(dirs.plans, `apply-${randomBytes(16).toString('hex')}`)
    let applyFile: string
    try {
      mkdirSync(applyDir, { mode: DIR_MODE })
      applyFile = join(applyDir, 'plan.tfplan')
      writeFileSync(applyFile, verified.bytes, { mode: FILE_MODE, flag: 'wx' })
    } catch (e) {
      rmSync(applyDir, { recursive: true, force: true })
      store.plans.setStatus(rec.id, { from: 'applying', to: 'planned' })
      return deps.refused(tool, 'plan_copy_failed', `Cannot prepare the plan file: ${errorMessage(e)}`, base, input)
    }
    const timeoutS = num(decision.execution?.terraform_apply_timeout_seconds, 1800)
    const started = deps.audit({ event: 'execution_started', decision_id: decision.decision_id, tool, input, decision: decision.decision, reasons: decision.reasons, approval_id: usedApproval, executed: false, plan_id: rec.id })
    if (!started.ok) {
      rmSync(applyDir, { recursive: true, force: true })
      endWith('failed', { code: 'audit_failed', message: started.message })
      return outcome(true, `Not applied: the audit log cannot be written (${started.message})`, { status: 'refused', executed: false, code: 'audit_failed', ...base })
    }
    let result: ProcessResult
    try {
      result = await withLock(rec.working_dir, () =>
        deps.runTerraform({
          args: ['apply', '-input=false', '-no-color', '-lock-timeout=60s', applyFile],
          cwd: rec.working_dir,
          dataDir: dataDirFor(rec.working_dir),
          expose: [dataDirFor(rec.working_dir), applyDir],
          workspace: rec.workspace,
          timeoutMs: timeoutS * 1000,
          maxOutputBytes: MAX_OUTPUT_BYTES,
        }),
      )
    } catch (e) {
      result = notRun('internal_error', errorMessage(e))
    } finally {
      rmSync(applyDir, { recursive: true, force: true })
    }
    const stale = !result.error && result.exitCode !== 0 && isStalePlanError(result.stderr)
    const applied = ok(result)
    const status = applied ? 'applied' : stale ? 'drift' : 'failed'
    const code = applied ? 'applied' : stale ? 'plan_stale' : result.error ? `terraform_${result.error}` : result.timedOut ? 'terraform_timed_out' : 'terraform_apply_failed'
    const message = applied
      ? 'terraform applied the plan'
      : stale
        ? 'The state changed after this plan was made (drift); terraform refused the stale plan and applied nothing. Make a new plan.'
        : result.timedOut
          ? `terraform apply timed out after ${timeoutS}s and was killed; the state may be partly changed`
          : `terraform apply failed: ${diagnostics(result)}`
    endWith(status, { code, message, exit_code: result.exitCode, timed_out: result.timedOut })
    // "executed" means terraform apply ran; a stale plan is refused by terraform before any change.
    const executed = !result.error && !stale
    const done = deps.audit({
      event: 'tool_call',
      decision_id: decision.decision_id,
      tool,
      input,
      decision: decision.decision,
      reasons: decision.reasons,
      approval_id: usedApproval,
      executed,
      exit_code: result.exitCode,
      duration_ms: result.durationMs,
      plan_id: rec.id,
      ...(applied ? {} : { error: code }),
    })
    return outcome(!applied || !done.ok, applied ? `Plan ${rec.id} applied` : `Not applied (${code}): ${message}`, {
      status,
      executed,
      applied,
      ...base,
      approval_id: usedApproval,
      code,
      message,
      exit_code: result.exitCode,
      timed_out: result.timedOut,
      stdout: result.stdout,
      stderr: result.stderr,
      stdout_truncated: result.stdoutTruncated,
      stderr_truncated: result.stderrTruncated,
      duration_ms: result.durationMs,
      ...(done.ok ? {} : { audit_error: done.message }),
    })
  }

  function getPlan(rawArgs: unknown): ToolOutcome {
    const tool = 'gateway_get_plan'
    const parsed = TerraformGetPlanArgs.safeParse(rawArgs)
    if (!parsed.success) return deps.refused(tool, 'invalid_args', describeZodError(parsed.error))
    const rec = ownPlan(parsed.data.plan_id)
    if (!rec) return deps.refused(tool, 'plan_not_found', `No plan ${parsed.data.plan_id} for this agent`)
    deps.audit({ event: 'plan_read', tool, executed: false, plan_id: rec.id })
    return outcome(false, `Plan ${rec.id} is ${rec.status} (decision ${rec.decision})`, planView(rec))
  }

  function requestApproval(rawArgs: unknown): ToolOutcome {
    const tool = 'gateway_request_approval'
    const parsed = TerraformApplyArgs.safeParse(rawArgs)
    if (!parsed.success) return deps.refused(tool, 'invalid_args', describeZodError(parsed.error))
    const found = applicable(parsed.data.plan_id)
    if (!found.ok) return deps.refused(tool, found.code, found.message, { plan_id: parsed.data.plan_id })
    const { rec, input, decision, bound } = found
    if (decision.decision === 'block')
      return outcome(true, `Blocked by policy (a block cannot be approved): ${decision.reasons.map(r => r.code).join(', ')}`, { status: 'blocked', executed: false, plan_id: rec.id, decision: 'block', decision_id: decision.decision_id, reasons: decision.reasons })
    if (decision.decision === 'allow')
      return outcome(false, 'No approval needed: policy allows applying this plan; call gateway_terraform_apply directly.', { status: 'not_needed', executed: false, plan_id: rec.id, decision: 'allow', decision_id: decision.decision_id, reasons: decision.reasons })
    return deps.requestApproval('gateway_terraform_apply', input, decision, bound, fingerprintOf(bound), { plan_id: rec.id })
  }

  function sweep(): number {
    const expired = expireDue()
    // Plan directories no open plan owns (a crash between planning and storing): removed after an hour.
    const open = new Set(store.plans.openPlanPaths().map(p => resolve(p, '..')))
    let names: string[] = []
    try {
      names = readdirSync(dirs.plans)
    } catch {}
    const cutoff = deps.now().getTime() - 3600_000
    for (const name of names) {
      const dir = join(dirs.plans, name)
      try {
        if (!open.has(dir) && statSync(dir).mtimeMs < cutoff) rmSync(dir, { recursive: true, force: true })
      } catch {}
    }
    return expired
  }

  return { plan, apply, getPlan, requestApproval, sweep }
}

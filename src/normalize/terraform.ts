/**
 * The terraform part of the policy input document: a `terraform show -json` plan → TerraformPlan
 * (actions summarised, sensitive and unknown values redacted), and a terraform tool call →
 * TerraformInput. Pure; plan problems are returned as a NormalizeError, never thrown.
 */
import type { z } from 'zod'
import type { NormalizeError, TerraformInput, TerraformPlan, TerraformResourceChange } from './schema.js'
import { PlanDocument, type PlanResourceChange } from './terraform-plan-doc.js'
import { PlanTooLargeError, redactAttributes, type Budget } from './terraform-redact.js'
import type { TerraformApplyArgs, TerraformDestroyArgs, TerraformGetPlanArgs, TerraformPlanArgs } from './tool-args.js'

export type TerraformPlanResult = { ok: true; plan: TerraformPlan } | { ok: false; error: NormalizeError }

type Action = TerraformResourceChange['action']

const ACTIONS: Record<string, Action> = {
  'no-op': 'no-op',
  create: 'create',
  read: 'read',
  update: 'update',
  delete: 'delete',
  'delete,create': 'replace',
  'create,delete': 'replace',
}
const CHANGING: ReadonlySet<Action> = new Set(['create', 'update', 'delete', 'replace'])

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const fail = (code: string, message: string): TerraformPlanResult => ({ ok: false, error: { code, message } })
const shown = (v: unknown): string => `\`${String(typeof v === 'string' ? v : JSON.stringify(v)).slice(0, 80)}\``

function summarise(rc: PlanResourceChange): { action: Action } | { problem: string } {
  const actions = rc.change.actions
  const key = actions.join(',')
  const action = Object.hasOwn(ACTIONS, key) ? ACTIONS[key] : undefined
  if (action === undefined) return { problem: `${rc.address}: expected actions terraform plans (create, update, delete, replace, read, no-op), got ${shown(actions)}` }
  // A data source is only read (or left alone): anything else means terraform did not write this document.
  if (rc.mode === 'data' && CHANGING.has(action)) return { problem: `${rc.address}: expected a data resource to be read, got ${shown(actions)}` }
  return { action }
}

function toResourceChange(rc: PlanResourceChange, action: Action, budget: Budget): TerraformResourceChange {
  const c = rc.change
  return {
    address: rc.address,
    module_address: rc.module_address ?? null,
    mode: rc.mode,
    type: rc.type,
    name: rc.name,
    provider_name: rc.provider_name,
    actions: [...c.actions],
    action,
    before: redactAttributes(c.before ?? null, c.before_sensitive, undefined, budget),
    after: redactAttributes(c.after ?? null, c.after_sensitive, c.after_unknown, budget),
  }
}

/** Deepest module nesting and most provisioners read from the configuration. */
const MAX_MODULE_DEPTH = 32
const MAX_PROVISIONERS = 10_000

/**
 * Every provisioner of the plan's configuration (root module and module calls), with the
 * resource address it belongs to. A provisioner whose type cannot be read is `(unknown)`, so it
 * still counts.
 */
function provisionersOf(configuration: unknown): { address: string; type: string }[] {
  const out: { address: string; type: string }[] = []
  const walk = (module: unknown, prefix: string, depth: number) => {
    if (!isRecord(module)) return
    if (depth > MAX_MODULE_DEPTH) throw new PlanTooLargeError(`modules nested at most ${MAX_MODULE_DEPTH} deep`)
    for (const r of Array.isArray(module.resources) ? module.resources : []) {
      if (!isRecord(r) || !Array.isArray(r.provisioners)) continue
      const address = prefix + (typeof r.address === 'string' ? r.address : '(unknown)')
      for (const p of r.provisioners) {
        if (out.length >= MAX_PROVISIONERS) throw new PlanTooLargeError(`at most ${MAX_PROVISIONERS} provisioners`)
        out.push({ address, type: isRecord(p) && typeof p.type === 'string' ? p.type : '(unknown)' })
      }
    }
    if (isRecord(module.module_calls))
      for (const [name, call] of Object.entries(module.module_calls)) if (isRecord(call)) walk(call.module, `${prefix}module.${name}.`, depth + 1)
  }
  if (isRecord(configuration)) walk(configuration.root_module, '', 0)
  return out
}

const issuesText = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map(i => `${i.path.length ? i.path.join('.') : 'plan'}: ${i.message}`)
    .join('; ')

function normalizeOrFail(doc: unknown): TerraformPlanResult {
  if (!isRecord(doc)) return fail('invalid_plan', `Expected a terraform plan JSON object, got ${Array.isArray(doc) ? 'array' : doc === null ? 'null' : typeof doc}`)
  const version = doc.format_version
  if (typeof version !== 'string' || !/^1(\.[0-9]+)*$/.test(version))
    return fail('unsupported_plan_format', `Expected plan format_version 1.x, got ${version === undefined ? 'none' : shown(version)}`)
  const parsed = PlanDocument.safeParse(doc)
  if (!parsed.success) return fail('invalid_plan', `Invalid terraform plan: ${issuesText(parsed.error)}`)
  const budget: Budget = { nodes: 0 }
  const counts = { create: 0, update: 0, delete: 0, replace: 0, no_op: 0, read: 0 }
  const changes: TerraformResourceChange[] = []
  for (const rc of parsed.data.resource_changes ?? []) {
    const summary = summarise(rc)
    if ('problem' in summary) return fail('invalid_plan', `Invalid terraform plan: ${summary.problem}`)
    counts[summary.action === 'no-op' ? 'no_op' : summary.action]++
    changes.push(toResourceChange(rc, summary.action, budget))
  }
  return {
    ok: true,
    plan: {
      format_version: parsed.data.format_version,
      terraform_version: parsed.data.terraform_version ?? null,
      resource_changes: changes,
      counts,
      provisioners: provisionersOf((doc as { configuration?: unknown }).configuration),
      empty: !changes.some(c => c.mode === 'managed' && CHANGING.has(c.action)),
      errored: parsed.data.errored ?? false,
    },
  }
}

/**
 * Normalize a `terraform show -json <planfile>` document. Errors: `invalid_plan` (not a plan,
 * unknown actions, too large), `unsupported_plan_format` (format_version major other than 1).
 */
export function normalizeTerraformPlan(doc: unknown): TerraformPlanResult {
  try {
    return normalizeOrFail(doc)
  } catch (e) {
    // Too many values, or a hostile in-process object (getters, proxies): refuse, never throw.
    const message = e instanceof PlanTooLargeError ? e.message : `Cannot read the plan: ${e instanceof Error ? e.message : String(e)}`
    return fail('invalid_plan', `Invalid terraform plan: ${message}`)
  }
}

/** Arguments of each terraform tool, as validated by the tool-args schemas. */
export interface TerraformArgsByTool {
  gateway_terraform_plan: z.infer<typeof TerraformPlanArgs>
  gateway_terraform_apply: z.infer<typeof TerraformApplyArgs>
  gateway_terraform_destroy: z.infer<typeof TerraformDestroyArgs>
  gateway_get_plan: z.infer<typeof TerraformGetPlanArgs>
}
export type TerraformTool = keyof TerraformArgsByTool

const OPERATIONS: Record<TerraformTool, TerraformInput['operation']> = {
  gateway_terraform_plan: 'plan',
  gateway_terraform_apply: 'apply',
  gateway_terraform_destroy: 'destroy',
  gateway_get_plan: 'get_plan',
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [])

/**
 * The terraform part of the input document for a tool call whose args the caller validated.
 * Variable values never reach policy, only their names. Throws only for a tool that is not a
 * terraform tool (a caller bug the type forbids).
 */
export function normalizeTerraformRequest<T extends TerraformTool>(tool: T, args: TerraformArgsByTool[T], plan?: TerraformPlan | null): TerraformInput {
  if (!Object.hasOwn(OPERATIONS, tool)) throw new TypeError(`Expected a terraform tool, got ${shown(tool)}`)
  const a: Record<string, unknown> = isRecord(args) ? args : {}
  return {
    operation: OPERATIONS[tool],
    destroy: tool === 'gateway_terraform_destroy' || a.destroy === true,
    working_dir: typeof a.working_dir === 'string' ? a.working_dir : null,
    workspace: typeof a.workspace === 'string' ? a.workspace : 'default',
    targets: strings(a.targets),
    var_names: isRecord(a.vars) ? Object.keys(a.vars).sort() : [],
    var_files: strings(a.var_files),
    plan_id: typeof a.plan_id === 'string' ? a.plan_id : null,
    plan: plan ?? null,
  }
}

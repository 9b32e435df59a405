/**
 * Run terraform (or OpenTofu) for the gateway: the gateway's binary, the gateway's environment
 * (credentials included) and nothing of the agent's. The data dir (providers, modules, backend
 * settings) is gateway-owned, so a provider binary or `.terraform/` planted in the working
 * directory is never used. Output is capped and redacted, with every value of the gateway's
 * terraform environment cut out. Never rejects.
 */
import { defaultRunDeps, notRun, runProcess, type ProcessResult, type RunProcessOptions } from './run.js'

const SAFE_PATH = '/usr/local/bin:/usr/bin:/bin'

/** Variables terraform must see from the gateway alone: an operator's env file cannot set them. */
export const GATEWAY_TERRAFORM_VARS = ['TF_DATA_DIR', 'TF_WORKSPACE', 'TF_INPUT', 'TF_IN_AUTOMATION'] as const

export interface TerraformSettings {
  /** Absolute path of terraform or tofu. */
  binary: string
  /** The gateway's own environment for terraform (cloud credentials, TF_CLI_CONFIG_FILE, ...). */
  env: Record<string, string>
  /** PATH and HOME of the gateway (for credential helpers and ~/.terraformrc). */
  path?: string
  home?: string
  /**
   * Run terraform in its own mount namespace (bubblewrap) where `hide` (the gateway state dir)
   * is an empty tmpfs, except the paths each run needs. Terraform, its providers, data sources
   * and provisioners see the host as the gateway user does, but never the gateway's database,
   * audit log, approvals or other plans. null: no isolation (--unsafe-no-sandbox).
   */
  isolation: { bwrap: string; hide: readonly string[] } | null
}

export interface TerraformRunRequest {
  args: readonly string[]
  cwd: string
  /** Gateway-owned TF_DATA_DIR for this working directory. */
  dataDir: string
  /** Pinned with TF_WORKSPACE; null leaves it unset (workspace list/new). */
  workspace: string | null
  timeoutMs: number
  maxOutputBytes: number
  /** Pattern-based redaction of output (default true); off for `show -json`, which only the gateway reads. */
  redact?: boolean
  /** Paths inside a hidden directory this run needs (its data dir and plan dir), bound read-write. */
  expose?: readonly string[]
}

export interface TerraformDeps {
  run: (opts: RunProcessOptions) => Promise<ProcessResult>
}

export const defaultTerraformDeps: TerraformDeps = { run: opts => runProcess(opts, defaultRunDeps) }

/** The complete environment of a terraform process. */
export function terraformEnv(settings: TerraformSettings, request: Pick<TerraformRunRequest, 'dataDir' | 'workspace'>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: settings.path || SAFE_PATH,
    ...(settings.home ? { HOME: settings.home } : {}),
    CHECKPOINT_DISABLE: '1',
    ...settings.env,
  }
  for (const name of GATEWAY_TERRAFORM_VARS) delete env[name]
  env.TF_DATA_DIR = request.dataDir
  env.TF_INPUT = '0'
  env.TF_IN_AUTOMATION = '1'
  if (request.workspace !== null) env.TF_WORKSPACE = request.workspace
  return env
}

/** The program and argv that run terraform: through bubblewrap unless isolation is off. */
export function terraformCommand(settings: TerraformSettings, request: Pick<TerraformRunRequest, 'args' | 'cwd' | 'expose'>): { file: string; args: string[] } {
  const iso = settings.isolation
  if (!iso) return { file: settings.binary, args: [...request.args] }
  return {
    file: iso.bwrap,
    args: [
      '--die-with-parent',
      '--bind', '/', '/',
      '--dev-bind', '/dev', '/dev',
      ...iso.hide.flatMap(h => ['--tmpfs', h]),
      ...(request.expose ?? []).flatMap(p => ['--bind', p, p]),
      '--chdir', request.cwd,
      '--',
      settings.binary,
      ...request.args,
    ],
  }
}

/** Values long enough to be worth cutting out of output (short ones would shred ordinary text). */
const secretValues = (env: Record<string, string>): string[] =>
  Object.values(env)
    .filter(v => v.length >= 6)
    .sort((a, b) => b.length - a.length)

/** Replace every occurrence of the gateway's terraform environment values by a marker. */
export function redactValues(text: string, values: readonly string[]): string {
  let out = text
  for (const v of values) if (out.includes(v)) out = out.split(v).join('[REDACTED:gateway-env]')
  return out
}

/** Values of the operator's terraform environment: what must never reach the agent. */
export const terraformSecrets = (settings: TerraformSettings): string[] => secretValues(settings.env)

/** Run terraform once with the gateway's environment; see the module comment. */
export async function runTerraform(settings: TerraformSettings, request: TerraformRunRequest, deps: TerraformDeps = defaultTerraformDeps): Promise<ProcessResult> {
  try {
    const { file, args } = terraformCommand(settings, request)
    const result = await deps.run({
      file,
      args,
      cwd: request.cwd,
      env: terraformEnv(settings, request),
      timeoutMs: request.timeoutMs,
      maxOutputBytes: request.maxOutputBytes,
      redact: request.redact !== false,
    })
    const values = terraformSecrets(settings)
    return {
      ...result,
      stdout: redactValues(result.stdout, values),
      stderr: redactValues(result.stderr, values),
      ...(result.errorMessage === undefined ? {} : { errorMessage: redactValues(result.errorMessage, values) }),
    }
  } catch (e) {
    return notRun('internal_error', `terraform failed: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** Terraform's own "saved plan is stale" refusal: the state changed after the plan was made. */
export const isStalePlanError = (stderr: string): boolean => /Saved plan is stale/i.test(stderr)

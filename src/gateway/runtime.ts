/**
 * Assemble a gateway from operator options: bundle + data overrides → decider, state dir →
 * store, sandbox → shell runner. Used by `serve` and `doctor`.
 */
import { accessSync, constants, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { GatewayError, errorMessage } from '../errors.js'
import { credentialPaths } from '../exec/hidden-paths.js'
import { DEFAULT_KUBECTL_BINARY, kubeconfigNamespace, readManifestInRoots, runKubectl, type KubectlRunRequest } from '../exec/kubectl.js'
import type { ProcessResult } from '../exec/run.js'
import { redactSecrets } from '../exec/redact.js'
import { DEFAULT_BWRAP_PATH, runSandboxedShell, type ShellExecRequest, type ShellExecResult } from '../exec/shell-exec.js'
import { GATEWAY_TERRAFORM_VARS, runTerraform, type TerraformRunRequest, type TerraformSettings } from '../exec/terraform.js'
import { openStore, type Store } from '../store/index.js'
import { createDecider, type Decider } from './decider.js'
import { K8sName } from '../normalize/tool-args.js'
import { createGateway, type Gateway, type KubectlConfig } from './gateway.js'

export interface RuntimeOptions {
  bundle?: string | undefined
  environment: string
  /** YAML or JSON file deep-merged into data.gateway.config. */
  policyFile?: string | undefined
  stateDir: string
  agentId: string
  workdir: string
  roots?: string[] | undefined
  unsafeNoSandbox?: boolean | undefined
  now?: () => Date
  /** Replace the sandboxed shell (doctor uses a recorder that runs nothing). */
  runShell?: (request: ShellExecRequest) => Promise<ShellExecResult>
  /** The cluster of the kubectl tools; without it they are not exposed. */
  kubectl?: { kubeconfig: string; context?: string | undefined; namespace?: string | undefined; binary?: string | undefined } | undefined
  /** Replace the kubectl runner (tests). */
  runKubectl?: (request: KubectlRunRequest) => Promise<ProcessResult>
  /** Terraform or OpenTofu for the plan-bound terraform tools; without it they are not exposed. */
  terraform?: { binary: string; envFile?: string | undefined; env?: Record<string, string> | undefined } | undefined
}

export interface Runtime {
  gateway: Gateway
  decider: Decider
  store: Store
  /** Delete ended approvals and plans older than the retention; returns how many. */
  prune(): number
  close(): void
}

/** Ended approvals and plans are kept this long for review, then pruned. */
export const RETAIN_ENDED_SECONDS = 7 * 24 * 3600

export const defaultStateDir = (env: Record<string, string | undefined>): string =>
  env.RECOURSE_GATEWAY_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'recourse-gateway')

const PolicyOverrides = z.record(z.string(), z.unknown())

/** Read a --policy file: YAML or JSON, an object of data.gateway.config overrides. */
export function readPolicyOverrides(file: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new GatewayError('usage', `cannot read --policy file \`${file}\`: ${errorMessage(e)}`)
  }
  let value: unknown
  try {
    value = parseYaml(text, { maxAliasCount: 100 })
  } catch (e) {
    throw new GatewayError('usage', `--policy file \`${file}\` is not YAML/JSON: ${errorMessage(e)}`)
  }
  const parsed = PolicyOverrides.safeParse(value)
  if (!parsed.success) throw new GatewayError('usage', `--policy file \`${file}\`: Expected a mapping of policy settings, got \`${JSON.stringify(value)?.slice(0, 80)}\``)
  return parsed.data
}

/** The kubectl settings with the default namespace resolved (option, else the context's, else "default"). */
function kubectlConfig(k: NonNullable<RuntimeOptions['kubectl']>): KubectlConfig {
  const kubeconfig = resolve(k.kubeconfig)
  let text: string
  try {
    text = readFileSync(kubeconfig, 'utf8')
  } catch (e) {
    throw new GatewayError('usage', `cannot read --kubeconfig \`${k.kubeconfig}\`: ${errorMessage(e)}`)
  }
  if (k.context !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._@:/-]{0,252}$/.test(k.context))
    throw new GatewayError('usage', `--kube-context: Expected a context name, got \`${k.context}\``)
  const namespace = k.namespace ?? kubeconfigNamespace(text, k.context) ?? 'default'
  if (!K8sName.safeParse(namespace).success) throw new GatewayError('usage', `kubectl namespace: Expected a DNS-1123 name, got \`${namespace}\``)
  return { kubeconfig, context: k.context, namespace, binary: k.binary === undefined ? DEFAULT_KUBECTL_BINARY : resolve(k.binary) }
}

/** Read a --terraform-env-file: KEY=VALUE lines (# comments, blank lines, optional `export `). */
export function readTerraformEnvFile(file: string): Record<string, string> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new GatewayError('usage', `cannot read --terraform-env-file \`${file}\`: ${errorMessage(e)}`)
  }
  const env: Record<string, string> = {}
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed)
    // The line itself may hold a credential: only its number is reported.
    if (!m) throw new GatewayError('usage', `--terraform-env-file \`${file}\` line ${i + 1}: Expected NAME=value`)
    let value = m[2]!
    if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) value = value.slice(1, -1)
    env[m[1]!] = value
  })
  return env
}

/** The terraform settings: an executable binary and the gateway's own environment for it. */
function terraformSettings(t: NonNullable<RuntimeOptions['terraform']>, stateDir: string, unsafeNoSandbox: boolean): TerraformSettings {
  const binary = resolve(t.binary)
  try {
    accessSync(binary, constants.X_OK)
  } catch (e) {
    throw new GatewayError('usage', `--terraform \`${t.binary}\` is not an executable file: ${errorMessage(e)}`)
  }
  const env = { ...(t.envFile === undefined ? {} : readTerraformEnvFile(t.envFile)), ...(t.env ?? {}) }
  const reserved = Object.keys(env).filter(k => (GATEWAY_TERRAFORM_VARS as readonly string[]).includes(k))
  if (reserved.length) throw new GatewayError('usage', `the terraform environment cannot set ${reserved.join(', ')} (the gateway sets them)`)
  return {
    binary,
    env,
    ...(process.env.PATH ? { path: process.env.PATH } : {}),
    home: homedir(),
    isolation: unsafeNoSandbox ? null : { bwrap: DEFAULT_BWRAP_PATH, hide: [stateDir] },
  }
}

/** Load the policy and open the state; throws GatewayError with a readable message. */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const now = options.now ?? (() => new Date())
  const overrides = options.policyFile ? readPolicyOverrides(options.policyFile) : undefined
  const decider = await createDecider({
    ...(options.bundle === undefined ? {} : { bundle: options.bundle }),
    ...(overrides ? { dataOverrides: { gateway: { config: overrides } } } : {}),
    now,
  })
  const environments = decider.environments()
  if (!environments.includes(options.environment))
    throw new GatewayError('usage', `unknown environment \`${options.environment}\` (this policy defines: ${environments.join(', ') || 'none'})`)
  const stateDir = resolve(options.stateDir)
  // Configuration errors surface before the state dir is touched.
  const kubectl = options.kubectl ? kubectlConfig(options.kubectl) : undefined
  const terraform = options.terraform ? terraformSettings(options.terraform, stateDir, options.unsafeNoSandbox === true) : undefined
  const store = openStore(stateDir, { now, redact: redactSecrets })
  const workdir = resolve(options.workdir)
  const gateway = createGateway(
    {
      environment: options.environment,
      agentId: options.agentId,
      workdir,
      roots: (options.roots?.length ? options.roots : [workdir]).map(r => resolve(r)),
      hide: credentialPaths(homedir()),
      unsafeNoSandbox: options.unsafeNoSandbox === true,
      ...(kubectl ? { kubectl } : {}),
      ...(terraform ? { terraform: { binary: terraform.binary, env: terraform.env } } : {}),
    },
    {
      decider,
      store,
      runShell: options.runShell ?? (request => runSandboxedShell(request)),
      runKubectl: options.runKubectl ?? (request => runKubectl(request)),
      readManifest: readManifestInRoots,
      ...(terraform ? { runTerraform: (request: TerraformRunRequest) => runTerraform(terraform, request) } : {}),
      now,
    },
  )
  const prune = () => {
    const at = now()
    return gateway.sweep() + store.approvals.prune(at, { retainSeconds: RETAIN_ENDED_SECONDS }) + store.plans.prune(at, { retainSeconds: RETAIN_ENDED_SECONDS })
  }
  return { gateway, decider, store, prune, close: () => store.close() }
}

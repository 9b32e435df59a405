// Shared fixture for the terraform tests: the real terraform-compatible binary (OpenTofu built
// by scripts/ensure-tofu.sh, or RECOURSE_TEST_TERRAFORM), configurations that use only the
// builtin terraform_data resource (no provider download), and a gateway with the terraform tools.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openGateway, type Dirs, type Gw } from '../mcp/harness.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The terraform binary the tests run: RECOURSE_TEST_TERRAFORM, else the pinned OpenTofu. */
export function terraformBinary(): string {
  const fromEnv = process.env.RECOURSE_TEST_TERRAFORM
  if (fromEnv) return fromEnv
  const pinned = join(root, '.tools', 'bin', 'tofu')
  if (existsSync(pinned)) return pinned
  // The test command builds it first; a test file run alone builds it here.
  const r = spawnSync(join(root, 'scripts', 'ensure-tofu.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (r.status !== 0) throw new Error('cannot build OpenTofu (scripts/ensure-tofu.sh failed)')
  return r.stdout.trim()
}

/** Two terraform_data resources whose inputs follow var.label. */
export const MAIN_TF = `
variable "label" {
  type    = string
  default = "one"
}

resource "terraform_data" "a" {
  input = var.label
}

resource "terraform_data" "b" {
  input = "b-\${var.label}"
}
`

/** Write a configuration into dir (created). */
export function writeConfig(dir: string, text = MAIN_TF): string {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'main.tf'), text)
  return dir
}

export interface TfState {
  serial: number
  resources: { type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[]
}

/** The local state of a workspace, or null when there is none. */
export function readState(dir: string, workspace = 'default'): TfState | null {
  const file = workspace === 'default' ? join(dir, 'terraform.tfstate') : join(dir, 'terraform.tfstate.d', workspace, 'terraform.tfstate')
  if (!existsSync(file)) return null
  return JSON.parse(readFileSync(file, 'utf8')) as TfState
}

/** The `input` of a terraform_data resource in a state (stored as {value, type}). */
export const inputOf = (s: TfState | null, name: string): unknown => {
  const v = s?.resources.find(r => r.name === name)?.instances[0]?.attributes.input as { value?: unknown } | null | undefined
  return v && typeof v === 'object' ? v.value : v
}

export const resourceNames = (s: TfState | null): string[] => (s ? s.resources.map(r => `${r.type}.${r.name}`).sort() : [])

/** Run the binary directly, as the operator would (test setup only), with a private data dir. */
export function operatorTerraform(bin: string, dir: string, args: string[]): void {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TF_DATA_DIR: join(dir, '.operator-tf'), TF_INPUT: '0', CHECKPOINT_DISABLE: '1' }
  for (const a of [['init', '-input=false', '-no-color'], args]) {
    const r = spawnSync(bin, a, { cwd: dir, env, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${bin} ${a.join(' ')} failed: ${r.stderr}`)
  }
}

/**
 * A wrapper around the binary that appends its first argument (the subcommand) to a log, then
 * execs the real one: counts how often terraform really ran, and shows the binary is configurable.
 */
export function countingWrapper(dir: string, bin: string): { path: string; calls: () => string[] } {
  const path = join(dir, 'terraform-counting')
  const log = join(dir, 'terraform-calls.log')
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\nexec '${bin}' "$@"\n`)
  chmodSync(path, 0o755)
  return { path, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) }
}

/** A gateway in `env` with the terraform tools on. */
export function openTerraformGateway(
  env: string,
  options: { binary?: string; terraformEnv?: Record<string, string>; now?: () => Date; dirs?: Dirs; agentId?: string; policyFile?: string } = {},
): Promise<Gw> {
  return openGateway({
    env,
    ...(options.now ? { now: options.now } : {}),
    ...(options.dirs ? { dirs: options.dirs } : {}),
    ...(options.agentId ? { agentId: options.agentId } : {}),
    ...(options.policyFile ? { policyFile: options.policyFile } : {}),
    terraform: { binary: options.binary ?? terraformBinary(), env: options.terraformEnv ?? {} },
  })
}

/** A clock the test moves. */
export function movableClock(start = Date.now()) {
  let t = start
  return { now: () => new Date(t), advance: (seconds: number) => void (t += seconds * 1000) }
}

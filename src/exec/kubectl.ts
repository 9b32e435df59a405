/**
 * Run a judged kubectl invocation: the gateway's kubectl binary and kubeconfig, a throwaway
 * HOME, an environment of PATH/HOME/KUBECONFIG only (nothing of the agent's), a hard deadline
 * and redacted, capped output. Never rejects.
 *
 * Secrets: policy escalates every read of secrets. Even an approved read does not return secret
 * values: in get output (json/yaml) every value under `data` / `stringData` of a Secret object is
 * replaced by `[REDACTED:secret]`; output that mentions a Secret but cannot be parsed (e.g. cut
 * by the output cap) is withheld. `kubectl describe secret` prints only sizes, never values.
 */
import { realpathSync, readFileSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseAllDocuments, stringify } from 'yaml'
import { isWithin } from './paths.js'
import { defaultRunDeps, notRun, runProcess, type ProcessResult, type RunProcessOptions } from './run.js'

export const DEFAULT_KUBECTL_BINARY = '/usr/bin/kubectl'
/** Largest manifest file apply reads (the inline limit of the tool arguments). */
export const MAX_MANIFEST_FILE_BYTES = 1024 * 1024
const SAFE_PATH = '/usr/local/bin:/usr/bin:/bin'
const REDACTED = '[REDACTED:secret]'

export interface KubectlRunRequest {
  binary: string
  /** Everything after the binary, as built by buildKubectlInvocation. */
  args: string[]
  stdin: string | null
  /** The gateway's kubeconfig (also given as --kubeconfig). */
  kubeconfig: string
  timeoutMs: number
  maxOutputBytes: number
  /** get -o json|yaml: redact Secret data in stdout. */
  secretOutput: 'json' | 'yaml' | null
}

export interface KubectlDeps {
  run: (opts: RunProcessOptions) => Promise<ProcessResult>
  /** PATH for kubectl and its credential plugins: the gateway's own, not the agent's. */
  path: string
  makeHome: () => Promise<string>
  removeHome: (dir: string) => Promise<void>
}

export const defaultKubectlDeps: KubectlDeps = {
  run: opts => runProcess(opts, defaultRunDeps),
  path: process.env.PATH || SAFE_PATH,
  makeHome: () => mkdtemp(join(tmpdir(), 'recourse-kubectl-')),
  removeHome: dir => rm(dir, { recursive: true, force: true }),
}

const failed = (errorMessage: string): ProcessResult => notRun('internal_error', errorMessage)

/** Run kubectl once; see the module comment. */
export async function runKubectl(request: KubectlRunRequest, deps: KubectlDeps = defaultKubectlDeps): Promise<ProcessResult> {
  let home: string
  try {
    home = await deps.makeHome()
  } catch (e) {
    return failed(`Cannot create a home directory for kubectl: ${e instanceof Error ? e.message : String(e)}`)
  }
  try {
    const result = await deps.run({
      file: request.binary,
      args: request.args,
      cwd: home,
      env: { PATH: deps.path, HOME: home, KUBECONFIG: request.kubeconfig },
      ...(request.stdin === null ? {} : { stdin: request.stdin }),
      timeoutMs: request.timeoutMs,
      maxOutputBytes: request.maxOutputBytes,
    })
    if (request.secretOutput === null) return result
    return { ...result, stdout: redactSecretData(result.stdout, request.secretOutput, result.stdoutTruncated) }
  } catch (e) {
    return failed(`kubectl failed: ${e instanceof Error ? e.message : String(e)}`)
  } finally {
    await deps.removeHome(home).catch(() => {})
  }
}


const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Replace the values of Secret data/stringData (in lists too); true when something changed. */
function scrub(value: unknown): boolean {
  if (!isRecord(value)) return false
  let changed = false
  if (Array.isArray(value.items)) for (const item of value.items) changed = scrub(item) || changed
  if (value.kind === 'Secret') {
    for (const field of ['data', 'stringData']) {
      const d = value[field]
      if (!isRecord(d)) continue
      for (const key of Object.keys(d)) d[key] = REDACTED
      changed = true
    }
  }
  return changed
}

const MENTIONS_SECRET = /["']?kind["']?\s*:\s*["']?Secret\b/

/** kubectl get output (json or yaml) with every Secret value redacted; see the module comment. */
export function redactSecretData(stdout: string, format: 'json' | 'yaml', truncated = false): string {
  if (!MENTIONS_SECRET.test(stdout)) return stdout
  const withheld = '[output withheld: it contains Secret data the gateway could not redact]\n'
  if (truncated) return withheld
  try {
    if (format === 'json') {
      const value: unknown = JSON.parse(stdout)
      return scrub(value) ? `${JSON.stringify(value, null, 4)}\n` : stdout
    }
    const docs = parseAllDocuments(stdout, { prettyErrors: false, logLevel: 'silent' })
    const out: string[] = []
    let changed = false
    for (const doc of docs) {
      if (doc.errors.length > 0) return withheld
      const value: unknown = doc.toJS({ maxAliasCount: 100 })
      changed = scrub(value) || changed
      out.push(stringify(value))
    }
    return changed ? out.join('---\n') : stdout
  } catch {
    return withheld
  }
}

/**
 * The text of a manifest file named by gateway_kubectl_apply: resolved against `cwd`, symlinks
 * followed, and refused unless the real file is inside one of `roots`. Throws with a reason.
 */
export function readManifestInRoots(file: string, cwd: string, roots: readonly string[]): string {
  const real = realpathSync(resolve(cwd, file))
  const realRoots = roots.map(r => {
    try {
      return realpathSync(r)
    } catch {
      return resolve(r)
    }
  })
  if (!realRoots.some(root => isWithin(real, root))) throw new Error(`the file is outside the allowed roots (${realRoots.join(', ')})`)
  const st = statSync(real)
  if (!st.isFile()) throw new Error('not a regular file')
  if (st.size > MAX_MANIFEST_FILE_BYTES) throw new Error(`larger than ${MAX_MANIFEST_FILE_BYTES} bytes`)
  return readFileSync(real, 'utf8')
}

/** The namespace of a kubeconfig's context (`context`, else current-context); null when none is set. */
export function kubeconfigNamespace(kubeconfigText: string, context?: string): string | null {
  try {
    const docs = parseAllDocuments(kubeconfigText, { prettyErrors: false, logLevel: 'silent' })
    const doc = Array.isArray(docs) ? docs[0] : docs
    const config: unknown = doc?.toJS({ maxAliasCount: 100 })
    if (!isRecord(config)) return null
    const name = context ?? config['current-context']
    const entry = Array.isArray(config.contexts) ? config.contexts.find(c => isRecord(c) && c.name === name) : undefined
    const ns = isRecord(entry) && isRecord(entry.context) ? entry.context.namespace : undefined
    return typeof ns === 'string' && ns !== '' ? ns : null
  } catch {
    return null
  }
}

/**
 * `recourse-gateway serve`: the MCP server (stdio by default, or Streamable HTTP) plus, when a
 * token is configured, the control plane API on its own listener. Only the MCP stream goes to
 * stdout; everything else to stderr.
 */
import { readFileSync } from 'node:fs'
import type { Server as HttpServer } from 'node:http'
import { parseArgs } from 'node:util'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { createControlPlaneServer } from '../control-plane/http.js'
import { errorMessage } from '../errors.js'
import { bwrapAvailable } from '../exec/shell-exec.js'
import type { Gateway } from '../gateway/gateway.js'
import { defaultStateDir, openRuntime, type RuntimeOptions } from '../gateway/runtime.js'
import { createMcpHttpServer } from '../mcp/http.js'
import { createMcpServer } from '../mcp/server.js'
import { UsageError, type CliIO } from './io.js'

export const SERVE_USAGE = `Usage: recourse-gateway [serve] [--bundle <path>] [--env dev|staging|prod] [--policy <file>]
                         [--state-dir <dir>] [--http <host:port>] [--agent-id <id>] [--workdir <dir>] [--root <dir>]...
                         [--control-plane <host:port>] [--api-token-file <file>] [--unsafe-no-sandbox]
                         [--kubeconfig <file> [--kube-context <name>] [--kubectl <path>]]
                         [--terraform <path> [--terraform-env-file <file>]]
Serves the gateway's MCP tools on stdio (or Streamable HTTP at http://host:port/mcp with --http).
The kubectl tools are exposed only with --kubeconfig (the gateway's own; the agent never sees it).
The terraform tools are exposed only with --terraform (a terraform or tofu binary); credentials for
it come from --terraform-env-file (NAME=value lines), passed to terraform alone.
The control plane API listens on --control-plane when a token is given (--api-token-file or
RECOURSE_GATEWAY_API_TOKEN); without a token it is off. --env defaults to prod (the strictest).`

export const parseHostPort = (value: string, flag: string): { host: string; port: number } => {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value)
  const port = m ? Number(m[2]) : NaN
  if (!m || port > 65535) throw new UsageError(`${flag}: Expected host:port, got \`${value}\``)
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port }
}

const listen = (server: HttpServer, host: string, port: number): Promise<string> =>
  new Promise((ok, fail) => {
    server.once('error', fail)
    server.listen(port, host, () => {
      const a = server.address()
      ok(typeof a === 'object' && a ? `${a.address}:${a.port}` : `${host}:${port}`)
    })
  })

export interface ServeDeps {
  /** Resolves when the server should stop (tests); default: never (signals end the process). */
  until?: Promise<void>
  /** Where the stdio transport reads and writes (default: process stdin/stdout). */
  stdio?: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream }
  onListening?: (addresses: { mcp?: string; controlPlane?: string }) => void
}

/** The gateway, counting calls in flight so shutdown can wait for them. */
function trackCalls(inner: Gateway): Gateway & { idle(): Promise<void> } {
  let inflight = 0
  const wake: (() => void)[] = []
  return {
    config: inner.config,
    sweep: () => inner.sweep(),
    async call(tool, args) {
      inflight++
      try {
        return await inner.call(tool, args)
      } finally {
        if (--inflight === 0) for (const w of wake.splice(0)) w()
      }
    },
    idle: () => (inflight === 0 ? Promise.resolve() : new Promise<void>(ok => wake.push(ok))),
  }
}

export async function serveCommand(argv: string[], io: CliIO, deps: ServeDeps = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      bundle: { type: 'string' },
      env: { type: 'string' },
      policy: { type: 'string' },
      'state-dir': { type: 'string' },
      http: { type: 'string' },
      'agent-id': { type: 'string' },
      workdir: { type: 'string' },
      root: { type: 'string', multiple: true },
      'control-plane': { type: 'string' },
      'api-token-file': { type: 'string' },
      'unsafe-no-sandbox': { type: 'boolean', default: false },
      kubeconfig: { type: 'string' },
      'kube-context': { type: 'string' },
      kubectl: { type: 'string' },
      terraform: { type: 'string' },
      'terraform-env-file': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    io.stderr(SERVE_USAGE + '\n')
    return 0
  }
  const http = values.http === undefined ? undefined : parseHostPort(values.http, '--http')
  const cp = values['control-plane'] === undefined ? undefined : parseHostPort(values['control-plane'], '--control-plane')
  let token: string | undefined
  if (values['api-token-file'] !== undefined) {
    try {
      token = readFileSync(values['api-token-file'], 'utf8').trim()
    } catch (e) {
      throw new UsageError(`cannot read --api-token-file: ${errorMessage(e)}`)
    }
  } else token = io.env.RECOURSE_GATEWAY_API_TOKEN?.trim() || undefined
  if (token !== undefined && token.length < 16) throw new UsageError('the control plane token must be at least 16 characters')
  if (cp && token === undefined) throw new UsageError('--control-plane needs a token (--api-token-file or RECOURSE_GATEWAY_API_TOKEN)')
  const agentId = values['agent-id'] ?? 'agent'
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/.test(agentId)) throw new UsageError(`--agent-id: Expected letters, digits, . _ @ -, got \`${agentId}\``)

  if (values.kubeconfig === undefined && (values['kube-context'] !== undefined || values.kubectl !== undefined))
    throw new UsageError('--kube-context and --kubectl need --kubeconfig')
  const kubectl =
    values.kubeconfig === undefined ? undefined : { kubeconfig: values.kubeconfig, context: values['kube-context'], binary: values.kubectl }
  if (values.terraform === undefined && values['terraform-env-file'] !== undefined) throw new UsageError('--terraform-env-file needs --terraform')
  const terraform = values.terraform === undefined ? undefined : { binary: values.terraform, envFile: values['terraform-env-file'] }
  const options: RuntimeOptions = {
    bundle: values.bundle,
    environment: values.env ?? 'prod',
    policyFile: values.policy,
    stateDir: values['state-dir'] ?? defaultStateDir(io.env),
    agentId,
    workdir: values.workdir ?? io.cwd,
    roots: values.root,
    unsafeNoSandbox: values['unsafe-no-sandbox'],
    kubectl,
    terraform,
  }
  let runtime
  try {
    runtime = await openRuntime(options)
  } catch (e) {
    const code = (e as { code?: string }).code
    if (code === 'usage') throw new UsageError(errorMessage(e))
    io.stderr(`recourse-gateway: cannot start: ${errorMessage(e)}\n`)
    return 1
  }
  const log = (line: string) => io.stderr(`recourse-gateway: ${line}\n`)
  const { store } = runtime
  const gateway = trackCalls(runtime.gateway)
  if (options.unsafeNoSandbox) {
    log('WARNING: --unsafe-no-sandbox: shell commands run WITHOUT bubblewrap isolation')
    store.audit.append({ event: 'unsafe_mode', agent_id: agentId, reasons: [{ code: 'unsafe_no_sandbox', message: 'operator disabled the shell sandbox' }] })
  } else if (!(await bwrapAvailable())) {
    log('bubblewrap (bwrap) is not usable here: gateway_shell_exec will refuse to run commands (install bubblewrap)')
  }
  store.audit.append({ event: 'server_start', agent_id: agentId, revision: runtime.decider.revision, reasons: [{ code: 'environment', message: options.environment }] })
  // Nothing grows without bound: ended approvals and plans are pruned now and hourly.
  const pruneNow = () => {
    try {
      const n = runtime.prune()
      if (n > 0) log(`pruned ${n} ended approvals/plans`)
    } catch (e) {
      log(`prune failed: ${errorMessage(e)}`)
    }
  }
  pruneNow()
  const pruneTimer = setInterval(pruneNow, 3600_000)
  pruneTimer.unref()
  log(`environment ${options.environment}, policy revision ${runtime.decider.revision ?? '(none)'}, state ${store.stateDir}`)
  const kube = runtime.gateway.config.kubectl
  if (kube) log(`kubectl tools on (context ${kube.context ?? '(current)'}, default namespace ${kube.namespace})`)
  const tf = runtime.gateway.config.terraform
  if (tf) log(`terraform tools on (${tf.binary}, ${Object.keys(tf.env).length} environment variables from the gateway's configuration)`)

  const servers: HttpServer[] = []
  const addresses: { mcp?: string; controlPlane?: string } = {}
  try {
    if (cp && token !== undefined) {
      const s = createControlPlaneServer({ store, token, now: () => new Date() })
      addresses.controlPlane = await listen(s, cp.host, cp.port)
      servers.push(s)
      log(`control plane API on http://${addresses.controlPlane}/v1/approvals`)
    }
    if (http) {
      const s = createMcpHttpServer(gateway, log)
      addresses.mcp = await listen(s, http.host, http.port)
      servers.push(s)
      log(`MCP Streamable HTTP on http://${addresses.mcp}/mcp`)
    }
  } catch (e) {
    for (const s of servers) s.close()
    runtime.close()
    io.stderr(`recourse-gateway: cannot listen: ${errorMessage(e)}\n`)
    return 1
  }

  let closed: Promise<void>
  let mcpServer: ReturnType<typeof createMcpServer> | undefined
  if (!http) {
    const server = (mcpServer = createMcpServer(gateway))
    const transport = deps.stdio
      ? new StdioServerTransport(deps.stdio.stdin as never, deps.stdio.stdout as never)
      : new StdioServerTransport()
    const stdin = deps.stdio?.stdin ?? process.stdin
    closed = new Promise<void>(ok => {
      server.onclose = () => ok()
      // The SDK transport ignores EOF; a client closing stdin means the session is over.
      stdin.once('end', () => ok())
    })
    await server.connect(transport)
    log('MCP on stdio')
  } else closed = new Promise<void>(() => {})
  deps.onListening?.(addresses)
  const stopSignal = new Promise<void>(ok => {
    const stop = () => ok()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await Promise.race([closed, stopSignal, ...(deps.until ? [deps.until] : [])])
  for (const s of servers) s.close()
  // A call already running finishes (and is audited) before the store closes.
  await gateway.idle()
  await new Promise(ok => setImmediate(ok)) // lets the SDK send that call's response first
  await mcpServer?.close().catch(() => {})
  store.audit.append({ event: 'server_stop', agent_id: agentId })
  runtime.close()
  return 0
}

// Shared fixture for the gateway integration tests: a real runtime (default bundle, SQLite state
// dir, bubblewrap sandbox) behind a real MCP client over an in-memory transport.
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { cli, type CliDeps, type CliIO } from '../../src/cli/index.js'
import { openRuntime, type Runtime, type RuntimeOptions } from '../../src/gateway/runtime.js'
import { createMcpServer } from '../../src/mcp/server.js'

export interface Dirs {
  root: string
  /** The agent's working directory (the only sandbox root). */
  work: string
  /** The gateway state dir, outside `work`. */
  state: string
}

/** A fresh temp tree: root/work and root/state. */
export async function makeDirs(prefix = 'gateway-test-'): Promise<Dirs> {
  const root = await realpath(await mkdtemp(join(tmpdir(), prefix)))
  const work = join(root, 'work')
  const state = join(root, 'state')
  await mkdir(work)
  return { root, work, state }
}

export const removeDirs = (d: Dirs) => rm(d.root, { recursive: true, force: true })

/** What a tools/call returned, with structuredContent typed loosely. */
export interface CallResult {
  isError: boolean
  text: string
  s: Record<string, unknown>
}

export interface Agent {
  client: Client
  call(tool: string, args: Record<string, unknown>): Promise<CallResult>
  shell(args: Record<string, unknown>): Promise<CallResult>
  close(): Promise<void>
}

/** Connect a real MCP client to a new server on `runtime`'s gateway. */
export async function connectAgent(runtime: Runtime): Promise<Agent> {
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair()
  const server = createMcpServer(runtime.gateway)
  const client = new Client({ name: 'test-agent', version: '1.0.0' })
  await Promise.all([server.connect(serverSide), client.connect(clientSide)])
  const call = async (tool: string, args: Record<string, unknown>): Promise<CallResult> => {
    const r = await client.callTool({ name: tool, arguments: args })
    const content = r.content as { type: string; text?: string }[]
    return { isError: r.isError === true, text: content.map(c => c.text ?? '').join('\n'), s: (r.structuredContent ?? {}) as Record<string, unknown> }
  }
  return {
    client,
    call,
    shell: args => call('gateway_shell_exec', args),
    close: async () => {
      await client.close()
      await server.close()
    },
  }
}

export interface Gw extends Dirs {
  runtime: Runtime
  agent: Agent
  close(): Promise<void>
}

/** A runtime on fresh dirs plus a connected agent. */
export async function openGateway(options: { env: string; agentId?: string; now?: () => Date; dirs?: Dirs } & Partial<RuntimeOptions>): Promise<Gw> {
  const dirs = options.dirs ?? (await makeDirs())
  const { env, dirs: _dirs, agentId, ...rest } = options
  const runtime = await openRuntime({ ...rest, environment: env, stateDir: dirs.state, workdir: dirs.work, agentId: agentId ?? 'agent-a' })
  const agent = await connectAgent(runtime)
  return {
    ...dirs,
    runtime,
    agent,
    close: async () => {
      await agent.close()
      runtime.close()
      if (!options.dirs) await removeDirs(dirs)
    },
  }
}

/** Run cli() in-process, capturing its output. */
export async function runCli(argv: string[], deps: CliDeps = {}, env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const io: CliIO = {
    stdin: new PassThrough(),
    stdout: s => void (stdout += s),
    stderr: s => void (stderr += s),
    env,
    cwd: process.cwd(),
  }
  const code = await cli(argv, io, deps)
  return { code, stdout, stderr }
}

/** The audit log's last `n` records, through the CLI. */
export async function auditTail(state: string, n = 200): Promise<Record<string, unknown>[]> {
  const r = await runCli(['audit', 'tail', '-n', String(n), '--state-dir', state])
  if (r.code !== 0) throw new Error(`audit tail failed: ${r.stderr}`)
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map(l => JSON.parse(l) as Record<string, unknown>)
}

/**
 * `recourse-gateway decide`: judge one request (--tool/--args) or a JSON Lines batch, printing one
 * decision JSON per line, in order, from one loaded bundle.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { errorMessage } from '../errors.js'
import { createDecider, type Decider } from '../gateway/decider.js'
import { describeZodError } from '../normalize/index.js'
import { UsageError, type CliIO } from './io.js'

export const DECIDE_USAGE = `Usage: recourse-gateway decide --tool <tool> --args '<json>' [--env dev|staging|prod]
                               [--bundle <path>] [--plan <terraform show -json file>] [--agent-id <id>] [--input]
       recourse-gateway decide --batch <file|-> [--bundle <path>] [--input]
Prints the decision as one JSON line. --batch reads JSON Lines
{"tool", "args", "environment", "plan"?, "agent_id"?} and writes one decision per line, in order.
--input adds the normalized policy input to each output line.`

const BatchLine = z.strictObject({
  tool: z.string(),
  args: z.unknown(),
  environment: z.string(),
  agent_id: z.string().optional(),
  plan: z.unknown().optional(),
})

const readJsonFile = (path: string, what: string): unknown => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read ${what} \`${path}\`: ${errorMessage(e)}`)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${what} \`${path}\` is not JSON: ${errorMessage(e)}`)
  }
}

export interface DecideDeps {
  createDecider?: typeof createDecider
  now?: () => Date
}

export async function decideCommand(argv: string[], io: CliIO, deps: DecideDeps = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      tool: { type: 'string' },
      args: { type: 'string' },
      env: { type: 'string' },
      bundle: { type: 'string' },
      plan: { type: 'string' },
      batch: { type: 'string' },
      'agent-id': { type: 'string' },
      input: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    io.stdout(DECIDE_USAGE + '\n')
    return 0
  }
  const batch = values.batch
  if (batch !== undefined && (values.tool !== undefined || values.args !== undefined || values.plan !== undefined))
    throw new UsageError('--batch cannot be combined with --tool, --args or --plan')
  if (batch === undefined && values.tool === undefined) throw new UsageError('decide needs --tool <tool> (or --batch <file|->)')

  // Parse everything the user typed before loading anything: usage errors come first.
  let single: { tool: string; args: unknown; plan?: unknown } | undefined
  if (batch === undefined) {
    let args: unknown = {}
    if (values.args !== undefined) {
      try {
        args = JSON.parse(values.args)
      } catch (e) {
        throw new UsageError(`--args is not JSON: ${errorMessage(e)}`)
      }
    }
    single = { tool: values.tool as string, args }
    if (values.plan !== undefined) single.plan = readJsonFile(resolve(io.cwd, values.plan), '--plan file')
  }

  let decider: Decider
  try {
    decider = await (deps.createDecider ?? createDecider)({
      ...(values.bundle === undefined ? {} : { bundle: resolve(io.cwd, values.bundle) }),
      ...(deps.now ? { now: deps.now } : {}),
      context: { cwd: io.cwd, readManifest: file => readFileSync(resolve(io.cwd, file), 'utf8') },
    })
  } catch (e) {
    io.stderr(`recourse-gateway: cannot load policy bundle: ${errorMessage(e)}\n`)
    return 1
  }
  const environments = decider.environments()
  const environment = values.env ?? 'prod'
  if (values.env !== undefined && !environments.includes(environment))
    throw new UsageError(`unknown environment \`${environment}\` (expected one of: ${environments.join(', ')})`)

  const emit = (request: Parameters<Decider['decide']>[0]) => {
    const { input, decision } = decider.decideWithInput(request)
    io.stdout(JSON.stringify(values.input ? { ...decision, input } : decision) + '\n')
  }

  if (single) {
    emit({ ...single, environment, ...(values['agent-id'] ? { agent_id: values['agent-id'] } : {}) })
    return 0
  }

  const stream = batch === '-' ? io.stdin : (await import('node:fs')).createReadStream(resolve(io.cwd, batch as string))
  const opened = new Promise<void>((ok, fail) => {
    if (batch === '-') return ok()
    stream.once('open', () => ok())
    stream.once('error', fail)
  })
  try {
    await opened
  } catch (e) {
    throw new UsageError(`cannot read --batch file \`${batch}\`: ${errorMessage(e)}`)
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity })
  let n = 0
  for await (const line of lines) {
    n++
    if (line.trim() === '') continue
    let request: z.infer<typeof BatchLine>
    try {
      const parsed = BatchLine.safeParse(JSON.parse(line))
      if (!parsed.success) throw new Error(describeZodError(parsed.error))
      request = parsed.data
    } catch (e) {
      // Keep one output line per input line: a bad line is judged as an invalid request.
      const decision = decider.evaluate({ version: 1, errors: [{ code: 'invalid_request', message: `line ${n}: ${errorMessage(e)}` }] })
      io.stdout(JSON.stringify(decision) + '\n')
      continue
    }
    emit({
      tool: request.tool,
      args: request.args,
      environment: request.environment,
      ...(request.agent_id === undefined ? {} : { agent_id: request.agent_id }),
      ...(request.plan === undefined ? {} : { plan: request.plan }),
    })
  }
  return 0
}

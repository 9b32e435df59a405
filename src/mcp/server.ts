/**
 * MCP server factory: the gateway's tools over any transport. Tool failures are results with
 * isError (the model can read them); protocol errors stay protocol errors.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { Gateway } from '../gateway/gateway.js'
import { outcomeText } from '../gateway/outcome.js'
import { toolDefinitions, toolInputJsonSchema } from './tools.js'

export const SERVER_NAME = 'recourse-gateway'
export const SERVER_VERSION = '0.1.0'
/** Largest serialized arguments object a call may carry. */
export const MAX_ARGS_BYTES = 256 * 1024

export function createMcpServer(gateway: Gateway): Server {
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: { tools: {} },
      instructions:
        'Infrastructure actions go through these gateway tools only. Policy decides; some actions need a human approval ' +
        'you cannot give yourself: wait for it with gateway_check_approval, then repeat the exact call with approval_id.',
    },
  )
  const tools = toolDefinitions(gateway.config).map(def => ({
    name: def.name,
    title: def.title,
    description: def.description,
    inputSchema: toolInputJsonSchema(def) as { type: 'object'; [k: string]: unknown },
    annotations: { title: def.title, ...def.annotations },
  }))
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }))
  server.setRequestHandler(CallToolRequestSchema, async request => {
    const { name, arguments: args } = request.params
    let size = 0
    try {
      size = JSON.stringify(args ?? {}).length
    } catch {
      size = Infinity
    }
    const result =
      size > MAX_ARGS_BYTES
        ? await gateway.call(name, { oversize: `${size} bytes` })
        : await gateway.call(name, args ?? {})
    return {
      content: [{ type: 'text' as const, text: outcomeText(result) }],
      structuredContent: result.structured,
      isError: result.isError,
    }
  })
  return server
}

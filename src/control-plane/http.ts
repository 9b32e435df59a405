/**
 * The control plane's HTTP API, on its own listener, never reachable through MCP. Off unless a
 * bearer token is configured. Same operations as `recourse-gateway approvals`.
 *   GET  /v1/approvals[?status=pending]      list
 *   GET  /v1/approvals/:id                   show (with the full normalized input)
 *   POST /v1/approvals/:id/approve {by, reason?}
 *   POST /v1/approvals/:id/reject  {by, reason?}
 *   GET  /v1/audit/verify                    verify the hash chain
 */
import { timingSafeEqual, createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { z } from 'zod'
import { APPROVAL_STATUSES, type ApprovalStatus } from '../approvals/state.js'
import { describeIssues } from '../errors.js'
import type { Store } from '../store/index.js'
import { decideApproval, listApprovals, showApproval } from './operations.js'

const MAX_BODY = 64 * 1024
const DecideBody = z.strictObject({ by: z.string().min(1).max(200), reason: z.string().max(2000).optional() })

export interface ControlPlaneDeps {
  store: Store
  /** The bearer token; at least 16 characters. */
  token: string
  now: () => Date
}

const digest = (s: string) => createHash('sha256').update(s).digest()
/** Constant-time comparison, whatever the lengths. */
const tokenMatches = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected))

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((ok, fail) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        fail(new Error('body too large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')))
    req.on('error', fail)
  })

export function createControlPlaneServer(deps: ControlPlaneDeps): Server {
  if (deps.token.length < 16) throw new Error('control plane token must be at least 16 characters')
  return createServer(async (req, res) => {
    try {
      const auth = req.headers.authorization ?? ''
      const m = /^Bearer (.+)$/.exec(auth)
      if (!m || !tokenMatches(m[1]!, deps.token)) return send(res, 401, { error: 'unauthorized', message: 'Bearer token required' })
      const url = new URL(req.url ?? '/', 'http://control-plane')
      const parts = url.pathname.split('/').filter(Boolean)
      const now = deps.now()
      if (req.method === 'GET' && url.pathname === '/v1/approvals') {
        const status = url.searchParams.get('status')
        if (status !== null && !(APPROVAL_STATUSES as readonly string[]).includes(status))
          return send(res, 400, { error: 'invalid_status', message: `Expected one of ${APPROVAL_STATUSES.join(', ')}, got \`${status}\`` })
        return send(res, 200, { approvals: listApprovals(deps.store, now, (status ?? undefined) as ApprovalStatus | undefined) })
      }
      if (req.method === 'GET' && url.pathname === '/v1/audit/verify') return send(res, 200, deps.store.audit.verify())
      if (parts[0] === 'v1' && parts[1] === 'approvals' && parts[2] && parts.length === 3 && req.method === 'GET') {
        const r = showApproval(deps.store, parts[2], now)
        return r.ok ? send(res, 200, r.value) : send(res, r.status, { error: r.code, message: r.message })
      }
      if (parts[0] === 'v1' && parts[1] === 'approvals' && parts[2] && parts.length === 4 && req.method === 'POST' && (parts[3] === 'approve' || parts[3] === 'reject')) {
        let body: unknown
        try {
          body = JSON.parse((await readBody(req)) || '{}')
        } catch (e) {
          return send(res, 400, { error: 'invalid_body', message: `Expected a JSON body {by, reason?}: ${(e as Error).message}` })
        }
        const parsed = DecideBody.safeParse(body)
        if (!parsed.success) return send(res, 400, { error: 'invalid_body', message: describeIssues(parsed.error.issues, 'body') })
        const r = decideApproval(deps.store, parts[2], parts[3], parsed.data.by, parsed.data.reason ?? null, now, 'http')
        return r.ok ? send(res, 200, r.value) : send(res, r.status, { error: r.code, message: r.message })
      }
      return send(res, 404, { error: 'not_found', message: `No route ${req.method} ${url.pathname}` })
    } catch (e) {
      return send(res, 500, { error: 'internal_error', message: (e as Error).message })
    }
  })
}

// A TEST DOUBLE of the Kubernetes API server, not a real one: node:http on 127.0.0.1:0 serving
// just the discovery documents and endpoints the gateway's kubectl calls need, with a tiny
// in-memory object store, recording every request (method, path, query, body). Exec is served
// over the websocket channel protocol (v4/v5.channel.k8s.io) when the double is told to stream
// (`execStreams`): it writes canned output on stdout/stderr and an exit status, never running
// anything; otherwise, and for SPDY, the upgrade is recorded and refused.
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface Recorded {
  method: string
  path: string
  query: string
  body: string
  upgrade: string | null
  /** Impersonate-User header: kubectl sends it for --as. */
  impersonate: string | null
}

interface Res {
  name: string
  kind: string
  namespaced: boolean
  verbs: string[]
  shortNames?: string[]
}

const CORE: Res[] = [
  { name: 'pods', kind: 'Pod', namespaced: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'], shortNames: ['po'] },
  { name: 'pods/log', kind: 'Pod', namespaced: true, verbs: ['get'] },
  { name: 'pods/exec', kind: 'PodExecOptions', namespaced: true, verbs: ['create', 'get'] },
  { name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'], shortNames: ['cm'] },
  { name: 'secrets', kind: 'Secret', namespaced: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'] },
  { name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'], shortNames: ['ns'] },
  { name: 'events', kind: 'Event', namespaced: true, verbs: ['get', 'list'], shortNames: ['ev'] },
]
const APPS: Res[] = [
  { name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'], shortNames: ['deploy'] },
  { name: 'deployments/scale', kind: 'Scale', namespaced: true, verbs: ['get', 'patch', 'update'] },
  { name: 'replicasets', kind: 'ReplicaSet', namespaced: true, verbs: ['get', 'list'], shortNames: ['rs'] },
]

const resourceList = (groupVersion: string, resources: Res[]) => ({
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion,
  resources: resources.map(r => ({ singularName: r.name.includes('/') ? '' : r.kind.toLowerCase(), storageVersionHash: '', ...r })),
})

/** One PATCH operation per kind, carrying the fieldValidation parameter kubectl looks for. */
const openapiFor = (group: string, version: string, resources: Res[]) => ({
  openapi: '3.0.0',
  info: { title: 'api double', version },
  paths: Object.fromEntries(
    resources
      .filter(r => !r.name.includes('/'))
      .map(r => [
        `/${group === '' ? 'api' : `apis/${group}`}/${version}/${r.namespaced ? 'namespaces/{namespace}/' : ''}${r.name}/{name}`,
        {
          patch: {
            'x-kubernetes-group-version-kind': { group, version, kind: r.kind },
            parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
            responses: {},
          },
        },
      ]),
  ),
})

const DISCOVERY: Record<string, unknown> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
  },
  // OpenAPI v3 just deep enough for kubectl apply to see the server validates fields itself.
  '/openapi/v3': { paths: { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1' }, 'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1' } } },
  '/openapi/v3/api/v1': openapiFor('', 'v1', CORE),
  '/openapi/v3/apis/apps/v1': openapiFor('apps', 'v1', APPS),
  '/api/v1': resourceList('v1', CORE),
  '/apis/apps/v1': resourceList('apps/v1', APPS),
}

/** Requests that only discover the API (kubectl's own bookkeeping), not actions. */
export const isDiscovery = (r: Recorded): boolean =>
  r.method === 'GET' && (r.path in DISCOVERY || r.path.startsWith('/openapi/') || r.path.startsWith('/swagger'))

export interface ApiDouble {
  url: string
  requests: Recorded[]
  /** The non-discovery requests, as `METHOD path?query`. */
  actions(): string[]
  /** Objects by `group/namespace/resource/name` ("" group for core). */
  objects: Map<string, Record<string, unknown>>
  put(group: string, namespace: string, resource: string, obj: Record<string, unknown>): void
  /**
   * When set, exec over websocket is answered: `reply(command)` says what the "container" prints
   * and its exit code. Unset (the default), exec upgrades are refused.
   */
  execStreams: ((command: string[]) => { stdout: string; stderr: string; exitCode: number }) | null
  /** Write a kubeconfig pointing at this server; returns its path. */
  writeKubeconfig(dir: string, namespace?: string): Promise<string>
  clear(): void
  close(): Promise<void>
}

const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name]
  return v === undefined ? null : String(v)
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code })

export async function startApiDouble(): Promise<ApiDouble> {
  const requests: Recorded[] = []
  const objects = new Map<string, Record<string, unknown>>()
  let rv = 100

  const send = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = url.pathname
    if (req.method === 'GET' && path in DISCOVERY) return send(res, 200, DISCOVERY[path])
    if (req.method === 'GET' && path === '/openapi/v2') {
      // Older kubectl validates with OpenAPI v2 (protobuf): an empty Document has no schemas, so it skips validation.
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      return res.end()
    }
    // /api/v1/namespaces/{ns}/{resource}[/{name}[/{sub}]] or /apis/apps/v1/namespaces/...
    const m = /^\/(?:api\/v1|apis\/(apps)\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path)
    if (!m) return send(res, 404, status(404, 'NotFound', `the server could not find the requested resource ${path}`))
    const [, group = '', ns = '', resource = '', name, sub] = m
    const key = `${group}/${ns}/${resource}/${name ?? ''}`
    const kind = [...CORE, ...APPS].find(r => r.name === resource)?.kind ?? 'Unknown'
    const apiVersion = group === '' ? 'v1' : `${group}/v1`
    if (name === undefined) {
      if (req.method === 'GET') {
        const items = [...objects.entries()].filter(([k]) => k.startsWith(`${group}/${ns}/${resource}/`)).map(([, v]) => v)
        return send(res, 200, { kind: `${kind}List`, apiVersion, metadata: { resourceVersion: String(rv) }, items })
      }
      if (req.method === 'POST') {
        const obj = JSON.parse(body) as Record<string, unknown>
        const meta = obj.metadata as Record<string, unknown>
        meta.resourceVersion = String(++rv)
        meta.uid = `uid-${rv}`
        // A dry run persists nothing.
        if (!url.searchParams.has('dryRun')) objects.set(`${group}/${ns}/${resource}/${String(meta.name)}`, obj)
        return send(res, 201, obj)
      }
    }
    const obj = objects.get(key)
    if (!obj) return send(res, 404, status(404, 'NotFound', `${resource} "${name}" not found`))
    if (sub === 'log' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      return res.end('log line 1\nlog line 2\n')
    }
    if (sub === 'exec') {
      // Streaming is out of scope for this double: the attempt is recorded, then refused.
      return send(res, 403, status(403, 'Forbidden', 'exec is not served by the test double'))
    }
    if (sub === 'scale') {
      const spec = obj.spec as Record<string, unknown>
      if (req.method === 'PATCH') {
        const patch = JSON.parse(body) as { spec?: { replicas?: number } }
        if (typeof patch.spec?.replicas === 'number') spec.replicas = patch.spec.replicas
      }
      const meta = obj.metadata as Record<string, unknown>
      return send(res, 200, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name, namespace: ns, resourceVersion: meta.resourceVersion }, spec: { replicas: spec.replicas }, status: { replicas: spec.replicas } })
    }
    if (sub !== undefined) return send(res, 404, status(404, 'NotFound', `no subresource ${sub}`))
    if (req.method === 'GET') return send(res, 200, obj)
    if (req.method === 'DELETE') {
      objects.delete(key)
      return send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, kind: resource } })
    }
    if (req.method === 'PATCH') {
      const patch = JSON.parse(body) as Record<string, unknown>
      Object.assign(obj, { ...patch, metadata: { ...(obj.metadata as object), ...(patch.metadata as object) } })
      return send(res, 200, obj)
    }
    return send(res, 405, status(405, 'MethodNotAllowed', `${req.method} not served`))
  }

  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', c => (body += c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.search.slice(1), body, upgrade: req.headers.upgrade ?? null, impersonate: header(req, 'impersonate-user') })
      try {
        handle(req, res, body)
      } catch (e) {
        send(res, 500, status(500, 'InternalError', String(e)))
      }
    })
  })
  // Upgrade requests (exec over websocket/SPDY) arrive here, not in the request handler.
  server.on('upgrade', (req, socket) => {
    const url = new URL(req.url ?? '/', 'http://x')
    requests.push({ method: req.method ?? '', path: url.pathname, query: url.search.slice(1), body: '', upgrade: String(req.headers.upgrade ?? ''), impersonate: header(req, 'impersonate-user') })
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map(p => p.trim())
    const protocol = ['v5.channel.k8s.io', 'v4.channel.k8s.io'].find(p => protocols.includes(p))
    const key = req.headers['sec-websocket-key']
    const exists = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname)
    if (!double.execStreams || String(req.headers.upgrade).toLowerCase() !== 'websocket' || !protocol || typeof key !== 'string' || !exists || !objects.has(`/${exists[1]}/pods/${exists[2]}`)) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: 0\r\nconnection: close\r\n\r\n')
      return
    }
    const reply = double.execStreams(url.searchParams.getAll('command'))
    streamExec(socket, key, protocol, reply)
  })
  await new Promise<void>(ok => server.listen(0, '127.0.0.1', ok))
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  const url = `http://127.0.0.1:${port}`
  const double: ApiDouble = {
    url,
    requests,
    objects,
    execStreams: null,
    actions: () => requests.filter(r => !isDiscovery(r)).map(r => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`),
    put(group, namespace, resource, obj) {
      const meta = obj.metadata as Record<string, unknown>
      meta.resourceVersion ??= String(++rv)
      objects.set(`${group}/${namespace}/${resource}/${String(meta.name)}`, obj)
    },
    async writeKubeconfig(dir, namespace = 'dev') {
      const file = join(dir, 'kubeconfig')
      const text = [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: double',
        '  cluster:',
        `    server: ${url}`,
        'contexts:',
        '- name: double',
        `  context: {cluster: double, user: gateway, namespace: ${namespace}}`,
        'current-context: double',
        'users:',
        '- name: gateway',
        '  user: {token: gateway-token-not-for-agents}',
        '',
      ].join('\n')
      await writeFile(file, text, { mode: 0o600 })
      return file
    },
    clear: () => void requests.splice(0),
    close: () =>
      new Promise<void>(ok => {
        server.closeAllConnections()
        server.close(() => ok())
      }),
  }
  return double
}

/** One unmasked websocket frame (server → client), as RFC 6455 lays it out; the double's are short. */
function frame(opcode: number, payload: Buffer): Buffer {
  if (payload.length >= 65536) throw new Error('the double only writes frames under 64 KiB')
  const head = payload.length < 126 ? Buffer.from([0x80 | opcode, payload.length]) : Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff])
  return Buffer.concat([head, payload])
}

/**
 * Answers an exec upgrade the way the API server's websocket channel protocol does: handshake,
 * then each stream as binary frames whose first byte is the channel (1 stdout, 2 stderr, 3 the
 * status), then a close frame. What the client sends (nothing for exec without stdin) is ignored.
 */
function streamExec(socket: Duplex, key: string, protocol: string, reply: { stdout: string; stderr: string; exitCode: number }): void {
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
  socket.on('error', () => {})
  socket.on('data', () => {})
  socket.write(
    ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, `Sec-WebSocket-Protocol: ${protocol}`, '', ''].join('\r\n'),
  )
  const channel = (n: number, data: string) => socket.write(frame(0x2, Buffer.concat([Buffer.from([n]), Buffer.from(data, 'utf8')])))
  if (reply.stdout) channel(1, reply.stdout)
  if (reply.stderr) channel(2, reply.stderr)
  const status =
    reply.exitCode === 0
      ? { metadata: {}, status: 'Success' }
      : {
          metadata: {},
          status: 'Failure',
          message: `command terminated with non-zero exit code: error executing command, exit status ${reply.exitCode}`,
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: String(reply.exitCode) }] },
        }
  channel(3, JSON.stringify(status))
  socket.write(frame(0x8, Buffer.from([0x03, 0xe8])))
  socket.end()
}

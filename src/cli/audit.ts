/** `recourse-gateway audit verify|tail [-n N]` on the state dir's audit log. */
import { parseArgs } from 'node:util'
import { defaultStateDir } from '../gateway/runtime.js'
import { openStore } from '../store/index.js'
import { UsageError, type CliIO } from './io.js'

export const AUDIT_USAGE = `Usage: recourse-gateway audit verify [--state-dir <dir>] [--json]
       recourse-gateway audit tail [-n <count>] [--state-dir <dir>]`

export async function auditCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv
  const { values } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: false,
    options: {
      'state-dir': { type: 'string' },
      n: { type: 'string', short: 'n' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help || sub === '--help' || sub === '-h') {
    io.stdout(AUDIT_USAGE + '\n')
    return 0
  }
  if (sub !== 'verify' && sub !== 'tail') throw new UsageError(`audit: Expected verify or tail, got \`${sub ?? ''}\``)
  const n = values.n === undefined ? 20 : Number(values.n)
  if (!Number.isInteger(n) || n < 1 || n > 100000) throw new UsageError(`-n: Expected a count from 1 to 100000, got \`${values.n}\``)
  const store = openStore(values['state-dir'] ?? defaultStateDir(io.env))
  try {
    if (sub === 'tail') {
      for (const line of store.audit.tail(n)) io.stdout(JSON.stringify(line) + '\n')
      return 0
    }
    const r = store.audit.verify()
    if (values.json) io.stdout(JSON.stringify(r) + '\n')
    else if (r.ok) io.stdout(`audit chain ok: ${r.records} records\n`)
    else {
      const b = r.firstBroken
      io.stdout(`audit chain BROKEN at ${b?.file}:${b?.line} (seq ${b?.seq ?? '?'}): ${b?.reason}${(b as { message?: string })?.message ? ` — ${(b as { message?: string }).message}` : ''}\n`)
    }
    return r.ok ? 0 : 1
  } finally {
    store.close()
  }
}

/** `recourse-gateway approvals list|show|approve|reject` — the human side, on the state dir. */
import { parseArgs } from 'node:util'
import { APPROVAL_STATUSES, type ApprovalStatus } from '../approvals/state.js'
import { decideApproval, listApprovals, showApproval } from '../control-plane/operations.js'
import { redactSecrets } from '../exec/redact.js'
import { defaultStateDir } from '../gateway/runtime.js'
import { openStore } from '../store/index.js'
import { UsageError, type CliIO } from './io.js'

export const APPROVALS_USAGE = `Usage: recourse-gateway approvals list [--status pending|approved|rejected|expired|consumed] [--json] [--state-dir <dir>]
       recourse-gateway approvals show <id> [--state-dir <dir>]
       recourse-gateway approvals approve <id> --by <name> [--reason <text>] [--state-dir <dir>]
       recourse-gateway approvals reject <id> --by <name> [--reason <text>] [--state-dir <dir>]`

export async function approvalsCommand(argv: string[], io: CliIO, deps: { now?: () => Date } = {}): Promise<number> {
  const [sub, ...rest] = argv
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: {
      'state-dir': { type: 'string' },
      status: { type: 'string' },
      by: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help || sub === '--help' || sub === '-h') {
    io.stdout(APPROVALS_USAGE + '\n')
    return 0
  }
  if (!sub || !['list', 'show', 'approve', 'reject'].includes(sub)) throw new UsageError(`approvals: Expected list, show, approve or reject, got \`${sub ?? ''}\``)
  const status = values.status
  if (status !== undefined && !(APPROVAL_STATUSES as readonly string[]).includes(status))
    throw new UsageError(`--status: Expected one of ${APPROVAL_STATUSES.join(', ')}, got \`${status}\``)
  const id = positionals[0]
  if (sub !== 'list' && (id === undefined || positionals.length !== 1)) throw new UsageError(`approvals ${sub} needs exactly one approval id`)
  if ((sub === 'approve' || sub === 'reject') && (values.by === undefined || values.by.trim() === '')) throw new UsageError(`approvals ${sub} needs --by <name>`)

  const now = (deps.now ?? (() => new Date()))()
  const store = openStore(values['state-dir'] ?? defaultStateDir(io.env), { redact: redactSecrets })
  try {
    if (sub === 'list') {
      const rows = listApprovals(store, now, status as ApprovalStatus | undefined)
      if (values.json) io.stdout(JSON.stringify(rows) + '\n')
      else {
        if (rows.length === 0) io.stdout('no approvals\n')
        for (const r of rows) {
          const what = (r.input as { shell?: { command?: string } } | null)?.shell?.command ?? JSON.stringify(r.args)
          io.stdout(`${r.id}  ${r.status.padEnd(9)} ${r.environment.padEnd(8)} ${r.tool}  ${JSON.stringify(what).slice(0, 100)}  (${r.reasons.map(x => (x as { code?: string }).code).join(', ')})\n`)
        }
      }
      return 0
    }
    if (sub === 'show') {
      const r = showApproval(store, id!, now)
      if (!r.ok) {
        io.stderr(`recourse-gateway: ${r.message}\n`)
        return 1
      }
      io.stdout(JSON.stringify(r.value, null, 2) + '\n')
      return 0
    }
    const r = decideApproval(store, id!, sub as 'approve' | 'reject', values.by!, values.reason ?? null, now, 'cli')
    if (!r.ok) {
      io.stderr(`recourse-gateway: cannot ${sub} ${id}: ${r.code}: ${r.message}\n`)
      return 1
    }
    io.stdout(`${r.value.id} ${r.value.status} by ${r.value.decided_by}\n`)
    return 0
  } finally {
    store.close()
  }
}

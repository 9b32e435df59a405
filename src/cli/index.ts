/**
 * cli(argv, io) → exit code. Usage errors exit 2 with one line; nothing here prints a stack trace.
 * With no command (or only flags) the gateway serves MCP on stdio: `recourse-gateway --bundle b.tar.gz`.
 */
import { errorMessage } from '../errors.js'
import { APPROVALS_USAGE, approvalsCommand } from './approvals.js'
import { AUDIT_USAGE, auditCommand } from './audit.js'
import { DECIDE_USAGE, decideCommand, type DecideDeps } from './decide.js'
import { DOCTOR_USAGE, doctorCommand } from './doctor.js'
import { PROG, UsageError, type CliIO } from './io.js'
import { SERVE_USAGE, serveCommand, type ServeDeps } from './serve.js'

export type { CliIO } from './io.js'

export const USAGE = `Usage: ${PROG} [command] [options]

Commands:
  serve      (default) serve the gateway's MCP tools on stdio or Streamable HTTP
  decide     judge a request (or a JSON Lines batch) and print the decision
  approvals  list, show, approve or reject approval requests (humans only)
  audit      verify the audit log's hash chain, or print its tail
  doctor     self-test a bundle and environment without executing anything

${SERVE_USAGE}

${DECIDE_USAGE}

${APPROVALS_USAGE}

${AUDIT_USAGE}

${DOCTOR_USAGE}`

export interface CliDeps extends DecideDeps {
  serve?: ServeDeps
}

export async function cli(argv: string[], io: CliIO, deps: CliDeps = {}): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'decide':
        return await decideCommand(rest, io, deps)
      case 'serve':
        return await serveCommand(rest, io, deps.serve)
      case 'approvals':
        return await approvalsCommand(rest, io, deps)
      case 'audit':
        return await auditCommand(rest, io)
      case 'doctor':
        return await doctorCommand(rest, io)
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE + '\n')
        return 0
      case '--version':
        io.stdout('0.1.0\n')
        return 0
      default:
        if (command === undefined || command.startsWith('--')) return await serveCommand(argv, io, deps.serve)
        throw new UsageError(`unknown command \`${command}\``)
    }
  } catch (e) {
    if (e instanceof UsageError || String((e as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`${PROG}: ${errorMessage(e)} (see \`${PROG} --help\`)\n`)
      return 2
    }
    io.stderr(`${PROG}: ${errorMessage(e)}\n`)
    return 1
  }
}

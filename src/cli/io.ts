/** What the CLI touches of the outside world, so tests can call cli() directly. */
import type { Readable } from 'node:stream'

export interface CliIO {
  stdin: Readable
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
}

export class UsageError extends Error {
  override name = 'UsageError'
}

export const PROG = 'recourse-gateway'

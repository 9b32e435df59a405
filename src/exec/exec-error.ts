/**
 * The one error exec/ throws, from its pure builders only (the runners resolve, never reject).
 * `code` is a closed union so callers can map it to a block reason.
 */
export type ExecErrorCode =
  | 'invalid_argument' // a value the sandbox cannot carry (NUL byte, empty command, bad number)
  | 'invalid_path' // not absolute, or not in normal form (`..`, `.`, `//`)
  | 'cwd_is_root' // cwd is `/`
  | 'cwd_in_system_dir' // cwd is, or is inside, a system directory (/usr, /etc, /proc, /run, ...)
  | 'cwd_overlaps_hidden' // cwd is, contains, or is inside a hidden path

/** A request the sandbox refuses to build. */
export class ExecError extends Error {
  readonly code: ExecErrorCode
  constructor(code: ExecErrorCode, message: string) {
    super(message)
    this.name = 'ExecError'
    this.code = code
  }
}

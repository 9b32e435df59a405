/** Process execution: sandbox argv (pure), seccomp filter (pure), redaction (pure), the process
 * runner and the sandboxed shell. */
export { ExecError, type ExecErrorCode } from './exec-error.js'
export { redactSecrets, redactDeep, isSecretName, type SecretKind } from './redact.js'
export {
  buildBwrapArgv,
  checkCwd,
  pickSandboxEnv,
  type BwrapOptions,
  SYSTEM_DIRS,
  ETC_ALLOWLIST,
  FORBIDDEN_CWD_DIRS,
  FORBIDDEN_CWD_EXACT,
  SANDBOX_ENV_ALLOWLIST,
  SANDBOX_PATH,
  SANDBOX_HOME,
  SANDBOX_UID,
} from './sandbox-argv.js'
export { buildSeccompFilter } from './seccomp.js'
export { runProcess, defaultRunDeps, type ProcessResult, type RunProcessOptions, type RunDeps, type ExecFailureCode } from './run.js'
export {
  runSandboxedShell,
  bwrapAvailable,
  defaultShellExecDeps,
  MAX_SHELL_TIMEOUT_MS,
  MAX_SHELL_OUTPUT_BYTES,
  DEFAULT_BWRAP_PATH,
  type ShellExecRequest,
  type ShellExecResult,
  type ShellExecDeps,
} from './shell-exec.js'
export { credentialPaths } from './hidden-paths.js'

/** recourse-gateway public API. */
export { createDecider, type Decider, type DeciderOptions } from './gateway/decider.js'
export { loadBundle, defaultBundlePath, type Bundle } from './bundle/index.js'
export { createEvaluator, type Decision, type Evaluator } from './policy/index.js'
export { GatewayError, errorMessage, type GatewayErrorCode } from './errors.js'
export {
  normalizeRequest,
  normalizeShell,
  normalizeTerraformPlan,
  normalizeTerraformRequest,
  normalizeKubectlRequest,
  PolicyInput,
  ShellInput,
  TerraformInput,
  KubectlInput,
  TOOL_ARGS,
  TOOL_NAMES,
  type NormalizeContext,
  type RawRequest,
  type ToolName,
} from './normalize/index.js'
export { createGateway, type Gateway, type GatewayConfig, type GatewayDeps } from './gateway/gateway.js'
export { openRuntime, type Runtime, type RuntimeOptions } from './gateway/runtime.js'
export { createMcpServer } from './mcp/server.js'
export { createMcpHttpServer } from './mcp/http.js'
export { createControlPlaneServer } from './control-plane/http.js'
export { openStore, type Store } from './store/index.js'
export { redactSecrets } from './exec/redact.js'
export { cli, type CliIO } from './cli/index.js'
export { buildKubectlInvocation } from './exec/kubectl-argv.js'
export { runKubectl } from './exec/kubectl.js'

/** Evaluating the gateway policy: wasm + data → Decision, failing closed. */
export { createEvaluator, type CustomBuiltin, type Evaluator, type EvaluatorDeps } from './evaluator.js'
export { Decision, DecisionValue, PolicyResult, Reason, readPolicyResult, type ReadResult } from './decision.js'
export { NONDETERMINISTIC_BUILTINS, SDK_BUILTINS, checkBuiltins, isNondeterministic } from './builtins.js'

/**
 * The policy input document: the one contract between the TypeScript normalizers and the Rego
 * policy. Every field here is produced by a normalizer; policy trusts nothing else.
 * Published as JSON Schema (dist/input.schema.json) for policy authors.
 */
import { z } from 'zod'

export const INPUT_VERSION = 1

/** A problem found while normalizing; any entry makes the policy block. */
export const NormalizeError = z.strictObject({
  code: z.string().describe('stable snake_case code, e.g. invalid_args, unknown_tool'),
  message: z.string(),
})
export type NormalizeError = z.infer<typeof NormalizeError>

export const ShellRedirect = z.strictObject({
  op: z.string().describe('redirection operator as written: > >> < << <<< &> &>> >& <& <> >|'),
  fd: z.number().int().nullable().describe('explicit file descriptor, e.g. 2 in 2>file'),
  target: z.string().describe('the target word, expansions rendered as written ($VAR, $(...))'),
  literal: z.boolean().describe('target has no unresolved expansion'),
  path: z
    .string()
    .nullable()
    .describe('absolute normalized path when the target is a literal file (~ becomes $HOME/...), else null'),
  writes: z.boolean().describe('opens the target for writing (>, >>, &>, >|, <>)'),
  outside_cwd: z.boolean().describe('writes to a path outside the working directory (or to a non-literal target)'),
})
export type ShellRedirect = z.infer<typeof ShellRedirect>

export const ShellOrigin = z.enum([
  'top', // a statement of the command text itself (incl. pipelines, lists, blocks, if/for/while bodies)
  'subshell', // ( ... )
  'command_substitution', // $( ... ) or backticks
  'process_substitution', // <( ... ) >( ... )
  'shell_c', // the script of sh -c / bash -c / su -c ...
  'eval', // the string given to eval
  'heredoc', // a literal here-document fed to a shell on stdin
  'function', // the body of a function definition
  'wrapper', // the command run by a wrapper (sudo, env, nohup, timeout, nice, exec, command, busybox, ...)
  'find_exec', // find -exec / -execdir / -ok / -okdir
  'xargs', // the command xargs runs (its extra arguments come from stdin: args are incomplete)
])

export const ShellCommand = z.strictObject({
  name: z.string().describe('program name: the literal command word with quotes/escapes resolved and path stripped; "" when not literal'),
  path: z.string().describe('the command word as resolved, path kept (e.g. /usr/bin/rm)'),
  literal: z.boolean().describe('the command word is a literal (no expansion)'),
  args: z.array(z.string()).describe('arguments after the program name; expansions rendered as written ($VAR, $(...), ~ as $HOME)'),
  dynamic: z.boolean().describe('some argument contains an unresolved expansion or is supplied at run time (xargs)'),
  assigns: z.array(z.string()).describe('prefix assignments, NAME only (FOO=1 cmd -> ["FOO"])'),
  redirects: z.array(ShellRedirect),
  wrappers: z.array(z.string()).describe('names of the wrapper commands this one was unwrapped from, outermost first'),
  origin: ShellOrigin,
  depth: z.number().int().describe('nesting depth: 0 for the command text, +1 per sh -c/eval/substitution/wrapper level'),
  pipeline: z
    .strictObject({
      id: z.number().int().describe('pipeline number, unique within the document'),
      position: z.number().int().describe('0-based position in the pipeline'),
      length: z.number().int(),
    })
    .nullable()
    .describe('set when the command is part of a pipeline of 2+ commands'),
  background: z.boolean().describe('run with &'),
})
export type ShellCommand = z.infer<typeof ShellCommand>

export const ShellInput = z.strictObject({
  command: z.string().describe('the exact command text that will run via /bin/sh -c'),
  cwd: z.string().describe('absolute working directory the command runs in'),
  parse_error: z.string().nullable().describe('set when the text cannot be parsed: policy must not allow'),
  commands: z.array(ShellCommand).describe('every simple command that could run, nested ones included'),
  facts: z.strictObject({
    non_literal_command: z.boolean().describe('some command name is not a literal ($CMD, $(...))'),
    has_unresolved_expansion: z.boolean().describe('some word has a parameter/command/arithmetic expansion'),
    writes_outside_cwd: z.boolean().describe('some redirection writes outside cwd'),
    opaque: z.boolean().describe('some script cannot be seen: sh -c / eval / su -c with a non-literal script'),
    depth_exceeded: z.boolean().describe('nesting deeper than the normalizer follows'),
    functions: z.array(z.string()).describe('names of functions defined in the text'),
  }),
})
export type ShellInput = z.infer<typeof ShellInput>

export const TerraformAction = z.enum(['create', 'update', 'delete', 'replace', 'no-op', 'read'])

export const TerraformResourceChange = z.strictObject({
  address: z.string(),
  module_address: z.string().nullable(),
  mode: z.enum(['managed', 'data']),
  type: z.string(),
  name: z.string(),
  provider_name: z.string(),
  actions: z.array(z.string()).describe('actions exactly as terraform reports them'),
  action: TerraformAction.describe('summary: ["delete","create"] or ["create","delete"] is replace'),
  before: z.record(z.string(), z.unknown()).nullable().describe('prior attributes; sensitive values replaced by "(sensitive)"'),
  after: z.record(z.string(), z.unknown()).nullable().describe('planned attributes; sensitive values replaced by "(sensitive)", unknown values by "(known after apply)"'),
})
export type TerraformResourceChange = z.infer<typeof TerraformResourceChange>

export const TerraformPlan = z.strictObject({
  format_version: z.string().nullable(),
  terraform_version: z.string().nullable(),
  resource_changes: z.array(TerraformResourceChange),
  counts: z.strictObject({
    create: z.number().int(),
    update: z.number().int(),
    delete: z.number().int(),
    replace: z.number().int(),
    no_op: z.number().int(),
    read: z.number().int(),
  }),
  provisioners: z
    .array(z.strictObject({ address: z.string(), type: z.string() }))
    .describe('provisioners in the configuration (local-exec runs a command on the gateway host, outside the sandbox), by resource address'),
  empty: z.boolean().describe('no managed resource is created, updated, deleted or replaced'),
  errored: z.boolean().describe('terraform reported the plan as errored'),
})
export type TerraformPlan = z.infer<typeof TerraformPlan>

export const TerraformInput = z.strictObject({
  operation: z.enum(['plan', 'apply', 'destroy', 'get_plan']),
  destroy: z.boolean().describe('a destroy plan (gateway_terraform_destroy or plan with destroy: true)'),
  working_dir: z.string().nullable(),
  workspace: z.string().describe('"default" unless given'),
  targets: z.array(z.string()),
  var_names: z.array(z.string()).describe('names of the variables given (values are not passed to policy)'),
  var_files: z.array(z.string()),
  plan_id: z.string().nullable(),
  plan: TerraformPlan.nullable().describe('the normalized plan, null when none is known yet'),
})
export type TerraformInput = z.infer<typeof TerraformInput>

export const KubectlVerb = z.enum(['get', 'logs', 'describe', 'apply', 'delete', 'scale', 'exec'])

export const KubectlObject = z.strictObject({
  api_version: z.string().nullable(),
  kind: z.string().describe('canonical Kind, e.g. Deployment'),
  resource: z.string().describe('canonical lowercase plural resource, e.g. deployments'),
  group: z.string().describe('API group, "" for core'),
  name: z.string().nullable(),
  namespace: z.string().nullable().describe('effective namespace; null for cluster-scoped objects'),
  namespace_source: z.enum(['explicit', 'manifest', 'default', 'none']),
  cluster_scoped: z.boolean(),
  known: z.boolean().describe('kind is in the gateway table (unknown kinds are judged as cluster-scoped)'),
})
export type KubectlObject = z.infer<typeof KubectlObject>

export const KubectlInput = z.strictObject({
  verb: KubectlVerb,
  mutating: z.boolean(),
  target: KubectlObject.nullable().describe('the object named by resource/name (or the pod for logs/exec); null for apply'),
  objects: z.array(KubectlObject).describe('apply: every object of the manifest; otherwise [target]'),
  selector: z.string().nullable(),
  output: z.string().nullable(),
  container: z.string().nullable(),
  replicas: z.number().int().nullable(),
  command: z.array(z.string()).nullable().describe('exec: the argv run in the container'),
  tail: z.number().int().nullable(),
  since: z.string().nullable(),
  dry_run: z.boolean(),
  manifest_source: z.enum(['inline', 'file']).nullable(),
})
export type KubectlInput = z.infer<typeof KubectlInput>

export const Family = z.enum(['shell', 'terraform', 'kubectl', 'gateway', 'unknown'])
export type Family = z.infer<typeof Family>

export const PolicyInput = z.strictObject({
  version: z.literal(INPUT_VERSION),
  tool: z.string().describe('the MCP tool name as called'),
  family: Family,
  environment: z.string().describe('dev | staging | prod unless the bundle data says otherwise'),
  agent_id: z.string(),
  time: z.strictObject({
    unix_ms: z.number().int(),
    rfc3339: z.string(),
  }),
  errors: z.array(NormalizeError).describe('normalization problems; policy blocks when non-empty'),
  shell: ShellInput.nullable(),
  terraform: TerraformInput.nullable(),
  kubectl: KubectlInput.nullable(),
})
export type PolicyInput = z.infer<typeof PolicyInput>

/** A raw request before normalization: what the MCP tool or the decide CLI receives. */
export const ToolRequest = z.strictObject({
  tool: z.string(),
  args: z.unknown(),
  environment: z.string(),
  agent_id: z.string().optional(),
  plan: z.unknown().optional().describe('terraform show -json document, for terraform tools'),
})
export type ToolRequest = z.infer<typeof ToolRequest>

# Input builders for the policy tests: compact documents shaped like the normalizers' output
# (src/normalize/schema.ts). Not a test file of its own; *_test.rego keeps it out of the bundle.
package gateway.testing

envs := ["dev", "staging", "prod"]

base(env, tool, family) := {
	"version": 1,
	"tool": tool,
	"family": family,
	"environment": env,
	"agent_id": "agent-1",
	"time": {"unix_ms": 1700000000000, "rfc3339": "2023-11-14T22:13:20.000Z"},
	"errors": [],
	"shell": null,
	"terraform": null,
	"kubectl": null,
}

# The decision for an input, and a compact view of it: decision + set of reason codes.
decide(doc) := d if {
	d := data.gateway.decision with input as doc
}

judge(doc) := {"decision": d.decision, "codes": {r.code | some r in d.reasons}} if {
	d := decide(doc)
}

# --- shell ---

facts := {
	"non_literal_command": false,
	"has_unresolved_expansion": false,
	"writes_outside_cwd": false,
	"opaque": false,
	"depth_exceeded": false,
	"functions": [],
}

cwd := "/work/proj"

shell_doc(env, cmds, fact_overrides) := object.union(base(env, "gateway_shell_exec", "shell"), {"shell": {
	"command": "(test)",
	"cwd": cwd,
	"parse_error": null,
	"commands": cmds,
	"facts": object.union(facts, fact_overrides),
}})

shell(env, cmds) := shell_doc(env, cmds, {})

cmd(name, args) := {
	"name": name,
	"path": name,
	"literal": true,
	"args": args,
	"dynamic": false,
	"assigns": [],
	"redirects": [],
	"wrappers": [],
	"origin": "top",
	"depth": 0,
	"pipeline": null,
	"background": false,
}

set_fields(c, fields) := object.union(c, fields)

# Stage `pos` of pipeline `id` with `len` stages.
piped(c, id, pos, len) := set_fields(c, {"pipeline": {"id": id, "position": pos, "length": len}})

# The command a wrapper (sudo, timeout, env …) runs: the normalizer emits both.
wrapped(c, wrappers) := set_fields(c, {"wrappers": wrappers, "origin": "wrapper", "depth": count(wrappers)})

nested(c, origin) := set_fields(c, {"origin": origin, "depth": 1})

redirect(op, target, path, writes, outside) := {
	"op": op,
	"fd": null,
	"target": target,
	"literal": true,
	"path": path,
	"writes": writes,
	"outside_cwd": outside,
}

# cmd > target, with the path the normalizer resolves (cwd /work/proj, $HOME /home/agent).
out(c, target, path, outside) := set_fields(c, {"redirects": [redirect(">", target, path, true, outside)]})

# --- terraform ---

terraform(env, tool, operation, destroy, plan) := object.union(base(env, tool, "terraform"), {"terraform": {
	"operation": operation,
	"destroy": destroy,
	"working_dir": "infra",
	"workspace": "default",
	"targets": [],
	"var_names": [],
	"var_files": [],
	"plan_id": null,
	"plan": plan,
}})

apply(env, plan) := terraform(env, "gateway_terraform_apply", "apply", false, plan)

apply_destroy(env, plan) := terraform(env, "gateway_terraform_apply", "apply", true, plan)

plan(changes) := {
	"format_version": "1.2",
	"terraform_version": "1.9.8",
	"resource_changes": changes,
	"counts": {"create": 0, "update": 0, "delete": 0, "replace": 0, "no_op": 0, "read": 0},
	"provisioners": [],
	"empty": count([rc | some rc in changes; rc.mode == "managed"; not rc.action in {"no-op", "read"}]) == 0,
	"errored": false,
}

change(type, name, action, before, after) := {
	"address": concat(".", [type, name]),
	"module_address": null,
	"mode": "managed",
	"type": type,
	"name": name,
	"provider_name": "registry.terraform.io/hashicorp/aws",
	"actions": actions_of[action],
	"action": action,
	"before": before,
	"after": after,
}

actions_of := {
	"create": ["create"],
	"update": ["update"],
	"delete": ["delete"],
	"replace": ["delete", "create"],
	"no-op": ["no-op"],
	"read": ["read"],
}

deleted(type, name, before) := change(type, name, "delete", before, null)

created(type, name, after) := change(type, name, "create", null, after)

# --- kubectl ---

kubectl(env, tool, verb, fields) := object.union(base(env, tool, "kubectl"), {"kubectl": object.union(
	{
		"verb": verb,
		"mutating": verb in {"apply", "delete", "scale", "exec"},
		"target": null,
		"objects": [],
		"selector": null,
		"output": null,
		"container": null,
		"replicas": null,
		"command": null,
		"tail": null,
		"since": null,
		"dry_run": false,
		"manifest_source": null,
	},
	fields,
)})

kobj(kind, resource, name, namespace) := {
	"api_version": null,
	"kind": kind,
	"resource": resource,
	"group": "",
	"name": name,
	"namespace": namespace,
	"namespace_source": "explicit",
	"cluster_scoped": namespace == null,
	"known": true,
}

# A verb on one target object (get/logs/describe/delete/scale/exec).
on_target(env, tool, verb, o, fields) := kubectl(env, tool, verb, object.union({"target": o, "objects": [o]}, fields))

kapply(env, objects, fields) := kubectl(env, "gateway_kubectl_apply", "apply", object.union(
	{"objects": objects, "manifest_source": "inline"},
	fields,
))

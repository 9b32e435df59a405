# The kubectl family: reads are allowed (secrets escalate), apply/scale follow "mutations",
# delete and exec escalate, protected namespaces and cluster-scoped or unknown kinds escalate,
# deleting a namespace or exec in a protected namespace blocks.
package gateway.kubectl

import data.gateway.common

cfg := data.gateway.config.kubectl

active if {
	common.judgeable
	input.family == "kubectl"
	is_object(input.kubectl)
}

k := input.kubectl

verb := k.verb

# The objects a request touches: every manifest object for apply, the target otherwise.
objects := {o | some o in k.objects} | {o | o := k.target; is_object(o)}

block contains {"code": f.code, "message": f.message} if {
	input.family == "kubectl"
	some f in findings
	f.outcome == "block"
}

escalate contains {"code": f.code, "message": f.message} if {
	input.family == "kubectl"
	some f in findings
	f.outcome == "escalate"
}

allow contains {"code": f.code, "message": f.message} if {
	input.family == "kubectl"
	some f in findings
	f.outcome == "allow"
}

per_env contains f if {
	some f in findings
	f.kind
}

block contains r if {
	input.family == "kubectl"
	some r in common.routed(per_env, "block")
}

escalate contains r if {
	input.family == "kubectl"
	some r in common.routed(per_env, "escalate")
}

allow contains r if {
	input.family == "kubectl"
	some r in common.routed(per_env, "allow")
}

name(o) := concat("", [o.kind, "/", o.name]) if is_string(o.name)

else := o.kind

where(o) := concat("", [" in namespace `", o.namespace, "`"]) if is_string(o.namespace)

else := ""

findings contains {
	"outcome": "block",
	"code": "invalid_input",
	"message": concat("", ["Tool ", input.tool, " does not perform kubectl ", verb]),
} if {
	active
	data.gateway.config.tools.kubectl[input.tool] != verb
}

read if {
	active
	common.listed(verb, cfg.read_verbs)
	k.mutating == false
}

secret(o) if common.listed(o.resource, cfg.secret_resources)

findings contains {
	"outcome": "allow",
	"code": "read_only",
	"message": concat("", ["kubectl ", verb, " only reads"]),
} if {
	read
	not reads_secret
}

reads_secret if {
	some o in objects
	secret(o)
}

findings contains {
	"outcome": "escalate",
	"code": "secret_read",
	"message": concat("", ["kubectl ", verb, " reads secrets", where(o)]),
} if {
	read
	some o in objects
	secret(o)
}

# apply --dry-run persists nothing: it is allowed unless something blocks.
dry_run if {
	verb == "apply"
	k.dry_run == true
}

findings contains {
	"outcome": "allow",
	"code": "dry_run",
	"message": "kubectl apply --dry-run persists nothing",
} if {
	active
	dry_run
}

# Verbs that change the cluster (a dry run does not).
changing if {
	active
	verb in {"apply", "scale", "delete", "exec"}
	not dry_run
}

findings contains {
	"kind": "mutations",
	"code": "kubectl_mutation",
	"message": concat("", ["kubectl ", verb, " changes ", concat(", ", sort([name(o) | some o in objects]))]),
} if {
	changing
	verb in {"apply", "scale"}
}

findings contains {
	"outcome": "escalate",
	"code": "scale_to_zero",
	"message": concat("", ["Scaling ", name(k.target), " to 0 replicas stops it"]),
} if {
	changing
	verb == "scale"
	k.replicas == 0
}

findings contains {
	"kind": "kubectl_delete",
	"code": "kubectl_delete",
	"message": concat("", ["kubectl delete ", name(o), where(o)]),
} if {
	changing
	verb == "delete"
	some o in objects
}

findings contains {
	"outcome": "block",
	"code": cfg.delete_blocked_resources[o.resource],
	"message": concat("", ["Deleting ", name(o), " deletes everything in it"]),
} if {
	changing
	verb == "delete"
	some o in objects
}

findings contains {
	"outcome": "escalate",
	"code": cfg.delete_escalated_resources[o.resource],
	"message": concat("", ["Deleting ", name(o), where(o), " may lose data or break dependents"]),
} if {
	changing
	verb == "delete"
	some o in objects
}

findings contains {
	"kind": "kubectl_exec",
	"code": "kubectl_exec",
	"message": concat("", ["kubectl exec into ", name(k.target), where(k.target), ": what the command does cannot be judged"]),
} if {
	changing
	verb == "exec"
}

findings contains {
	"outcome": "block",
	"code": "protected_namespace_exec",
	"message": concat("", ["kubectl exec", where(k.target), " is not allowed: the namespace is protected"]),
} if {
	changing
	verb == "exec"
	common.listed(k.target.namespace, cfg.protected_namespaces)
}

findings contains {
	"outcome": "escalate",
	"code": "protected_namespace",
	"message": concat("", ["kubectl ", verb, " changes ", name(o), where(o), ", a protected namespace"]),
} if {
	changing
	verb != "exec"
	some o in objects
	common.listed(o.namespace, cfg.protected_namespaces)
}

findings contains {
	"outcome": "escalate",
	"code": "protected_namespace",
	"message": concat("", ["kubectl ", verb, " changes the protected namespace `", o.name, "`"]),
} if {
	changing
	some o in objects
	common.listed(o.kind, cfg.namespace_kinds)
	common.listed(o.name, cfg.protected_namespaces)
}

findings contains {
	"outcome": "escalate",
	"code": "cluster_scoped_object",
	"message": concat("", ["kubectl apply changes the cluster-scoped ", name(o)]),
} if {
	changing
	verb == "apply"
	some o in objects
	cluster_scoped(o)
}

cluster_scoped(o) if common.listed(o.kind, cfg.cluster_scoped_kinds)

cluster_scoped(o) if {
	o.known == true
	o.cluster_scoped == true
}

findings contains {
	"outcome": "escalate",
	"code": "unknown_kind",
	"message": concat("", ["kubectl apply changes ", name(o), ", a kind the gateway does not know"]),
} if {
	changing
	verb == "apply"
	some o in objects
	o.known == false
}

findings contains {
	"outcome": "escalate",
	"code": "secret_write",
	"message": concat("", ["kubectl apply writes ", name(o), where(o)]),
} if {
	changing
	verb == "apply"
	some o in objects
	common.listed(o.kind, cfg.secret_kinds)
}

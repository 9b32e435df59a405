# The terraform family: planning is read-only; apply needs a plan; a plan is judged by what it
# changes (per environment), what it deletes (recoverable or not) and whether it widens access.
package gateway.terraform

import data.gateway.common

cfg := data.gateway.config.terraform

active if {
	common.judgeable
	input.family == "terraform"
	is_object(input.terraform)
}

tf := input.terraform

destroying if tf.destroy == true

destroying if tf.operation == "destroy"

# A plan is judged unless the request only reads a stored plan.
judged if {
	active
	tf.operation != "get_plan"
	is_object(tf.plan)
}

block contains {"code": f.code, "message": f.message} if {
	input.family == "terraform"
	some f in findings
	f.outcome == "block"
}

escalate contains {"code": f.code, "message": f.message} if {
	input.family == "terraform"
	some f in findings
	f.outcome == "escalate"
}

allow contains {"code": f.code, "message": f.message} if {
	input.family == "terraform"
	some f in findings
	f.outcome == "allow"
}

per_env contains f if {
	some f in findings
	f.kind
}

block contains r if {
	input.family == "terraform"
	some r in common.routed(per_env, "block")
}

escalate contains r if {
	input.family == "terraform"
	some r in common.routed(per_env, "escalate")
}

allow contains r if {
	input.family == "terraform"
	some r in common.routed(per_env, "allow")
}

findings contains {
	"outcome": "block",
	"code": "invalid_input",
	"message": concat("", ["Tool ", input.tool, " does not perform terraform operation ", tf.operation]),
} if {
	active
	data.gateway.config.tools.terraform[input.tool] != tf.operation
}

findings contains {
	"outcome": "allow",
	"code": "read_only",
	"message": "Reading a stored plan changes nothing",
} if {
	active
	tf.operation == "get_plan"
}

findings contains {
	"outcome": "allow",
	"code": "terraform_plan_requested",
	"message": "Planning is read-only",
} if {
	active
	tf.operation == "plan"
	not destroying
	tf.plan == null
}

findings contains {
	"kind": "terraform_destroy",
	"code": "terraform_destroy",
	"message": "Destroys every resource of the workspace",
} if {
	active
	tf.operation != "get_plan"
	destroying
}

findings contains {
	"outcome": "block",
	"code": "plan_required",
	"message": "Apply needs a plan made and reviewed first (gateway_terraform_plan)",
} if {
	active
	tf.operation == "apply"
	tf.plan == null
}

findings contains {
	"outcome": "block",
	"code": "plan_errored",
	"message": "Terraform reported the plan as errored",
} if {
	judged
	tf.plan.errored == true
}

# Managed resources the plan creates, updates, deletes or replaces.
changes := [rc |
	some rc in tf.plan.resource_changes
	rc.mode == "managed"
	common.listed(rc.action, cfg.change_actions)
]

deletions := [rc | some rc in changes; common.listed(rc.action, cfg.delete_actions)]

findings contains {
	"outcome": "allow",
	"code": "no_changes",
	"message": "The plan changes nothing",
} if {
	judged
	tf.plan.errored == false
	tf.plan.empty == true
	count(changes) == 0
}

resources_text(n) := "1 resource" if n == 1

else := concat("", [format_int(n, 10), " resources"])

action_count(action) := format_int(count([rc | some rc in changes; rc.action == action]), 10)

findings contains {
	"kind": "mutations",
	"code": "terraform_changes",
	"message": concat("", [
		"The plan changes ", resources_text(count(changes)), ": ",
		action_count("create"), " to create, ", action_count("update"), " to update, ",
		action_count("delete"), " to delete, ", action_count("replace"), " to replace",
	]),
} if {
	judged
	count(changes) > 0
}

action_text(rc) := "replaced (deleted and created again)" if rc.action == "replace"

else := "deleted"

findings contains {
	"kind": "unrecoverable_data_loss",
	"code": "unrecoverable_data_loss",
	"message": concat("", ["`", rc.address, "` is ", action_text(rc), " ", why]),
} if {
	judged
	some rc in deletions
	some why in unrecoverable[rc.address]
}

findings contains {
	"kind": "recoverable_deletes",
	"code": "resource_deleted",
	"message": concat("", ["`", rc.address, "` is ", action_text(rc)]),
} if {
	judged
	some rc in deletions
	not unrecoverable[rc.address]
}

findings contains {
	"outcome": "escalate",
	"code": "deletion_protected",
	"message": concat("", ["`", rc.address, "` has ", attr, " set: terraform will fail to delete it"]),
} if {
	judged
	some rc in deletions
	some attr in cfg.deletion_protection_attributes
	rc.before[attr] == true
}

# Provisioners run outside every sandbox: local-exec runs a command on the gateway host with
# terraform's credentials; remote-exec and file connect from the gateway host. Policy sees them
# in the plan's configuration, whatever the plan changes.
provisioner_text(p) := "runs a command on the gateway host, outside the sandbox, with terraform's credentials" if p.type == "local-exec"

else := "connects from the gateway host to run or copy something elsewhere"

findings contains {
	"kind": "terraform_provisioners",
	"code": "terraform_provisioner",
	"message": concat("", ["`", p.address, "` has a ", p.type, " provisioner: it ", provisioner_text(p)]),
} if {
	judged
	some p in tf.plan.provisioners
}

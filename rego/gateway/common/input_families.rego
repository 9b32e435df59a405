# Structural checks of input.terraform and input.kubectl (src/normalize/schema.ts).
package gateway.common

terraform_operations := {"plan", "apply", "destroy", "get_plan"}

kubectl_verbs := {"get", "logs", "describe", "apply", "delete", "scale", "exec"}

malformed contains msg if {
	is_object(input.terraform)
	some msg in terraform_problems
}

terraform_problems contains "terraform.operation is not a known operation" if not known_operation

known_operation if input.terraform.operation in terraform_operations

terraform_problems contains "terraform.destroy is not a boolean" if not has_type(input.terraform, "destroy", "boolean")

terraform_problems contains "terraform.plan is neither an object nor null" if {
	not nullable_object(input.terraform, "plan")
}

terraform_problems contains "terraform.plan is malformed" if {
	is_object(input.terraform.plan)
	not valid_plan(input.terraform.plan)
}

valid_plan(p) if {
	is_boolean(p.empty)
	is_boolean(p.errored)
	is_array(p.resource_changes)
	every rc in p.resource_changes {
		valid_resource_change(rc)
	}
}

valid_resource_change(rc) if {
	is_string(rc.address)
	is_string(rc.type)
	is_string(rc.mode)
	is_string(rc.action)
	strings_array(rc.actions)
	nullable_object(rc, "before")
	nullable_object(rc, "after")
}

malformed contains msg if {
	is_object(input.kubectl)
	some msg in kubectl_problems
}

kubectl_problems contains "kubectl.verb is not a known verb" if not known_verb

known_verb if input.kubectl.verb in kubectl_verbs

kubectl_problems contains "kubectl.mutating is not a boolean" if not has_type(input.kubectl, "mutating", "boolean")

kubectl_problems contains "kubectl.dry_run is not a boolean" if not has_type(input.kubectl, "dry_run", "boolean")

kubectl_problems contains "kubectl.replicas is neither a number nor null" if {
	not nullable_number(input.kubectl, "replicas")
}

kubectl_problems contains "kubectl.target is malformed" if {
	not nullable_object(input.kubectl, "target")
}

kubectl_problems contains "kubectl.target is malformed" if {
	is_object(input.kubectl.target)
	not valid_object(input.kubectl.target)
}

kubectl_problems contains "kubectl.objects is malformed" if {
	not has_type(input.kubectl, "objects", "array")
}

kubectl_problems contains "kubectl.objects is malformed" if {
	some o in input.kubectl.objects
	not valid_object(o)
}

valid_object(o) if {
	is_string(o.kind)
	is_string(o.resource)
	nullable_string(o, "name")
	nullable_string(o, "namespace")
	is_boolean(o.cluster_scoped)
	is_boolean(o.known)
}

# Environment settings: which environments exist, how each routes a per-environment finding
# (allow, escalate or block), and the execution settings handed to TypeScript.
package gateway.common

environments := data.gateway.config.environments

outcomes := {"allow", "escalate", "block"}

# The environment's settings; undefined for an unknown environment.
settings := environments[input.environment] if {
	is_string(input.environment)
	is_object(environments[input.environment])
}

known_environment if settings

# Execution settings for the decision; {} when the environment is unknown.
execution := settings.execution if {
	is_object(settings.execution)
} else := {}

block contains {
	"code": "unknown_environment",
	"message": concat("", ["Environment `", environment_name, "` is not configured (known: ", concat(", ", sort(environment_names)), ")"]),
} if {
	not known_environment
}

environment_names := [name | some name, _ in environments]

environment_name := input.environment if is_string(input.environment)

else := "(missing)"

# outcome(kind): the configured outcome of a per-environment finding kind.
outcome(kind) := settings[kind] if settings[kind] in outcomes

# routed(findings, o): the reasons of findings whose kind routes to outcome o in this environment.
# A finding may carry allow_code/allow_message to say it differently when allowed.
# A kind the environment does not configure blocks (fail closed).
routed(findings, o) := {reason_as(f, o) | some f in findings; outcome(f.kind) == o} | misconfigured(findings, o)

reason_as(f, o) := {"code": f.allow_code, "message": f.allow_message} if {
	o == "allow"
	f.allow_code
} else := {"code": f.code, "message": f.message}

misconfigured(findings, "block") := {{
	"code": "invalid_config",
	"message": concat("", ["Environment `", input.environment, "` has no valid setting `", f.kind, "` (expected allow, escalate or block)"]),
} |
	some f in findings
	known_environment
	not outcome(f.kind)
}

misconfigured(_, o) := set() if o != "block"

# Families contribute to these; common itself never escalates or allows.
escalate := set()

allow := set()

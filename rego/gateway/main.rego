# The one decision: families contribute block/escalate/allow reasons; this builds the output.
# Precedence: any block reason blocks, else any escalate reason escalates, else any allow reason
# allows, else block (fail closed). Defined for every input, including malformed ones.
package gateway

import data.gateway.common
import data.gateway.kubectl
import data.gateway.shell
import data.gateway.terraform

blocks := ((common.block | shell.block) | terraform.block) | kubectl.block

escalations := ((common.escalate | shell.escalate) | terraform.escalate) | kubectl.escalate

allows := ((common.allow | shell.allow) | terraform.allow) | kubectl.allow

no_rule_allowed := {
	"code": "no_rule_allowed",
	"message": "No policy rule allowed this request",
}

verdict := {"decision": "block", "reasons": sorted(blocks)} if {
	count(blocks) > 0
} else := {"decision": "escalate", "reasons": sorted(escalations)} if {
	count(escalations) > 0
} else := {"decision": "allow", "reasons": sorted(allows)} if {
	count(allows) > 0
} else := {"decision": "block", "reasons": [no_rule_allowed]}

# Reasons sorted by code then message; a set already removed duplicates.
sorted(reasons) := [{"code": pair[0], "message": pair[1]} |
	some pair in sort({[r.code, r.message] | some r in reasons})
]

decision := object.union(
	object.union(
		{"decision": verdict.decision, "reasons": verdict.reasons, "execution": common.execution},
		string_field("environment"),
	),
	string_field("family"),
)

# Echo environment/family only when they are strings (TypeScript expects string or absent).
string_field(key) := {key: input[key]} if is_string(input[key])

else := {}

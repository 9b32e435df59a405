# Changes that widen access escalate in every environment: IAM policy documents granting every
# action, service-wide actions on every resource, or any principal; admin managed policies
# attached; security groups open to the whole internet.
package gateway.terraform

import data.gateway.common

# Resources the plan creates, updates or replaces, with their planned attributes.
widened := [rc |
	some rc in changes
	not rc.action == "delete"
	is_object(rc.after)
]

findings contains {
	"outcome": "escalate",
	"code": "permission_widening",
	"message": concat("", ["`", rc.address, "` ", why]),
} if {
	judged
	some rc in widened
	some why in widening(rc)
}

widening(rc) := ({why |
	some attr in cfg.policy_attributes[rc.type]
	doc := policy_document(rc.after[attr])
	some s in statements(doc)
	s.Effect == "Allow"
	some why in statement_widening(s)
} | attachment_widening(rc)) | network_widening(rc)

policy_document(text) := json.unmarshal(text) if {
	is_string(text)
	json.is_valid(text)
}

statements(doc) := doc.Statement if is_array(doc.Statement)

else := [doc.Statement]

as_list(x) := x if is_array(x)

else := [x]

statement_widening(s) := (({"allows every action (Action \"*\")" |
	some a in as_list(s.Action)
	common.listed(a, cfg.wildcard_actions)
} | {"allows every action but a few (Allow with NotAction)" |
	s.NotAction
}) | {concat("", ["allows every ", split(a, ":")[0], " action on every resource"]) |
	some a in as_list(s.Action)
	endswith(a, ":*")
	"*" in as_list(s.Resource)
}) | {"allows any principal (Principal \"*\")" |
	public_principal(s.Principal)
	not s.Condition
}

public_principal(p) if p == "*"

public_principal(p) if "*" in as_list(p.AWS)

attachment_widening(rc) := {concat("", ["attaches ", rc.after.policy_arn]) |
	common.listed(rc.type, cfg.policy_attachment_types)
	common.listed(rc.after.policy_arn, cfg.admin_policy_arns)
} | {concat("", ["attaches ", arn]) |
	some arn in rc.after.managed_policy_arns
	common.listed(arn, cfg.admin_policy_arns)
}

network_widening(rc) := ({concat("", ["opens ingress to ", cidr]) |
	common.listed(rc.type, cfg.security_group_types)
	some rule in rc.after.ingress
	some cidr in open_cidrs(rule)
} | {concat("", ["opens ingress to ", cidr]) |
	common.listed(rc.type, cfg.security_group_rule_types)
	rc.after.type == "ingress"
	some cidr in open_cidrs(rc.after)
}) | {concat("", ["opens ingress to ", cidr]) |
	common.listed(rc.type, cfg.ingress_rule_types)
	some key in ["cidr_ipv4", "cidr_ipv6"]
	cidr := rc.after[key]
	common.listed(cidr, cfg.open_cidrs)
}

open_cidrs(rule) := {cidr |
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in rule[key]
	common.listed(cidr, cfg.open_cidrs)
}

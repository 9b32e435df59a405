# terraform/tofu, kubectl/oc and helm run raw through the shell bypass plan binding and the
# kubectl tools: their mutations follow raw_infra_mutations (escalate, block in prod); reading
# secrets escalates.
package gateway.shell

import data.gateway.common

any_operand(c, words) if {
	some p in positionals(c)
	common.listed(p, words)
}

operand_pair(c, pairs) if {
	ps := positionals(c)
	some j, p in ps
	common.listed(ps[j + 1], pairs[p])
}

raw_mutation(c) := "terraform" if {
	common.listed(prog(c), cfg.terraform_programs)
	any_operand(c, cfg.terraform_mutations)
} else := "terraform" if {
	common.listed(prog(c), cfg.terraform_programs)
	operand_pair(c, cfg.terraform_mutation_pairs)
} else := "kubectl" if {
	common.listed(prog(c), cfg.kubectl_programs)
	any_operand(c, cfg.kubectl_mutations)
} else := "kubectl" if {
	common.listed(prog(c), cfg.kubectl_programs)
	operand_pair(c, cfg.kubectl_mutation_pairs)
} else := "helm" if {
	common.listed(prog(c), cfg.helm_programs)
	any_operand(c, cfg.helm_mutations)
}

findings contains {
	"cmd": i,
	"kind": "raw_infra_mutations",
	"code": concat("", ["raw_", tool, "_mutation"]),
	"message": concat("", [q(c.name), " changes infrastructure outside the gateway's ", tool, " tools (no plan binding or review)"]),
} if {
	active
	some i, c in input.shell.commands
	tool := raw_mutation(c)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "secret_read",
	"message": concat("", [q(c.name), " reads Kubernetes secrets"]),
} if {
	active
	some i, c in input.shell.commands
	common.listed(prog(c), cfg.kubectl_programs)
	ps := positionals(c)
	some j, p in ps
	p == "get"
	some resource in array.slice(ps, j + 1, count(ps))
	secret_resource(resource)
}

secret_resource(word) if {
	some part in split(lower(word), ",")
	common.listed(split(split(part, "/")[0], ".")[0], cfg.kubectl_secret_resources)
}

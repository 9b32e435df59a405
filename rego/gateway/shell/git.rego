# git: read-only subcommands are allowed; global options that run programs (-c, --exec-path)
# escalate because what they run cannot be seen.
package gateway.shell

import data.gateway.common

git(c) if common.listed(prog(c), cfg.git.programs)

# Index of the subcommand: the first operand after global options.
git_sub_index(c) := min({i | some i, _ in c.args; positional(c, i)})

git_sub(c) := c.args[git_sub_index(c)]

# Words before the subcommand (all words when there is none).
git_global_args(c) := array.slice(c.args, 0, git_sub_index(c)) if git_sub_index(c)

else := c.args

git_sub_args(c) := array.slice(c.args, git_sub_index(c) + 1, count(c.args))

git_exec_flag(c) if {
	git(c)
	some a in git_global_args(c)
	some f in cfg.git.exec_flags
	matches(a, f)
}

# Global options must be known to be harmless (-p would start a configurable pager).
git_safe_globals(c) if {
	every a in git_global_args(c) {
		safe_global_word(a)
	}
}

safe_global_word(a) if {
	not is_flag(a)
} else if {
	common.listed(split(a, "=")[0], cfg.git.global_safe_flags)
}

git_read_only(c) if {
	git(c)
	git_safe_globals(c)
	common.listed(git_sub(c), cfg.git.read_only_subcommands)
	not git_write_flag(c)
} else if {
	git(c)
	git_safe_globals(c)
	rule := cfg.git.restricted_subcommands[git_sub(c)]
	every a in git_sub_args(c) {
		allowed_restricted_word(a, rule)
	}
	restricted_positionals_ok(c, rule)
}

git_write_flag(c) if {
	some a in git_sub_args(c)
	some f in cfg.git.write_flags
	matches(a, f)
}

allowed_restricted_word(a, _) if not is_flag(a)

allowed_restricted_word(a, rule) if {
	is_flag(a)
	split(a, "=")[0] in rule.flags
}

restricted_positionals_ok(c, _) if count([a | some a in git_sub_args(c); not is_flag(a)]) == 0

restricted_positionals_ok(c, rule) if {
	some a in git_sub_args(c)
	not is_flag(a)
	a in rule.actions
	first_operand(c) == a
}

restricted_positionals_ok(c, rule) if {
	some a in git_sub_args(c)
	split(a, "=")[0] in rule.positional_flags
}

first_operand(c) := [a | some a in git_sub_args(c); not is_flag(a)][0]

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "hidden_execution",
	"message": "`git` is given a global option that can run programs (-c, --config-env, --exec-path)",
} if {
	active
	some i, c in input.shell.commands
	git_exec_flag(c)
}

# Read-only commands: a program from the read-only list (or a git read-only subcommand, a
# wrapper whose wrapped command is judged on its own, a shell running a visible script) used
# without options that write or run something, and without redirects that write.
package gateway.shell

import data.gateway.common

read_only(c) if {
	c.literal == true
	read_only_program(c)
	not misused(c)
	not harmful_redirect(c)
}

read_only_program(c) if {
	common.listed(c.name, cfg.read_only_programs)
	within_positional_limit(c)
} else if {
	transparent_wrapper(c)
} else if {
	git_read_only(c)
} else if {
	visible_shell(c)
}

within_positional_limit(c) if {
	not has_key(cfg.read_only_max_positionals, c.name)
} else if {
	count(positionals(c)) <= cfg.read_only_max_positionals[c.name]
}

has_key(obj, key) if _ = obj[key]

misused(c) if has_flag(c, cfg.read_only_misuse[c.name])

harmful_redirect(c) if {
	some r in c.redirects
	writes(r)
	not "harmless" in redirect_classes(r)
}

# A wrapper (timeout, env, nice, …) only runs the command it wraps, which is judged itself.
transparent_wrapper(c) if {
	common.listed(c.name, cfg.transparent_wrappers)
	some d in input.shell.commands
	c.name in d.wrappers
} else if {
	common.listed(c.name, cfg.transparent_wrappers)
	count([p | some p in positionals(c); not contains(p, "=")]) == 0
} else if {
	has_flag(c, cfg.query_flags[c.name])
}

# sh -c '…' (script visible to the normalizer) or a shell fed a literal here-document.
visible_shell(c) if {
	shell_program(c)
	has_flag(c, [concat("", ["-", cfg.shell_inline_flag])])
	input.shell.facts.opaque == false
} else if {
	shell_program(c)
	count(positionals(c)) == 0
	some r in c.redirects
	r.op in {"<<", "<<-", "<<<"}
	input.shell.facts.opaque == false
}

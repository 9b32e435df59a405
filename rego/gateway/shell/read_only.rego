# Read-only commands: a program from the read-only list (or a git read-only subcommand, a
# wrapper whose wrapped command is judged on its own, a shell running a visible script) used
# without options that write or run something, and without redirects that write.
package gateway.shell

read_only(c) if {
	c.literal == true
	read_only_program(c)
	not misused(c)
	not harmful_redirect(c)
}

read_only_programs := {p | some p in cfg.read_only_programs}

read_only_program(c) if {
	c.name in read_only_programs
	within_positional_limit(c)
}

read_only_program(c) if transparent_wrapper(c)

read_only_program(c) if git_read_only(c)

read_only_program(c) if visible_shell(c)

within_positional_limit(c) if not c.name in object.keys(cfg.read_only_max_positionals)

within_positional_limit(c) if count(positionals(c)) <= cfg.read_only_max_positionals[c.name]

misused(c) if has_flag(c, cfg.read_only_misuse[c.name])

harmful_redirect(c) if {
	some r in c.redirects
	writes(r)
	not "harmless" in redirect_classes(r)
}

# A wrapper (timeout, env, nice, …) only runs the command it wraps, which is judged itself.
transparent_wrapper(c) if {
	c.name in cfg.transparent_wrappers
	some d in input.shell.commands
	c.name in d.wrappers
}

transparent_wrapper(c) if {
	c.name in cfg.transparent_wrappers
	count([p | some p in positionals(c); not contains(p, "=")]) == 0
}

transparent_wrapper(c) if has_flag(c, cfg.query_flags[c.name])

# sh -c '…' (script visible to the normalizer) or a shell fed a literal here-document.
visible_shell(c) if {
	base(c) in shells
	has_flag(c, [concat("", ["-", cfg.shell_inline_flag])])
	input.shell.facts.opaque == false
}

visible_shell(c) if {
	base(c) in shells
	count(positionals(c)) == 0
	some r in c.redirects
	r.op in {"<<", "<<-", "<<<"}
	input.shell.facts.opaque == false
}

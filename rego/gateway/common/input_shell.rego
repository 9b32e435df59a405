# Structural checks of input.shell (ShellInput in src/normalize/schema.ts).
package gateway.common

malformed contains msg if {
	is_object(input.shell)
	some msg in shell_problems
}

shell_problems contains "shell.command is not a string" if not has_type(input.shell, "command", "string")

shell_problems contains "shell.cwd is not a string" if not has_type(input.shell, "cwd", "string")

shell_problems contains "shell.parse_error is neither a string nor null" if {
	not nullable_string(input.shell, "parse_error")
}

shell_problems contains "shell.commands is not a list" if not has_type(input.shell, "commands", "array")

shell_problems contains concat("", ["shell.commands[", format_int(i, 10), "] is malformed"]) if {
	some i, c in input.shell.commands
	not valid_command(c)
}

shell_problems contains "shell.facts is malformed" if not valid_facts(input.shell)

valid_command(c) if {
	is_string(c.name)
	is_string(c.path)
	is_boolean(c.literal)
	strings_array(c.args)
	is_boolean(c.dynamic)
	strings_array(c.assigns)
	is_array(c.redirects)
	every r in c.redirects {
		valid_redirect(r)
	}
	strings_array(c.wrappers)
	is_string(c.origin)
	is_number(c.depth)
	valid_pipeline(c)
	is_boolean(c.background)
}

valid_redirect(r) if {
	is_string(r.op)
	nullable_number(r, "fd")
	is_string(r.target)
	is_boolean(r.literal)
	nullable_string(r, "path")
	is_boolean(r.writes)
	is_boolean(r.outside_cwd)
}

valid_pipeline(c) if {
	c.pipeline == null
} else if {
	is_number(c.pipeline.id)
	is_number(c.pipeline.position)
	is_number(c.pipeline.length)
}

valid_facts(shell) if {
	f := shell.facts
	every k in ["non_literal_command", "has_unresolved_expansion", "writes_outside_cwd", "opaque", "depth_exceeded"] {
		is_boolean(f[k])
	}
	strings_array(f.functions)
}

# Escalate in every environment: code whose effect cannot be seen from the text — interpreter
# one-liners, scripts from files or stdin, source, non-literal command names, opaque or too
# deep nesting, options or builtins that run strings, variables that change what runs.
package gateway.shell

interpreter_flags(c) := cfg.interpreters[base(c)]

one_liner(c) if "*" in interpreter_flags(c)

one_liner(c) if has_flag(c, interpreter_flags(c))

shell_inline(c) if {
	base(c) in shells
	has_flag(c, [concat("", ["-", cfg.shell_inline_flag])])
}

inline_code(c) if one_liner(c)

inline_code(c) if shell_inline(c)

shell_stdin_flag(c) if {
	base(c) in shells
	has_flag(c, [concat("", ["-", cfg.shell_stdin_flag])])
}

# The interpreter reads its program from stdin: no script operand (or "-"), or sh -s.
program_from_stdin(c) if count(positionals(c)) == 0

program_from_stdin(c) if positionals(c)[0] == "-"

program_from_stdin(c) if shell_stdin_flag(c)

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "interpreter_one_liner",
	"message": concat("", [q(c.name), " runs inline code whose effect cannot be judged"]),
} if {
	some i, c in input.shell.commands
	active
	one_liner(c)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "script_file",
	"message": concat("", [q(c.name), " runs the script ", q(positionals(c)[0]), ", which cannot be seen"]),
} if {
	some i, c in input.shell.commands
	active
	shell_or_interpreter(c)
	not inline_code(c)
	not program_from_stdin(c)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "script_file",
	"message": concat("", [q(c.name), " runs a module, which cannot be seen"]),
} if {
	some i, c in input.shell.commands
	active
	base(c) in interpreters
	not inline_code(c)
	has_flag(c, cfg.interpreter_module_flags)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "script_stdin",
	"message": concat("", [q(c.name), " reads its program from a pipe, which cannot be seen"]),
} if {
	some i, c in input.shell.commands
	active
	shell_or_interpreter(c)
	c.pipeline.position > 0
	not inline_code(c)
	program_from_stdin(c)
}

# tee >(sh): a shell in a process substitution runs what is written to it.
findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "script_stdin",
	"message": concat("", [q(c.name), " in a process substitution runs what is written to it, which cannot be seen"]),
} if {
	some i, c in input.shell.commands
	active
	shell_or_interpreter(c)
	c.origin == "process_substitution"
	not inline_code(c)
	program_from_stdin(c)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "script_stdin",
	"message": concat("", [q(c.name), " reads its program from ", q(r.target), ", which cannot be seen"]),
} if {
	some i, c in input.shell.commands
	active
	some r in c.redirects
	stdin_program(c, r)
}

stdin_program(c, r) if {
	base(c) in shells
	not shell_inline(c)
	r.op in cfg.shell_script_redirect_ops
}

stdin_program(c, r) if {
	base(c) in interpreters
	not one_liner(c)
	r.op in cfg.stdin_redirect_ops
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "source_script",
	"message": concat("", [q(c.name), " runs a script in the current shell, which cannot be seen"]),
} if {
	some i, c in input.shell.commands
	active
	prog(c) in cfg.source_programs
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "non_literal_command",
	"message": concat("", ["The command name ", q(c.path), " is not a literal: what runs cannot be seen"]),
} if {
	some i, c in input.shell.commands
	active
	c.literal != true
}

findings contains {
	"cmd": -1,
	"outcome": "escalate",
	"code": "non_literal_command",
	"message": "A command name is not a literal: what runs cannot be seen",
} if {
	active
	input.shell.facts.non_literal_command == true
}

findings contains {
	"cmd": -1,
	"outcome": "escalate",
	"code": "opaque_script",
	"message": "A script given to a shell or eval is built at run time and cannot be seen",
} if {
	active
	input.shell.facts.opaque == true
}

findings contains {
	"cmd": -1,
	"outcome": "escalate",
	"code": "depth_exceeded",
	"message": "Commands are nested deeper than the normalizer follows",
} if {
	active
	input.shell.facts.depth_exceeded == true
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "hidden_execution",
	"message": concat("", [q(c.name), " is given an option that runs another program"]),
} if {
	some i, c in input.shell.commands
	active
	has_flag(c, cfg.hidden_exec_flags[prog(c)])
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "hidden_execution",
	"message": concat("", [q(c.name), " defines code run later (trap, alias, …), which cannot be judged"]),
} if {
	some i, c in input.shell.commands
	active
	prog(c) in cfg.string_executors
	count(positionals(c)) > 0
}

dangerous_variable(name) if name in cfg.dangerous_variables

dangerous_variable(name) if {
	some prefix in cfg.dangerous_variable_prefixes
	startswith(name, prefix)
}

assigned_variables(c) := ({n | some n in c.assigns} | {split(a, "=")[0] |
	prog(c) in cfg.declaration_programs
	some a in c.args
	contains(a, "=")
	not startswith(a, "-")
}) | flag_values(c, object.get(cfg.variable_flags, prog(c), []))

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "dangerous_environment",
	"message": concat("", ["Setting ", q(v), " changes what programs run or load"]),
} if {
	some i, c in input.shell.commands
	active
	some v in assigned_variables(c)
	dangerous_variable(v)
}

# A statement that only assigns (PATH=/tmp/x; ls) emits no command: read the text itself.
findings contains {
	"cmd": -1,
	"outcome": "escalate",
	"code": "dangerous_environment",
	"message": concat("", ["The command text assigns ", q(v), ", which changes what programs run or load"]),
} if {
	active
	some v in cfg.dangerous_variables
	contains(input.shell.command, v)
	regex.match(concat("", ["(^|[\\s;&|(){}`])", v, "\\+?="]), input.shell.command)
}

findings contains {
	"cmd": -1,
	"outcome": "escalate",
	"code": "dangerous_environment",
	"message": concat("", ["The command text assigns a ", q(concat("", [prefix, "*"])), " variable, which changes what programs run or load"]),
} if {
	active
	some prefix in cfg.dangerous_variable_prefixes
	contains(input.shell.command, prefix)
	regex.match(concat("", ["(^|[\\s;&|(){}`])", prefix, "[A-Za-z0-9_]*\\+?="]), input.shell.command)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "hidden_execution",
	"message": concat("", [q(c.name), " run by xargs executes code assembled from its input"]),
} if {
	some i, c in input.shell.commands
	active
	c.origin == "xargs"
	shell_or_interpreter(c)
}

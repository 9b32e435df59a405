# Escalate in every environment: code whose effect cannot be seen from the text — interpreter
# one-liners, scripts from files or stdin, source, non-literal command names, opaque or too
# deep nesting, options or builtins that run strings, variables that change what runs.
package gateway.shell

import data.gateway.common

interpreter_flags(c) := cfg.interpreters[base(c)]

one_liner(c) if {
	"*" in interpreter_flags(c)
} else if {
	has_flag(c, interpreter_flags(c))
}

shell_inline(c) if {
	shell_program(c)
	has_flag(c, [concat("", ["-", cfg.shell_inline_flag])])
}

inline_code(c) if {
	one_liner(c)
} else if {
	shell_inline(c)
}

shell_stdin_flag(c) if {
	shell_program(c)
	has_flag(c, [concat("", ["-", cfg.shell_stdin_flag])])
}

# The interpreter reads its program from stdin: no script operand (or "-"), or sh -s.
program_from_stdin(c) if {
	count(positionals(c)) == 0
} else if {
	positionals(c)[0] == "-"
} else if {
	shell_stdin_flag(c)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "interpreter_one_liner",
	"message": concat("", [q(c.name), " runs inline code whose effect cannot be judged"]),
} if {
	active
	some i, c in input.shell.commands
	one_liner(c)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "script_file",
	"message": concat("", [q(c.name), " runs the script ", q(positionals(c)[0]), ", which cannot be seen"]),
} if {
	active
	some i, c in input.shell.commands
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
	active
	some i, c in input.shell.commands
	interpreter(c)
	not inline_code(c)
	has_flag(c, cfg.interpreter_module_flags)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "script_stdin",
	"message": concat("", [q(c.name), " reads its program from a pipe, which cannot be seen"]),
} if {
	active
	some i, c in input.shell.commands
	c.pipeline.position > 0
	shell_or_interpreter(c)
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
	active
	some i, c in input.shell.commands
	c.origin == "process_substitution"
	shell_or_interpreter(c)
	not inline_code(c)
	program_from_stdin(c)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "script_stdin",
	"message": concat("", [q(c.name), " reads its program from ", q(r.target), ", which cannot be seen"]),
} if {
	active
	some i, c in input.shell.commands
	some r in c.redirects
	stdin_program(c, r)
}

stdin_program(c, r) if {
	shell_program(c)
	not shell_inline(c)
	common.listed(r.op, cfg.shell_script_redirect_ops)
} else if {
	interpreter(c)
	not one_liner(c)
	common.listed(r.op, cfg.stdin_redirect_ops)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "source_script",
	"message": concat("", [q(c.name), " runs a script in the current shell, which cannot be seen"]),
} if {
	active
	some i, c in input.shell.commands
	common.listed(prog(c), cfg.source_programs)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "non_literal_command",
	"message": concat("", ["The command name ", q(c.path), " is not a literal: what runs cannot be seen"]),
} if {
	active
	some i, c in input.shell.commands
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
	active
	some i, c in input.shell.commands
	has_flag(c, cfg.hidden_exec_flags[prog(c)])
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "hidden_execution",
	"message": concat("", [q(c.name), " defines code run later (trap, alias, …), which cannot be judged"]),
} if {
	active
	some i, c in input.shell.commands
	common.listed(prog(c), cfg.string_executors)
	count(positionals(c)) > 0
}

dangerous_variable(name) if {
	name in cfg.dangerous_variables
} else if {
	some prefix in cfg.dangerous_variable_prefixes
	startswith(name, prefix)
}

assigned_variables(c) := ({n | some n in c.assigns} | {split(a, "=")[0] |
	common.listed(prog(c), cfg.declaration_programs)
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
	active
	some i, c in input.shell.commands
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
	active
	some i, c in input.shell.commands
	c.origin == "xargs"
	shell_or_interpreter(c)
}

# Commands blocked in every environment: privilege escalation, network piped into an
# interpreter, disk wipes, reverse shells, fork bombs, power control, killing everything,
# removing the crontab.
package gateway.shell

# Lists as sets, built once per decision.
shells := {s | some s in cfg.shells}

interpreters := object.keys(cfg.interpreters)

network_programs := {lower(n) | some n in cfg.network_programs}

shell_or_interpreter(c) if base(c) in shells

shell_or_interpreter(c) if base(c) in interpreters

network(c) if prog(c) in network_programs

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "privilege_escalation",
	"message": concat("", [q(c.name), " runs a command with other privileges"]),
} if {
	some i, c in input.shell.commands
	active
	prog(c) in cfg.privilege_programs
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "privilege_escalation",
	"message": concat("", [q(c.name), " is run through ", q(w), ", which changes privileges"]),
} if {
	some i, c in input.shell.commands
	active
	some w in c.wrappers
	lower(w) in cfg.privilege_programs
}

findings contains {
	"cmd": j,
	"outcome": "block",
	"code": "network_to_interpreter",
	"message": concat("", ["Output of ", q(a.name), " is piped into ", q(b.name), ": downloaded code would run unseen"]),
} if {
	some i, a in input.shell.commands
	active
	network(a)
	a.pipeline != null
	some j, b in input.shell.commands
	shell_or_interpreter(b)
	b.pipeline.id == a.pipeline.id
	b.pipeline.position > a.pipeline.position
	i != j
}

# $(curl …) or <(curl …) feeding an interpreter whose code comes from an expansion or stdin.
findings contains {
	"cmd": j,
	"outcome": "block",
	"code": "network_to_interpreter",
	"message": concat("", ["Output of ", q(a.name), " is substituted into ", q(b.name), ": downloaded code would run unseen"]),
} if {
	some a in input.shell.commands
	active
	network(a)
	a.origin in {"command_substitution", "process_substitution"}
	some j, b in input.shell.commands
	fed_interpreter(b)
}

fed_interpreter(b) if {
	shell_or_interpreter(b)
	b.dynamic == true
}

fed_interpreter(b) if {
	shell_or_interpreter(b)
	b.pipeline.position > 0
}

fed_interpreter(b) if {
	prog(b) in cfg.source_programs
	b.dynamic == true
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "disk_wipe",
	"message": concat("", [q(c.name), " formats or wipes disks"]),
} if {
	some i, c in input.shell.commands
	active
	disk_program(c)
}

disk_program(c) if prog(c) in cfg.disk_programs

disk_program(c) if {
	some p in cfg.disk_program_prefixes
	startswith(prog(c), p)
}

findings contains {
	"cmd": w.cmd,
	"outcome": "block",
	"code": "disk_wipe",
	"message": concat("", [q(input.shell.commands[w.cmd].name), " writes to the device ", q(w.target)]),
} if {
	some w in write_targets
	device_write(prog(input.shell.commands[w.cmd]), w.target)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "disk_wipe",
	"message": concat("", [q(c.name), " redirects output to the device ", q(r.target)]),
} if {
	some i, c in input.shell.commands
	active
	some r in c.redirects
	writes(r)
	some p in redirect_candidates(r)
	block_device(p)
}

device_write(name, target) if {
	name in cfg.disk_write_programs
	startswith(target, "/dev/")
	not harmless_path(target)
}

device_write(_, target) if block_device(target)

block_device(p) if {
	some prefix in cfg.block_device_prefixes
	startswith(p, prefix)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "reverse_shell",
	"message": concat("", [q(c.name), " opens a network connection through ", q(r.target)]),
} if {
	some i, c in input.shell.commands
	active
	some r in c.redirects
	some p in {r.target, object.get(r, "path", "")}
	is_string(p)
	some prefix in cfg.reverse_shell_paths
	startswith(p, prefix)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "reverse_shell",
	"message": concat("", [q(c.name), " is told to run a program for a network peer"]),
} if {
	some i, c in input.shell.commands
	active
	prog(c) in cfg.netcat_programs
	has_flag(c, cfg.netcat_exec_flags)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "reverse_shell",
	"message": concat("", [q(c.name), " is told to run a program for a network peer"]),
} if {
	some i, c in input.shell.commands
	active
	prog(c) in cfg.socat_programs
	some a in c.args
	some marker in cfg.socat_exec_markers
	contains(lower(a), marker)
}

findings contains {
	"cmd": j,
	"outcome": "block",
	"code": "reverse_shell",
	"message": concat("", ["An interactive ", q(b.name), " shares a pipeline with ", q(a.name)]),
} if {
	some a in input.shell.commands
	active
	network(a)
	some j, b in input.shell.commands
	base(b) in shells
	has_flag(b, cfg.interactive_shell_flags)
	b.pipeline.id == a.pipeline.id
}

# A function whose body runs a defined function in a pipeline or in the background: :(){ :|:& };:
findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "fork_bomb",
	"message": concat("", ["Function ", q(c.name), " is run from a function body in a pipeline or in the background (fork bomb)"]),
} if {
	some i, c in input.shell.commands
	active
	c.origin == "function"
	c.name in input.shell.facts.functions
	spawns(c)
}

spawns(c) if c.background == true

spawns(c) if c.pipeline != null

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "system_power",
	"message": concat("", [q(c.name), " shuts down or restarts the machine"]),
} if {
	some i, c in input.shell.commands
	active
	prog(c) in cfg.power_programs
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "system_power",
	"message": concat("", [q(c.name), " ", q(sub), " shuts down or restarts the machine"]),
} if {
	some i, c in input.shell.commands
	active
	some sub in positionals(c)
	sub in cfg.power_subcommands[prog(c)]
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "kill_all",
	"message": concat("", [q(c.name), " kills every process"]),
} if {
	some i, c in input.shell.commands
	active
	prog(c) in cfg.kill_all_programs
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "kill_all",
	"message": concat("", [q(c.name), " signals ", q(t), " (init or every process)"]),
} if {
	some i, c in input.shell.commands
	active
	prog(c) in cfg.kill_programs
	some t in kill_targets(c)
	t in cfg.kill_protected_targets
}

# kill's process operands: everything after the signal option (-9, -KILL, -s KILL) and --.
kill_targets(c) := {a | some j, a in c.args; j >= kill_first_target(c); a != "--"}

kill_first_target(c) := 2 if {
	c.args[0] in cfg.kill_signal_value_flags
} else := 1 if {
	startswith(c.args[0], "-")
} else := 0

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "crontab_remove",
	"message": concat("", [q(c.name), " -r removes every scheduled job"]),
} if {
	some i, c in input.shell.commands
	active
	prog(c) in cfg.crontab_programs
	has_flag(c, cfg.crontab_remove_flags)
}

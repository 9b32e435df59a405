# Commands blocked in every environment: privilege escalation, network piped into an
# interpreter, disk wipes, reverse shells, fork bombs, power control, killing everything,
# removing the crontab.
package gateway.shell

import data.gateway.common

shell_program(c) if common.listed(base(c), cfg.shells)

interpreter(c) if cfg.interpreters[base(c)]

shell_or_interpreter(c) if {
	shell_program(c)
} else if {
	interpreter(c)
}

# Program names are compared in lower case: keys of the object form are lower case already.
network(c) if {
	cfg.network_programs[prog(c)] == true
} else if {
	is_array(cfg.network_programs)
	some n in cfg.network_programs
	lower(n) == prog(c)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "privilege_escalation",
	"message": concat("", [q(c.name), " runs a command with other privileges"]),
} if {
	active
	some i, c in input.shell.commands
	common.listed(prog(c), cfg.privilege_programs)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "privilege_escalation",
	"message": concat("", [q(c.name), " is run through ", q(w), ", which changes privileges"]),
} if {
	active
	some i, c in input.shell.commands
	some w in c.wrappers
	common.listed(lower(w), cfg.privilege_programs)
}

findings contains {
	"cmd": j,
	"outcome": "block",
	"code": "network_to_interpreter",
	"message": concat("", ["Output of ", q(a.name), " is piped into ", q(b.name), ": downloaded code would run unseen"]),
} if {
	active
	some i, a in input.shell.commands
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
	active
	some a in input.shell.commands
	network(a)
	a.origin in {"command_substitution", "process_substitution"}
	some j, b in input.shell.commands
	fed_interpreter(b)
}

fed_interpreter(b) if {
	shell_or_interpreter(b)
	b.dynamic == true
} else if {
	shell_or_interpreter(b)
	b.pipeline.position > 0
} else if {
	common.listed(prog(b), cfg.source_programs)
	b.dynamic == true
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "disk_wipe",
	"message": concat("", [q(c.name), " formats or wipes disks"]),
} if {
	active
	some i, c in input.shell.commands
	disk_program(c)
}

disk_program(c) if {
	common.listed(prog(c), cfg.disk_programs)
} else if {
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
	active
	some i, c in input.shell.commands
	some r in c.redirects
	writes(r)
	some p in redirect_candidates(r)
	block_device(p)
}

device_write(name, target) if {
	common.listed(name, cfg.disk_write_programs)
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
	active
	some i, c in input.shell.commands
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
	active
	some i, c in input.shell.commands
	common.listed(prog(c), cfg.netcat_programs)
	has_flag(c, cfg.netcat_exec_flags)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "reverse_shell",
	"message": concat("", [q(c.name), " is told to run a program for a network peer"]),
} if {
	active
	some i, c in input.shell.commands
	common.listed(prog(c), cfg.socat_programs)
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
	active
	some a in input.shell.commands
	network(a)
	some j, b in input.shell.commands
	shell_program(b)
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
	active
	some i, c in input.shell.commands
	c.origin == "function"
	c.name in input.shell.facts.functions
	spawns(c)
}

spawns(c) if {
	c.background == true
} else if {
	c.pipeline != null
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "system_power",
	"message": concat("", [q(c.name), " shuts down or restarts the machine"]),
} if {
	active
	some i, c in input.shell.commands
	common.listed(prog(c), cfg.power_programs)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "system_power",
	"message": concat("", [q(c.name), " ", q(sub), " shuts down or restarts the machine"]),
} if {
	active
	some i, c in input.shell.commands
	subcommands := cfg.power_subcommands[prog(c)]
	some sub in positionals(c)
	common.listed(sub, subcommands)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "kill_all",
	"message": concat("", [q(c.name), " kills every process"]),
} if {
	active
	some i, c in input.shell.commands
	common.listed(prog(c), cfg.kill_all_programs)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "kill_all",
	"message": concat("", [q(c.name), " signals ", q(t), " (init or every process)"]),
} if {
	active
	some i, c in input.shell.commands
	common.listed(prog(c), cfg.kill_programs)
	some t in kill_targets(c)
	common.listed(t, cfg.kill_protected_targets)
}

# kill's process operands: everything after the signal option (-9, -KILL, -s KILL) and --.
kill_targets(c) := {a | some j, a in c.args; j >= kill_first_target(c); a != "--"}

kill_first_target(c) := 2 if {
	common.listed(c.args[0], cfg.kill_signal_value_flags)
} else := 1 if {
	startswith(c.args[0], "-")
} else := 0

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "crontab_remove",
	"message": concat("", [q(c.name), " -r removes every scheduled job"]),
} if {
	active
	some i, c in input.shell.commands
	common.listed(prog(c), cfg.crontab_programs)
	has_flag(c, cfg.crontab_remove_flags)
}

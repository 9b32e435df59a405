# The shell family: every simple command of the text is judged; the text is allowed as
# read-only only when every command is. Findings carry the command index (`cmd`, -1 for the
# text as a whole) and either a fixed outcome or a per-environment kind.
package gateway.shell

import data.gateway.common

cfg := data.gateway.config.shell

active if {
	common.judgeable
	input.family == "shell"
	is_object(input.shell)
}

block contains {"code": f.code, "message": f.message} if {
	input.family == "shell"
	some f in findings
	f.outcome == "block"
}

escalate contains {"code": f.code, "message": f.message} if {
	input.family == "shell"
	some f in findings
	f.outcome == "escalate"
}

per_env contains f if {
	some f in findings
	f.kind
}

block contains r if {
	input.family == "shell"
	some r in common.routed(per_env, "block")
}

escalate contains r if {
	input.family == "shell"
	some r in common.routed(per_env, "escalate")
}

allow contains r if {
	input.family == "shell"
	some r in common.routed(per_env, "allow")
}

allow contains {"code": "read_only", "message": "Every command is read-only"} if {
	active
	input.shell.parse_error == null
	count(input.shell.commands) > 0
	count(read_only_commands) == count(input.shell.commands)
}

findings contains {
	"cmd": -1,
	"outcome": "block",
	"code": "unparseable_command",
	"message": concat("", ["The command cannot be parsed: ", input.shell.parse_error]),
} if {
	active
	is_string(input.shell.parse_error)
}

# Indexes of the read-only commands, judged once per decision.
read_only_commands := {i | some i, c in input.shell.commands; read_only(c)}

# Commands that no other rule judged are "other commands" of the environment table.
flagged := {f.cmd | some f in findings}

per_env contains {
	"kind": "shell_commands",
	"code": "shell_command",
	"message": concat("", [q(c.name), " is not a known read-only command"]),
	"allow_code": "sandboxed_command",
	"allow_message": concat("", [q(c.name), " is not a known read-only command; it runs sandboxed"]),
} if {
	active
	some i, c in input.shell.commands
	not i in read_only_commands
	not i in flagged
}

# Writes: redirects and programs that write (tee, cp, mv, rm, sed -i, dd of=, sort -o, …).
# A write inside the working directory is an ordinary mutation; outside it escalates; into a
# system location, through an unresolvable `..`, or onto a disk device it blocks.
package gateway.shell

import data.gateway.common

writes(r) if {
	r.writes == true
} else if {
	common.listed(r.op, cfg.write_redirect_ops)
} else if {
	common.listed(r.op, cfg.dup_redirect_ops)
	not fd_word(r.target)
}

fd_word(w) if {
	w == "-"
} else if {
	w != ""
	trim_left(w, "0123456789") == ""
}

# The paths a redirect may write: the normalizer's resolved path, plus cd-relative readings.
redirect_candidates(r) := {r.path} | based(r.target) if {
	is_string(r.path)
	path_kind(r.target) == "relative"
} else := {r.path} if {
	is_string(r.path)
	path_kind(r.target) == "absolute"
} else := candidates(r.target)

redirect_classes(r) := {classify(p) | some p in redirect_candidates(r)} | {"outside" |
	r.outside_cwd == true
	not harmless_path(r.path)
}

# Words a writing program writes to, by the program's mode in data (writers).
writer_targets(c, w) := {t | some t in positionals(c)} | target_dirs(c) if {
	w.mode == "all"
} else := target_dirs(c) if {
	w.mode == "last"
	count(target_dirs(c)) > 0
} else := {t | some t in positionals(c)} if {
	w.mode == "last"
	has_flag(c, object.get(w, "all_with_flags", []))
} else := {"."} if {
	w.mode == "last"
	count(positionals(c)) == 1
} else := {positionals(c)[count(positionals(c)) - 1]} if {
	w.mode == "last"
} else := {t | some t in sed_files(c)} if {
	w.mode == "script_then_files"
} else := {substring(a, 3, -1) | some a in c.args; startswith(a, "of=")} if {
	w.mode == "dd"
}

target_dirs(c) := flag_values(c, cfg.target_dir_flags)

# sed: the first operand is the script unless -e/-f gave it.
sed_files(c) := positionals(c) if {
	has_flag(c, value_flags(c))
} else := array.slice(positionals(c), 1, count(positionals(c)))

writer_applies(_, w) if not w.only_with_flags

writer_applies(c, w) if {
	some a in c.args
	some f in w.only_with_flags
	startswith(a, f)
}

writer_applies(c, w) if has_flag(c, w.only_with_flags)

recursive_or_forced(c) if {
	has_flag(c, cfg.recursive_delete_flags)
} else if {
	has_flag(c, cfg.force_delete_flags)
}

# find's starting points: words before the first expression word.
find_roots(c) := roots if {
	firsts := [i | some i, a in c.args; some p in ["-", "(", "!", ")", ","]; startswith(a, p)]
	roots := array.slice(c.args, 0, min(array.concat(firsts, [count(c.args)])))
	count(roots) > 0
} else := ["."]

# write_targets: {cmd, target, delete, sweeping (rm -r/-f, find -delete)}.
write_targets contains {"cmd": i, "target": t, "delete": object.get(w, "delete", false), "sweeping": sweeps(c, w)} if {
	active
	some i, c in input.shell.commands
	w := cfg.writers[prog(c)]
	writer_applies(c, w)
	some t0 in writer_targets(c, w)
	some t in placeholder_paths(c, t0)
}

# Words xargs appends come from stdin: what they name cannot be seen.
write_targets contains {"cmd": i, "target": "$(xargs input)", "delete": object.get(w, "delete", false), "sweeping": sweeps(c, w)} if {
	active
	some i, c in input.shell.commands
	c.origin == "xargs"
	w := cfg.writers[prog(c)]
	writer_applies(c, w)
}

# find -exec CMD {}: {} stands for what find finds below its starting points.
placeholder_paths(c, t) := {replace(t, "{}", root) |
	some f in input.shell.commands
	prog(f) == "find"
	some root in find_roots(f)
} if {
	c.origin == "find_exec"
	contains(t, "{}")
} else := {t}

write_targets contains {"cmd": i, "target": t, "delete": true, "sweeping": true} if {
	active
	some i, c in input.shell.commands
	prog(c) == "find"
	"-delete" in c.args
	some t in find_roots(c)
}

write_targets contains {"cmd": i, "target": t, "delete": false, "sweeping": false} if {
	active
	some i, c in input.shell.commands
	some t in flag_values(c, cfg.write_value_flags[prog(c)])
}

# A delete sweeps when recursive or forced (rm -r/-f); other writes never sweep.
sweeps(c, w) if {
	w.delete == true
	recursive_or_forced(c)
} else := false

write_verb(w) := " deletes " if {
	w.delete == true
} else := " writes to "

write_class_messages := {
	"system": "a system location",
	"traversal": "a path whose `..` cannot be resolved",
	"outside": "outside the working directory",
}

findings contains {
	"cmd": w.cmd,
	"outcome": "block",
	"code": "system_write",
	"message": concat("", [q(input.shell.commands[w.cmd].name), write_verb(w), q(w.target), ": ", write_class_messages.system]),
} if {
	some w in write_targets
	"system" in target_classes(w.target)
}

findings contains {
	"cmd": w.cmd,
	"outcome": "block",
	"code": "path_traversal",
	"message": concat("", [q(input.shell.commands[w.cmd].name), write_verb(w), q(w.target), ": ", write_class_messages.traversal]),
} if {
	some w in write_targets
	"traversal" in target_classes(w.target)
}

findings contains {
	"cmd": w.cmd,
	"outcome": "escalate",
	"code": "write_outside_cwd",
	"message": concat("", [q(input.shell.commands[w.cmd].name), write_verb(w), q(w.target), " ", write_class_messages.outside]),
} if {
	some w in write_targets
	"outside" in target_classes(w.target)
}

findings contains {
	"cmd": w.cmd,
	"kind": "mutations",
	"code": "shell_write",
	"message": concat("", [q(input.shell.commands[w.cmd].name), write_verb(w), q(w.target), " inside the working directory"]),
} if {
	some w in write_targets
	"inside" in target_classes(w.target)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "system_write",
	"message": concat("", [q(c.name), " redirects output to ", q(r.target), ": ", write_class_messages.system]),
} if {
	active
	some i, c in input.shell.commands
	some r in c.redirects
	writes(r)
	"system" in redirect_classes(r)
}

findings contains {
	"cmd": i,
	"outcome": "block",
	"code": "path_traversal",
	"message": concat("", [q(c.name), " redirects output to ", q(r.target), ": ", write_class_messages.traversal]),
} if {
	active
	some i, c in input.shell.commands
	some r in c.redirects
	writes(r)
	"traversal" in redirect_classes(r)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "write_outside_cwd",
	"message": concat("", [q(c.name), " redirects output to ", q(r.target), " ", write_class_messages.outside]),
} if {
	active
	some i, c in input.shell.commands
	some r in c.redirects
	writes(r)
	"outside" in redirect_classes(r)
}

findings contains {
	"cmd": i,
	"kind": "mutations",
	"code": "shell_write",
	"message": concat("", [q(c.name), " redirects output to ", q(r.target), " inside the working directory"]),
} if {
	active
	some i, c in input.shell.commands
	some r in c.redirects
	writes(r)
	"inside" in redirect_classes(r)
}

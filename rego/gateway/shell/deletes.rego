# Sweeping deletes (rm -r/-f, find -delete) of the filesystem root, a system or home directory,
# a glob at their level, or a path with `..` block; a target that starts with an expansion
# escalates because what it deletes cannot be seen.
package gateway.shell

import data.gateway.common

# The part of a path before its trailing wildcard components (/usr/* -> /usr).
swept_base(comps) := array.slice(comps, 0, k) if {
	k := min({j |
		some j in numbers.range(0, count(comps))
		every x in array.slice(comps, j, count(comps)) {
			wildcard(x)
		}
	})
}

dangerous_delete_path(p) if {
	path_kind(p) == "home"
	".." in components(p)
} else if {
	path_kind(p) == "home"
	count(swept_base(array.slice(components(p), 1, count(components(p))))) == 0
} else if {
	path_kind(p) == "absolute"
	".." in components(p)
} else if {
	path_kind(p) == "absolute"
	count(swept_base(components(p))) == 0
} else if {
	path_kind(p) == "absolute"
	common.listed(joined(swept_base(components(p))), cfg.protected_delete_paths)
}

# A wildcard before the last components (/*/bin, /u*/lib) may name any top directory.
dangerous_delete_path(p) if {
	path_kind(p) == "absolute"
	some x in swept_base(components(p))
	wildcard(x)
}

# A user's home directory (/home/alice).
dangerous_delete_path(p) if {
	path_kind(p) == "absolute"
	base := swept_base(components(p))
	count(base) == 2
	common.listed(joined([base[0]]), cfg.protected_delete_parents)
}

findings contains {
	"cmd": w.cmd,
	"outcome": "block",
	"code": "dangerous_delete",
	"message": concat("", [q(input.shell.commands[w.cmd].name), " deletes ", q(w.target), ": the filesystem root, a system or home directory"]),
} if {
	some w in write_targets
	w.sweeping
	some p in candidates(w.target)
	dangerous_delete_path(p)
}

findings contains {
	"cmd": w.cmd,
	"outcome": "escalate",
	"code": "dynamic_delete",
	"message": concat("", [q(input.shell.commands[w.cmd].name), " deletes ", q(w.target), ", which starts with an expansion: what it deletes cannot be seen"]),
} if {
	some w in write_targets
	w.sweeping
	path_kind(w.target) == "dynamic"
}

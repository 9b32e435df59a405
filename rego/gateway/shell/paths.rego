# Where a path word points: inside the working directory, outside it, a system location, or a
# path whose `..` cannot be resolved. Relative words are also read against every directory a
# `cd` in the same text may have moved to (order is not tracked: over-approximation).
package gateway.shell

import data.gateway.common

components(p) := [x | some x in split(p, "/"); x != ""; x != "."]

# A component that may expand to anything: glob, brace, parameter or command substitution.
wildcard(comp) if {
	some ch in ["*", "?", "[", "{", "$", "`"]
	contains(comp, ch)
}

home_path(p) if {
	some h in cfg.home_prefixes
	p == h
}

# ~ and ~user, with or without a path after them.
home_path(p) if {
	startswith(p, "~")
	trim_left(substring(split(p, "/")[0], 1, -1), concat("", [alnum, "._-"])) == ""
} else if {
	some h in cfg.home_prefixes
	startswith(p, concat("", [h, "/"]))
}

path_kind(p) := "home" if {
	home_path(p)
} else := "absolute" if {
	startswith(p, "/")
} else := "dynamic" if {
	expansion(p)
} else := "relative"

expansion(p) if {
	contains(p, "$")
} else if {
	contains(p, "`")
} else if {
	startswith(p, "~")
}

cwd := input.shell.cwd

harmless_path(p) if {
	common.listed(p, cfg.harmless_devices)
} else if {
	some prefix in cfg.harmless_device_prefixes
	startswith(p, prefix)
}

system_path(p) if {
	count(components(p)) == 0
} else if {
	wildcard(components(p)[0])
} else if {
	common.listed(components(p)[0], cfg.system_dirs)
}

inside_cwd(p) if {
	comps := components(p)
	base_comps := components(cwd)
	startswith(cwd, "/")
	count(comps) >= count(base_comps)
	array.slice(comps, 0, count(base_comps)) == base_comps
}

# classify(p): traversal | outside | harmless | system | inside, for a candidate path.
classify(p) := "traversal" if {
	path_kind(p) in {"absolute", "home"}
	".." in components(p)
} else := "outside" if {
	path_kind(p) != "absolute"
} else := "harmless" if {
	harmless_path(p)
} else := "system" if {
	system_path(p)
} else := "inside" if {
	inside_cwd(p)
} else := "outside"

# Directories a cd/pushd/env -C in the text may move to.
cd_bases contains b if {
	some c in input.shell.commands
	cfg.cwd_changers[prog(c)] == "positional"
	b := cd_target(c)
}

cd_bases contains b if {
	some c in input.shell.commands
	flags := cfg.cwd_changers[prog(c)]
	is_array(flags)
	some b in flag_values(c, flags)
}

# cd with no operand goes home.
cd_target(c) := positionals(c)[0] if {
	count(positionals(c)) > 0
} else := "$HOME"

unknown_directory := "$(unknown directory)"

# cd_dir(b): the directory a cd target names: absolute, home, resolved from cwd, or unknown.
cd_dir(b) := unknown_directory if {
	b == "-"
} else := b if {
	path_kind(b) in {"absolute", "home"}
} else := resolve_from(cwd, b) if {
	path_kind(b) == "relative"
} else := unknown_directory

cd_dirs := {cd_dir(b) | some b in cd_bases}

# Leading ".." components of a relative path.
leading_up(comps) := min({i | some i in numbers.range(0, count(comps)); not up_at(comps, i)})

up_at(comps, i) if comps[i] == ".."

joined(comps) := concat("", ["/", concat("/", comps)])

# resolve_from(base, t): relative t read from directory base. Leading ".." are resolved against
# an absolute base; any other ".." is reported as "/.." (a traversal).
resolve_from(base, t) := joined(array.concat(array.slice(bc, 0, max([0, count(bc) - k])), rest)) if {
	path_kind(base) == "absolute"
	tc := components(t)
	k := leading_up(tc)
	rest := array.slice(tc, k, count(tc))
	not ".." in rest
	bc := components(base)
	not ".." in bc
} else := "/.." if {
	path_kind(base) == "absolute"
} else := concat("/", [base, t]) if {
	path_kind(base) == "home"
	not ".." in components(t)
} else := "$(outside the working directory)"

based(t) := {resolve_from(d, t) | some d in cd_dirs}

# candidates(t): the paths a written word may name.
candidates(t) := {t} if {
	path_kind(t) != "relative"
} else := {resolve_from(cwd, t)} | based(t)

target_classes(t) := {classify(p) | some p in candidates(t)}

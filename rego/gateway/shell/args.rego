# Reading a command's words: options, option values and operands (positionals).
package gateway.shell

prog(c) := lower(c.name)

# Interpreter and shell names without version suffixes (python3.12 -> python).
base(c) := trim_right(prog(c), "0123456789.")

q(s) := concat("", ["`", s, "`"])

is_flag(a) if {
	startswith(a, "-")
	a != "-"
}

short_flag(f) if {
	count(f) == 2
	startswith(f, "-")
}

alnum := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# A cluster of short options such as -rf or -Bc (string functions: regexes are slow in wasm).
short_cluster(a) if {
	startswith(a, "-")
	count(a) > 1
	trim_left(substring(a, 1, -1), alnum) == ""
}

# matches(a, f): the word a sets option f exactly, as f=value, or inside a short cluster.
matches(a, f) if {
	a == f
} else if {
	startswith(a, concat("", [f, "="]))
} else if {
	short_flag(f)
	short_cluster(a)
	contains(substring(a, 1, -1), substring(f, 1, 1))
}

has_flag(c, flags) if {
	some a in c.args
	some f in flags
	matches(a, f)
}

value_flags(c) := object.get(cfg.value_flags, prog(c), [])

options_end(c) := i if {
	"--" in c.args
	i := min({j | some j, a in c.args; a == "--"})
} else := count(c.args)

# consumes_next(a, flags): option word a takes the next word as its value.
consumes_next(a, flags) if {
	a in flags
} else if {
	short_cluster(a)
	count(a) > 2
	concat("", ["-", substring(a, count(a) - 1, 1)]) in flags
}

positional(c, i) if positional_before(c, i, options_end(c), value_flags(c))

# positional_before(c, i, end, flags): word i is an operand when options end at index end and
# flags take a value (end and flags passed in: computed once per command, not per word).
positional_before(c, i, end, flags) if {
	i > end
	c.args[i]
} else if {
	i < end
	not is_flag(c.args[i])
	not value_of_previous(c, i, flags)
}

value_of_previous(c, i, flags) if {
	i > 0
	consumes_next(c.args[i - 1], flags)
}

# The operands of a command in order (options and their values left out).
positionals(c) := [a |
	end := options_end(c)
	flags := value_flags(c)
	some i, a in c.args
	positional_before(c, i, end, flags)
]

# The values given to any of flags: -o v, --out=v, -ov, -xo v.
flag_values(c, flags) := {v |
	some i, _ in c.args
	some f in flags
	v := flag_value(c.args, i, f)
}

flag_value(args, i, f) := args[i + 1] if {
	args[i] == f
} else := substring(args[i], count(f) + 1, -1) if {
	startswith(args[i], concat("", [f, "="]))
} else := substring(args[i], 2, -1) if {
	short_flag(f)
	startswith(args[i], f)
	count(args[i]) > 2
} else := args[i + 1] if {
	short_flag(f)
	short_cluster(args[i])
	endswith(args[i], substring(f, 1, 1))
}

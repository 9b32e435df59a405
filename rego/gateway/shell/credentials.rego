# Reading credential material (cloud, kube, ssh, .env, /proc/*/environ, …) escalates: judged on
# every argument and redirect target against the patterns in data.
package gateway.shell

command_words(c) := ({a | some a in c.args} | {r.target | some r in c.redirects}) | {r.path |
	some r in c.redirects
	is_string(r.path)
}

# The regex only runs when the word contains the pattern's marker and starts with one of its
# optional prefixes (regexes are compiled on every call in wasm).
credential_word(w) if {
	some k, marker in credential_markers
	contains(w, marker)
	pattern := cfg.credential_patterns[k]
	prefixed(w, pattern)
	regex.match(pattern.regex, w)
}

# The markers alone, read from data once per decision.
credential_markers := [p.marker | some p in cfg.credential_patterns]

prefixed(_, pattern) if not pattern.prefixes

prefixed(w, pattern) if {
	some prefix in pattern.prefixes
	startswith(w, prefix)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "credential_access",
	"message": concat("", [q(c.name), " touches credential material ", q(w)]),
} if {
	active
	some i, c in input.shell.commands
	some w in command_words(c)
	credential_word(w)
}

# A recursive read of a directory that holds credential material (a home directory, /home,
# /root, /proc or /) reads that material too: `grep -r AKIA ~`, `tar czf - /root`.
findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "credential_access",
	"message": concat("", [q(c.name), " reads ", q(p), " recursively, credential material included"]),
} if {
	active
	some i, c in input.shell.commands
	flags := cfg.recursive_readers[prog(c)]
	recursive(c, flags)
	some p in positionals(c)
	regex.match(cfg.credential_ancestors_regex, p)
}

# Readers listed with no flags always recurse into directories (rg, tar, rsync, …).
recursive(_, flags) if count(flags) == 0

recursive(c, flags) if has_flag(c, flags)

# Reading credential material (cloud, kube, ssh, .env, /proc/*/environ, …) escalates: judged on
# every argument and redirect target against the patterns in data.
package gateway.shell

command_words(c) := ({a | some a in c.args} | {r.target | some r in c.redirects}) | {r.path |
	some r in c.redirects
	is_string(r.path)
}

# The regex only runs when the word contains the pattern's marker (regexes are slow in wasm).
credential_word(w) if {
	some pattern in cfg.credential_patterns
	contains(w, pattern.marker)
	regex.match(pattern.regex, w)
}

findings contains {
	"cmd": i,
	"outcome": "escalate",
	"code": "credential_access",
	"message": concat("", [q(c.name), " touches credential material ", q(w)]),
} if {
	some i, c in input.shell.commands
	active
	some w in command_words(c)
	credential_word(w)
}

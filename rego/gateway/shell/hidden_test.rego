package gateway.shell_test

import data.gateway.testing as t

escalated(cmds, code) if {
	every env in t.envs {
		j := t.judge(t.shell(env, cmds))
		j.decision == "escalate"
		code in j.codes
	}
}

test_interpreter_one_liners_escalate_everywhere if {
	every c in [
		t.cmd("python3", ["-c", "print(1)"]),
		t.cmd("python3.12", ["-Bc", "print(1)"]),
		t.cmd("python", ["-c", "import os"]),
		t.cmd("perl", ["-e", "unlink 'x'"]),
		t.cmd("perl", ["-ne", "print"]),
		t.cmd("perl", ["-E", "say 1"]),
		t.cmd("node", ["-e", "1"]),
		t.cmd("node", ["--eval=1"]),
		t.cmd("node", ["-p", "1"]),
		t.cmd("ruby", ["-e", "1"]),
		t.cmd("php", ["-r", "echo 1;"]),
		t.cmd("lua", ["-e", "x"]),
		t.cmd("awk", ["{print $1}", "f"]),
		t.cmd("gawk", ["-F:", "{print}", "f"]),
	] {
		escalated([c], "interpreter_one_liner")
	}
}

test_script_files_escalate_everywhere if {
	every c in [
		t.cmd("sh", ["x.sh"]),
		t.cmd("bash", ["x"]),
		t.cmd("bash", ["-x", "deploy.sh", "prod"]),
		t.cmd("python", ["x.py"]),
		t.cmd("node", ["app.js"]),
		t.cmd("ruby", ["x.rb"]),
	] {
		escalated([c], "script_file")
	}
}

test_python_module_escalates if {
	escalated([t.cmd("python3", ["-m", "http.server"])], "script_file")
}

test_interpreter_version_query_is_an_ordinary_command if {
	t.judge(t.shell("dev", [t.cmd("python3", ["--version"])])) == {"decision": "allow", "codes": {"sandboxed_command"}}
}

test_shell_reading_a_script_from_a_pipe_escalates if {
	escalated([t.piped(t.cmd("cat", ["x"]), 0, 0, 2), t.piped(t.cmd("sh", []), 0, 1, 2)], "script_stdin")
	escalated([t.piped(t.cmd("cat", ["x"]), 0, 0, 2), t.piped(t.cmd("bash", ["-s", "arg"]), 0, 1, 2)], "script_stdin")
	escalated([t.piped(t.cmd("cat", ["x"]), 0, 0, 2), t.piped(t.cmd("python3", ["-"]), 0, 1, 2)], "script_stdin")
}

test_shell_reading_a_script_from_a_file_redirect_escalates if {
	escalated([t.set_fields(t.cmd("sh", []), {"redirects": [t.redirect("<", "x.sh", "/work/proj/x.sh", false, false)]})], "script_stdin")
	escalated([t.set_fields(t.cmd("python3", []), {"redirects": [t.redirect("<<", "EOF", null, false, false)]})], "script_stdin")
}

test_python_script_reading_data_from_a_pipe_is_a_script_not_stdin_code if {
	j := t.judge(t.shell("dev", [t.piped(t.cmd("cat", ["d"]), 0, 0, 2), t.piped(t.cmd("python3", ["f.py"]), 0, 1, 2)]))
	j.codes == {"script_file"}
}

test_source_escalates_everywhere if {
	escalated([t.cmd("source", ["env.sh"])], "source_script")
	escalated([t.cmd(".", ["./env.sh"])], "source_script")
}

test_non_literal_command_name_escalates_everywhere if {
	escalated([t.set_fields(t.cmd("", ["-rf", "/tmp/x"]), {"literal": false, "path": "$(echo rm)"})], "non_literal_command")
}

test_non_literal_fact_escalates if {
	every env in t.envs {
		j := t.judge(t.shell_doc(env, [t.cmd("ls", [])], {"non_literal_command": true}))
		j == {"decision": "escalate", "codes": {"non_literal_command"}}
	}
}

test_opaque_script_escalates_everywhere if {
	every env in t.envs {
		cmds := [t.set_fields(t.cmd("sh", ["-c", "$SCRIPT"]), {"dynamic": true})]
		j := t.judge(t.shell_doc(env, cmds, {"opaque": true}))
		j.decision == "escalate"
		"opaque_script" in j.codes
	}
}

test_opaque_sh_c_is_not_read_only_even_in_prod if {
	cmds := [t.set_fields(t.cmd("sh", ["-c", "$SCRIPT"]), {"dynamic": true})]
	t.judge(t.shell_doc("prod", cmds, {"opaque": true})) == {"decision": "escalate", "codes": {"opaque_script", "shell_command"}}
}

test_depth_exceeded_escalates_everywhere if {
	every env in t.envs {
		t.judge(t.shell_doc(env, [t.cmd("ls", [])], {"depth_exceeded": true})) == {"decision": "escalate", "codes": {"depth_exceeded"}}
	}
}

test_hidden_execution_options_escalate if {
	escalated([t.cmd("tar", ["--to-command=sh", "-xf", "a.tar"])], "hidden_execution")
	escalated([t.cmd("rsync", ["-e", "sh -c id", "a", "b:"])], "hidden_execution")
	escalated([t.cmd("trap", ["rm -rf ~", "EXIT"])], "hidden_execution")
	escalated([t.cmd("alias", ["ls=rm -rf ~"])], "hidden_execution")
}

test_trap_listing_is_not_hidden_execution if {
	not "hidden_execution" in t.judge(t.shell("dev", [t.cmd("trap", [])])).codes
}

test_dangerous_variables_escalate if {
	escalated([t.set_fields(t.cmd("ls", []), {"assigns": ["LD_PRELOAD"]})], "dangerous_environment")
	escalated([t.set_fields(t.cmd("ls", []), {"assigns": ["PATH"]})], "dangerous_environment")
	escalated([t.cmd("export", ["PATH=/tmp/evil:$PATH"]), t.cmd("ls", [])], "dangerous_environment")
	escalated([t.cmd("env", ["GIT_SSH_COMMAND=sh", "git", "fetch"]), t.wrapped(t.cmd("git", ["fetch"]), ["env"])], "dangerous_environment")
}

test_harmless_assignment_stays_read_only if {
	t.judge(t.shell("prod", [t.set_fields(t.cmd("sort", ["f"]), {"assigns": ["LC_ALL"]})])).decision == "allow"
	t.judge(t.shell("prod", [t.cmd("export", ["FOO=1"])])).decision == "allow"
}

test_interpreters_come_from_data if {
	j := t.judge(t.shell("dev", [t.cmd("mylang", ["-x", "code"])])) with data.gateway.config.shell.interpreters as {"mylang": ["-x"]}
	"interpreter_one_liner" in j.codes
}

text(env, command, cmds) := json.patch(t.shell(env, cmds), [{"op": "replace", "path": "/shell/command", "value": command}])

test_bare_assignment_of_path_escalates if {
	every env in t.envs {
		t.judge(text(env, "PATH=/tmp/evil:$PATH; ls", [t.cmd("ls", [])])) == {"decision": "escalate", "codes": {"dangerous_environment"}}
	}
	t.judge(text("prod", "cd x && LD_PRELOAD=/tmp/x.so\nls", [t.cmd("cd", ["x"]), t.cmd("ls", [])])).codes == {"dangerous_environment"}
}

test_text_mentioning_path_without_assigning_stays_read_only if {
	t.judge(text("prod", "echo $PATH", [t.cmd("echo", ["$PATH"])])).decision == "allow"
	t.judge(text("prod", "grep \"MYPATH=\" f", [t.cmd("grep", ["MYPATH=", "f"])])).decision == "allow"
}

test_printf_into_a_dangerous_variable_escalates if {
	t.judge(t.shell("prod", [t.cmd("printf", ["-v", "PATH", "%s", "/tmp"]), t.cmd("ls", [])])).codes == {"dangerous_environment"}
	t.judge(t.shell("prod", [t.cmd("printf", ["-v", "x", "%s", "1"])])).decision == "allow"
}

test_shell_run_by_xargs_escalates if {
	cmds := [
		t.piped(t.cmd("cat", ["cmds.txt"]), 0, 0, 2),
		t.piped(t.cmd("xargs", ["-I{}", "sh", "-c", "{}"]), 0, 1, 2),
		t.piped(t.set_fields(t.wrapped(t.cmd("sh", ["-c", "{}"]), ["xargs"]), {"origin": "xargs", "dynamic": true}), 0, 1, 2),
		t.set_fields(t.nested(t.cmd("{}", []), "shell_c"), {"depth": 2}),
	]
	j := t.judge(t.shell("dev", cmds))
	j.decision == "escalate"
	"hidden_execution" in j.codes
}

test_ripgrep_preprocessor_escalates if {
	t.judge(t.shell("prod", [t.cmd("rg", ["--pre", "sh", "x"])])).codes == {"hidden_execution"}
	t.judge(t.shell("prod", [t.cmd("rg", ["-n", "x"])])).decision == "allow"
}

test_shell_in_a_process_substitution_escalates if {
	cmds := [t.cmd("tee", [">(sh)"]), t.nested(t.cmd("sh", []), "process_substitution")]
	t.judge(t.shell("dev", cmds)).codes == {"script_stdin"}
	t.judge(t.shell("dev", cmds)).decision == "escalate"
}

test_bare_append_to_path_escalates if {
	t.judge(text("prod", "PATH+=:/tmp/evil; ls", [t.cmd("ls", [])])).codes == {"dangerous_environment"}
}

package gateway.shell_test

import data.gateway.testing as t

test_find_with_exec_is_not_read_only if {
	cmds := [t.cmd("find", [".", "-name", "*.log", "-exec", "cat", "{}", ";"]), t.nested(t.cmd("cat", ["{}"]), "find_exec")]
	t.judge(t.shell("prod", cmds)) == {"decision": "escalate", "codes": {"shell_command"}}
}

test_plain_find_is_read_only if {
	t.judge(t.shell("prod", [t.cmd("find", [".", "-name", "*.go", "-type", "f"])])).decision == "allow"
}

test_find_delete_in_cwd_is_a_mutation if {
	doc := t.shell("prod", [t.cmd("find", [".", "-name", "*.o", "-delete"])])
	t.judge(doc) == {"decision": "escalate", "codes": {"shell_write"}}
	t.judge(object.union(doc, {"environment": "dev"})) == {"decision": "allow", "codes": {"shell_write"}}
}

test_find_fprint_outside_cwd_escalates_in_dev if {
	t.judge(t.shell("dev", [t.cmd("find", [".", "-fprint", "/tmp/list"])])) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_sort_output_option_is_judged_as_a_write if {
	t.judge(t.shell("prod", [t.cmd("sort", ["-o", "sorted.txt", "in.txt"])])) == {"decision": "escalate", "codes": {"shell_write"}}
	t.judge(t.shell("dev", [t.cmd("sort", ["-o", "/etc/passwd", "in.txt"])])) == {"decision": "block", "codes": {"system_write"}}
	t.judge(t.shell("dev", [t.cmd("sort", ["--output=/etc/passwd", "in.txt"])])) == {"decision": "block", "codes": {"system_write"}}
}

test_sort_without_output_is_read_only if {
	t.judge(t.shell("prod", [t.cmd("sort", ["-u", "-k", "2", "in.txt"])])).decision == "allow"
}

test_sort_compress_program_escalates_everywhere if {
	t.judge(t.shell("dev", [t.cmd("sort", ["--compress-program=sh", "x"])])) == {"decision": "escalate", "codes": {"hidden_execution"}}
}

test_date_set_is_not_read_only if {
	t.judge(t.shell("prod", [t.cmd("date", ["-s", "2020-01-01"])])).decision == "escalate"
	t.judge(t.shell("prod", [t.cmd("date", ["+%s"])])).decision == "allow"
}

test_uniq_with_an_output_file_is_not_read_only if {
	t.judge(t.shell("prod", [t.cmd("uniq", ["in.txt", "out.txt"])])).decision == "escalate"
	t.judge(t.shell("prod", [t.cmd("uniq", ["-c", "in.txt"])])).decision == "allow"
}

test_redirect_to_dev_null_stays_read_only if {
	c := t.out(t.cmd("ls", ["missing"]), "/dev/null", "/dev/null", false)
	t.judge(t.shell("prod", [c])) == {"decision": "allow", "codes": {"read_only"}}
}

test_fd_duplication_stays_read_only if {
	c := t.set_fields(t.cmd("ls", []), {"redirects": [t.redirect(">&", "1", null, false, false)]})
	t.judge(t.shell("prod", [c])).decision == "allow"
}

test_dup_redirect_to_a_file_is_a_write if {
	c := t.set_fields(t.cmd("ls", []), {"redirects": [t.redirect(">&", "out.txt", "/work/proj/out.txt", false, false)]})
	t.judge(t.shell("prod", [c])) == {"decision": "escalate", "codes": {"shell_write"}}
}

test_echo_into_a_file_in_cwd_is_a_mutation if {
	c := t.out(t.cmd("echo", ["hi"]), "out.txt", "/work/proj/out.txt", false)
	t.judge(t.shell("dev", [c])) == {"decision": "allow", "codes": {"shell_write"}}
	t.judge(t.shell("staging", [c])) == {"decision": "escalate", "codes": {"shell_write"}}
	t.judge(t.shell("prod", [c])) == {"decision": "escalate", "codes": {"shell_write"}}
}

test_reading_from_a_file_stays_read_only if {
	c := t.set_fields(t.cmd("wc", ["-l"]), {"redirects": [t.redirect("<", "in.txt", "/work/proj/in.txt", false, false)]})
	t.judge(t.shell("prod", [c])).decision == "allow"
}

test_wrapper_with_visible_command_is_read_only if {
	cmds := [t.cmd("timeout", ["5", "cat", "x"]), t.wrapped(t.cmd("cat", ["x"]), ["timeout"])]
	t.judge(t.shell("prod", cmds)) == {"decision": "allow", "codes": {"read_only"}}
}

test_wrapper_whose_command_is_not_seen_is_not_read_only if {
	t.judge(t.shell("prod", [t.cmd("timeout", ["5", "something"])])).decision == "escalate"
}

test_env_without_a_command_is_read_only if {
	t.judge(t.shell("prod", [t.cmd("env", [])])).decision == "allow"
	t.judge(t.shell("prod", [t.cmd("env", ["-u", "FOO"])])).decision == "allow"
}

test_command_v_runs_nothing if {
	t.judge(t.shell("prod", [t.cmd("command", ["-v", "git"])])).decision == "allow"
}

test_wrapper_around_a_writer_is_judged_by_the_writer if {
	cmds := [t.cmd("nice", ["rm", "x"]), t.wrapped(t.cmd("rm", ["x"]), ["nice"])]
	t.judge(t.shell("prod", cmds)) == {"decision": "escalate", "codes": {"shell_write"}}
}

test_sh_c_with_a_visible_read_only_script_is_read_only if {
	cmds := [t.cmd("sh", ["-c", "ls | wc -l"]), t.piped(t.nested(t.cmd("ls", []), "shell_c"), 1, 0, 2), t.piped(t.nested(t.cmd("wc", ["-l"]), "shell_c"), 1, 1, 2)]
	t.judge(t.shell("prod", cmds)) == {"decision": "allow", "codes": {"read_only"}}
}

test_sh_c_with_a_visible_writer_is_judged_by_the_writer if {
	cmds := [t.cmd("bash", ["-lc", "rm -rf /"]), t.nested(t.cmd("rm", ["-rf", "/"]), "shell_c")]
	t.judge(t.shell("dev", cmds)).decision == "block"
	"dangerous_delete" in t.judge(t.shell("dev", cmds)).codes
}

test_shell_fed_a_literal_heredoc_is_judged_by_its_commands if {
	sh := t.set_fields(t.cmd("bash", []), {"redirects": [t.redirect("<<", "EOF", null, false, false)]})
	t.judge(t.shell("prod", [sh, t.nested(t.cmd("pwd", []), "heredoc")])) == {"decision": "allow", "codes": {"read_only"}}
}

test_non_literal_read_only_name_is_not_read_only if {
	c := t.set_fields(t.cmd("", []), {"literal": false, "path": "$CMD"})
	t.judge(t.shell("dev", [c])) == {"decision": "escalate", "codes": {"non_literal_command"}}
}

test_read_only_list_comes_from_data if {
	j := t.judge(t.shell("prod", [t.cmd("cat", ["x"])])) with data.gateway.config.shell.read_only_programs as ["ls"]
	j == {"decision": "escalate", "codes": {"shell_command"}}
}

test_yq_in_place_is_not_read_only if {
	t.judge(t.shell("prod", [t.cmd("yq", ["-i", ".a = 1", "x.yaml"])])).decision == "escalate"
	t.judge(t.shell("prod", [t.cmd("yq", [".a", "x.yaml"])])).decision == "allow"
}

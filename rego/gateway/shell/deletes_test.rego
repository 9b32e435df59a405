package gateway.shell_test

import data.gateway.testing as t

rm(env, args) := t.judge(t.shell(env, [t.cmd("rm", args)]))

test_block_rm_rf_root_in_every_environment if {
	every env in t.envs {
		rm(env, ["-rf", "/"]).decision == "block"
		"dangerous_delete" in rm(env, ["-rf", "/"]).codes
	}
}

test_block_rm_of_root_forms if {
	every args in [
		["-rf", "/*"], ["-r", "/"], ["-f", "/"], ["-fr", "//"], ["-Rf", "/."], ["--recursive", "/"],
		["-rf", "--no-preserve-root", "/"], ["-rf", "--", "/"], ["-rf", "/usr/.."], ["-rf", "/*/"],
	] {
		"dangerous_delete" in rm("dev", args).codes
	}
}

test_block_rm_of_home if {
	every target in ["$HOME", "$HOME/", "$HOME/*", "${HOME}", "~", "$HOME/..", "/home/alice", "/home/*", "/Users/bob/"] {
		"dangerous_delete" in rm("dev", ["-rf", target]).codes
	}
}

test_block_rm_of_system_directories if {
	every target in ["/etc", "/usr", "/var", "/usr/local", "/opt", "/home", "/var/lib"] {
		"dangerous_delete" in rm("dev", ["-rf", target]).codes
	}
}

test_rm_inside_a_home_subdirectory_escalates_but_does_not_block if {
	rm("dev", ["-rf", "$HOME/project/build"]) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_rm_rf_in_cwd_is_an_ordinary_mutation if {
	rm("dev", ["-rf", "build"]) == {"decision": "allow", "codes": {"shell_write"}}
	rm("dev", ["-rf", "*"]) == {"decision": "allow", "codes": {"shell_write"}}
	rm("prod", ["-rf", "build"]) == {"decision": "escalate", "codes": {"shell_write"}}
}

test_rm_rf_tmp_subdirectory_escalates if {
	rm("dev", ["-rf", "/tmp/build"]) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_rm_rf_of_an_expansion_escalates if {
	rm("dev", ["-rf", "$BUILD_DIR/"]).codes == {"dynamic_delete", "write_outside_cwd"}
}

test_rm_rf_with_an_empty_variable_below_home_dir_blocks if {
	"dangerous_delete" in rm("dev", ["-rf", "/home/$USER"]).codes
}

test_cd_root_then_rm_rf_star_blocks if {
	cmds := [t.cmd("cd", ["/"]), t.cmd("rm", ["-rf", "*"])]
	"dangerous_delete" in t.judge(t.shell("dev", cmds)).codes
}

test_find_root_delete_blocks if {
	t.judge(t.shell("dev", [t.cmd("find", ["/", "-name", "*.tmp", "-delete"])])).decision == "block"
}

test_sudo_rm_rf_root_blocks_for_both_reasons if {
	cmds := [t.cmd("sudo", ["rm", "-rf", "/"]), t.wrapped(t.cmd("rm", ["-rf", "/"]), ["sudo"])]
	j := t.judge(t.shell("dev", cmds))
	j.decision == "block"
	{"privilege_escalation", "dangerous_delete"} - j.codes == set()
}

test_protected_delete_paths_come_from_data if {
	j := rm("dev", ["-rf", "/data"]) with data.gateway.config.shell.protected_delete_paths as ["/data"]
	"dangerous_delete" in j.codes
}

test_rm_rf_of_parent_directories_up_to_root_blocks if {
	# cwd is /work/proj: ../.. is /
	"dangerous_delete" in rm("dev", ["-rf", "../.."]).codes
	"dangerous_delete" in rm("dev", ["-rf", "../../../*"]).codes
	rm("dev", ["-rf", "../other"]) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_dotdot_inside_a_relative_path_blocks_as_traversal if {
	"dangerous_delete" in rm("dev", ["-rf", "a/../../.."]).codes
	t.judge(t.shell("dev", [t.cmd("touch", ["a/../b"])])).codes == {"path_traversal"}
}

test_cd_up_then_rm_rf_star_blocks if {
	cmds := [t.cmd("cd", ["../.."]), t.cmd("rm", ["-rf", "*"])]
	"dangerous_delete" in t.judge(t.shell("dev", cmds)).codes
}

test_cd_up_then_rm_rf_sibling_escalates if {
	cmds := [t.cmd("cd", [".."]), t.cmd("rm", ["-rf", "other"])]
	t.judge(t.shell("dev", cmds)) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_rm_rf_of_another_users_home_blocks if {
	"dangerous_delete" in rm("dev", ["-rf", "~bob"]).codes
	"dangerous_delete" in rm("dev", ["-rf", "~root/"]).codes
}

test_find_exec_rm_from_root_blocks if {
	cmds := [t.cmd("find", ["/", "-exec", "rm", "-rf", "{}", "+"]), t.nested(t.cmd("rm", ["-rf", "{}"]), "find_exec")]
	j := t.judge(t.shell("dev", cmds))
	j.decision == "block"
	"dangerous_delete" in j.codes
}

test_find_exec_rm_in_cwd_is_an_ordinary_mutation if {
	cmds := [t.cmd("find", [".", "-name", "*.o", "-exec", "rm", "{}", ";"]), t.nested(t.cmd("rm", ["{}"]), "find_exec")]
	t.judge(t.shell("dev", cmds)) == {"decision": "allow", "codes": {"shell_write", "sandboxed_command"}}
}

test_xargs_rm_escalates_because_its_targets_come_from_stdin if {
	cmds := [
		t.piped(t.cmd("find", [".", "-name", "*.o"]), 0, 0, 2),
		t.piped(t.cmd("xargs", ["rm", "-f"]), 0, 1, 2),
		t.piped(t.set_fields(t.wrapped(t.cmd("rm", ["-f"]), ["xargs"]), {"origin": "xargs", "dynamic": true}), 0, 1, 2),
	]
	t.judge(t.shell("dev", cmds)) == {"decision": "escalate", "codes": {"dynamic_delete", "write_outside_cwd"}}
}

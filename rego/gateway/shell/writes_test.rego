package gateway.shell_test

import data.gateway.testing as t

test_writing_inside_cwd_follows_the_mutation_column if {
	cmds := [t.cmd("touch", ["notes.txt"])]
	t.judge(t.shell("dev", cmds)) == {"decision": "allow", "codes": {"shell_write"}}
	t.judge(t.shell("staging", cmds)) == {"decision": "escalate", "codes": {"shell_write"}}
	t.judge(t.shell("prod", cmds)) == {"decision": "escalate", "codes": {"shell_write"}}
}

test_writing_outside_cwd_escalates_everywhere if {
	every env in t.envs {
		t.judge(t.shell(env, [t.cmd("cp", ["a.txt", "/tmp/a.txt"])])) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
	}
}

test_redirect_outside_cwd_escalates_in_dev if {
	c := t.out(t.cmd("echo", ["x"]), "/tmp/x", "/tmp/x", true)
	t.judge(t.shell("dev", [c])) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_redirect_to_home_escalates_in_dev if {
	c := t.out(t.cmd("echo", ["x"]), "$HOME/.bashrc", "/root/.bashrc", true)
	t.judge(t.shell("dev", [c])) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_redirect_to_a_non_literal_target_escalates if {
	c := t.out(t.cmd("echo", ["x"]), "$OUT", null, true)
	t.judge(t.shell("dev", [c])) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_redirect_the_normalizer_marks_outside_escalates if {
	c := t.out(t.cmd("echo", ["x"]), "out.txt", "/work/proj/out.txt", true)
	t.judge(t.shell("dev", [c])).decision == "escalate"
}

test_writes_to_system_directories_block_in_dev if {
	every target in ["/etc/passwd", "/usr/bin/ls", "/var/lib/x", "/boot/vmlinuz", "/bin/sh", "/sbin/init", "/lib/x.so", "/lib64/x.so", "/sys/kernel/x", "/proc/sys/kernel/x", "/root/.bashrc", "/dev/sda1", "/"] {
		"system_write" in t.judge(t.shell("dev", [t.cmd("tee", [target])])).codes
		t.judge(t.shell("dev", [t.cmd("tee", [target])])).decision == "block"
	}
}

test_writing_programs_into_etc_block if {
	every c in [
		t.cmd("cp", ["hosts", "/etc/hosts"]),
		t.cmd("mv", ["/etc/passwd", "old"]),
		t.cmd("install", ["-m", "755", "tool", "/usr/local/bin/tool"]),
		t.cmd("install", ["-d", "/etc/app", "./x"]),
		t.cmd("ln", ["-sf", "x", "/etc/x"]),
		t.cmd("cp", ["-t", "/etc", "a", "b"]),
		t.cmd("cp", ["--target-directory=/etc", "a"]),
		t.cmd("sed", ["-i", "s/a/b/", "/etc/hosts"]),
		t.cmd("sed", ["-i.bak", "-e", "s/a/b/", "/etc/hosts"]),
		t.cmd("chmod", ["-R", "777", "/"]),
		t.cmd("chown", ["root:root", "/etc/shadow"]),
		t.cmd("truncate", ["-s", "0", "/var/log/syslog"]),
		t.cmd("touch", ["/etc/nologin"]),
		t.cmd("mkdir", ["-p", "/usr/lib/x"]),
		t.cmd("dd", ["if=x", "of=/etc/passwd"]),
		t.cmd("rm", ["/etc/hosts"]),
		t.cmd("curl", ["-o", "/usr/bin/x", "https://example.invalid/x"]),
	] {
		t.judge(t.shell("dev", [c])).decision == "block"
		"system_write" in t.judge(t.shell("dev", [c])).codes
	}
}

test_reading_from_a_system_directory_is_not_a_write if {
	t.judge(t.shell("dev", [t.cmd("cp", ["/etc/hosts", "hosts.copy"])])) == {"decision": "allow", "codes": {"shell_write"}}
	t.judge(t.shell("dev", [t.cmd("ln", ["-s", "/etc/hosts"])])) == {"decision": "allow", "codes": {"shell_write"}}
	t.judge(t.shell("dev", [t.cmd("touch", ["-r", "/etc/hosts", "stamp"])])) == {"decision": "allow", "codes": {"shell_write"}}
}

test_sed_script_is_not_a_target if {
	t.judge(t.shell("dev", [t.cmd("sed", ["-i", "/etc/d", "notes.txt"])])) == {"decision": "allow", "codes": {"shell_write"}}
}

test_sed_without_in_place_is_not_a_write if {
	t.judge(t.shell("prod", [t.cmd("sed", ["-n", "1,5p", "/etc/hosts"])])) == {"decision": "escalate", "codes": {"shell_command"}}
}

test_redirect_into_etc_blocks if {
	c := t.out(t.cmd("echo", ["x"]), "/etc/cron.d/job", "/etc/cron.d/job", true)
	t.judge(t.shell("dev", [c])).decision == "block"
	"system_write" in t.judge(t.shell("dev", [c])).codes
}

test_redirect_traversal_resolved_by_the_normalizer_blocks if {
	c := t.out(t.cmd("echo", ["x"]), "/tmp/../etc/passwd", "/etc/passwd", true)
	"system_write" in t.judge(t.shell("dev", [c])).codes
}

test_harmless_devices_are_not_writes if {
	every dev in ["/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/2"] {
		t.judge(t.shell("prod", [t.out(t.cmd("echo", ["x"]), dev, dev, false)])).decision == "allow"
	}
}

test_dotdot_in_an_absolute_write_target_blocks if {
	t.judge(t.shell("dev", [t.cmd("tee", ["/tmp/../etc/passwd"])])).codes == {"path_traversal"}
	t.judge(t.shell("dev", [t.cmd("tee", ["$HOME/../../etc/passwd"])])).codes == {"path_traversal"}
}

test_relative_parent_write_escalates if {
	t.judge(t.shell("dev", [t.cmd("touch", ["../sibling/x"])])) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_write_through_an_expansion_escalates if {
	t.judge(t.shell("dev", [t.cmd("cp", ["a", "$DEST"])])) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
	t.judge(t.shell("dev", [t.cmd("cp", ["a", "out/$NAME"])])) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_glob_at_the_top_level_counts_as_a_system_location if {
	t.judge(t.shell("dev", [t.cmd("chmod", ["777", "/e*"])])).decision == "block"
}

test_cd_to_etc_then_relative_write_blocks if {
	cmds := [t.cmd("cd", ["/etc"]), t.out(t.cmd("echo", ["x"]), "passwd", "/work/proj/passwd", false)]
	t.judge(t.shell("dev", cmds)).decision == "block"
	"system_write" in t.judge(t.shell("dev", cmds)).codes
}

test_cd_to_tmp_then_relative_write_escalates if {
	cmds := [t.cmd("cd", ["/tmp"]), t.cmd("touch", ["x"])]
	t.judge(t.shell("dev", cmds)) == {"decision": "escalate", "codes": {"write_outside_cwd"}}
}

test_cd_to_an_unknown_directory_then_write_escalates if {
	every dir in ["-", "..", "$DIR"] {
		t.judge(t.shell("dev", [t.cmd("cd", [dir]), t.cmd("touch", ["x"])])).codes == {"write_outside_cwd"}
	}
}

test_cd_to_a_subdirectory_keeps_writes_inside if {
	t.judge(t.shell("dev", [t.cmd("cd", ["src"]), t.cmd("touch", ["x"])])) == {"decision": "allow", "codes": {"shell_write"}}
}

test_env_chdir_counts_as_cd if {
	cmds := [t.cmd("env", ["-C", "/etc", "tee", "passwd"]), t.wrapped(t.cmd("tee", ["passwd"]), ["env"])]
	"system_write" in t.judge(t.shell("dev", cmds)).codes
}

test_cd_alone_is_read_only if {
	t.judge(t.shell("prod", [t.cmd("cd", ["src"]), t.cmd("ls", [])])).decision == "allow"
}

test_cwd_in_a_system_directory_makes_relative_writes_system_writes if {
	doc := json.patch(t.shell("dev", [t.cmd("touch", ["x"])]), [{"op": "replace", "path": "/shell/cwd", "value": "/etc"}])
	t.judge(doc).codes == {"system_write"}
}

test_system_directories_come_from_data if {
	j := t.judge(t.shell("dev", [t.cmd("tee", ["/opt/x"])])) with data.gateway.config.shell.system_dirs as ["opt"]
	j.codes == {"system_write"}
}

test_a_write_operator_counts_even_if_writes_is_false if {
	c := t.set_fields(t.cmd("ls", []), {"redirects": [t.redirect(">>", "/etc/profile", "/etc/profile", false, false)]})
	t.judge(t.shell("dev", [c])).codes == {"system_write"}
}

test_closing_a_descriptor_is_not_a_write if {
	c := t.set_fields(t.cmd("ls", []), {"redirects": [t.redirect(">&", "-", null, false, false)]})
	t.judge(t.shell("prod", [c])).decision == "allow"
}

test_backquoted_and_tilde_targets_are_not_inside_cwd if {
	t.judge(t.shell("dev", [t.cmd("touch", ["`pwd`/x"])])).codes == {"write_outside_cwd"}
	t.judge(t.shell("dev", [t.cmd("touch", ["~+/x"])])).codes == {"write_outside_cwd"}
}

test_cd_without_an_operand_goes_home if {
	t.judge(t.shell("dev", [t.cmd("cd", []), t.cmd("touch", ["x"])])).codes == {"write_outside_cwd"}
}

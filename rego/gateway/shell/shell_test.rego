package gateway.shell_test

import data.gateway.testing as t

test_cat_readme_is_allowed_in_prod if {
	t.judge(t.shell("prod", [t.cmd("cat", ["README.md"])])) == {"decision": "allow", "codes": {"read_only"}}
}

test_read_only_commands_are_allowed_in_every_environment if {
	every env in t.envs {
		t.judge(t.shell(env, [t.cmd("ls", ["-la"])])).decision == "allow"
	}
}

test_ls_piped_into_grep_is_allowed if {
	cmds := [t.piped(t.cmd("ls", ["-la"]), 0, 0, 2), t.piped(t.cmd("grep", ["foo"]), 0, 1, 2)]
	t.judge(t.shell("prod", cmds)) == {"decision": "allow", "codes": {"read_only"}}
}

test_grep_for_sudo_su_in_notes_is_a_grep if {
	t.judge(t.shell("prod", [t.cmd("grep", ["-n", "sudo su", "notes.md"])])) == {"decision": "allow", "codes": {"read_only"}}
}

test_echo_of_rm_rf_root_is_an_echo if {
	t.judge(t.shell("prod", [t.cmd("echo", ["rm -rf /"])])) == {"decision": "allow", "codes": {"read_only"}}
}

test_git_log_oneline_is_allowed_in_prod if {
	t.judge(t.shell("prod", [t.cmd("git", ["log", "--oneline"])])) == {"decision": "allow", "codes": {"read_only"}}
}

test_other_command_runs_sandboxed_in_dev if {
	t.judge(t.shell("dev", [t.cmd("make", ["build"])])) == {"decision": "allow", "codes": {"sandboxed_command"}}
}

test_other_command_escalates_in_staging_and_prod if {
	every env in ["staging", "prod"] {
		t.judge(t.shell(env, [t.cmd("make", ["build"])])) == {"decision": "escalate", "codes": {"shell_command"}}
	}
}

test_one_other_command_among_read_only_ones_decides if {
	cmds := [t.cmd("ls", []), t.cmd("npm", ["test"]), t.cmd("cat", ["x"])]
	t.judge(t.shell("prod", cmds)) == {"decision": "escalate", "codes": {"shell_command"}}
	t.judge(t.shell("dev", cmds)) == {"decision": "allow", "codes": {"sandboxed_command"}}
}

test_unparseable_command_blocks if {
	doc := json.patch(t.shell("dev", []), [{"op": "replace", "path": "/shell/parse_error", "value": "unclosed quote"}])
	d := t.decide(doc)
	d.decision == "block"
	d.reasons == [{"code": "unparseable_command", "message": "The command cannot be parsed: unclosed quote"}]
}

test_empty_command_list_is_not_allowed if {
	t.judge(t.shell("dev", [])) == {"decision": "block", "codes": {"no_rule_allowed"}}
}

test_a_command_judged_by_a_rule_gets_no_generic_reason if {
	# rm in prod: its write is the reason, not "not a known read-only command"
	t.judge(t.shell("prod", [t.cmd("rm", ["build.log"])])) == {"decision": "escalate", "codes": {"shell_write"}}
}

test_unknown_environment_blocks_even_read_only_commands if {
	t.judge(t.shell("qa", [t.cmd("ls", [])])) == {"decision": "block", "codes": {"unknown_environment"}}
}

test_invalid_environment_setting_blocks_with_invalid_config if {
	j := t.judge(t.shell("dev", [t.cmd("make", [])])) with data.gateway.config.environments.dev.shell_commands as "sometimes"
	j == {"decision": "block", "codes": {"invalid_config"}}
}

test_environment_setting_comes_from_data if {
	j := t.judge(t.shell("prod", [t.cmd("make", [])])) with data.gateway.config.environments.prod.shell_commands as "allow"
	j == {"decision": "allow", "codes": {"sandboxed_command"}}
}

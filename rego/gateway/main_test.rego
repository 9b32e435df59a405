package gateway_test

import data.gateway.testing as t

ls(env) := t.shell(env, [t.cmd("ls", [])])

test_decision_has_the_output_shape if {
	d := t.decide(ls("prod"))
	object.keys(d) == {"decision", "reasons", "environment", "family", "execution"}
	d.environment == "prod"
	d.family == "shell"
	d.reasons == [{"code": "read_only", "message": "Every command is read-only"}]
}

test_execution_settings_come_from_the_environment if {
	t.decide(ls("dev")).execution.approval_ttl_seconds == 3600
	t.decide(ls("staging")).execution.approval_ttl_seconds == 1800
	t.decide(ls("prod")).execution.approval_ttl_seconds == 900
	every env in t.envs {
		x := t.decide(ls(env)).execution
		x.shell_timeout_seconds == 60
		x.shell_max_timeout_seconds == 600
		x.shell_network == false
		x.terraform_plan_timeout_seconds == 600
		x.terraform_apply_timeout_seconds == 1800
		x.plan_ttl_seconds == 3600
		is_number(x.max_output_bytes)
		is_number(x.kubectl_timeout_seconds)
	}
}

test_unknown_environment_has_empty_execution if {
	d := t.decide(ls("qa"))
	d.execution == {}
	d.decision == "block"
}

test_empty_input_blocks_as_invalid_input if {
	d := t.decide({})
	d.decision == "block"
	"invalid_input" in {r.code | some r in d.reasons}
	d.execution == {}
	not d.environment
}

test_non_object_inputs_block_as_invalid_input if {
	every doc in ["rm -rf /", 42, [1, 2], null, true] {
		d := t.decide(doc)
		d.decision == "block"
		"invalid_input" in {r.code | some r in d.reasons}
	}
}

test_wrong_field_types_block_as_invalid_input if {
	every patch in [
		{"op": "replace", "path": "/environment", "value": 7},
		{"op": "replace", "path": "/tool", "value": null},
		{"op": "replace", "path": "/family", "value": "ssh"},
		{"op": "replace", "path": "/errors", "value": "none"},
		{"op": "replace", "path": "/shell/commands", "value": {"0": "ls"}},
		{"op": "replace", "path": "/shell/commands/0/args", "value": "-la"},
		{"op": "replace", "path": "/shell/commands/0/literal", "value": "yes"},
		{"op": "replace", "path": "/shell/commands/0/pipeline", "value": {"id": "0"}},
		{"op": "replace", "path": "/shell/commands/0/redirects", "value": [{"op": ">"}]},
		{"op": "remove", "path": "/shell/facts"},
		{"op": "replace", "path": "/shell/facts/opaque", "value": "false"},
		{"op": "remove", "path": "/shell/cwd"},
		{"op": "replace", "path": "/shell", "value": "ls"},
		{"op": "remove", "path": "/kubectl"},
		{"op": "remove", "path": "/time"},
	] {
		d := t.decide(json.patch(ls("dev"), [patch]))
		d.decision == "block"
		"invalid_input" in {r.code | some r in d.reasons}
	}
}

test_malformed_input_never_allows_even_if_the_command_is_read_only if {
	d := t.decide(json.patch(ls("dev"), [{"op": "add", "path": "/shell/commands/0/wrappers", "value": [1]}]))
	d.decision == "block"
	{r.code | some r in d.reasons} == {"invalid_input"}
}

test_missing_family_section_blocks if {
	d := t.decide(json.patch(ls("dev"), [{"op": "replace", "path": "/shell", "value": null}]))
	{r.code | some r in d.reasons} == {"invalid_input"}
}

test_reasons_are_sorted_by_code_then_message_and_deduplicated if {
	cmds := [
		t.cmd("sudo", ["rm", "-rf", "/"]),
		t.wrapped(t.cmd("rm", ["-rf", "/"]), ["sudo"]),
		t.cmd("sudo", ["rm", "-rf", "/"]),
		t.cmd("crontab", ["-r"]),
	]
	reasons := t.decide(t.shell("dev", cmds)).reasons
	pairs := [[r.code, r.message] | some r in reasons]
	pairs == sort(pairs)
	count(pairs) == count({p | some p in pairs})
	[r.code | some r in reasons] == ["crontab_remove", "dangerous_delete", "privilege_escalation", "privilege_escalation", "system_write"]
}

test_block_reasons_hide_escalate_and_allow_reasons if {
	cmds := [t.cmd("reboot", []), t.cmd("python3", ["-c", "1"]), t.cmd("ls", [])]
	t.judge(t.shell("dev", cmds)) == {"decision": "block", "codes": {"system_power"}}
}

test_escalate_reasons_hide_allow_reasons if {
	cmds := [t.cmd("python3", ["-c", "1"]), t.cmd("make", [])]
	t.judge(t.shell("dev", cmds)) == {"decision": "escalate", "codes": {"interpreter_one_liner"}}
}

test_nothing_allowed_blocks_with_no_rule_allowed if {
	d := t.decide(t.shell("dev", []))
	d.reasons == [{"code": "no_rule_allowed", "message": "No policy rule allowed this request"}]
}

test_family_and_environment_are_echoed_only_when_strings if {
	d := t.decide(json.patch(ls("dev"), [{"op": "replace", "path": "/family", "value": 3}]))
	not d.family
	d.environment == "dev"
}

package gateway.common_test

import data.gateway.testing as t

ls(env) := t.shell(env, [t.cmd("ls", [])])

test_normalization_errors_block_with_their_code_and_message if {
	doc := json.patch(ls("dev"), [{"op": "replace", "path": "/errors", "value": [
		{"code": "invalid_args", "message": "command: Required"},
		{"code": "normalize_failed", "message": "boom"},
	]}])
	d := t.decide(doc)
	d.decision == "block"
	d.reasons == [
		{"code": "invalid_args", "message": "command: Required"},
		{"code": "normalize_failed", "message": "boom"},
	]
}

test_errors_with_a_null_section_block_without_invalid_input if {
	doc := object.union(t.base("dev", "gateway_shell_exec", "shell"), {"errors": [{"code": "invalid_args", "message": "x"}]})
	t.judge(doc) == {"decision": "block", "codes": {"invalid_args"}}
}

test_unsupported_input_version_blocks if {
	every v in [2, 0, "1", null] {
		d := t.decide(object.union(ls("dev"), {"version": v}))
		d.decision == "block"
		"unsupported_input_version" in {r.code | some r in d.reasons}
	}
}

test_missing_version_blocks if {
	doc := json.patch(ls("dev"), [{"op": "remove", "path": "/version"}])
	t.judge(doc) == {"decision": "block", "codes": {"unsupported_input_version"}}
}

test_unknown_family_blocks_as_unknown_tool if {
	doc := object.union(t.base("dev", "gateway_frobnicate", "unknown"), {"errors": [{"code": "unknown_tool", "message": "Expected a gateway tool name"}]})
	t.judge(doc) == {"decision": "block", "codes": {"unknown_tool"}}
}

test_tool_the_family_does_not_know_blocks if {
	doc := object.union(ls("dev"), {"tool": "gateway_shell_sudo"})
	t.judge(doc) == {"decision": "block", "codes": {"unknown_tool"}}
}

test_tool_of_another_family_blocks if {
	doc := object.union(ls("dev"), {"tool": "gateway_kubectl_get"})
	"unknown_tool" in t.judge(doc).codes
}

test_gateway_family_is_not_judged if {
	doc := t.base("dev", "gateway_status", "gateway")
	t.judge(doc) == {"decision": "block", "codes": {"unknown_tool"}}
}

test_unknown_environment_blocks_with_the_known_names if {
	d := t.decide(ls("production"))
	d.reasons == [{"code": "unknown_environment", "message": "Environment `production` is not configured (known: dev, prod, staging)"}]
}

test_environments_come_from_data if {
	d := t.decide(ls("qa")) with data.gateway.config.environments.qa as {"shell_commands": "allow", "execution": {"shell_timeout_seconds": 5}}
	d.decision == "allow"
	d.execution == {"shell_timeout_seconds": 5}
}

test_environment_without_execution_settings_has_empty_execution if {
	d := t.decide(ls("qa")) with data.gateway.config.environments.qa as {"shell_commands": "allow"}
	d.execution == {}
}

test_error_entries_that_are_not_code_and_message_are_malformed if {
	doc := object.union(ls("dev"), {"errors": [{"code": 1}]})
	"invalid_input" in t.judge(doc).codes
}

test_malformed_terraform_section_blocks if {
	doc := t.terraform("dev", "gateway_terraform_plan", "plan", false, null)
	every patch in [
		{"op": "replace", "path": "/terraform/operation", "value": "import"},
		{"op": "replace", "path": "/terraform/destroy", "value": "no"},
		{"op": "replace", "path": "/terraform/plan", "value": []},
	] {
		t.judge(json.patch(doc, [patch])) == {"decision": "block", "codes": {"invalid_input"}}
	}
}

test_malformed_shell_section_blocks if {
	every patch in [
		{"op": "replace", "path": "/shell/command", "value": ["ls"]},
		{"op": "replace", "path": "/shell/parse_error", "value": false},
	] {
		t.judge(json.patch(ls("dev"), [patch])) == {"decision": "block", "codes": {"invalid_input"}}
	}
}

test_malformed_kubectl_section_blocks if {
	doc := t.kubectl("dev", "gateway_kubectl_get", "get", {})
	every patch in [
		{"op": "replace", "path": "/kubectl/mutating", "value": 0},
		{"op": "replace", "path": "/kubectl/objects", "value": {}},
		{"op": "replace", "path": "/kubectl/target", "value": {"kind": "Pod"}},
	] {
		t.judge(json.patch(doc, [patch])) == {"decision": "block", "codes": {"invalid_input"}}
	}
}

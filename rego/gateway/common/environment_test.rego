package gateway.common_test

import data.gateway.common

findings := {
	{"kind": "mutations", "code": "c1", "message": "m1"},
	{"kind": "shell_commands", "code": "c2", "message": "m2", "allow_code": "a2", "allow_message": "am2"},
	{"kind": "nonsense", "code": "c3", "message": "m3"},
}

test_routed_findings_follow_the_environment if {
	common.routed(findings, "allow") == {{"code": "c1", "message": "m1"}, {"code": "a2", "message": "am2"}} with input as {"environment": "dev"}
	common.routed(findings, "escalate") == {{"code": "c1", "message": "m1"}, {"code": "c2", "message": "m2"}} with input as {"environment": "prod"}
}

test_a_kind_the_environment_lacks_blocks_as_invalid_config if {
	blocks := common.routed(findings, "block") with input as {"environment": "prod"}
	blocks == {{"code": "invalid_config", "message": "Environment `prod` has no valid setting `nonsense` (expected allow, escalate or block)"}}
}

test_nothing_is_routed_in_an_unknown_environment if {
	every o in ["allow", "escalate", "block"] {
		common.routed(findings, o) == set() with input as {"environment": "qa"}
	}
}

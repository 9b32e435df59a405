package gateway.terraform_test

import data.gateway.testing as t

bucket_create := t.created("aws_s3_bucket", "logs", {"bucket": "logs", "force_destroy": false})

test_plan_without_a_plan_is_allowed_everywhere if {
	every env in t.envs {
		t.judge(t.terraform(env, "gateway_terraform_plan", "plan", false, null)) == {"decision": "allow", "codes": {"terraform_plan_requested"}}
	}
}

test_destroy_plan_request_follows_the_destroy_column if {
	t.judge(t.terraform("dev", "gateway_terraform_plan", "plan", true, null)) == {"decision": "escalate", "codes": {"terraform_destroy"}}
	t.judge(t.terraform("staging", "gateway_terraform_destroy", "destroy", true, null)) == {"decision": "escalate", "codes": {"terraform_destroy"}}
	t.judge(t.terraform("prod", "gateway_terraform_destroy", "destroy", true, null)) == {"decision": "block", "codes": {"terraform_destroy"}}
}

test_destroy_operation_counts_even_without_the_flag if {
	t.judge(t.terraform("prod", "gateway_terraform_destroy", "destroy", false, null)) == {"decision": "block", "codes": {"terraform_destroy"}}
}

test_apply_without_a_plan_blocks if {
	every env in t.envs {
		t.judge(t.apply(env, null)) == {"decision": "block", "codes": {"plan_required"}}
	}
}

test_errored_plan_blocks if {
	p := object.union(t.plan([bucket_create]), {"errored": true})
	t.judge(t.apply("dev", p)) == {"decision": "block", "codes": {"plan_errored"}}
}

test_empty_plan_is_allowed_everywhere if {
	p := t.plan([t.change("aws_s3_bucket", "logs", "no-op", {"bucket": "logs"}, {"bucket": "logs"})])
	every env in t.envs {
		t.judge(t.apply(env, p)) == {"decision": "allow", "codes": {"no_changes"}}
	}
}

test_plan_claiming_empty_with_changes_is_judged_by_its_changes if {
	p := object.union(t.plan([bucket_create]), {"empty": true})
	t.judge(t.apply("prod", p)) == {"decision": "escalate", "codes": {"terraform_changes"}}
}

test_data_source_reads_are_not_changes if {
	p := t.plan([object.union(t.change("aws_iam_policy_document", "x", "read", null, {}), {"mode": "data"})])
	t.judge(t.apply("prod", p)) == {"decision": "allow", "codes": {"no_changes"}}
}

test_changes_follow_the_mutation_column if {
	p := t.plan([bucket_create])
	t.judge(t.apply("dev", p)) == {"decision": "allow", "codes": {"terraform_changes"}}
	t.judge(t.apply("staging", p)) == {"decision": "escalate", "codes": {"terraform_changes"}}
	t.judge(t.apply("prod", p)) == {"decision": "escalate", "codes": {"terraform_changes"}}
}

test_change_message_counts_actions if {
	p := t.plan([
		bucket_create,
		t.change("aws_instance", "a", "update", {}, {}),
		t.change("aws_instance", "b", "replace", {}, {}),
	])
	{"code": "terraform_changes", "message": "The plan changes 3 resources: 1 to create, 1 to update, 0 to delete, 1 to replace"} in t.decide(t.apply("prod", p)).reasons
}

test_reviewing_a_plan_with_the_plan_tool_judges_it if {
	p := t.plan([bucket_create])
	t.judge(t.terraform("prod", "gateway_terraform_plan", "plan", false, p)) == {"decision": "escalate", "codes": {"terraform_changes"}}
}

test_get_plan_is_read_only_whatever_the_plan_holds if {
	p := t.plan([t.deleted("aws_ebs_volume", "data", {"id": "vol-1"})])
	every env in t.envs {
		t.judge(t.terraform(env, "gateway_get_plan", "get_plan", false, p)) == {"decision": "allow", "codes": {"read_only"}}
	}
}

test_tool_and_operation_must_agree if {
	doc := t.terraform("dev", "gateway_get_plan", "apply", false, t.plan([bucket_create]))
	j := t.judge(doc)
	j.decision == "block"
	"invalid_input" in j.codes
}

test_replace_is_judged_like_a_delete if {
	p := t.plan([t.change("aws_db_instance", "db", "replace", {"skip_final_snapshot": true, "backup_retention_period": 0}, {"skip_final_snapshot": true})])
	reasons := t.decide(t.apply("staging", p)).reasons
	{"code": "unrecoverable_data_loss", "message": "`aws_db_instance.db` is replaced (deleted and created again) with skip_final_snapshot and no retained automated backups: its data cannot be recovered"} in reasons
	t.judge(t.apply("prod", p)).decision == "block"
}

test_malformed_plan_blocks_as_invalid_input if {
	doc := json.patch(t.apply("dev", t.plan([bucket_create])), [{"op": "replace", "path": "/terraform/plan/resource_changes/0/before", "value": "x"}])
	t.judge(doc) == {"decision": "block", "codes": {"invalid_input"}}
}

test_provisioners_escalate_and_block_in_prod if {
	p := object.union(t.plan([bucket_create]), {"provisioners": [{"address": "module.m.terraform_data.x", "type": "local-exec"}]})
	d := t.decide(t.apply("dev", p))
	d.decision == "escalate"
	some r in d.reasons
	r == {"code": "terraform_provisioner", "message": "`module.m.terraform_data.x` has a local-exec provisioner: it runs a command on the gateway host, outside the sandbox, with terraform's credentials"}
	t.judge(t.apply("staging", p)) == {"decision": "escalate", "codes": {"terraform_changes", "terraform_provisioner"}}
	t.judge(t.apply("prod", p)) == {"decision": "block", "codes": {"terraform_provisioner"}}
}

test_provisioners_count_even_when_nothing_changes if {
	p := object.union(t.plan([]), {"provisioners": [{"address": "terraform_data.x", "type": "remote-exec"}]})
	d := t.decide(t.apply("dev", p))
	d.decision == "escalate"
	some r in d.reasons
	r.message == "`terraform_data.x` has a remote-exec provisioner: it connects from the gateway host to run or copy something elsewhere"
}

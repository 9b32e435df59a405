# Compact plans mirroring /work/shared/fixtures/terraform-plans/*.json as the normalizer
# renders them (resource_changes[i] -> {address, mode, type, name, actions, action, before, after}).
package gateway.terraform_test

import data.gateway.testing as t

rds_plan := t.plan([
	t.deleted("aws_db_instance", "main", {
		"identifier": "recourse-test-db", "engine": "postgres", "skip_final_snapshot": true,
		"deletion_protection": false, "backup_retention_period": 0, "multi_az": false,
	}),
	t.deleted("aws_db_instance", "protected", {
		"identifier": "recourse-test-db-protected", "engine": "postgres", "skip_final_snapshot": false,
		"final_snapshot_identifier": "recourse-test-final-snapshot", "deletion_protection": true,
		"backup_retention_period": 7,
	}),
])

dynamodb_plan := t.plan([
	t.deleted("aws_dynamodb_table", "unprotected", {
		"name": "recourse-test-unprotected", "point_in_time_recovery": [{"enabled": false}],
		"deletion_protection_enabled": false,
	}),
	t.deleted("aws_dynamodb_table", "protected", {
		"name": "recourse-test-protected", "point_in_time_recovery": [{"enabled": true}],
		"deletion_protection_enabled": true,
	}),
])

kms_plan := t.plan([
	t.deleted("aws_kms_key", "short_window", {"key_id": "1234abcd", "deletion_window_in_days": 7, "enable_key_rotation": false}),
	t.deleted("aws_kms_key", "long_window", {"key_id": "5678efgh", "deletion_window_in_days": 30, "enable_key_rotation": true}),
	t.deleted("aws_s3_bucket", "encrypted", {"bucket": "recourse-test-encrypted-a1b2c3d4"}),
	t.deleted("aws_db_instance", "encrypted", {
		"identifier": "recourse-test-encrypted", "storage_encrypted": true, "skip_final_snapshot": true,
		"deletion_protection": false, "backup_retention_period": 0,
	}),
])

# s3-no-versioning-destroy-full.json: force_destroy false on both buckets, versioning resources
# deleted in the same plan, objects deleted.
s3_plan := t.plan([
	t.deleted("aws_s3_bucket", "unversioned", {"bucket": "recourse-test-unversioned-1fdbf208", "force_destroy": false, "versioning": [{"enabled": false, "mfa_delete": false}]}),
	t.deleted("aws_s3_bucket", "versioned", {"bucket": "recourse-test-versioned-1fdbf208", "force_destroy": false, "versioning": [{"enabled": true, "mfa_delete": false}]}),
	t.deleted("aws_s3_bucket_versioning", "unversioned", {"bucket": "recourse-test-unversioned-1fdbf208", "versioning_configuration": [{"mfa_delete": "", "status": "Disabled"}]}),
	t.deleted("aws_s3_bucket_versioning", "versioned", {"bucket": "recourse-test-versioned-1fdbf208", "versioning_configuration": [{"mfa_delete": "", "status": "Enabled"}]}),
	t.deleted("aws_s3_object", "test_data_1", {"bucket": "recourse-test-unversioned-1fdbf208", "key": "important-data/config.json"}),
	t.deleted("aws_s3_object", "test_data_2", {"bucket": "recourse-test-unversioned-1fdbf208", "key": "backups/2024-01-15.sql"}),
	t.deleted("aws_s3_object", "versioned_data", {"bucket": "recourse-test-versioned-1fdbf208", "key": "important-data/config.json"}),
	t.deleted("random_id", "bucket_suffix", {"hex": "1fdbf208"}),
])

ec2_plan := t.plan([t.deleted("aws_instance", "web", {"id": "i-0123", "instance_type": "t3.micro"})])

iam_plan := t.plan([
	t.deleted("aws_iam_role", "lambda_exec", {"name": "lambda-exec-role", "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}),
	t.deleted("aws_iam_policy", "lambda_logging", {"name": "lambda-logging", "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogGroup\"],\"Resource\":\"*\"}]}"}),
])

vpc_plan := t.plan([
	t.deleted("aws_vpc", "main", {"cidr_block": "10.0.0.0/16"}),
	t.deleted("aws_subnet", "public", {"cidr_block": "10.0.1.0/24"}),
	t.deleted("aws_internet_gateway", "main", {}),
])

unrecoverable_addresses(doc) := {msg_address(r.message) |
	some r in t.decide(doc).reasons
	r.code == "unrecoverable_data_loss"
}

msg_address(message) := split(message, "`")[1]

test_rds_without_final_snapshot_blocks_in_prod if {
	t.judge(t.apply_destroy("prod", rds_plan)) == {"decision": "block", "codes": {"terraform_destroy", "unrecoverable_data_loss"}}
	unrecoverable_addresses(t.apply("prod", rds_plan)) == {"aws_db_instance.main"}
}

test_rds_without_final_snapshot_escalates_in_dev_and_staging if {
	every env in ["dev", "staging"] {
		j := t.judge(t.apply(env, rds_plan))
		j.decision == "escalate"
		{"unrecoverable_data_loss", "deletion_protected"} - j.codes == set()
	}
}

test_rds_message_names_the_address_and_why if {
	reasons := t.decide(t.apply("staging", rds_plan)).reasons
	{"code": "unrecoverable_data_loss", "message": "`aws_db_instance.main` is deleted with skip_final_snapshot and no retained automated backups: its data cannot be recovered"} in reasons
	{"code": "deletion_protected", "message": "`aws_db_instance.protected` has deletion_protection set: terraform will fail to delete it"} in reasons
	{"code": "resource_deleted", "message": "`aws_db_instance.protected` is deleted"} in reasons
}

test_dynamodb_without_pitr_is_unrecoverable if {
	unrecoverable_addresses(t.apply("staging", dynamodb_plan)) == {"aws_dynamodb_table.unprotected"}
	t.judge(t.apply("prod", dynamodb_plan)).decision == "block"
	"deletion_protected" in t.judge(t.apply("dev", dynamodb_plan)).codes
}

test_kms_key_with_a_short_window_and_the_db_it_encrypts_are_unrecoverable if {
	unrecoverable_addresses(t.apply("staging", kms_plan)) == {"aws_kms_key.short_window", "aws_db_instance.encrypted"}
	t.judge(t.apply("prod", kms_plan)).decision == "block"
}

test_s3_objects_in_a_bucket_whose_versioning_is_deleted_are_unrecoverable if {
	unrecoverable_addresses(t.apply("staging", s3_plan)) == {"aws_s3_object.test_data_1", "aws_s3_object.test_data_2", "aws_s3_object.versioned_data"}
	t.judge(t.apply_destroy("prod", s3_plan)).decision == "block"
}

test_ec2_instance_delete_is_a_recoverable_mutation_in_dev if {
	t.judge(t.apply("dev", ec2_plan)) == {"decision": "allow", "codes": {"terraform_changes", "resource_deleted"}}
	t.judge(t.apply("staging", ec2_plan)) == {"decision": "escalate", "codes": {"terraform_changes", "resource_deleted"}}
	t.judge(t.apply("prod", ec2_plan)) == {"decision": "escalate", "codes": {"terraform_changes", "resource_deleted"}}
}

test_ec2_destroy_follows_the_destroy_column if {
	t.judge(t.apply_destroy("dev", ec2_plan)).decision == "escalate"
	t.judge(t.apply_destroy("staging", ec2_plan)).decision == "escalate"
	t.judge(t.apply_destroy("prod", ec2_plan)) == {"decision": "block", "codes": {"terraform_destroy"}}
}

test_deleting_iam_policies_is_not_permission_widening if {
	not "permission_widening" in t.judge(t.apply("dev", iam_plan)).codes
	t.judge(t.apply("dev", iam_plan)).decision == "allow"
}

test_vpc_deletion_is_recoverable if {
	unrecoverable_addresses(t.apply("staging", vpc_plan)) == set()
	t.judge(t.apply("dev", vpc_plan)).decision == "allow"
}

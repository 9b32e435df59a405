package gateway.terraform_test

import data.gateway.testing as t

unrecoverable(rcs) := unrecoverable_addresses(t.apply("staging", t.plan(rcs)))

test_rds_with_skip_final_snapshot_and_default_backup_deletion_is_unrecoverable if {
	unrecoverable([t.deleted("aws_db_instance", "db", {"skip_final_snapshot": true, "backup_retention_period": 7})]) == {"aws_db_instance.db"}
}

test_rds_keeping_automated_backups_is_recoverable if {
	unrecoverable([t.deleted("aws_db_instance", "db", {"skip_final_snapshot": true, "backup_retention_period": 7, "delete_automated_backups": false})]) == set()
}

test_rds_with_a_final_snapshot_is_recoverable if {
	unrecoverable([t.deleted("aws_rds_cluster", "c", {"skip_final_snapshot": false, "backup_retention_period": 0})]) == set()
}

test_rds_cluster_without_snapshot_or_backups_is_unrecoverable if {
	unrecoverable([t.deleted("aws_rds_cluster", "c", {"skip_final_snapshot": true, "backup_retention_period": 0, "delete_automated_backups": false})]) == {"aws_rds_cluster.c"}
}

test_s3_force_destroy_without_versioning_is_unrecoverable if {
	unrecoverable([t.deleted("aws_s3_bucket", "b", {"bucket": "b", "force_destroy": true})]) == {"aws_s3_bucket.b"}
}

test_s3_force_destroy_deletes_versions_too if {
	unrecoverable([t.deleted("aws_s3_bucket", "b", {"bucket": "b", "force_destroy": true, "versioning": [{"enabled": true}]})]) == {"aws_s3_bucket.b"}
}

test_s3_bucket_without_force_destroy_is_recoverable if {
	unrecoverable([t.deleted("aws_s3_bucket", "b", {"bucket": "b", "force_destroy": false})]) == set()
}

test_s3_object_in_a_bucket_versioned_by_a_kept_versioning_resource_is_recoverable if {
	rcs := [
		t.deleted("aws_s3_object", "o", {"bucket": "b", "key": "k"}),
		t.change("aws_s3_bucket_versioning", "b", "no-op", {"bucket": "b", "versioning_configuration": [{"status": "Enabled"}]}, {"bucket": "b", "versioning_configuration": [{"status": "Enabled"}]}),
	]
	unrecoverable(rcs) == set()
}

test_s3_object_in_a_bucket_with_its_own_versioning_is_recoverable if {
	rcs := [
		t.deleted("aws_s3_object", "o", {"bucket": "b", "key": "k"}),
		t.change("aws_s3_bucket", "b", "update", {"bucket": "b"}, {"bucket": "b", "versioning": [{"enabled": true}]}),
	]
	unrecoverable(rcs) == set()
}

test_s3_versioning_resource_deleted_in_the_same_plan_does_not_protect if {
	rcs := [
		t.deleted("aws_s3_bucket", "b", {"bucket": "b", "force_destroy": true}),
		t.deleted("aws_s3_bucket_versioning", "b", {"bucket": "b", "versioning_configuration": [{"status": "Enabled"}]}),
	]
	unrecoverable(rcs) == {"aws_s3_bucket.b"}
}

test_s3_suspended_versioning_does_not_protect if {
	rcs := [
		t.deleted("aws_s3_object", "o", {"bucket": "b", "key": "k"}),
		t.change("aws_s3_bucket_versioning", "b", "no-op", {"bucket": "b", "versioning_configuration": [{"status": "Suspended"}]}, {"bucket": "b", "versioning_configuration": [{"status": "Suspended"}]}),
	]
	unrecoverable(rcs) == {"aws_s3_object.o"}
}

test_dynamodb_pitr_makes_deletion_recoverable if {
	unrecoverable([t.deleted("aws_dynamodb_table", "t", {"point_in_time_recovery": [{"enabled": true}]})]) == set()
	unrecoverable([t.deleted("aws_dynamodb_table", "t", {"name": "t"})]) == {"aws_dynamodb_table.t"}
}

test_deleting_snapshots_and_backups_is_unrecoverable if {
	every type in ["aws_db_snapshot", "aws_db_cluster_snapshot", "aws_ebs_snapshot", "aws_backup_vault", "aws_backup_recovery_point", "aws_rds_cluster_snapshot"] {
		unrecoverable([t.deleted(type, "x", {})]) == {concat(".", [type, "x"])}
	}
}

test_deleting_an_ebs_volume_is_unrecoverable if {
	unrecoverable([t.deleted("aws_ebs_volume", "data", {"id": "vol-1"})]) == {"aws_ebs_volume.data"}
}

test_kms_window_threshold_comes_from_data if {
	rcs := [t.deleted("aws_kms_key", "k", {"deletion_window_in_days": 10})]
	unrecoverable(rcs) == {"aws_kms_key.k"}
	unrecoverable(rcs) == set() with data.gateway.config.terraform.kms_min_deletion_window_days as 7
}

test_kms_key_without_a_window_uses_the_default if {
	unrecoverable([t.deleted("aws_kms_key", "k", {"key_id": "x"})]) == set()
}

test_kms_message_names_the_window if {
	p := t.plan([t.deleted("aws_kms_key", "k", {"deletion_window_in_days": 7})])
	{"code": "unrecoverable_data_loss", "message": "`aws_kms_key.k` is deleted with a deletion window of 7 days, below the minimum of 30: the key and the data it encrypts may be lost"} in t.decide(t.apply("dev", p)).reasons
}

test_secret_without_recovery_window_is_unrecoverable if {
	unrecoverable([t.deleted("aws_secretsmanager_secret", "s", {"recovery_window_in_days": 0})]) == {"aws_secretsmanager_secret.s"}
	unrecoverable([t.deleted("aws_secretsmanager_secret", "s", {"recovery_window_in_days": 7})]) == set()
}

test_instance_and_its_snapshot_deleted_together_are_unrecoverable if {
	rcs := [
		t.deleted("aws_db_instance", "db", {"identifier": "app", "skip_final_snapshot": false, "backup_retention_period": 7}),
		t.deleted("aws_db_snapshot", "nightly", {"db_instance_identifier": "app"}),
	]
	unrecoverable(rcs) == {"aws_db_instance.db", "aws_db_snapshot.nightly"}
}

test_snapshot_of_another_instance_does_not_taint_the_instance if {
	rcs := [
		t.deleted("aws_db_instance", "db", {"identifier": "app", "skip_final_snapshot": false}),
		t.deleted("aws_db_snapshot", "other", {"db_instance_identifier": "other"}),
	]
	unrecoverable(rcs) == {"aws_db_snapshot.other"}
}

test_backup_vault_deleted_with_backed_up_resources_taints_them if {
	rcs := [
		t.deleted("aws_backup_vault", "v", {"name": "v"}),
		t.deleted("aws_dynamodb_table", "t", {"point_in_time_recovery": [{"enabled": true}]}),
	]
	unrecoverable(rcs) == {"aws_backup_vault.v", "aws_dynamodb_table.t"}
}

test_deletion_protection_escalates_everywhere if {
	p := t.plan([t.deleted("aws_instance", "x", {"deletion_protection": true})])
	t.judge(t.apply("dev", p)) == {"decision": "escalate", "codes": {"deletion_protected"}}
}

test_recoverable_deletes_follow_their_column if {
	p := t.plan([t.deleted("aws_instance", "x", {})])
	t.judge(t.apply("dev", p)) == {"decision": "allow", "codes": {"terraform_changes", "resource_deleted"}}
	j := t.judge(t.apply("dev", p)) with data.gateway.config.environments.dev.recoverable_deletes as "escalate"
	j == {"decision": "escalate", "codes": {"resource_deleted"}}
}

test_type_lists_come_from_data if {
	rcs := [t.deleted("aws_instance", "x", {})]
	unrecoverable(rcs) == {"aws_instance.x"} with data.gateway.config.terraform.data_volume_types as ["aws_instance"]
}

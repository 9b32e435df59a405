# Whether a deleted (or replaced) resource's data can be brought back. unrecoverable[address]
# is the set of reasons it cannot; type lists and thresholds come from data.
package gateway.terraform

import data.gateway.common

deleted(rc) if common.listed(rc.action, cfg.delete_actions)

unrecoverable[rc.address] contains "with skip_final_snapshot and no retained automated backups: its data cannot be recovered" if {
	some rc in deletions
	common.listed(rc.type, cfg.final_snapshot_types)
	rc.before.skip_final_snapshot == true
	backups_deleted(rc.before)
}

backups_deleted(before) if before.backup_retention_period == 0

backups_deleted(before) if object.get(before, "delete_automated_backups", true) == true

unrecoverable[rc.address] contains "with force_destroy and no versioning: its objects cannot be recovered" if {
	some rc in deletions
	common.listed(rc.type, cfg.bucket_types)
	rc.before.force_destroy == true
	not versioned(object.get(rc.before, "bucket", ""))
}

unrecoverable[rc.address] contains concat("", ["from bucket `", object.get(rc.before, "bucket", "(unknown)"), "`, which keeps no versioning after this plan: the object cannot be recovered"]) if {
	some rc in deletions
	common.listed(rc.type, cfg.bucket_object_types)
	not versioned(object.get(rc.before, "bucket", ""))
}

# Versioning protects objects only through resources that stay: the bucket's own versioning
# block or an aws_s3_bucket_versioning resource. A bucket or versioning resource deleted in the
# same plan does not protect (force_destroy deletes every object version).
versioned(bucket) if {
	some rc in tf.plan.resource_changes
	common.listed(rc.type, cfg.bucket_types)
	not deleted(rc)
	rc.after.bucket == bucket
	some v in rc.after.versioning
	v.enabled == true
}

versioned(bucket) if {
	some rc in tf.plan.resource_changes
	common.listed(rc.type, cfg.bucket_versioning_types)
	not deleted(rc)
	versioning_enabled(rc.after, bucket)
}

versioning_enabled(attrs, bucket) if {
	attrs.bucket == bucket
	some vc in attrs.versioning_configuration
	vc.status == "Enabled"
}

unrecoverable[rc.address] contains "without point-in-time recovery: its items cannot be recovered" if {
	some rc in deletions
	common.listed(rc.type, cfg.pitr_types)
	not pitr_enabled(rc.before)
}

pitr_enabled(before) if {
	some p in before.point_in_time_recovery
	p.enabled == true
}

unrecoverable[rc.address] contains "and it is a backup or snapshot: deleting it cannot be undone" if {
	some rc in deletions
	common.listed(rc.type, cfg.backup_types)
}

unrecoverable[rc.address] contains "and the data on it is lost with it" if {
	some rc in deletions
	common.listed(rc.type, cfg.data_volume_types)
}

unrecoverable[rc.address] contains concat("", [
	"with a deletion window of ", window_text(rc.before), " days, below the minimum of ",
	format_int(cfg.kms_min_deletion_window_days, 10), ": the key and the data it encrypts may be lost",
]) if {
	some rc in deletions
	common.listed(rc.type, cfg.kms_key_types)
	not long_enough_window(rc.before)
}

kms_window(before) := object.get(before, "deletion_window_in_days", cfg.kms_default_deletion_window_days)

long_enough_window(before) if kms_window(before) >= cfg.kms_min_deletion_window_days

window_text(before) := format_int(kms_window(before), 10) if is_number(kms_window(before))

else := "(unknown)"

unrecoverable[rc.address] contains "with recovery_window_in_days 0: the secret is deleted at once" if {
	some rc in deletions
	common.listed(rc.type, cfg.secret_types)
	rc.before.recovery_window_in_days == 0
}

# An instance and its backups deleted in the same plan: nothing is left to restore from.
unrecoverable[rc.address] contains concat("", ["together with its backup `", backup.address, "`: nothing is left to restore from"]) if {
	some link in cfg.backup_links
	some rc in deletions
	rc.type == link.source_type
	some backup in deletions
	backup.type == link.backup_type
	backup.before[link.backup_attribute] == rc.before[link.source_attribute]
}

unrecoverable[rc.address] contains concat("", ["together with the backup vault `", vault.address, "`: its backups may be lost"]) if {
	some vault in deletions
	common.listed(vault.type, cfg.backup_vault_types)
	some rc in deletions
	common.listed(rc.type, cfg.vault_protected_types)
}

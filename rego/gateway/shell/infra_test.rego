package gateway.shell_test

import data.gateway.testing as t

test_raw_terraform_apply_escalates_and_blocks_in_prod if {
	cmds := [t.cmd("terraform", ["apply", "-auto-approve"])]
	t.judge(t.shell("dev", cmds)) == {"decision": "escalate", "codes": {"raw_terraform_mutation"}}
	t.judge(t.shell("staging", cmds)) == {"decision": "escalate", "codes": {"raw_terraform_mutation"}}
	t.judge(t.shell("prod", cmds)) == {"decision": "block", "codes": {"raw_terraform_mutation"}}
}

test_raw_terraform_mutations_are_recognised if {
	every args in [
		["destroy"], ["-chdir=infra", "apply"], ["import", "aws_s3_bucket.b", "b"], ["state", "rm", "x"],
		["state", "mv", "a", "b"], ["state", "push", "f"], ["taint", "x"], ["untaint", "x"],
		["force-unlock", "id"], ["workspace", "delete", "old"],
	] {
		t.judge(t.shell("prod", [t.cmd("terraform", args)])).codes == {"raw_terraform_mutation"}
	}
	t.judge(t.shell("prod", [t.cmd("tofu", ["apply"])])).codes == {"raw_terraform_mutation"}
}

test_raw_terraform_reads_are_ordinary_commands if {
	every args in [["plan"], ["show"], ["validate"], ["fmt", "-check"], ["version"], ["output"], ["state", "list"], ["state", "show", "x"]] {
		t.judge(t.shell("dev", [t.cmd("terraform", args)])) == {"decision": "allow", "codes": {"sandboxed_command"}}
		t.judge(t.shell("prod", [t.cmd("terraform", args)])) == {"decision": "escalate", "codes": {"shell_command"}}
	}
}

test_raw_kubectl_mutations_escalate_and_block_in_prod if {
	every args in [
		["apply", "-f", "x.yaml"], ["-n", "prod", "delete", "pod", "x"], ["exec", "-it", "p", "--", "sh"],
		["rollout", "restart", "deploy/x"], ["scale", "deploy/x", "--replicas=0"], ["edit", "cm", "x"],
		["port-forward", "svc/x", "8080"], ["drain", "node-1"], ["label", "pod", "x", "a=b"],
	] {
		t.judge(t.shell("dev", [t.cmd("kubectl", args)])) == {"decision": "escalate", "codes": {"raw_kubectl_mutation"}}
		t.judge(t.shell("prod", [t.cmd("kubectl", args)])) == {"decision": "block", "codes": {"raw_kubectl_mutation"}}
	}
}

test_raw_kubectl_reads_are_ordinary_commands if {
	every args in [["get", "pods"], ["rollout", "status", "deploy/x"], ["-n", "delete", "get", "pods"], ["logs", "p"]] {
		t.judge(t.shell("dev", [t.cmd("kubectl", args)])) == {"decision": "allow", "codes": {"sandboxed_command"}}
	}
}

test_kubectl_get_secrets_escalates if {
	every args in [["get", "secrets"], ["get", "secret", "db", "-o", "yaml"], ["-n", "x", "get", "secret/db"], ["get", "pods,secrets"]] {
		t.judge(t.shell("dev", [t.cmd("kubectl", args)])) == {"decision": "escalate", "codes": {"secret_read"}}
	}
}

test_helm_mutations_are_raw_mutations if {
	every args in [["install", "x", "chart"], ["upgrade", "--install", "x", "chart"], ["uninstall", "x"], ["rollback", "x", "1"]] {
		t.judge(t.shell("prod", [t.cmd("helm", args)])) == {"decision": "block", "codes": {"raw_helm_mutation"}}
	}
	t.judge(t.shell("dev", [t.cmd("helm", ["list"])])) == {"decision": "allow", "codes": {"sandboxed_command"}}
}

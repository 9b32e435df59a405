package gateway.kubectl_test

import data.gateway.testing as t

pod(ns) := t.kobj("Pod", "pods", "web-1", ns)

deploy(ns) := t.kobj("Deployment", "deployments", "web", ns)

get(env, o) := t.judge(t.on_target(env, "gateway_kubectl_get", "get", o, {}))

test_get_logs_describe_are_allowed_everywhere if {
	every env in t.envs {
		get(env, pod("default")) == {"decision": "allow", "codes": {"read_only"}}
		t.judge(t.on_target(env, "gateway_kubectl_logs", "logs", pod("default"), {"tail": 100})) == {"decision": "allow", "codes": {"read_only"}}
		t.judge(t.on_target(env, "gateway_kubectl_describe", "describe", deploy("kube-system"), {})) == {"decision": "allow", "codes": {"read_only"}}
	}
}

test_reading_secrets_escalates_everywhere if {
	every env in t.envs {
		get(env, t.kobj("Secret", "secrets", null, "default")) == {"decision": "escalate", "codes": {"secret_read"}}
	}
}

test_read_flagged_as_mutating_is_not_allowed if {
	doc := t.on_target("dev", "gateway_kubectl_get", "get", pod("default"), {"mutating": true})
	t.judge(doc) == {"decision": "block", "codes": {"no_rule_allowed"}}
}

apply_web(env) := t.kapply(env, [deploy("web")], {})

scale_web(env) := t.on_target(env, "gateway_kubectl_scale", "scale", deploy("web"), {"replicas": 3})

test_apply_follows_the_mutation_column if {
	t.judge(apply_web("dev")) == {"decision": "allow", "codes": {"kubectl_mutation"}}
	t.judge(apply_web("staging")) == {"decision": "escalate", "codes": {"kubectl_mutation"}}
	t.judge(apply_web("prod")) == {"decision": "escalate", "codes": {"kubectl_mutation"}}
}

test_apply_dry_run_is_allowed_everywhere if {
	every env in t.envs {
		t.judge(t.kapply(env, [deploy("kube-system"), t.kobj("Secret", "secrets", "s", "web"), t.kobj("ClusterRole", "clusterroles", "r", null)], {"dry_run": true})) == {"decision": "allow", "codes": {"dry_run"}}
	}
}

test_apply_dry_run_still_blocks_on_input_errors if {
	doc := object.union(t.kapply("dev", [deploy("web")], {"dry_run": true}), {"errors": [{"code": "invalid_manifest", "message": "bad"}]})
	t.judge(doc) == {"decision": "block", "codes": {"invalid_manifest"}}
}

test_apply_of_a_secret_escalates if {
	t.judge(t.kapply("dev", [t.kobj("Secret", "secrets", "db", "web")], {})) == {"decision": "escalate", "codes": {"secret_write"}}
}

test_apply_of_cluster_scoped_kinds_escalates if {
	every o in [
		t.kobj("ClusterRoleBinding", "clusterrolebindings", "admin", null),
		t.kobj("CustomResourceDefinition", "customresourcedefinitions", "x.example.com", null),
		t.kobj("ValidatingWebhookConfiguration", "validatingwebhookconfigurations", "w", null),
		t.kobj("StorageClass", "storageclasses", "fast", null),
	] {
		t.judge(t.kapply("dev", [o], {})) == {"decision": "escalate", "codes": {"cluster_scoped_object"}}
	}
}

test_apply_of_an_unknown_kind_escalates if {
	o := object.union(t.kobj("Widget", "widgets", "w", null), {"known": false, "cluster_scoped": true})
	t.judge(t.kapply("dev", [o], {})) == {"decision": "escalate", "codes": {"unknown_kind"}}
}

test_apply_into_a_protected_namespace_escalates if {
	every ns in ["kube-system", "cert-manager", "monitoring", "vault"] {
		t.judge(t.kapply("dev", [deploy(ns)], {})) == {"decision": "escalate", "codes": {"protected_namespace"}}
	}
}

test_apply_of_a_protected_namespace_object_escalates if {
	t.judge(t.kapply("dev", [t.kobj("Namespace", "namespaces", "kube-system", null)], {})).codes == {"protected_namespace", "cluster_scoped_object"}
}

test_scale_follows_the_mutation_column if {
	t.judge(scale_web("dev")) == {"decision": "allow", "codes": {"kubectl_mutation"}}
	t.judge(scale_web("prod")) == {"decision": "escalate", "codes": {"kubectl_mutation"}}
}

test_scale_to_zero_escalates_everywhere if {
	every env in t.envs {
		doc := t.on_target(env, "gateway_kubectl_scale", "scale", deploy("web"), {"replicas": 0})
		j := t.judge(doc)
		j.decision == "escalate"
		"scale_to_zero" in j.codes
	}
}

test_delete_escalates_everywhere if {
	every env in t.envs {
		t.judge(t.on_target(env, "gateway_kubectl_delete", "delete", pod("web"), {})) == {"decision": "escalate", "codes": {"kubectl_delete"}}
	}
}

test_delete_of_a_namespace_blocks if {
	every env in t.envs {
		doc := t.on_target(env, "gateway_kubectl_delete", "delete", t.kobj("Namespace", "namespaces", "web", null), {})
		t.judge(doc) == {"decision": "block", "codes": {"namespace_delete"}}
	}
}

test_delete_of_data_carrying_resources_has_its_own_code if {
	cases := {
		"secret_delete": t.kobj("Secret", "secrets", "s", "web"),
		"volume_claim_delete": t.kobj("PersistentVolumeClaim", "persistentvolumeclaims", "data", "web"),
		"volume_delete": t.kobj("PersistentVolume", "persistentvolumes", "pv-1", null),
		"crd_delete": t.kobj("CustomResourceDefinition", "customresourcedefinitions", "x.example.com", null),
	}
	every code, o in cases {
		t.judge(t.on_target("dev", "gateway_kubectl_delete", "delete", o, {})) == {"decision": "escalate", "codes": {"kubectl_delete", code}}
	}
}

test_delete_in_a_protected_namespace_escalates if {
	t.judge(t.on_target("dev", "gateway_kubectl_delete", "delete", pod("kube-system"), {})) == {"decision": "escalate", "codes": {"kubectl_delete", "protected_namespace"}}
}

test_exec_escalates_everywhere if {
	every env in t.envs {
		doc := t.on_target(env, "gateway_kubectl_exec", "exec", pod("web"), {"command": ["ls"]})
		t.judge(doc) == {"decision": "escalate", "codes": {"kubectl_exec"}}
	}
}

test_exec_in_a_protected_namespace_blocks if {
	doc := t.on_target("dev", "gateway_kubectl_exec", "exec", pod("kube-system"), {"command": ["sh"]})
	t.judge(doc) == {"decision": "block", "codes": {"protected_namespace_exec"}}
}

test_protected_namespaces_come_from_data if {
	j := t.judge(t.on_target("dev", "gateway_kubectl_exec", "exec", pod("payments"), {"command": ["sh"]})) with data.gateway.config.kubectl.protected_namespaces as ["payments"]
	j.decision == "block"
}

test_tool_and_verb_must_agree if {
	doc := t.on_target("dev", "gateway_kubectl_get", "delete", pod("web"), {})
	"invalid_input" in t.judge(doc).codes
	t.judge(doc).decision == "block"
}

test_malformed_kubectl_input_blocks if {
	every patch in [
		{"op": "replace", "path": "/kubectl/verb", "value": "patch"},
		{"op": "replace", "path": "/kubectl/objects/0/namespace", "value": 3},
		{"op": "replace", "path": "/kubectl/target", "value": "pod"},
		{"op": "replace", "path": "/kubectl/replicas", "value": "0"},
		{"op": "remove", "path": "/kubectl/dry_run"},
	] {
		doc := json.patch(t.on_target("dev", "gateway_kubectl_scale", "scale", deploy("web"), {"replicas": 1}), [patch])
		"invalid_input" in t.judge(doc).codes
	}
}

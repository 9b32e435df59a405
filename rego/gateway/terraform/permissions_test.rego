package gateway.terraform_test

import data.gateway.testing as t

policy(type, doc) := t.created(type, "p", {"name": "p", "policy": json.marshal(doc)})

widening(rc) := {r.message | some r in t.decide(t.apply("dev", t.plan([rc]))).reasons; r.code == "permission_widening"}

star_policy := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

test_iam_policy_allowing_every_action_escalates_everywhere if {
	every type in ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"] {
		every env in t.envs {
			j := t.judge(t.apply(env, t.plan([policy(type, star_policy)])))
			j.decision == "escalate"
			"permission_widening" in j.codes
		}
	}
}

test_widening_message_names_the_resource_and_grant if {
	widening(policy("aws_iam_policy", star_policy)) == {"`aws_iam_policy.p` allows every action (Action \"*\")"}
}

test_action_forms_that_widen if {
	every stmt in [
		{"Effect": "Allow", "Action": ["s3:GetObject", "*:*"], "Resource": "arn:aws:s3:::b/*"},
		{"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
		{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
		{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": "*"},
	] {
		count(widening(policy("aws_iam_policy", {"Statement": stmt}))) > 0
	}
}

test_narrow_policies_do_not_widen if {
	every stmt in [
		{"Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": "*"},
		{"Effect": "Deny", "Action": "*", "Resource": "*"},
		{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
		{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": {"AWS": "*"}, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}},
	] {
		widening(policy("aws_iam_policy", {"Statement": [stmt]})) == set()
	}
}

test_policy_that_is_not_json_is_ignored if {
	widening(t.created("aws_iam_policy", "p", {"policy": "(known after apply)"})) == set()
}

test_public_trust_policy_widens if {
	doc := {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
	widening(t.created("aws_iam_role", "r", {"assume_role_policy": json.marshal(doc)})) == {"`aws_iam_role.r` allows any principal (Principal \"*\")"}
}

test_admin_policy_attachment_widens if {
	rc := t.created("aws_iam_role_policy_attachment", "a", {"role": "r", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
	widening(rc) == {"`aws_iam_role_policy_attachment.a` attaches arn:aws:iam::aws:policy/AdministratorAccess"}
	widening(t.created("aws_iam_role_policy_attachment", "b", {"policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})) == set()
	count(widening(t.created("aws_iam_role", "r", {"managed_policy_arns": ["arn:aws:iam::aws:policy/IAMFullAccess"]}))) == 1
}

test_security_group_open_to_the_internet_widens if {
	sg := t.created("aws_security_group", "web", {"ingress": [{"from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": []}]})
	widening(sg) == {"`aws_security_group.web` opens ingress to 0.0.0.0/0"}
	rule := t.created("aws_security_group_rule", "r", {"type": "ingress", "cidr_blocks": [], "ipv6_cidr_blocks": ["::/0"]})
	widening(rule) == {"`aws_security_group_rule.r` opens ingress to ::/0"}
	v4 := t.created("aws_vpc_security_group_ingress_rule", "i", {"cidr_ipv4": "0.0.0.0/0"})
	widening(v4) == {"`aws_vpc_security_group_ingress_rule.i` opens ingress to 0.0.0.0/0"}
}

test_private_ingress_and_open_egress_do_not_widen if {
	widening(t.created("aws_security_group", "db", {"ingress": [{"cidr_blocks": ["10.0.0.0/8"]}], "egress": [{"cidr_blocks": ["0.0.0.0/0"]}]})) == set()
	widening(t.created("aws_security_group_rule", "e", {"type": "egress", "cidr_blocks": ["0.0.0.0/0"]})) == set()
}

test_updates_are_judged_on_the_planned_attributes if {
	rc := t.change("aws_security_group", "web", "update", {"ingress": []}, {"ingress": [{"cidr_blocks": ["0.0.0.0/0"]}]})
	count(widening(rc)) == 1
}

test_open_cidrs_come_from_data if {
	rc := t.created("aws_vpc_security_group_ingress_rule", "i", {"cidr_ipv4": "10.0.0.0/8"})
	count(widening(rc)) == 1 with data.gateway.config.terraform.open_cidrs as ["10.0.0.0/8"]
}

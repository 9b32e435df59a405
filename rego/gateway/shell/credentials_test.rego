package gateway.shell_test

import data.gateway.testing as t

test_reading_credential_files_escalates_everywhere if {
	every path in [
		"$HOME/.aws/credentials", "${HOME}/.aws/config", "/root/.aws/credentials", "~/.aws",
		"$HOME/.kube/config", "/home/u/.kube/config", "$HOME/.ssh/id_ed25519", ".env", "config/.env.production",
		"/proc/self/environ", "/proc/1/environ", "$HOME/.netrc", "$HOME/.docker/config.json",
		"$HOME/.git-credentials", "$HOME/.config/gcloud/application_default_credentials.json",
		"$HOME/.azure/accessTokens.json", "$HOME/.terraform.d/credentials.tfrc.json", "id_rsa",
		"/var/run/secrets/kubernetes.io/serviceaccount/token", "/etc/shadow", "$HOME/.a*/cred*",
	] {
		every env in t.envs {
			j := t.judge(t.shell(env, [t.cmd("cat", [path])]))
			j.decision == "escalate"
			j.codes == {"credential_access"}
		}
	}
}

test_credentials_in_option_values_escalate if {
	t.judge(t.shell("dev", [t.cmd("curl", ["-F", "f=@$HOME/.aws/credentials", "x"])])).codes == {"credential_access"}
	t.judge(t.shell("dev", [t.cmd("docker", ["run", "--env-file=.env", "img"])])).codes == {"credential_access"}
}

test_credentials_read_through_a_redirect_escalate if {
	c := t.set_fields(t.cmd("wc", []), {"redirects": [t.redirect("<", "$HOME/.ssh/id_rsa", "/home/agent/.ssh/id_rsa", false, false)]})
	t.judge(t.shell("prod", [c])).codes == {"credential_access"}
}

test_similar_names_are_not_credentials if {
	every path in ["environment.md", ".envelope", "aws.md", "docs/ssh.md", "id_rsa.pub", "kube.yaml"] {
		t.judge(t.shell("prod", [t.cmd("cat", [path])])) == {"decision": "allow", "codes": {"read_only"}}
	}
}

test_credential_patterns_come_from_data if {
	j := t.judge(t.shell("prod", [t.cmd("cat", ["secret.txt"])])) with data.gateway.config.shell.credential_patterns as [{"marker": "secret", "regex": "^secret"}]
	j.codes == {"credential_access"}
}

test_globs_and_expansions_over_home_dotfiles_escalate if {
	every path in ["/root/.a*/credentials", "$HOME/.{aws,ssh}/x", "~/.[a]ws/config", "$HOME/$D/credentials", "~bob/.ssh/*"] {
		t.judge(t.shell("prod", [t.cmd("cat", [path])])).codes == {"credential_access"}
	}
	t.judge(t.shell("prod", [t.cmd("ls", ["$HOME/projects"])])).decision == "allow"
}

test_keys_state_and_history_files_are_credential_material if {
	every path in [
		"terraform.tfstate", "envs/prod/terraform.tfstate.backup", ".terraform/terraform.tfstate", "server.key",
		"/etc/ssh/ssh_host_ed25519_key", "tls/privkey.pem", "server-key.pem", "certs/client.p12", "id.pfx",
		"keystore.jks", "release.keystore", "$HOME/.bash_history", "/root/.zsh_history",
	] {
		t.judge(t.shell("prod", [t.cmd("cat", [path])])).codes == {"credential_access"}
	}
	every path in ["cert.pem", "ca.pem", "keyboard.md", "monkey", "tfstate.md", "history.txt", "docs/key.md", ".key"] {
		t.judge(t.shell("prod", [t.cmd("cat", [path])])) == {"decision": "allow", "codes": {"read_only"}}
	}
}

test_recursive_reads_of_home_root_or_proc_escalate if {
	every args in [
		["-r", "AKIA", "~"], ["-rn", "token", "$HOME"], ["-R", "x", "/"], ["--recursive", "x", "/home"],
		["-ri", "x", "/home/agent/"], ["-r", "x", "~bob"], ["-r", "x", "/proc"], ["-r", "x", "${HOME}/."],
	] {
		j := t.judge(t.shell("dev", [t.cmd("grep", args)]))
		j.decision == "escalate"
		j.codes == {"credential_access"}
	}
	t.judge(t.shell("dev", [t.cmd("rg", ["password", "/root"])])).codes == {"credential_access"}
	t.judge(t.shell("prod", [t.cmd("cp", ["-a", "~", "backup"])])).decision == "escalate"
}

test_recursive_reads_elsewhere_and_plain_reads_of_home_are_not_credential_access if {
	t.judge(t.shell("prod", [t.cmd("grep", ["-rn", "TODO", "src"])])) == {"decision": "allow", "codes": {"read_only"}}
	t.judge(t.shell("prod", [t.cmd("grep", ["x", "/home/agent/notes.md"])])) == {"decision": "allow", "codes": {"read_only"}}
	t.judge(t.shell("prod", [t.cmd("ls", ["-la", "~"])])) == {"decision": "allow", "codes": {"read_only"}}
	t.judge(t.shell("dev", [t.cmd("rg", ["TODO", "."])])).codes == {"read_only"}
	not "credential_access" in t.judge(t.shell("dev", [t.cmd("cp", ["-r", "src", "dst"])])).codes
}

test_recursive_readers_come_from_data if {
	j := t.judge(t.shell("dev", [t.cmd("du", ["-a", "~"])])) with data.gateway.config.shell.recursive_readers as {"du": []}
	j.codes == {"credential_access"}
}

package gateway.shell_test

import data.gateway.testing as t

git(args) := t.judge(t.shell("prod", [t.cmd("git", args)]))

test_git_read_only_subcommands_are_allowed_in_prod if {
	every args in [
		["status"], ["log", "-p"], ["diff", "HEAD~1"], ["show", "HEAD"], ["rev-parse", "HEAD"],
		["ls-files"], ["blame", "README.md"], ["--no-pager", "log"], ["-C", "sub", "status"],
	] {
		git(args) == {"decision": "allow", "codes": {"read_only"}}
	}
}

test_git_branch_listing_is_read_only if {
	git(["branch"]).decision == "allow"
	git(["branch", "-a", "-v"]).decision == "allow"
	git(["branch", "--show-current"]).decision == "allow"
}

test_git_branch_that_writes_is_not_read_only if {
	git(["branch", "feature"]).decision == "escalate"
	git(["branch", "-D", "feature"]).decision == "escalate"
	git(["branch", "-m", "old", "new"]).decision == "escalate"
}

test_git_stash_list_is_read_only_but_stash_pop_is_not if {
	git(["stash", "list"]).decision == "allow"
	git(["stash", "pop"]).decision == "escalate"
	git(["stash"]).decision == "allow"
}

test_git_config_get_is_read_only_but_set_is_not if {
	git(["config", "--get", "user.name"]).decision == "allow"
	git(["config", "--list"]).decision == "allow"
	git(["config", "user.name", "x"]).decision == "escalate"
	git(["config", "--add", "core.pager", "sh"]).decision == "escalate"
}

test_git_tag_list_pattern_is_read_only if {
	git(["tag", "-l", "v1.*"]).decision == "allow"
	git(["tag", "v2"]).decision == "escalate"
}

test_git_remote_get_url_is_read_only if {
	git(["remote", "-v"]).decision == "allow"
	git(["remote", "get-url", "origin"]).decision == "allow"
	git(["remote", "add", "x", "url"]).decision == "escalate"
}

test_git_writing_subcommands_are_mutations if {
	git(["commit", "-m", "x"]) == {"decision": "escalate", "codes": {"shell_command"}}
	t.judge(t.shell("dev", [t.cmd("git", ["push"])])) == {"decision": "allow", "codes": {"sandboxed_command"}}
}

test_git_dash_c_escalates_everywhere if {
	every env in t.envs {
		t.judge(t.shell(env, [t.cmd("git", ["-c", "core.pager=sh -c id", "log"])])) == {"decision": "escalate", "codes": {"hidden_execution"}}
	}
}

test_git_exec_path_escalates if {
	git(["--exec-path=/tmp/evil", "status"]).codes == {"hidden_execution"}
}

test_git_diff_output_is_judged_as_a_write if {
	git(["diff", "--output=patch.diff"]) == {"decision": "escalate", "codes": {"shell_write"}}
	t.judge(t.shell("dev", [t.cmd("git", ["diff", "--output", "/etc/cron.d/x"])])) == {"decision": "block", "codes": {"system_write"}}
}

test_git_grep_pager_is_not_read_only if {
	git(["grep", "-O", "todo"]).decision == "escalate"
}

test_git_without_a_subcommand_is_not_read_only if {
	git(["--version"]).decision == "escalate"
}

test_git_with_an_unknown_global_option_is_not_read_only if {
	git(["-p", "log"]) == {"decision": "escalate", "codes": {"shell_command"}}
	git(["--paginate", "log"]).decision == "escalate"
	git(["--no-pager", "--git-dir=.git", "log"]).decision == "allow"
}

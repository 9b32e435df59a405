package gateway.common_test

import data.gateway.common
import data.gateway.testing as t

test_a_name_is_listed_in_the_object_form_only_when_true if {
	common.listed("ls", {"ls": true, "rm": false})
	not common.listed("rm", {"ls": true, "rm": false})
	not common.listed("cat", {"ls": true})
}

test_a_name_is_listed_in_the_list_form_of_an_override if {
	common.listed("ls", ["cat", "ls"])
	not common.listed("rm", ["cat", "ls"])
	not common.listed(0, [true])
}

test_an_override_can_unlist_a_name_of_the_object_form if {
	j := t.judge(t.shell("prod", [t.cmd("sudo", ["ls"])])) with data.gateway.config.shell.privilege_programs.sudo as false
	not "privilege_escalation" in j.codes
}

test_an_override_list_replaces_the_object_form if {
	j := t.judge(t.shell("prod", [t.cmd("doas", ["ls"])])) with data.gateway.config.shell.privilege_programs as ["sudo"]
	not "privilege_escalation" in j.codes
	k := t.judge(t.shell("prod", [t.cmd("sudo", ["ls"])])) with data.gateway.config.shell.privilege_programs as ["sudo"]
	"privilege_escalation" in k.codes
}

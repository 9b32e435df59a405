# Golden cases: requests normalized by the TypeScript normalizers (scripts/golden.mjs writes
# rego/testdata/golden/data.json from test/golden/cases.json). The tap suite replays the same
# cases through the built WASM bundle.
package gateway.golden_test

import data.gateway

cases := data.testdata.golden.cases

# Each case evaluated once.
results := {c.name: got |
	some c in cases
	got := gateway.decision with input as c.input
}

mismatches contains msg if {
	some c in cases
	results[c.name].decision != c.expect.decision
	msg := concat("", [c.name, ": expected ", c.expect.decision, ", got ", results[c.name].decision])
}

mismatches contains msg if {
	some c in cases
	some code in c.expect.codes
	not code in {r.code | some r in results[c.name].reasons}
	msg := concat("", [c.name, ": expected reason ", code])
}

test_golden_cases_are_present if {
	count(cases) >= 50
}

test_golden_cases_decide_as_expected if {
	count(results) == count(cases)
	print(mismatches)
	count(mismatches) == 0
}

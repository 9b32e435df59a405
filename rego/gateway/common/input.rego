# The input document contract (src/normalize/schema.ts): the version, the tool, normalization
# errors, and a structural check of every field the family rules read. A malformed input
# blocks with invalid_input and the family rules do not run on it.
package gateway.common

families := {"shell", "terraform", "kubectl", "gateway", "unknown"}

# Family rules run only on a well-formed input of the supported version.
judgeable if {
	count(malformed) == 0
	input.version == 1
}

block contains {"code": e.code, "message": e.message} if {
	some e in input.errors
	is_string(e.code)
	is_string(e.message)
}

block contains {
	"code": "unsupported_input_version",
	"message": "Input document version is not 1; this policy reads version 1 only",
} if {
	not input.version == 1
}

block contains {
	"code": "unknown_tool",
	"message": concat("", ["Tool `", tool_name, "` is not judged by policy"]),
} if {
	not known_tool
}

known_tool if data.gateway.config.tools[input.family][input.tool]

tool_name := input.tool if is_string(input.tool)

else := "(missing)"

block contains {
	"code": "invalid_input",
	"message": concat("", ["Input document is malformed: ", concat("; ", sort(malformed))]),
} if {
	count(malformed) > 0
}

# `not f(x)` is undefined (not true) when x is undefined: checks pass the parent and the key.
doc := input if is_object(input)

else := {}

has_type(obj, key, type) if type_name(obj[key]) == type

input_object if is_object(input)

known_family if doc.family in families

malformed contains "input is not an object" if not input_object

malformed contains "tool is not a string" if not has_type(doc, "tool", "string")

malformed contains "family is not a known family" if not known_family

malformed contains "environment is not a string" if not has_type(doc, "environment", "string")

malformed contains "agent_id is not a string" if not has_type(doc, "agent_id", "string")

malformed contains "time.unix_ms is not a number" if not has_type(object.get(doc, "time", {}), "unix_ms", "number")

malformed contains "errors is not a list" if not has_type(doc, "errors", "array")

malformed contains concat("", ["errors[", format_int(i, 10), "] is not {code, message}"]) if {
	some i, e in doc.errors
	not valid_error(e)
}

valid_error(e) if {
	is_string(e.code)
	is_string(e.message)
}

malformed contains concat("", [section, " is neither an object nor null"]) if {
	some section in ["shell", "terraform", "kubectl"]
	not nullable_object(doc, section)
}

# The section of the request's family must be present unless normalization already failed.
malformed contains concat("", [doc.family, " is missing for a ", doc.family, " request"]) if {
	doc.family in {"shell", "terraform", "kubectl"}
	count(doc.errors) == 0
	not has_type(doc, doc.family, "object")
}

nullable_object(obj, key) if {
	obj[key] == null
} else if {
	is_object(obj[key])
}

nullable_string(obj, key) if {
	obj[key] == null
} else if {
	is_string(obj[key])
}

nullable_number(obj, key) if {
	obj[key] == null
} else if {
	is_number(obj[key])
}

strings_array(x) if {
	is_array(x)
	every s in x {
		is_string(s)
	}
}

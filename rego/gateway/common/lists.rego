# Name lists in data: an object {name: true} (the shape of config/data.json: O(1) lookups in
# wasm) or a list (as operators may give them in overrides: arrays replace, linear scan).
package gateway.common

# listed(x, names): x is one of names.
listed(x, names) if {
	is_object(names)
	names[x] == true
} else if {
	is_array(names)
	x in names
}

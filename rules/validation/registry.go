// Package validation holds the rules that check objects against their API
// schemas, before any meaning is read from them.
package validation

import "github.com/meshlint/meshlint/rules"

// Rules lists this package's rules in ID order.
var Rules = []*rules.Rule{
	SchemaInvalid,
}

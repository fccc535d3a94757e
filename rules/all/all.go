// Package all lists every rule of meshlint, in ID order. The list is
// explicit, with no init() registration, so that what runs is what is
// written here.
package all

import (
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/routing"
)

// Rules is the registry: every rule, sorted by ID.
var Rules = []*rules.Rule{
	routing.WeightsNot100,
}

// Package all lists every rule of meshlint, in ID order. The list is
// explicit, with no init() registration: each area package keeps its own
// ordered list, and this one joins them.
package all

import (
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/cross"
	"github.com/meshlint/meshlint/rules/gateway"
	"github.com/meshlint/meshlint/rules/gatewayapi"
	"github.com/meshlint/meshlint/rules/meta"
	"github.com/meshlint/meshlint/rules/netpol"
	"github.com/meshlint/meshlint/rules/routing"
	"github.com/meshlint/meshlint/rules/security"
	"github.com/meshlint/meshlint/rules/validation"
	"github.com/meshlint/meshlint/rules/workload"
)

// Rules is the registry: every rule, sorted by ID.
var Rules = join(validation.Rules, routing.Rules, gateway.Rules, security.Rules, netpol.Rules, cross.Rules, gatewayapi.Rules, workload.Rules, meta.Rules)

func join(lists ...[]*rules.Rule) []*rules.Rule {
	var out []*rules.Rule
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

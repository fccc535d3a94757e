package cross

import "github.com/meshlint/meshlint/rules"

// Rules lists this package's rules in ID order.
var Rules = []*rules.Rule{
	GatewayRouteBlocked,
	MeshRouteBlocked,
	StrictWithoutSidecar,
	AuthzSourceBlocked,
	AuthzAllOrNothing,
	GatewayAPIRouteBlocked,
}

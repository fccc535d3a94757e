package gateway

import "github.com/meshlint/meshlint/rules"

// Rules lists this package's rules in ID order.
var Rules = []*rules.Rule{
	GatewayRefUnresolved,
	VSHostNotInGateway,
	GatewaySelectorNoWorkload,
	GatewayPortNotOnService,
	GatewayDuplicateCertificate,
	GatewayCredentialInvalid,
	GatewayServerConflict,
	GatewayRefInternal,
	GatewayCertificateHostMismatch,
	MatchGatewayNotBound,
	GatewayRefLegacyForm,
}

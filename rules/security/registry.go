package security

import "github.com/meshlint/meshlint/rules"

// Rules lists this package's rules in ID order.
var Rules = []*rules.Rule{
	PeerAuthNotStrict,
	MeshNotStrict,
	DRTLSConflictsStrict,
	AuthzNoWorkload,
	AuthzNamespaceUnknown,
	DRTLSNoCA,
	JWTClaimRouteWithoutRA,
	SelectorOnGatewayAPIPod,
	AuthzCustomProviderUnknown,
	MutualTLSToPlaintext,
	PeerAuthConflict,
	AuthzMethodInvalid,
	AuthzHostUnknown,
	AuthzIdentityWithoutMTLS,
	AuthzPrincipalUnknown,
	StrictWithoutMutualDR,
	WorkloadWithoutAuthz,
	AuthzHTTPFieldsOnTCP,
	RequestAuthnTokenOptional,
	AuthzCustomHTTPProviderOnTCP,
}

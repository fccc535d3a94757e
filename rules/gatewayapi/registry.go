package gatewayapi

import "github.com/meshlint/meshlint/rules"

// Rules lists this package's rules in ID order.
var Rules = []*rules.Rule{
	ParentRefUnresolved,
	BackendRefUnresolved,
	BackendPortUnknown,
	ReferenceNotGranted,
	RouteNotAdmitted,
	ListenerConflict,
	HostnameNotAccepted,
	BackendWeightsNot100,
	BackendWeightsZero,
	GatewayListenerDuplicate,
	GatewayAddressDuplicate,
	GatewayClassUnknown,
	ReferenceGrantNamespaceUnknown,
	CertificateRefInvalid,
	ListenerProtocolUnsupported,
	ListenerRouteKindsInvalid,
	BackendKindUnsupported,
	BackendTLSPolicyInvalid,
	CRDValidation,
	ListenerSetNotAllowed,
	ParametersRefInvalid,
	CertificateHostMismatch,
	RouteFilterUnsupported,
	GatewayAddressUnsupported,
}

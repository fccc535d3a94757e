package routing

import "github.com/meshlint/meshlint/rules"

// Rules lists this package's rules in ID order.
var Rules = []*rules.Rule{
	WeightsNot100,
	WeightInvalid,
	SubsetUndefined,
	SubsetSelectsNoWorkload,
	InvalidRegex,
	RetriesExceedTimeout,
	RouteShadowed,
	DRHostUnknown,
	MeshHostConflict,
	DestinationHostUnknown,
	DestinationPortUnknown,
	DestinationPortRequired,
	IngressBypassesSubsets,
	SEAddressesRequired,
	SEProtocolConflict,
	MatchIneffective,
	GatewayRouteKindUnserved,
	DelegateRootOverride,
	DuplicateDestination,
	DestinationRuleConflict,
	TargetPortUnresolved,
	RootSidecarWithSelector,
	ServiceSelectsNoWorkload,
	RolloutIstioRoutingInvalid,
	FlaggerRewritesInput,
	ArgoSpecInvalid,
	FlaggerFieldIgnored,
	ExportToNamespaceUnknown,
	DRHidesMutualTLS,
	SubsetWithoutLabels,
	SidecarEgressHostUnknown,
	SEDuplicateHostPort,
}

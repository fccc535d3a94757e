package netpol

import "github.com/meshlint/meshlint/rules"

// Rules lists this package's rules in ID order.
var Rules = []*rules.Rule{
	NoDefaultDenyIngress,
	NoDefaultDenyEgress,
	SelectsNothing,
	RulesIgnored,
	DefaultAllowsAll,
	SensitiveExposed,
	NamespaceLabelUnknown,
	SplitPeers,
	EgressNoDNS,
	PortNotExposed,
	MeshWorkloadOpen,
	HostNetworkOnly,
}

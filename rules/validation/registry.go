// Package validation holds the rules that check objects against their API
// schemas and against the semantic checks of Istio's validation webhook,
// before any meaning is read from them.
package validation

import "github.com/meshlint/meshlint/rules"

// Rules lists this package's rules in ID order.
var Rules = []*rules.Rule{
	SchemaInvalid,
	InvalidDuration,
	PortOutOfRange,
	ConflictingActions,
	InvalidExportTo,
	InvalidHost,
	InvalidCIDR,
	InvalidSubset,
	InvalidHeaderName,
	AuthzPolicyInvalid,
	PortMTLSWithoutSelector,
	GatewayServerInvalid,
	ServiceEntryInvalid,
	SidecarInvalid,
	DestinationRuleInvalid,
	WebhookWarning,
	DuplicateObject,
	RetryInvalid,
	HTTPRouteInvalid,
	WorkloadEntryInvalid,
	RequestAuthnInvalid,
	EnvoyFilterInvalid,
	WorkloadGroupInvalid,
	WebhookAnnotationRejected,
	TelemetryInvalid,
	WasmPluginInvalid,
	KubernetesObjectInvalid,
}

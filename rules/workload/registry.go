package workload

import "github.com/meshlint/meshlint/rules"

// Rules lists this package's rules in ID order.
var Rules = []*rules.Rule{
	SidecarSelectorNoWorkload,
	SidecarSelectorConflict,
	SidecarMultipleDefault,
	SidecarInAmbient,
	TelemetrySelectorNoWorkload,
	TelemetrySelectorConflict,
	TelemetryMultipleDefault,
	TelemetryAccessLogNoProvider,
	DeprecatedField,
	EnvoyFilterRelativeOperation,
	EnvoyFilterOperationInvalid,
	PortProtocolUnknown,
	ExternalNamePortName,
	ServiceProtocolConflict,
	ServicePortConflict,
	ApplicationUID1337,
	NamespaceInjectionLabels,
	NamespaceNotInjected,
	AnnotationUnknown,
	AnnotationMisplaced,
	AnnotationDeprecated,
	TelemetryProviderUnknown,
	AmbientPolicyWithoutWaypoint,
	AmbientSelectorPolicyIgnored,
	AmbientRouteWithoutWaypoint,
	AmbientRouteNamespace,
	AmbientAndSidecar,
	WorkloadGroupServiceAccountUnknown,
	WorkloadGroupDuplicateLabels,
	AnnotationAlpha,
	AnnotationInvalid,
}

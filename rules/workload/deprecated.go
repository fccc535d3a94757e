package workload

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// DeprecatedField reports fields that Istio deprecated and ignores or will
// remove.
var DeprecatedField = &rules.Rule{
	ID:      "MR709",
	Name:    "deprecated-field",
	Summary: "field is deprecated by Istio",
	Doc: `Some fields are deprecated: ` + "`http[].fault.delay.percent`" + ` of a VirtualService (an integer;
use ` + "`percentage.value`" + `, which takes fractions), and ` + "`outboundTrafficPolicy.egressProxy`" + ` of a
Sidecar, which Istio ignores. A Telemetry that traces through a Lightstep or OpenCensus provider
of the MeshConfig given with ` + "`--mesh-config`" + ` uses a provider type Istio deprecated: migrate to an
OpenTelemetry provider.

Replace or remove the field.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: shop}
spec:
  hosts: [ratings]
  http:
  - fault:
      delay: {percent: 10, fixedDelay: 5s}
    route:
    - destination: {host: ratings}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: shop}
spec:
  hosts: [ratings]
  http:
  - fault:
      delay: {percentage: {value: 10}, fixedDelay: 5s}
    route:
    - destination: {host: ratings}
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Sidecar, kinds.Telemetry},
	Related:  []string{"IST0002"},
	Run:      runDeprecatedField,
}

func runDeprecatedField(p *rules.Pass) error {
	g := p.Graph
	for _, vs := range g.VirtualServices {
		for i := range vs.Spec.HTTP {
			if pct, ok := vs.FaultDelayPercent(i); ok {
				p.Reportf(vs.Obj, pct.Loc, "http[%d].fault.delay.percent is deprecated: use percentage.value", i)
			}
		}
	}
	for _, sc := range g.Sidecars {
		if otp := sc.Spec.OutboundTrafficPolicy; otp != nil && otp.EgressProxy != nil {
			p.Reportf(sc.Obj, otp.EgressProxy.Loc, "outboundTrafficPolicy.egressProxy of Sidecar %s/%s is deprecated and ignored by Istio", sc.Namespace(), sc.Name())
		}
	}
	// Istio's LightstepAnalyzer reports Lightstep tracing providers
	// (IST0002); OpenCensus is deprecated in the same way
	// (mesh/v1alpha1/config.proto).
	for _, t := range g.Telemetries {
		for i, tr := range t.Spec.Tracing {
			for j, ref := range tr.Providers {
				pr, ok := g.Mesh.Provider(ref.Name.V, true)
				if ok && (pr.Type == "lightstep" || pr.Type == "opencensus") {
					p.Reportf(t.Obj, ref.Name.Loc, "tracing[%d].providers[%d] of Telemetry %s/%s is %q, a provider of type %s, which Istio deprecated: migrate to an OpenTelemetry provider",
						i, j, t.Namespace(), t.Name(), ref.Name.V, pr.TypeName())
				}
			}
		}
	}
	return nil
}

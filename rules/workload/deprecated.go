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
Sidecar, which Istio ignores.

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
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Sidecar},
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
	return nil
}

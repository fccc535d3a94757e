package workload

import (
	"strconv"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// DeprecatedField reports fields that Istio deprecated and ignores or will
// remove.
var DeprecatedField = &rules.Rule{
	ID:      "MR709",
	Name:    "deprecated-field",
	Summary: "field is deprecated by Istio",
	Fix:     "rewrites a fault delay's percent: N as percentage: {value: N}",
	Doc: `Some fields are deprecated: ` + "`http[].fault.delay.percent`" + ` of a VirtualService (an integer;
use ` + "`percentage.value`" + `, which takes fractions). A Telemetry that traces through a Lightstep or
OpenCensus provider of the MeshConfig given with ` + "`--mesh-config`" + ` uses a provider type Istio
deprecated: migrate to an OpenTelemetry provider.

Replace or remove the field. ` + "`meshlint --fix`" + ` replaces ` + "`percent: N`" + ` with
` + "`percentage: {value: N}`" + `, which means the same, when N is written as a plain integer from 0 to 100
and the delay does not also set ` + "`percentage`" + ` (Istio then reads ` + "`percentage`" + ` alone, and which of
the two was meant is not clear). The other cases, and the Telemetry findings, have no fix.

The ` + "`outboundTrafficPolicy.egressProxy`" + ` of an ALLOW_ANY Sidecar is reported as info only:
` + "`istioctl analyze`" + ` calls it deprecated and ignored (IST0002), but it is neither: istiod sends
traffic to unknown destinations there instead of to their original address. The API hides the
field from its documentation, so it may change without a deprecation notice; nothing needs
fixing if it does what you want. (With another mode Istio rejects the Sidecar: MR014.)`,
	Bad:      ratingsDelay("{percent: 10, fixedDelay: 5s}"),
	Good:     ratingsDelay("{percentage: {value: 10}, fixedDelay: 5s}"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Sidecar, kinds.Telemetry},
	Related:  []string{"IST0002"},
	Deps:     rules.DepNone,
	Run:      runDeprecatedField,
}

// ratingsDelay is VirtualService shop/ratings, which injects the delay
// fault into its route: the examples of MR709.
func ratingsDelay(delay string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: shop}
spec:
  hosts: [ratings]
  http:
  - fault:
      delay: ` + delay + `
    route:
    - destination: {host: ratings}
`
}

func runDeprecatedField(p *rules.Pass) error {
	g := p.Graph
	for _, vs := range g.VirtualServices {
		for i := range vs.Spec.HTTP {
			if pct, ok := vs.FaultDelayPercent(i); ok {
				f := p.Reportf(vs.Obj, pct.Percent.Loc, "http[%d].fault.delay.percent is deprecated: use percentage.value", i)
				if fix, ok := percentageFix(vs.Obj, pct); ok {
					f.Fixes = []rules.Fix{fix}
				}
			}
		}
	}
	for _, sc := range g.Sidecars {
		// istioctl's deprecation analyzer calls egressProxy ignored, but
		// with ALLOW_ANY istiod routes the passthrough traffic to its
		// cluster (pilot/pkg/networking/core httproute.go and
		// listener_builder.go); the proto only marks it $hide_from_docs.
		// Another mode is MR014's error.
		if otp := sc.Spec.OutboundTrafficPolicy; otp != nil && otp.EgressProxy != nil && otp.Mode.V == "ALLOW_ANY" {
			p.Reportf(sc.Obj, otp.EgressProxy.Loc, "outboundTrafficPolicy.egressProxy of Sidecar %s/%s is undocumented, not deprecated: Istio sends traffic to unknown destinations to it, but the API hides the field from its documentation and may change it without notice", sc.Namespace(), sc.Name()).AtMost(rules.Info)
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

// percentageFix rewrites "percent: N" to "percentage: {value: N}": Istio
// reads both as N% (percent as N/100, percentage as N*10000/1000000). The
// flow mapping reads the same in a block mapping and in a flow one.
func percentageFix(o *manifest.Object, d graph.DelayPercent) (rules.Fix, bool) {
	key, val := d.Key, d.Percent.Loc
	n := strconv.FormatInt(d.Percent.V, 10)
	switch {
	case d.Percentage:
		// Istio reads percentage and ignores percent: which was meant
		// is not clear.
		return rules.Fix{}, false
	case key.IsZero() || val.IsZero():
		// percent comes through a merge key, from a mapping that
		// others may share.
		return rules.Fix{}, false
	case d.Percent.V < 0 || d.Percent.V > 100:
		// Istio rejects both; without validation Envoy would read them
		// differently.
		return rules.Fix{}, false
	case int(val.EndCol-val.Col) != len(n):
		// Written otherwise than as its decimal (quoted, 0x0A, 1e1):
		// the text to replace is not known.
		return rules.Fix{}, false
	}
	value := "{value: " + n + "}"
	fix := rules.Fix{Message: "Replace percent: " + n + " with percentage: " + value}
	if key.Line == val.Line && int(key.EndCol-key.Col) == len("percent") && val.Col == key.EndCol+2 {
		// One edit over "percent: N" lets a comment after it keep its
		// column.
		fix.Edits = []rules.Edit{{
			Pos:     o.Pos(key),
			End:     manifest.Loc{Line: val.Line, Col: val.EndCol},
			NewText: "percentage: " + value,
			Old:     "percent: " + n,
		}}
	} else {
		fix.Edits = []rules.Edit{
			rules.ReplaceValue(o, key, "percent", "percentage"),
			rules.ReplaceValue(o, val, n, value),
		}
	}
	return fix, true
}

package routing

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// SubsetWithoutLabels reports DestinationRule subsets without labels.
var SubsetWithoutLabels = &rules.Rule{
	ID:      "MR172",
	Name:    "subset-without-labels",
	Summary: "destination rule subset has no labels and so selects every endpoint of the host",
	Doc: `A subset's labels pick the endpoints of the host that belong to it. A subset without labels
is the whole host: traffic routed to it reaches every version, including the pods of the other
subsets. In a split such as 90% to ` + "`stable`" + ` (no labels) and 10% to ` + "`canary`" + `, the canary gets
more than 10%, and a "stable" subset is not stable at all. It is usually a forgotten
` + "`labels`" + ` block.

Add the labels of the version the subset stands for. A subset that is deliberately the whole
host (only to attach a traffic policy) is better written as the rule's own
` + "`trafficPolicy`" + `.

Kiali (KIA0209) reports this only when the host resolves, and lowers it when another subset has
labels; the rule reports every label-less subset at info level, since Istio accepts it.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets:
  - name: stable
  - name: canary
    labels: {version: v2}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets:
  - name: stable
    labels: {version: v1}
  - name: canary
    labels: {version: v2}
`,
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.DestinationRule},
	Related:  []string{"KIA0209"},
	Run:      runSubsetWithoutLabels,
}

func runSubsetWithoutLabels(p *rules.Pass) error {
	for _, dr := range p.Graph.DestinationRules {
		for i, s := range dr.Spec.Subsets {
			if len(s.Labels) > 0 {
				continue
			}
			at := s.Name.Loc
			if at.IsZero() {
				at = s.Loc
			}
			p.Reportf(dr.Obj, at, "subset %q (subsets[%d]) of DestinationRule %s/%s has no labels: it selects every endpoint of %q",
				s.Name.V, i, dr.Namespace(), dr.Name(), dr.Spec.Host.V)
		}
	}
	return nil
}

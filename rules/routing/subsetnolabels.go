package routing

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// SubsetWithoutLabels reports DestinationRule subsets without labels.
var SubsetWithoutLabels = &rules.Rule{
	ID:      "MR172",
	Name:    "subset-without-labels",
	Summary: "destination rule subset has no labels and so overlaps the other subsets",
	Doc: `A subset's labels pick the endpoints of the host that belong to it. A subset without labels
is the whole host: traffic routed to it reaches every version, including the pods of the other
subsets. In a split such as 90% to ` + "`stable`" + ` (no labels) and 10% to ` + "`canary`" + `, the canary gets
more than 10%, and a "stable" subset is not stable at all. It is usually a forgotten
` + "`labels`" + ` block.

Add the labels of the version the subset stands for.

The rule reports a label-less subset only when another subset of the rule has labels, so that
the two overlap. A rule whose only subset has no labels is Istio's own pattern for attaching a
policy to a route (the egress gateway tasks' subset ` + "`cnn`" + `) and is left alone. Kiali (KIA0209)
does the opposite: it warns about every label-less subset of a resolved host and lowers the
severity when another subset has labels.`,
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
	Deps:     rules.DepNone,
	Run:      runSubsetWithoutLabels,
}

func runSubsetWithoutLabels(p *rules.Pass) error {
	for _, dr := range p.Graph.DestinationRules {
		labelled := ""
		for _, s := range dr.Spec.Subsets {
			if len(s.Labels) > 0 {
				labelled = s.Name.V
				break
			}
		}
		if labelled == "" {
			continue
		}
		for i, s := range dr.Spec.Subsets {
			if len(s.Labels) > 0 {
				continue
			}
			at := s.Name.Loc
			if at.IsZero() {
				at = s.Loc
			}
			p.Reportf(dr.Obj, at, "subset %q (subsets[%d]) of DestinationRule %s/%s has no labels: it selects every endpoint of %q, those of subset %q too",
				s.Name.V, i, dr.Namespace(), dr.Name(), dr.Spec.Host.V, labelled)
		}
	}
	return nil
}

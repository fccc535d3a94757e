package validation

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// InvalidSubset reports DestinationRule subsets with duplicate or malformed
// names, and route destinations naming a malformed subset.
var InvalidSubset = &rules.Rule{
	ID:      "MR008",
	Name:    "duplicate-subset-name",
	Summary: "a DestinationRule defines a subset name twice, or a subset name is not a DNS-1123 label",
	Doc: `Subset names identify Envoy clusters (` + "`outbound|9080|v1|reviews...`" + `), so Istio's webhook
requires them to be unique within a DestinationRule and to be DNS-1123 labels: lowercase or
uppercase letters, digits and ` + "`-`" + `, at most 63 characters, no dots or underscores. The same
format applies to the ` + "`subset`" + ` of a route destination. A copied subset block that was not renamed
is the usual cause of a duplicate.

Rename the subset (` + "`v1_1`" + ` → ` + "`v1-1`" + `), or merge the two definitions.`,
	Bad:      reviewsSubsets("v1"),
	Good:     reviewsSubsets("v2"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.DestinationRule, kinds.VirtualService},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runInvalidSubset,
}

// reviewsSubsets is DestinationRule shop/reviews, with subset v1 and a
// subset named second for version v2: the examples of MR008.
func reviewsSubsets(second string) string {
	return reviewsDestinationRule(`  subsets:
  - name: v1
    labels: {version: v1}
  - name: ` + second + `
    labels: {version: v2}
`)
}

func runInvalidSubset(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.DestinationRule, kinds.VirtualService) {
		s := specOf(o)
		if o.Kind == kinds.DestinationRule {
			subsets := s.get("subsets")
			seen := map[string]int{} // name → index of the subset that defines it first
			for i := range subsets.len() {
				x := subsets.item(i).get("name")
				name, ok := x.str()
				if !ok {
					continue
				}
				if first, dup := seen[name]; dup {
					p.Reportf(o, x.loc(), "subset %q is defined twice (first at %s): Istio rejects the DestinationRule", name, subsets.item(first).where())
					continue
				}
				seen[name] = i
				if !isDNS1123Label(name) {
					p.Reportf(o, x.loc(), "subset name %q is not a DNS-1123 label (letters, digits and -, at most 63 characters): Istio rejects the DestinationRule", name)
				}
			}
			continue
		}
		for _, kind := range []string{"http", "tcp", "tls"} {
			for r := range s.get(kind).items() {
				for d := range r.get("route").items() {
					checkSubsetRef(p, o, d.get("destination"))
				}
			}
		}
		for r := range s.get("http").items() {
			checkSubsetRef(p, o, r.get("mirror"))
			for m := range r.get("mirrors").items() {
				checkSubsetRef(p, o, m.get("destination"))
			}
		}
	}
	return nil
}

// checkSubsetRef checks the subset that a route or mirror destination d
// names.
func checkSubsetRef(p *rules.Pass, o *manifest.Object, d node) {
	x := d.get("subset")
	if name, ok := x.str(); ok && name != "" && !isDNS1123Label(name) {
		p.Reportf(o, x.loc(), "%s %q is not a DNS-1123 label: Istio rejects the VirtualService", x.where(), name)
	}
}

package routing

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// ExportToNamespaceUnknown reports exportTo entries naming a namespace the
// input does not have.
var ExportToNamespaceUnknown = &rules.Rule{
	ID:      "MR170",
	Name:    "export-to-namespace-unknown",
	Summary: "exportTo names a namespace that the input does not describe",
	Doc: `The ` + "`exportTo`" + ` list of a VirtualService, DestinationRule or ServiceEntry names the namespaces
whose proxies see the object; ` + "`.`" + `, ` + "`*`" + ` and ` + "`~`" + ` are the own namespace, every namespace and
none. A namespace name that does not exist (a typo, a renamed namespace) exports the object to
nobody there, so the clients it was meant for silently fall back to the defaults.

Fix the name, or remove the entry. Istio accepts the name whether or not the namespace exists,
and a namespace created later starts to see the object.

Like Kiali (KIA0005), the rule compares with the namespaces of the input: those of Namespace
objects and those the objects are in. Since other namespaces may exist outside the input, it
stays quiet unless the input declares Namespace objects (and so presumably all of them) or the
closed-world setting is on.`,
	Bad:      exportToExample("fronted"),
	Good:     exportToExample("frontend"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.DestinationRule, kinds.ServiceEntry, kinds.Namespace},
	Related:  []string{"KIA0005"},
	Deps:     rules.DepNS,
	Run:      runExportToNamespaceUnknown,
}

// exportToExample is a DestinationRule of shop exported to "." and
// namespace, where the input holds namespace frontend: the examples of
// MR170.
func exportToExample(namespace string) string {
	return `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: frontend}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  exportTo: [".", ` + namespace + `]
`
}

func runExportToNamespaceUnknown(p *rules.Pass) error {
	g := p.Graph
	if !g.Mesh.ClosedWorld && !namespacesDeclared(g) {
		return nil
	}
	check := func(o *manifest.Object, kind string, list []spec.Str) {
		for _, e := range list {
			switch e.V {
			case ".", "*", "~", "":
				continue
			}
			if g.Namespaces[e.V] != nil {
				continue
			}
			p.Reportf(o, e.Loc, "exportTo of %s %s/%s names namespace %q, which is not in the input: the %s is exported to nobody there",
				kind, o.Namespace, o.Name, e.V, kind)
		}
	}
	for _, vs := range g.VirtualServices {
		check(vs.Obj, "VirtualService", vs.Spec.ExportTo)
	}
	for _, dr := range g.DestinationRules {
		check(dr.Obj, "DestinationRule", dr.Spec.ExportTo)
	}
	for _, se := range g.ServiceEntries {
		check(se.Obj, "ServiceEntry", se.Spec.ExportTo)
	}
	return nil
}

// namespacesDeclared reports whether the input holds Namespace objects.
func namespacesDeclared(g *graph.Graph) bool {
	for _, n := range g.Namespaces {
		if n.Declared() {
			return true
		}
	}
	return false
}

package validation

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// InvalidExportTo reports exportTo lists that Istio rejects.
var InvalidExportTo = &rules.Rule{
	ID:      "MR005",
	Name:    "invalid-export-to",
	Summary: "exportTo holds an invalid value, a duplicate, or mixes * or ~ with other values",
	Doc: `` + "`exportTo`" + ` of a VirtualService, DestinationRule or ServiceEntry lists the namespaces that
see the object: ` + "`.`" + ` (its own namespace), ` + "`*`" + ` (every namespace) or namespace names, which must be
DNS-1123 labels. A ServiceEntry may also say ` + "`~`" + ` (nobody but its own workloads). Istio's webhook
rejects:

- any other value (a ` + "`~`" + ` outside a ServiceEntry, a name with dots or capitals, an empty string);
- a duplicate, including ` + "`.`" + ` beside the object's own namespace name;
- ` + "`*`" + ` or ` + "`~`" + ` together with anything else;
- on a DestinationRule with a ` + "`workloadSelector`" + `, anything but the own namespace alone.

Fix the list: ` + "`[\"*\"]`" + `, ` + "`[\".\"]`" + ` or a list of namespace names.`,
	Bad:      reviewsExportTo(`".", "*"`),
	Good:     reviewsExportTo(`"*"`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.DestinationRule, kinds.ServiceEntry},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runInvalidExportTo,
}

// reviewsExportTo is VirtualService shop/reviews, exported to exportTo
// (a flow sequence's entries): the examples of MR005.
func reviewsExportTo(exportTo string) string {
	return reviewsVirtualService(`  exportTo: [` + exportTo + `]
  http:
  - route:
    - destination: {host: reviews}
`)
}

func runInvalidExportTo(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.VirtualService, kinds.DestinationRule, kinds.ServiceEntry) {
		s := specOf(o)
		list := s.get("exportTo")
		n := list.countStrs()
		if n == 0 {
			continue
		}
		isSE := o.Kind == kinds.ServiceEntry
		seen := map[string]string{} // key → the value written first
		for x := range list.strs() {
			v, _ := x.str()
			key := v
			if v == "." {
				key = o.Namespace
			}
			prev, dup := seen[key]
			switch {
			case dup && prev != v:
				p.Reportf(o, x.loc(), "exportTo lists both . and %s, its own namespace: Istio rejects the %s", o.Namespace, o.Kind)
				continue
			case dup:
				p.Reportf(o, x.loc(), "exportTo lists %q twice: Istio rejects the %s", v, o.Kind)
				continue
			case v == "~" && !isSE:
				p.Reportf(o, x.loc(), "exportTo ~ (nobody) is only allowed on a ServiceEntry: Istio rejects the %s", o.Kind)
			case v != "." && v != "*" && v != "~" && !isDNS1123Label(v):
				p.Reportf(o, x.loc(), "exportTo %q is not ., * or a namespace name (a DNS-1123 label): Istio rejects the %s", v, o.Kind)
			case (v == "*" || v == "~") && n > 1:
				p.Reportf(o, x.loc(), "exportTo %q cannot be combined with other values: Istio rejects the %s", v, o.Kind)
			}
			seen[key] = v
		}
		if o.Kind == kinds.DestinationRule && s.has("workloadSelector") {
			if n > 1 || seen[o.Namespace] == "" {
				p.Reportf(o, s.keyLoc("exportTo"), "a DestinationRule with a workloadSelector can only be exported to its own namespace (exportTo: [\".\"]): Istio rejects it")
			}
		}
	}
	return nil
}

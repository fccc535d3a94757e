package graph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/spec"
)

// Delegation is an http route of a root VirtualService (one with hosts)
// that hands its traffic to a delegate VirtualService (one without hosts):
// Istio merges the delegate's http routes into the root's, which then
// serve the root's hosts on the root's gateways.
type Delegation struct {
	Root *VirtualService
	// Route is the index of the root's http route.
	Route    int
	Delegate *VirtualService
}

// Delegations returns the delegations of the input, in input order of the
// roots: the http routes of the VirtualServices with hosts whose delegate
// names a VirtualService without hosts of the input (in the root's
// namespace when the delegate gives none) that is exported to the root's
// namespace, as Istio's mergeVirtualServicesIfNeeded requires. Istio
// supports one level: a delegate has no hosts, so it is no root, and
// its own delegate routes lead nowhere.
func (g *Graph) Delegations() []Delegation {
	type key struct{ ns, name string }
	// Every definition of a delegate: a root takes the one it goes with
	// (Counterpart), so that each copy of a tree defined twice merges
	// its own copy of the delegate.
	delegates := map[key][]*VirtualService{}
	for _, vs := range g.VirtualServices {
		if len(vs.Spec.Hosts) == 0 {
			k := key{vs.Namespace(), vs.Name()}
			delegates[k] = append(delegates[k], vs)
		}
	}
	if len(delegates) == 0 {
		return nil
	}
	var out []Delegation
	for _, root := range g.VirtualServices {
		if len(root.Spec.Hosts) == 0 {
			continue
		}
		for i, r := range root.Spec.HTTP {
			if r.Delegate == nil {
				continue
			}
			ns := r.Delegate.Namespace.V
			if ns == "" {
				ns = root.Namespace()
			}
			defs := delegates[key{ns, r.Delegate.Name.V}]
			if len(defs) == 0 {
				continue
			}
			if d := Counterpart(g, root.Obj, defs); Visible(d.ExportTo, d.Namespace(), root.Namespace()) {
				out = append(out, Delegation{Root: root, Route: i, Delegate: d})
			}
		}
	}
	return out
}

// DelegatedBackends returns the backends of the delegate of d as the root
// serves them. Their hosts resolve in the delegate's namespace, as Istio
// resolves a VirtualService's short names before it merges it; each is
// named "http[i] > VirtualService ns/name http[j].route[k]". Merged, a
// delegate route's match entries also carry the root route's, and the
// gateways they name restrict it: the backends keep the gateways of both
// (nil when neither restricts), so that AppliesTo with the root never
// leaves out a gateway that the merged route serves.
func (g *Graph) DelegatedBackends(d Delegation) []RouteBackend {
	var m [][]spec.Str
	for _, e := range d.Root.Spec.HTTP[d.Route].Match {
		m = append(m, e.Gateways)
	}
	rootGWs := matchGateways(m)
	var out []RouteBackend
	for _, b := range g.RouteBackends(d.Delegate) {
		if !strings.HasPrefix(b.Route, "http[") {
			continue // only http routes are merged
		}
		b.Route = fmt.Sprintf("http[%d] > VirtualService %s/%s %s", d.Route, d.Delegate.Namespace(), d.Delegate.Name(), b.Route)
		switch {
		case len(b.Gateways) == 0:
			b.Gateways = rootGWs
		case len(rootGWs) > 0:
			b.Gateways = append(slices.Clip(rootGWs), b.Gateways...)
		}
		out = append(out, b)
	}
	return out
}

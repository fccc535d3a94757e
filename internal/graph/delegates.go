package graph

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
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
// named "http[i] > VirtualService ns/name http[j].route[k]". The routes
// that the merge drops (MergeConflict) serve nothing, and their backends
// are left out. The gateways of a backend are those of the match entries
// that the merge makes of its route (MergedGateways), so that AppliesTo
// with the root tells the gateways that serve it.
func (g *Graph) DelegatedBackends(d Delegation) []RouteBackend {
	routes := d.Delegate.Spec.HTTP
	merged := make([]bool, len(routes))
	gws := make([][]spec.Str, len(routes))
	for k := range routes {
		if j, _ := g.MergeConflict(d, k); j < 0 {
			merged[k] = true
			gws[k] = g.MergedGateways(d, k)
		}
	}
	var out []RouteBackend
	for _, b := range g.RouteBackends(d.Delegate) {
		// The merge takes only http routes, and not those it drops.
		k := b.RouteIndex
		if b.RouteKind != "http" || !merged[k] {
			continue
		}
		b.Route = fmt.Sprintf("http[%d] > VirtualService %s/%s %s", d.Route, d.Delegate.Namespace(), d.Delegate.Name(), b.Route)
		b.Gateways = gws[k]
		out = append(out, b)
	}
	return out
}

// MergedGateways returns the gateways that the match entries Istio makes
// of http route k of the delegate of d restrict it to (matchGateways: nil
// when one of them names none, and the route applies on every gateway of
// the root): mergeHTTPMatchRequests pairs each delegate entry with each root entry it
// does not conflict with, and a merged entry takes the delegate entry's
// gateways, or else the root entry's (mergeHTTPMatchRequest); a side
// without entries takes the other's. Each gateway is written
// "namespace/name" as the VirtualService that names it resolves it, since
// AppliesTo resolves names in the root's namespace.
func (g *Graph) MergedGateways(d Delegation, k int) []spec.Str {
	rootNS, leafNS := d.Root.Namespace(), d.Delegate.Namespace()
	root := d.Root.Spec.HTTP[d.Route].Match
	leaf := d.Delegate.Spec.HTTP[k].Match
	var entries [][]spec.Str
	switch {
	case len(root) == 0:
		for _, l := range leaf {
			entries = append(entries, g.qualifiedGateways(l.Gateways, leafNS))
		}
	case len(leaf) == 0:
		for _, r := range root {
			entries = append(entries, g.qualifiedGateways(r.Gateways, rootNS))
		}
	default:
		for _, l := range leaf {
			for _, r := range root {
				switch {
				case g.MatchConflict(r, rootNS, l, leafNS) != "":
				case len(l.Gateways) > 0:
					entries = append(entries, g.qualifiedGateways(l.Gateways, leafNS))
				default:
					entries = append(entries, g.qualifiedGateways(r.Gateways, rootNS))
				}
			}
		}
	}
	return matchGateways(entries)
}

// qualifiedGateways writes gateway names of a VirtualService of namespace
// ns as resolvedGateways does, keeping their locations.
func (g *Graph) qualifiedGateways(gws []spec.Str, ns string) []spec.Str {
	if len(gws) == 0 {
		return nil
	}
	out := make([]spec.Str, len(gws))
	for i, name := range g.resolvedGateways(gws, ns) {
		out[i] = gws[i]
		out[i].V = name
	}
	return out
}

// MergeConflict returns the first match entry of http route k of the
// delegate of d that conflicts with every entry of the route that
// delegates, with why for messages, or -1 when the route is merged.
// Istio's mergeHTTPMatchRequests merges each delegate entry with every
// root entry it does not conflict with (hasConflict), and drops the whole
// route when one of its entries merges with none (istiod logs a warning,
// the configuration says nothing); a side without entries takes the
// other's.
func (g *Graph) MergeConflict(d Delegation, k int) (int, string) {
	root := d.Root.Spec.HTTP[d.Route].Match
	leaf := d.Delegate.Spec.HTTP[k].Match
	if len(root) == 0 || len(leaf) == 0 {
		return -1, ""
	}
	for j, l := range leaf {
		first := ""
		conflicts := true
		for _, r := range root {
			why := g.MatchConflict(r, d.Root.Namespace(), l, d.Delegate.Namespace())
			if why == "" {
				conflicts = false
				break
			}
			if first == "" {
				first = why
			}
		}
		if !conflicts {
			continue
		}
		if len(root) == 1 {
			return j, first
		}
		return j, fmt.Sprintf("conflicts with each of the %d match entries of the route that delegates (with the first: %s)", len(root), first)
	}
	return -1, ""
}

// MatchConflict says how Istio's hasConflict finds that delegate entry
// leaf (of a VirtualService of namespace leafNS) cannot be merged into
// root entry r (of namespace rootNS), or returns "" when it can: the leaf
// may only narrow what the root matches. Gateway names are resolved in the
// namespace of each VirtualService first, as Istio resolves them.
func (g *Graph) MatchConflict(r spec.HTTPMatch, rootNS string, l spec.HTTPMatch, leafNS string) string {
	for _, f := range []struct {
		name string
		r, l *spec.StringMatch
	}{{"uri", r.URI, l.URI}, {"scheme", r.Scheme, l.Scheme}, {"method", r.Method, l.Method}, {"authority", r.Authority, l.Authority}} {
		if StringMatchConflict(f.r, f.l) {
			return fmt.Sprintf("%s %s is not within the root entry's %s %s", f.name, stringMatchPhrase(f.l), f.name, stringMatchPhrase(f.r))
		}
	}
	for _, f := range []struct {
		name string
		r, l map[string]spec.StringMatch
	}{{"header", r.Headers, l.Headers}, {"withoutHeaders", r.WithoutHeaders, l.WithoutHeaders}, {"query parameter", r.QueryParams, l.QueryParams}} {
		for _, k := range slices.Sorted(maps.Keys(f.l)) {
			rm, ok := f.r[k]
			if !ok {
				continue
			}
			lm := f.l[k]
			if StringMatchConflict(&rm, &lm) {
				return fmt.Sprintf("%s %s %s is not within the root entry's %s", f.name, k, stringMatchPhrase(&lm), stringMatchPhrase(&rm))
			}
		}
	}
	if r.IgnoreURICase.V != l.IgnoreURICase.V {
		return fmt.Sprintf("has ignoreUriCase %t where the root entry has %t", l.IgnoreURICase.V, r.IgnoreURICase.V)
	}
	if r.Port.V > 0 && l.Port.V > 0 && r.Port.V != l.Port.V {
		return fmt.Sprintf("port %d is not the root entry's port %d", l.Port.V, r.Port.V)
	}
	if r.SourceNamespace.V != "" && l.SourceNamespace.V != r.SourceNamespace.V {
		if l.SourceNamespace.V == "" {
			return fmt.Sprintf("has no sourceNamespace, and the root entry's sourceNamespace %s must be repeated there", r.SourceNamespace.V)
		}
		return fmt.Sprintf("sourceNamespace %s is not the root entry's %s", l.SourceNamespace.V, r.SourceNamespace.V)
	}
	for _, k := range slices.Sorted(maps.Keys(l.SourceLabels)) {
		if v, ok := r.SourceLabels[k]; ok && v != l.SourceLabels[k] {
			return fmt.Sprintf("sourceLabels %s=%s is not the root entry's %s=%s", k, l.SourceLabels[k], k, v)
		}
	}
	if len(r.Gateways) > 0 && len(l.Gateways) > 0 {
		rootGWs := g.resolvedGateways(r.Gateways, rootNS)
		for _, gw := range g.resolvedGateways(l.Gateways, leafNS) {
			if !slices.Contains(rootGWs, gw) {
				return fmt.Sprintf("gateway %s is not among the root entry's gateways %s", gw, strings.Join(rootGWs, ", "))
			}
		}
		if len(r.Gateways) < len(l.Gateways) {
			return fmt.Sprintf("lists %d gateways, more than the root entry's %d", len(l.Gateways), len(r.Gateways))
		}
	}
	return ""
}

// resolvedGateways resolves gateway names written in a VirtualService of
// namespace ns to "namespace/name" ("mesh" stays).
func (g *Graph) resolvedGateways(gws []spec.Str, ns string) []string {
	out := make([]string, len(gws))
	for i, gw := range gws {
		ref := g.ResolveGateway(gw, ns)
		if ref.Mesh {
			out[i] = "mesh"
		} else {
			out[i] = ref.Namespace + "/" + ref.Name
		}
	}
	return out
}

// StringMatchConflict is Istio's: a leaf condition must be within the
// root's: an exact value equal to the root's exact one, or under its
// prefix, a prefix under its prefix; a regex on either side conflicts with
// any condition on the other. A side without the condition never
// conflicts.
func StringMatchConflict(r, l *spec.StringMatch) bool {
	if r == nil || l == nil {
		return false
	}
	rx, rp, rr := r.Exact.V, r.Prefix.V, r.Regex.V
	lx, lp, lr := l.Exact.V, l.Prefix.V, l.Regex.V
	if rr != "" && (lr != "" || lp != "" || lx != "") {
		return true
	}
	if lr != "" && (rr != "" || rp != "" || rx != "") {
		return true
	}
	switch {
	case rx != "":
		return lp != "" || lx != rx
	case rp != "" && lp != "":
		return !strings.HasPrefix(lp, rp)
	case rp != "" && lx != "":
		return !strings.HasPrefix(lx, rp)
	}
	return true
}

// stringMatchPhrase writes a condition for messages: `prefix "/api"`.
func stringMatchPhrase(m *spec.StringMatch) string {
	switch {
	case m.Exact.V != "":
		return "exact " + strconv.Quote(m.Exact.V)
	case m.Prefix.V != "":
		return "prefix " + strconv.Quote(m.Prefix.V)
	case m.Regex.V != "":
		return "regex " + strconv.Quote(m.Regex.V)
	}
	return "(empty)"
}

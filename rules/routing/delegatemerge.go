package routing

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// droppedDelegateRoutes reports the http routes of delegate VirtualServices
// that Istio leaves out when it merges them into a route that delegates to
// them: mergeHTTPMatchRequests drops a delegate route when one of its match
// entries conflicts (hasConflict) with every entry of the root's route, and
// nothing tells: the requests meant for it go to the delegate's later
// routes, or find no route. The finding is on the delegate's route, since
// the root's route is often written by another team, which the message
// names.
func droppedDelegateRoutes(p *rules.Pass) {
	g := p.Graph
	delegates := routeDelegates(p)
	for _, root := range g.VirtualServices {
		for i, r := range root.Spec.HTTP {
			d := delegates[root][i]
			if d == nil || len(r.Match) == 0 {
				continue
			}
			for k, dr := range d.Spec.HTTP {
				if dr.Delegate != nil || len(dr.Match) == 0 {
					continue // a side without entries takes the other's
				}
				j, why := delegateEntryConflict(g, r.Match, root.Namespace(), dr.Match, d.Namespace())
				if j < 0 {
					continue
				}
				p.Reportf(d.Obj, dr.Match[j].Loc, "%s can never match through %s of VirtualService %s/%s, which delegates to this one: its match[%d] %s, so Istio's merge leaves the route out%s",
					routeLabel("http", k, dr.Name), routeLabel("http", i, r.Name), root.Namespace(), root.Name(), j, why, rewriteNote(r, dr.Match[j])).
					Relate(root.Obj, r.Loc, "the route that delegates")
			}
		}
	}
}

// rewriteNote explains a uri conflict between delegate entry l and the
// entries of root route r when r rewrites the request: the rewrite, which
// the delegate's routes inherit (mergeHTTPRoute), applies to the route
// chosen, after matching, so the delegate's uri conditions must be written
// for the path as it arrives, within the root's, not for the path the
// rewrite makes.
func rewriteNote(r spec.HTTPRoute, l spec.HTTPMatch) string {
	if r.Rewrite == nil || l.URI == nil || !slices.ContainsFunc(r.Match, func(m spec.HTTPMatch) bool { return stringMatchConflict(m.URI, l.URI) }) {
		return ""
	}
	return "; the route that delegates rewrites the request, but only after matching: the delegate's uri conditions see the path as it arrives"
}

// delegateEntryConflict returns the first entry of a delegate route's
// match entries (of namespace leafNS) that conflicts with every entry of
// the root route's (of namespace rootNS), with why for messages, or -1.
func delegateEntryConflict(g *graph.Graph, root []spec.HTTPMatch, rootNS string, leaf []spec.HTTPMatch, leafNS string) (int, string) {
	for j, l := range leaf {
		first := ""
		conflicts := true
		for _, r := range root {
			why := matchConflict(g, r, rootNS, l, leafNS)
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

// matchConflict says how Istio's hasConflict finds that delegate entry leaf
// cannot be merged into root entry r, or returns "" when it can: the leaf
// may only narrow what the root matches. Gateway names are resolved in the
// namespace of each VirtualService first, as Istio resolves them.
func matchConflict(g *graph.Graph, r spec.HTTPMatch, rootNS string, l spec.HTTPMatch, leafNS string) string {
	for _, f := range []struct {
		name string
		r, l *spec.StringMatch
	}{{"uri", r.URI, l.URI}, {"scheme", r.Scheme, l.Scheme}, {"method", r.Method, l.Method}, {"authority", r.Authority, l.Authority}} {
		if stringMatchConflict(f.r, f.l) {
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
			if stringMatchConflict(&rm, &lm) {
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
		rootGWs := resolvedGateways(g, r.Gateways, rootNS)
		for _, gw := range resolvedGateways(g, l.Gateways, leafNS) {
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
func resolvedGateways(g *graph.Graph, gws []spec.Str, ns string) []string {
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

// stringMatchConflict is Istio's: a leaf condition must be within the
// root's: an exact value equal to the root's exact one, or under its
// prefix, a prefix under its prefix; a regex on either side conflicts with
// any condition on the other. A side without the condition never
// conflicts.
func stringMatchConflict(r, l *spec.StringMatch) bool {
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

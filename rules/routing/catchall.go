package routing

import (
	"fmt"
	"slices"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// catchAllEntry reports whether an http match entry takes every request
// that reaches its route: it has no condition but, at most, a uri prefix
// "/" or regex ".*". Istio's BuildHTTPRoutesForVirtualService stops there
// (IsCatchAllRoute) and builds no route after it. The conditions that
// choose a proxy or a listener (port, gateways, sourceLabels,
// sourceNamespace) count: the entry takes everything only where they hold.
func catchAllEntry(m spec.HTTPMatch) bool {
	if m.URI != nil && !catchAllURI(m.URI) {
		return false
	}
	rest := m
	rest.URI = nil
	return !hasConditions(rest)
}

// catchAllURI reports whether a uri condition matches every path, as
// IsCatchAllRoute reads it: a prefix "/" or a regex ".*" and nothing else.
func catchAllURI(s *spec.StringMatch) bool {
	switch {
	case s.Exact.Set:
		return false
	case s.Prefix.Set:
		return !s.Regex.Set && s.Prefix.V == "/"
	case s.Regex.Set:
		return s.Regex.V == ".*"
	}
	return false
}

// catchAllWhy says why entry j of a route is a catch-all, for messages.
func catchAllWhy(m spec.HTTPMatch, j int) string {
	switch {
	case m.URI != nil && m.URI.Prefix.Set:
		return fmt.Sprintf("has match[%d] with only the uri prefix \"/\", which Istio treats as matching every request", j)
	case m.URI != nil:
		return fmt.Sprintf("has match[%d] with only the uri regex \".*\", which Istio treats as matching every request", j)
	case m.Name.Set:
		return fmt.Sprintf("has match[%d] with only a name, no condition", j)
	}
	return fmt.Sprintf("has match[%d] with no condition", j)
}

type delegationsKey struct{}

// routeDelegates returns, for each VirtualService with a route that hands
// its traffic to a delegate of the input (graph.Delegations), the delegate
// of each such route by index, listed once per run. Do not modify it.
func routeDelegates(p *rules.Pass) map[*graph.VirtualService]map[int]*graph.VirtualService {
	return p.Memo(delegationsKey{}, func() any {
		out := map[*graph.VirtualService]map[int]*graph.VirtualService{}
		for _, d := range p.Graph.Delegations() {
			if out[d.Root] == nil {
				out[d.Root] = map[int]*graph.VirtualService{}
			}
			out[d.Root][d.Route] = d.Delegate
		}
		return out
	}).(map[*graph.VirtualService]map[int]*graph.VirtualService)
}

// delegatedCatchAll returns the index of the first http route of delegate
// that, merged into root route r, takes every request, or -1 when there is
// none or delegate is nil (not in the input). Istio puts the delegate's
// routes in place of r (mergeHTTPMatchRequests): a side without match
// entries takes those of the other; otherwise each delegate entry is
// merged with every entry of r it does not conflict with, and a delegate
// route with an entry that conflicts with all of them is dropped. Where
// both sides have entries, a catch-all is only recognised when every entry
// of the delegate route merges with the same catch-all entry of r into a
// catch-all, which leaves out the conflicts.
func delegatedCatchAll(r spec.HTTPRoute, delegate *graph.VirtualService) int {
	if delegate == nil {
		return -1
	}
	anyCatchAll := func(ms []spec.HTTPMatch) bool { return slices.ContainsFunc(ms, catchAllEntry) }
	for k, d := range delegate.Spec.HTTP {
		if d.Delegate != nil {
			continue // a delegate's own delegations lead nowhere
		}
		switch {
		case len(r.Match) == 0:
			if len(d.Match) == 0 || anyCatchAll(d.Match) {
				return k
			}
		case len(d.Match) == 0:
			if anyCatchAll(r.Match) {
				return k
			}
		default:
			for _, a := range r.Match {
				if catchAllEntry(a) && !slices.ContainsFunc(d.Match, func(b spec.HTTPMatch) bool { return !catchAllEntry(b) || !catchAllMerge(a, b) }) {
					return k
				}
			}
		}
	}
	return -1
}

// catchAllMerge reports whether Istio merges two catch-all entries (a of
// the root, b of the delegate) into a catch-all without conflict
// (hasConflict): their ignoreUriCase agree, and their uri conditions are
// not both set unless both are the prefix "/" (a regex conflicts with any
// other uri condition, another regex included).
func catchAllMerge(a, b spec.HTTPMatch) bool {
	if a.IgnoreURICase.V != b.IgnoreURICase.V {
		return false
	}
	if a.URI == nil || b.URI == nil {
		return true
	}
	return a.URI.Prefix.Set && b.URI.Prefix.Set
}

package routing

import (
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// MatchIneffective reports match entries that an earlier entry always
// takes first.
var MatchIneffective = &rules.Rule{
	ID:      "MR118",
	Name:    "match-ineffective",
	Summary: "match entry never decides anything because an earlier entry matches everything it matches",
	Doc: `Istio tries the match entries of a VirtualService's http routes in order. An entry that
repeats an earlier one, or that is narrower than an earlier one (a ` + "`uri.prefix`" + ` of
` + "`/api/v2`" + ` after a prefix of ` + "`/api`" + ` with the same other conditions, an exact URI under an
earlier prefix, or the earlier conditions plus more), never matches a request that the
earlier entry has not already taken. The route still works through its other entries, but this
entry is dead configuration, and often the sign of entries written in the wrong order (the
more specific prefix must come first).

Put the more specific entry first, or remove it. A route all of whose entries repeat earlier
ones, and the routes after a catch-all, are reported by MR107 instead (istioctl analyze reports
such a route both as IST0130 and IST0131). istioctl analyze (IST0131) only reports identical
entries and prefix-under-prefix; meshlint also reports an entry whose conditions include all the
conditions of an earlier one, such as an exact URI under an earlier prefix in the same route.

The match entries of tcp and tls routes are checked for repeats only: an entry identical to an
earlier one (lists such as ` + "`sniHosts`" + ` compared as sets) is never used, since Istio keeps the
first. Overlapping entries are not compared there, since which one takes a connection depends
on where the route is used: sidecars and gateways evaluate ` + "`sourceLabels`" + ` and
` + "`sourceNamespace`" + ` differently, and Envoy chooses among filter chains by ` + "`sniHosts`" + ` and
` + "`destinationSubnets`" + ` by specificity rather than by order.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api]
  http:
  - match:
    - uri: {prefix: /api}
    route:
    - destination: {host: api, subset: v1}
  - match:
    - uri: {prefix: /api/v2}
    - uri: {prefix: /v2}
    route:
    - destination: {host: api, subset: v2}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api]
  http:
  - match:
    - uri: {prefix: /api/v2}
    - uri: {prefix: /v2}
    route:
    - destination: {host: api, subset: v2}
  - match:
    - uri: {prefix: /api}
    route:
    - destination: {host: api, subset: v1}
`,
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"IST0131"},
	Deps:     rules.DepREF,
	Run:      runMatchIneffective,
}

func runMatchIneffective(p *rules.Pass) error {
	// prior is http[i].match[j], named only in findings: the rule reads
	// every match of the input, with lists reused from one VirtualService
	// to the next.
	type prior struct {
		i, j int
		m    *spec.HTTPMatch
	}
	type hit struct {
		j   int
		by  prior
		dup bool
	}
	var earlier []prior
	var hits []hit
	delegates := routeDelegates(p)
	for _, vs := range p.Graph.VirtualServices {
		if len(vs.Spec.TCP)+len(vs.Spec.TLS) > 0 {
			tcp, tls := l4Routes(vs)
			ineffectiveL4(p, vs, "tcp", tcp)
			ineffectiveL4(p, vs, "tls", tls)
		}
		earlier = earlier[:0]
		for i, r := range vs.Spec.HTTP {
			// A route that delegates is replaced by the delegate's routes,
			// narrower than its own entries: those take only what the
			// delegate's routes match, so later entries are not compared
			// with them, and the route is a catch-all only when a delegated
			// route is.
			catchAll := -1
			if r.Delegate != nil {
				catchAll = delegatedCatchAll(r, delegates[vs][i])
			}
			if len(r.Match) == 0 {
				if r.Delegate == nil || catchAll >= 0 {
					break // a catch-all: MR107 reports what follows
				}
				continue
			}
			hits = hits[:0]
			for j := range r.Match {
				m := &r.Match[j]
				for _, e := range earlier {
					if matchKey(*e.m) == matchKey(*m) {
						hits = append(hits, hit{j, e, true})
						break
					}
					if covers(*e.m, *m) {
						hits = append(hits, hit{j, e, false})
						break
					}
				}
				if r.Delegate == nil {
					earlier = append(earlier, prior{i, j, m})
				}
			}
			dups := 0
			for _, h := range hits {
				if h.dup {
					dups++
				}
			}
			if dups == len(r.Match) {
				continue // the whole route is dead: MR107
			}
			for _, h := range hits {
				m := r.Match[h.j]
				how := "covers"
				if h.dup {
					how = "is identical to"
				}
				p.Reportf(vs.Obj, m.Loc, "http[%d].match[%d] never takes a request: the earlier http[%d].match[%d] %s it", i, h.j, h.by.i, h.by.j, how).
					Relate(vs.Obj, h.by.m.Loc, "matches first")
			}
			if r.Delegate == nil && slices.ContainsFunc(r.Match, catchAllEntry) || catchAll >= 0 {
				break
			}
		}
	}
	return nil
}

// covers reports whether every request match b takes is taken by match a:
// a is a catch-all (catchAllEntry), or a's URI condition is absent, equal,
// or a prefix of b's prefix or exact URI, and each of a's other conditions
// is also one of b's.
func covers(a, b spec.HTTPMatch) bool {
	if catchAllEntry(a) {
		return true
	}
	switch {
	case a.URI == nil:
	case b.URI == nil:
		return false
	case a.URI.Prefix.Set && !a.URI.Regex.Set && !a.URI.Exact.Set:
		p, ok := uriLiteral(b.URI)
		if !ok || !strings.HasPrefix(p, a.URI.Prefix.V) {
			return false
		}
	default:
		if matchKey(spec.HTTPMatch{URI: a.URI}) != matchKey(spec.HTTPMatch{URI: b.URI}) {
			return false
		}
	}
	if a.URI != nil && b.IgnoreURICase.V && !a.IgnoreURICase.V {
		return false
	}
	bp := condParts(b)
	for _, c := range condParts(a) {
		if !slices.Contains(bp, c) {
			return false
		}
	}
	return true
}

// uriLiteral returns the prefix or exact value of a URI match.
func uriLiteral(s *spec.StringMatch) (string, bool) {
	switch {
	case s.Regex.Set:
		return "", false
	case s.Prefix.Set:
		return s.Prefix.V, true
	case s.Exact.Set:
		return s.Exact.V, true
	}
	return "", false
}

// condParts lists the conditions of a match other than its URI, each
// encoded by matchKey, so that a subset of parts is a weaker match.
func condParts(m spec.HTTPMatch) []string {
	var out []string
	one := func(c spec.HTTPMatch) { out = append(out, matchKey(c)) }
	if m.Scheme != nil {
		one(spec.HTTPMatch{Scheme: m.Scheme})
	}
	if m.Method != nil {
		one(spec.HTTPMatch{Method: m.Method})
	}
	if m.Authority != nil {
		one(spec.HTTPMatch{Authority: m.Authority})
	}
	for k, v := range m.Headers {
		one(spec.HTTPMatch{Headers: map[string]spec.StringMatch{k: v}})
	}
	for k, v := range m.QueryParams {
		one(spec.HTTPMatch{QueryParams: map[string]spec.StringMatch{k: v}})
	}
	for k, v := range m.WithoutHeaders {
		one(spec.HTTPMatch{WithoutHeaders: map[string]spec.StringMatch{k: v}})
	}
	for k, v := range m.SourceLabels {
		one(spec.HTTPMatch{SourceLabels: map[string]string{k: v}})
	}
	if m.Port.Set && m.Port.V != 0 {
		one(spec.HTTPMatch{Port: m.Port})
	}
	if len(m.Gateways) > 0 {
		one(spec.HTTPMatch{Gateways: m.Gateways})
	}
	if m.SourceNamespace.V != "" {
		one(spec.HTTPMatch{SourceNamespace: m.SourceNamespace})
	}
	return out
}

// ineffectiveL4 reports the match entries of tcp or tls routes (kind) that
// repeat an earlier entry, in a route that has other entries (MR107
// reports a route all of whose entries are repeats). Only identical
// entries are compared: whether a narrower entry after a wider one is dead
// depends on the proxy (gateways ignore sourceLabels, and Envoy picks
// among filter chains by specificity).
func ineffectiveL4(p *rules.Pass, vs *graph.VirtualService, kind string, routes []l4Route) {
	type first struct {
		route, match int
		at           spec.Loc
	}
	seen := map[string]first{}
	for i, r := range routes {
		if len(r.matches) == 0 {
			if kind == "tcp" {
				return // a catch-all: MR107 reports what follows
			}
			continue // invalid, and skipped by Istio
		}
		type hit struct {
			j  int
			by first
		}
		var hits []hit
		for j, m := range r.matches {
			if f, ok := seen[m.key]; ok {
				hits = append(hits, hit{j, f})
				continue
			}
			seen[m.key] = first{i, j, m.at}
		}
		earlier := 0
		for _, h := range hits {
			if h.by.route < i {
				earlier++
			}
		}
		if earlier == len(r.matches) {
			continue // the whole route is dead: MR107
		}
		for _, h := range hits {
			p.Reportf(vs.Obj, r.matches[h.j].at, "%s never takes a connection: the earlier %s is identical to it", l4EntryName(kind, i, h.j), l4EntryName(kind, h.by.route, h.by.match)).
				Relate(vs.Obj, h.by.at, "matches first")
		}
	}
}

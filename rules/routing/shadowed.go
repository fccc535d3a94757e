package routing

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// RouteShadowed reports routes that an earlier route of the same
// VirtualService makes unreachable.
var RouteShadowed = &rules.Rule{
	ID:      "MR107",
	Name:    "route-shadowed",
	Summary: "route can never match because an earlier route takes its traffic, or Istio drops it when it merges a delegate",
	Doc: `Routes of a VirtualService are tried in order and the first route that matches wins. A route
with no ` + "`match`" + `, or with a match entry that has no condition (an empty entry, or one with only
a ` + "`name`" + `), matches every request, so every route after it is dead: the canary, the header
override or the redirect it was meant to add never happens. So does an entry whose only condition
is the uri prefix ` + "`/`" + ` or the uri regex ` + "`.*`" + `: Istio treats it as a catch-all and builds no
route after it. A route that delegates to another VirtualService is replaced by the delegate's
routes, each of which also carries the route's own conditions: it takes every request only when
one of the delegate's routes does (checked when the delegate is in the input). A route all of
whose match entries repeat match entries of earlier routes is dead too, since the earlier route
always matches first.
A delegate's route is merged into the route that delegates to it only when each of its match
entries narrows one of that route's entries: when an entry conflicts with all of them (Istio's
hasConflict: a uri, scheme, method, authority, header or query parameter condition not within
the root entry's, another port, ignoreUriCase or sourceLabels value, a gateway the root entry
does not list, or no ` + "`sourceNamespace`" + ` where the root entry has one), Istio silently leaves the
delegate's route out. The finding is on the delegate's route, for each route that delegates to
it.
The same holds for tcp and tls routes: Istio keeps the first of identical matches. For tcp
routes, Istio also stops at the first route without ` + "`match`" + `. (A tls route without
` + "`match`" + ` is invalid and skipped, so it hides nothing.)

Move the catch-all route to the end, or add the missing conditions to it; remove or change the
duplicated match. The comparison is exact: two entries that differ in any condition (including
port, sourceLabels, gateways or ignoreUriCase) are treated as different, and only the entry's
name is ignored.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
  - match:
    - headers:
        end-user: {exact: jason}
    route:
    - destination: {host: reviews, subset: v2}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - match:
    - headers:
        end-user: {exact: jason}
    route:
    - destination: {host: reviews, subset: v2}
  - route:
    - destination: {host: reviews, subset: v1}
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"IST0130"},
	Deps:     rules.DepREF | rules.DepREV,
	Run:      runRouteShadowed,
}

func runRouteShadowed(p *rules.Pass) error {
	delegates := routeDelegates(p)
	for _, vs := range p.Graph.VirtualServices {
		shadowedHTTP(p, vs, delegates[vs])
		if len(vs.Spec.TCP)+len(vs.Spec.TLS) > 0 {
			tcp, tls := l4Routes(vs)
			shadowedL4(p, vs, "tcp", tcp)
			shadowedL4(p, vs, "tls", tls)
		}
	}
	droppedDelegateRoutes(p)
	return nil
}

// shadowedHTTP reports the http routes of vs that can never match;
// delegates holds the delegate VirtualService of each of its routes that
// delegates to one of the input.
func shadowedHTTP(p *rules.Pass, vs *graph.VirtualService, delegates map[int]*graph.VirtualService) {
	catchAll, why := -1, ""
	seen := map[string]firstMatch{} // match key → the first entry that has it
	for i, r := range vs.Spec.HTTP {
		if catchAll >= 0 {
			prev := vs.Spec.HTTP[catchAll]
			p.Reportf(vs.Obj, r.Loc, "%s can never match: %s before it %s, so it takes every request", routeLabel("http", i, r.Name), routeLabel("http", catchAll, prev.Name), why).
				Relate(vs.Obj, prev.Loc, "the catch-all route")
			continue
		}
		if r.Delegate != nil {
			// Istio puts the delegate's routes in its place, each narrower
			// than the route's own entries: a route without match does not
			// take every request, and a later entry that repeats one of
			// its entries still takes what the delegate's routes leave.
			if len(r.Match) > 0 {
				shadowedRepeats(p, vs, i, r, seen)
			}
			if d := delegates[i]; d != nil {
				if k := delegatedCatchAll(r, d); k >= 0 {
					catchAll, why = i, fmt.Sprintf("delegates to VirtualService %s/%s, whose %s matches every request", d.Namespace(), d.Name(), routeLabel("http", k, d.Spec.HTTP[k].Name))
				}
			}
			continue
		}
		if len(r.Match) == 0 {
			catchAll, why = i, "has no match"
			continue
		}
		keys := shadowedRepeats(p, vs, i, r, seen)
		for j, m := range r.Match {
			if _, ok := seen[keys[j]]; !ok {
				seen[keys[j]] = firstMatch{i, j, m.Loc}
			}
			if catchAll < 0 && catchAllEntry(m) {
				catchAll, why = i, catchAllWhy(m, j)
			}
		}
	}
}

// shadowedRepeats reports http route i of vs, r, when each of its match
// entries repeats one that seen holds, and returns the keys of its entries.
func shadowedRepeats(p *rules.Pass, vs *graph.VirtualService, i int, r spec.HTTPRoute, seen map[string]firstMatch) []string {
	var dups []string
	var earlier []firstMatch
	keys := make([]string, len(r.Match))
	for j, m := range r.Match {
		keys[j] = matchKey(m)
		if f, ok := seen[keys[j]]; ok {
			dups = append(dups, fmt.Sprintf("match[%d] repeats %s", j, f.name()))
			earlier = append(earlier, f)
		}
	}
	if len(dups) == len(r.Match) {
		f := p.Reportf(vs.Obj, r.Loc, "%s can never match: every match entry repeats an entry of an earlier route (%s)", routeLabel("http", i, r.Name), strings.Join(dups, ", "))
		for _, e := range earlier {
			f.Relate(vs.Obj, e.at, "%s matches first", e.name())
		}
	}
	return keys
}

// shadowedL4 reports the tcp or tls routes (kind) that can never match:
// for tcp, those after a route without match, where Istio stops building
// filter chains; for both, a route all of whose match entries repeat
// entries of earlier routes, since Istio keeps the first route of identical
// matches. A tls route without match is invalid, and Istio skips it rather
// than stopping there.
func shadowedL4(p *rules.Pass, vs *graph.VirtualService, kind string, routes []l4Route) {
	type first struct {
		route, match int
		at           spec.Loc
	}
	seen := map[string]first{}
	for i, r := range routes {
		if len(r.matches) == 0 {
			if kind != "tcp" {
				continue
			}
			for j := i + 1; j < len(routes); j++ {
				p.Reportf(vs.Obj, routes[j].at, "tcp[%d] can never match: tcp[%d] before it has no match, so it takes every connection", j, i).
					Relate(vs.Obj, r.at, "the catch-all route")
			}
			return
		}
		var dups []string
		var earlier []first
		for j, m := range r.matches {
			if f, ok := seen[m.key]; ok {
				dups = append(dups, fmt.Sprintf("match[%d] repeats %s", j, l4EntryName(kind, f.route, f.match)))
				earlier = append(earlier, f)
			}
		}
		if len(dups) == len(r.matches) {
			f := p.Reportf(vs.Obj, r.at, "%s[%d] can never match: every match entry repeats an entry of an earlier route (%s)", kind, i, strings.Join(dups, ", "))
			for _, e := range earlier {
				f.Relate(vs.Obj, e.at, "%s matches first", l4EntryName(kind, e.route, e.match))
			}
		}
		for j, m := range r.matches {
			if _, ok := seen[m.key]; !ok {
				seen[m.key] = first{i, j, m.at}
			}
		}
	}
}

// firstMatch is http[route].match[match] of a VirtualService.
type firstMatch struct {
	route, match int
	at           spec.Loc
}

// name is built for findings only, which are few.
func (f firstMatch) name() string { return fmt.Sprintf("http[%d].match[%d]", f.route, f.match) }

func routeLabel(kind string, i int, name spec.Str) string {
	if name.V != "" {
		return fmt.Sprintf("%s[%d] (%q)", kind, i, name.V)
	}
	return fmt.Sprintf("%s[%d]", kind, i)
}

// hasConditions reports whether an http match entry restricts anything.
// Its name does not, and neither does ignoreUriCase without a uri.
func hasConditions(m spec.HTTPMatch) bool {
	return m.URI != nil || m.Scheme != nil || m.Method != nil || m.Authority != nil ||
		len(m.Headers) > 0 || len(m.QueryParams) > 0 || len(m.WithoutHeaders) > 0 ||
		(m.Port.Set && m.Port.V != 0) || len(m.SourceLabels) > 0 || len(m.Gateways) > 0 ||
		m.SourceNamespace.V != ""
}

// matchKey encodes the conditions of an http match entry, without its name
// and positions, so that equal keys mean equal conditions. Lists and maps
// whose order does not matter are sorted.
func matchKey(m spec.HTTPMatch) string {
	var b strings.Builder
	sm := func(field string, s *spec.StringMatch) {
		if s == nil {
			return
		}
		fmt.Fprintf(&b, "%s{", field)
		for _, v := range []struct {
			k string
			v spec.Str
		}{{"exact", s.Exact}, {"prefix", s.Prefix}, {"regex", s.Regex}} {
			if v.v.Set {
				fmt.Fprintf(&b, "%s:%s;", v.k, strconv.Quote(v.v.V))
			}
		}
		b.WriteString("}")
	}
	sms := func(field string, ms map[string]spec.StringMatch) {
		for _, k := range sortedKeys(ms) {
			s := ms[k]
			sm(field+"["+strconv.Quote(k)+"]", &s)
		}
	}
	sm("uri", m.URI)
	sm("scheme", m.Scheme)
	sm("method", m.Method)
	sm("authority", m.Authority)
	sms("headers", m.Headers)
	sms("queryParams", m.QueryParams)
	sms("withoutHeaders", m.WithoutHeaders)
	if m.Port.Set && m.Port.V != 0 {
		fmt.Fprintf(&b, "port:%d;", m.Port.V)
	}
	for _, k := range sortedKeys(m.SourceLabels) {
		fmt.Fprintf(&b, "sourceLabels[%q]:%q;", k, m.SourceLabels[k])
	}
	gws := make([]string, len(m.Gateways))
	for i, g := range m.Gateways {
		gws[i] = strconv.Quote(g.V)
	}
	sort.Strings(gws)
	if len(gws) > 0 {
		fmt.Fprintf(&b, "gateways:%s;", strings.Join(gws, ","))
	}
	if m.SourceNamespace.V != "" {
		fmt.Fprintf(&b, "sourceNamespace:%q;", m.SourceNamespace.V)
	}
	if m.IgnoreURICase.V {
		b.WriteString("ignoreUriCase;")
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

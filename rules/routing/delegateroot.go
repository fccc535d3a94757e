package routing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// DelegateRootOverride reports the settings of a route that delegates
// which, merged into the delegate's routes, do something else than either
// side meant: a directResponse that replaces their destinations, a uri
// rewrite applied to their longer prefixes, mirrors that add up or that
// the delegate's routes all replace, headers, a CORS policy, retries and
// faults that a route's own replace, and faults injected into redirects.
var DelegateRootOverride = &rules.Rule{
	ID:      "MR121",
	Name:    "delegate-root-override",
	Summary: "a setting of a route that delegates, copied field by field into the delegate's routes, overrides their destinations, cuts their paths, or adds to or loses mirrors, headers, CORS, retry and fault settings where neither side meant to",
	Doc: `Istio merges a delegate VirtualService's http routes into the route that delegates to them
(` + "`mergeHTTPRoute`" + `): each setting of the root's route that a delegate route leaves unset is
copied into it, one field at a time, and the merged route is built as if it had been written
that way. Some combinations do what neither author meant:

- a ` + "`directResponse`" + ` on the root's route (validation allows it there) is copied into every
  delegate route without one, and Istio's TranslateRoute prefers it to the route's
  destinations: every delegate route that forwards traffic answers with the fixed response
  instead (error). Only a delegate route's own ` + "`redirect`" + ` or ` + "`directResponse`" + ` escapes it;
- a ` + "`rewrite.uri`" + ` on the root's route becomes Envoy's ` + "`prefix_rewrite`" + ` of each merged route,
  which replaces the prefix that route matched: the delegate's, when it is longer than the
  root's. A root on the prefix ` + "`/shop/`" + ` rewriting to ` + "`/`" + ` and a delegate route on
  ` + "`/shop/api/`" + ` send ` + "`/shop/api/x`" + ` as ` + "`/x`" + `, not ` + "`/api/x`" + `, and a delegate route on the exact
  path ` + "`/shop/about`" + ` sends it as ` + "`/`" + ` (warning). A root route without a uri condition is
  built with the prefix ` + "`/`" + `: its rewrite to ` + "`/v1/`" + ` turns ` + "`/users/x`" + ` into ` + "`/v1/users/x`" + ` alone, and
  into ` + "`/v1//x`" + ` through a delegate route on ` + "`/users`" + `. Rewrite in the delegate's routes instead
  (their uri conditions see the path as it arrives, before any rewrite);
- ` + "`mirror`" + ` and ` + "`mirrors`" + ` are copied separately: a root ` + "`mirror`" + ` and a delegate route's ` + "`mirrors`" + `
  (or the reverse) both apply, so requests are mirrored to both, which validation refuses
  within one route (warning); a delegate route's ` + "`mirror`" + ` without ` + "`mirrorPercentage`" + ` takes the
  root's percentage instead of 100%, whether or not the root's route has a mirror (warning); a
  root ` + "`mirror`" + ` or ` + "`mirrors`" + ` that each delegate route that forwards replaces with its own is
  never used (info), and so is a root ` + "`mirrorPercentage`" + ` (or ` + "`mirrorPercent`" + `) that no delegate
  route's mirror takes: it sets the share of a route's ` + "`mirror`" + ` alone, never of ` + "`mirrors`" + `
  entries, which carry their own (info); a warning when a ` + "`mirrors`" + ` entry of a route that
  forwards sets no ` + "`percentage`" + ` and so copies every request where the root asked for less;
- ` + "`headers`" + ` are copied whole, only into a delegate route without any: a delegate route that
  adds one response header loses every request and response header operation of the root's
  (an HSTS header, a prefix header for the backend), where a merge is expected (warning). A
  header the delegate route handles itself, in the same direction, is taken as its choice;
- ` + "`corsPolicy`" + ` is copied the same way, whole: a delegate route whose own policy sets only
  ` + "`allowOrigins`" + ` loses the root's ` + "`allowMethods`" + `, ` + "`allowHeaders`" + ` and ` + "`allowCredentials`" + `, and
  browsers refuse the cross-origin requests that need them (warning). A field the delegate
  route's policy sets itself is taken as its choice (` + "`allowOrigin`" + ` stands for ` + "`allowOrigins`" + `);
- ` + "`retries`" + ` too: a delegate route whose policy sets only ` + "`attempts`" + ` loses the root's ` + "`retryOn`" + `
  (Envoy then retries only on Istio's default conditions, not on 5xx) and ` + "`perTryTimeout`" + `
  (warning). Policies of 0 attempts, which turn retries off, are left alone. A root ` + "`timeout`" + `,
  a single value, is replaced as anyone would expect;
- ` + "`fault`" + ` too: a delegate route whose fault only aborts loses the root's ` + "`delay`" + `, and one that
  only delays loses the root's ` + "`abort`" + ` (warning). A delegate route that redirects or answers
  with a ` + "`directResponse`" + ` takes the root's fault as well, which validation refuses beside
  them within one route, and Envoy's fault filter, which runs before the router, still
  applies it: the abort answers some requests with its status instead of the redirect or the
  fixed response, the delay holds them back (warning, on the root's fault, since the delegate
  route cannot opt out). A root delay or abort that injects nothing (0%, no ` + "`fixedDelay`" + `, no
  status) is left alone.

The findings about the root's settings are on the root's route, naming the delegate's route;
those about a delegate route's mirrors, headers, corsPolicy, retries or fault are on that route, since its author expects
them to replace or add to the root's. The delegates read are those of the input and those
Flagger creates for a Canary with ` + "`spec.service.delegation`" + ` (each of their HTTP routes with the
Canary's ` + "`spec.service.headers`" + ` and ` + "`corsPolicy`" + `, whose findings are on the Canary), and only
their routes that Istio merges (MR107 reports those it drops).`,
	Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/public]
  http:
  - match:
    - uri: {prefix: /shop/}
    rewrite: {uri: /}
    delegate: {name: api}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  http:
  - match:
    - uri: {prefix: /shop/api/}
    route:
    - destination: {host: api}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/public]
  http:
  - match:
    - uri: {prefix: /shop/}
    delegate: {name: api}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  http:
  - match:
    - uri: {prefix: /shop/api/}
    rewrite: {uri: /api/}
    route:
    - destination: {host: api}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Canary},
	Deps:     rules.DepREF | rules.DepREV,
	Run:      runDelegateRootOverride,
}

func runDelegateRootOverride(p *rules.Pass) error {
	delegates := routeDelegates(p)
	for _, root := range p.Graph.VirtualServices {
		for i, r := range root.Spec.HTTP {
			d := delegates[root][i]
			if d == nil {
				continue
			}
			if r.DirectResponse == nil && r.Rewrite == nil && r.Mirror == nil && len(r.Mirrors) == 0 && r.Headers == nil && r.CorsPolicy == nil &&
				r.MirrorPercentage == nil && !r.MirrorPercent.Set && r.Retries == nil && r.Fault == nil {
				continue
			}
			m := mergedInto(p.Graph, root, i, d)
			if len(m) == 0 {
				continue
			}
			dl := delegateLabel(d)
			if r.DirectResponse != nil {
				rootDirectResponse(p, root, i, r, d, dl, m)
				continue // nothing the delegate's routes set takes effect
			}
			if r.Rewrite != nil {
				rootRewrite(p, root, i, r, d, dl, m)
			}
			rootMirrors(p, root, i, r, d, dl, m)
			if r.Headers != nil {
				rootHeaders(p, root, i, r, d, m)
			}
			if r.CorsPolicy != nil {
				rootCors(p, root, i, r, d, m)
			}
			if r.Retries != nil {
				rootRetries(p, root, i, r, d, m)
			}
			if r.Fault != nil {
				rootFault(p, root, i, r, d, m)
			}
		}
	}
	return nil
}

// mergedRoute is a route of a delegate that Istio merges into the route
// that delegates to it.
type mergedRoute struct {
	k int
	r spec.HTTPRoute
}

// forwards reports whether the route, merged, sends the request to its
// destinations: TranslateRoute prefers a redirect, then a directResponse.
func (m mergedRoute) forwards() bool {
	return m.r.Redirect == nil && m.r.DirectResponse == nil && len(m.r.Route) > 0
}

// mergedInto returns the routes of delegate d that mergeHTTPMatchRequests
// keeps when it merges them into route i of root (graph.MergeConflict).
func mergedInto(g *graph.Graph, root *graph.VirtualService, i int, d *graph.VirtualService) []mergedRoute {
	dl := graph.Delegation{Root: root, Route: i, Delegate: d}
	var out []mergedRoute
	for k, dr := range d.Spec.HTTP {
		if dr.Delegate != nil {
			continue // a delegate's own delegations lead nowhere
		}
		if j, _ := g.MergeConflict(dl, k); j >= 0 {
			continue
		}
		out = append(out, mergedRoute{k, dr})
	}
	return out
}

// rootDirectResponse reports the directResponse of route r of root, which
// mergeHTTPRoute copies into each delegate route without one, where
// TranslateRoute takes it before the route's destinations.
func rootDirectResponse(p *rules.Pass, root *graph.VirtualService, i int, r spec.HTTPRoute, d *graph.VirtualService, dl string, m []mergedRoute) {
	var over []mergedRoute
	for _, x := range m {
		if x.forwards() {
			over = append(over, x)
		}
	}
	if len(over) == 0 {
		return
	}
	f := p.Reportf(root.Obj, r.Keys.Of("directResponse", r.Loc),
		"the directResponse of %s is copied into the routes of %s that it delegates to, and Istio answers with it before their destinations: %s %s a request. Only a delegate route's own redirect or directResponse takes precedence; remove the directResponse, or give it its own route",
		routeLabel("http", i, r.Name), dl, routeList(over), plural(len(over), "never forwards", "never forward"))
	f.Relate(d.Obj, over[0].r.Loc, "a delegate route that forwards")
}

// rootRewrite reports the rewrite.uri of route r of root when a delegate
// route that inherits it matches a longer prefix (or an exact path) under
// the root's prefix: Envoy's prefix_rewrite replaces the prefix of the
// merged route, which is the delegate's, so what the delegate matches
// beyond the root's prefix is cut as well.
func rootRewrite(p *rules.Pass, root *graph.VirtualService, i int, r spec.HTTPRoute, d *graph.VirtualService, dl string, m []mergedRoute) {
	if r.Rewrite.URI.V == "" || r.Rewrite.URIRegexRewrite {
		return
	}
	to := r.Rewrite.URI.V
	type cut struct {
		k           int
		name        spec.Str
		rootP, leaf string
		exact       bool
	}
	var first *cut
	routes := 0
	// Without entries, the root's route takes the delegate's as they are
	// (mergeHTTPMatchRequests), and alone it would match every path.
	rootEntries := r.Match
	if len(rootEntries) == 0 {
		rootEntries = []spec.HTTPMatch{{}}
	}
	for _, x := range m {
		if !x.forwards() || x.r.Rewrite != nil {
			continue // its own rewrite, or none applies
		}
		found := false
		for _, l := range x.r.Match {
			if l.URI == nil {
				continue
			}
			leaf, exact := l.URI.Prefix.V, false
			if l.URI.Exact.V != "" {
				leaf, exact = l.URI.Exact.V, true
			}
			for _, e := range rootEntries {
				// An entry without uri is built with Envoy's prefix "/"
				// (TranslateRouteMatch), which the rewrite replaces.
				rp := "/"
				if e.URI != nil {
					if !e.URI.Prefix.Set || e.URI.Exact.V != "" || e.URI.Regex.V != "" {
						continue
					}
					rp = e.URI.Prefix.V
				}
				if leaf == "" || len(leaf) <= len(rp) || !strings.HasPrefix(leaf, rp) ||
					len(r.Match) > 0 && p.Graph.MatchConflict(e, root.Namespace(), l, d.Namespace()) != "" {
					continue
				}
				if first == nil {
					first = &cut{k: x.k, name: x.r.Name, rootP: rp, leaf: leaf, exact: exact}
				}
				found = true
				break
			}
			if found {
				break
			}
		}
		if found {
			routes++
		}
	}
	if first == nil {
		return
	}
	alone := fmt.Sprintf("the root's prefix %q alone", first.rootP)
	if first.rootP == "/" {
		alone = "the root's route alone, which matches every path (prefix \"/\"),"
	}
	var what string
	if first.exact {
		what = fmt.Sprintf("matches the exact path %q, so Envoy sends it as %q, where %s makes it %q",
			first.leaf, to, alone, to+first.leaf[len(first.rootP):])
	} else {
		ex := first.leaf + "x"
		if !strings.HasSuffix(first.leaf, "/") {
			ex = first.leaf + "/x"
		}
		what = fmt.Sprintf("matches the prefix %q, so Envoy turns %s into %q, where %s makes it %q",
			first.leaf, ex, to+ex[len(first.leaf):], alone, to+ex[len(first.rootP):])
	}
	p.Reportf(root.Obj, r.Rewrite.URI.Loc,
		"rewrite.uri %q of %s is copied into the routes of %s that it delegates to, and replaces the prefix each of them matches, not the root's: %s %s%s. Rewrite in the delegate's routes instead",
		to, routeLabel("http", i, r.Name), dl, routeLabel("http", first.k, first.name), what, moreRoutes(routes-1)).
		AtMost(rules.Warning).
		Relate(d.Obj, d.Spec.HTTP[first.k].Loc, "a delegate route that inherits the rewrite")
}

// rootMirrors reports the mirrors of route r of root that the merge adds to
// a delegate route's own (mergeHTTPRoute copies mirror and mirrors
// separately), the root's mirror percentage taken by a delegate route's
// mirror (the root's own mirror or not), and a root mirror or mirror
// percentage that no delegate route uses.
func rootMirrors(p *rules.Pass, root *graph.VirtualService, i int, r spec.HTTPRoute, d *graph.VirtualService, dl string, m []mergedRoute) {
	rootPct := mirrorPercentOf(r)
	rootRef := fmt.Sprintf("%s of VirtualService %s/%s, which delegates to this one", routeLabel("http", i, r.Name), root.Namespace(), root.Name())
	forwarding, usedMirror, usedMirrors := false, false, false
	// usedPct is whether a route's mirror takes the root's percentage.
	anyMirror, usedPct := false, false
	var withMirrors *mergedRoute
	// full are the mirrors entries, the root's or a route's own, that a
	// route that forwards takes without a percentage: they copy every
	// request, whatever the root's percentage says.
	var full []fullMirror
	for _, x := range m {
		if !x.forwards() {
			continue
		}
		forwarding = true
		usedMirror = usedMirror || x.r.Mirror == nil
		usedMirrors = usedMirrors || len(x.r.Mirrors) == 0
		own := mirrorPercentOf(x.r)
		merged := own.mergedWith(rootPct)
		if x.r.Mirror != nil || r.Mirror != nil {
			anyMirror = true
			usedPct = usedPct || merged.fromRoot(own)
		}
		if withMirrors == nil && x.r.Mirror == nil && r.Mirror == nil && (len(x.r.Mirrors) > 0 || len(r.Mirrors) > 0) {
			withMirrors = &x
		}
		entries, in := x.r.Mirrors, d
		if len(entries) == 0 {
			entries, in = r.Mirrors, root
		}
		for _, e := range entries {
			if e.Percentage == nil && e.Destination != nil {
				full = append(full, fullMirror{x, e, in})
			}
		}
		label := routeLabel("http", x.k, x.r.Name)
		switch {
		case x.r.Mirror == nil && r.Mirror != nil && len(x.r.Mirrors) > 0 && merged.value() > 0:
			p.Reportf(d.Obj, x.r.Keys.Of("mirrors", x.r.Loc),
				"%s mirrors requests to its mirrors and also to %s, the mirror of %s: Istio's merge copies mirror and mirrors separately, so neither replaces the other (validation refuses the two in one route). Move the root's mirror into the routes that want it",
				label, r.Mirror.Host.V, rootRef).
				AtMost(rules.Warning).
				Relate(root.Obj, r.Keys.Of("mirror", r.Loc), "the root's mirror")
		case x.r.Mirror != nil && len(x.r.Mirrors) == 0 && len(r.Mirrors) > 0 && merged.value() > 0:
			p.Reportf(d.Obj, x.r.Keys.Of("mirror", x.r.Loc),
				"%s mirrors requests to %s and also to the %s of %s: Istio's merge copies mirror and mirrors separately, so neither replaces the other (validation refuses the two in one route). Write mirrors here instead of mirror, or move the root's mirrors into the routes that want them",
				label, x.r.Mirror.Host.V, plural(len(r.Mirrors), "mirror", "mirrors"), rootRef).
				AtMost(rules.Warning).
				Relate(root.Obj, r.Keys.Of("mirrors", r.Loc), "the root's mirrors")
		}
		if x.r.Mirror == nil {
			continue
		}
		if got, alone := merged.value(), own.value(); got != alone && got >= 0 && alone >= 0 {
			p.Reportf(d.Obj, x.r.Keys.Of("mirror", x.r.Loc),
				"the mirror of %s %s, not %s of requests: the route has no %s, so it takes the root's %s %s from %s (Istio's merge copies it into a delegate route without one). Set mirrorPercentage on this route",
				label, pctPhrase(got), pctText(alone), merged.field, merged.field, pctText(got), rootRef).
				AtMost(rules.Warning).
				Relate(root.Obj, r.Keys.Of(merged.field, r.Loc), "the root's mirror percentage")
		}
	}
	if !forwarding {
		return
	}
	if r.Mirror != nil && !usedMirror {
		p.Reportf(root.Obj, r.Keys.Of("mirror", r.Loc),
			"the mirror of %s is never used: each route of %s that it delegates to and that forwards sets its own mirror, which replaces it (Istio's merge copies it only into a route without one)",
			routeLabel("http", i, r.Name), dl).
			AtMost(rules.Info)
	}
	if len(r.Mirrors) > 0 && !usedMirrors {
		p.Reportf(root.Obj, r.Keys.Of("mirrors", r.Loc),
			"the mirrors of %s are never used: each route of %s that it delegates to and that forwards sets its own mirrors, which replace them (Istio's merge copies them only into a route without any)",
			routeLabel("http", i, r.Name), dl).
			AtMost(rules.Info)
	}
	// A root mirror that no route uses is reported above: its percentage
	// goes with it.
	if rootPct.field == "" || usedPct || r.Mirror != nil && !usedMirror {
		return
	}
	why := "no route of " + dl + " that it delegates to and that forwards has a mirror"
	if anyMirror {
		why = "each route of " + dl + " that it delegates to and that mirrors sets its own"
	}
	// A user who meant it to sample the mirrors entries sees those
	// without a percentage of their own copy every request: a shadow
	// service sized for the root's share takes all the traffic.
	if v := rootPct.value(); len(full) > 0 && v >= 0 && v != 100 {
		f := full[0]
		more := ""
		if len(full) > 1 {
			more = fmt.Sprintf(" (and %d more %s)", len(full)-1, plural(len(full)-1, "entry", "entries"))
		}
		p.Reportf(root.Obj, r.Keys.Of(rootPct.field, r.Loc),
			"the %s of %s is never used, while a mirrors entry of %s copies every request: Istio's merge copies it into each delegate route without one, where it sets the share of requests that the route's mirror copies, but %s; a mirrors entry takes only its own percentage, and the entry to %s of %s%s sets none (MirrorPercentByPolicy). Set percentage on the mirrors entries that should copy %s of requests, and remove it",
			rootPct.field, routeLabel("http", i, r.Name), dl, why, f.e.Destination.Host.V, routeLabel("http", f.x.k, f.x.r.Name), more, pctText(v)).
			AtMost(rules.Warning).
			Relate(f.in.Obj, f.e.Loc, "a mirrors entry without percentage")
		return
	}
	if withMirrors != nil {
		why += fmt.Sprintf("; it does not apply to the mirrors of %s either: each mirrors entry takes only its own percentage, 100%% when unset", routeLabel("http", withMirrors.k, withMirrors.r.Name))
	}
	p.Reportf(root.Obj, r.Keys.Of(rootPct.field, r.Loc),
		"the %s of %s is never used: Istio's merge copies it into each delegate route without one, where it sets the share of requests that the route's mirror copies, but %s. Remove it, or set the percentage on the routes that mirror",
		rootPct.field, routeLabel("http", i, r.Name), why).
		AtMost(rules.Info)
}

// fullMirror is a mirrors entry without percentage of a route that
// forwards, with the object that writes it: the delegate, or the root
// whose mirrors the merge copies.
type fullMirror struct {
	x  mergedRoute
	e  spec.Mirror
	in *graph.VirtualService
}

// rootHeaders reports the delegate routes that set headers of their own
// while route r of root sets some: mergeHTTPRoute copies the root's
// headers only into a route without any, so the root's operations that
// the route does not repeat are lost there, where a merge is expected.
func rootHeaders(p *rules.Pass, root *graph.VirtualService, i int, r spec.HTTPRoute, d *graph.VirtualService, m []mergedRoute) {
	rootOps := headerOps(r.Headers)
	if len(rootOps) == 0 {
		return
	}
	for _, x := range m {
		own := x.r.Headers
		if own == nil {
			continue
		}
		// A header the route handles in any way, in the same direction,
		// is taken as a choice to handle it otherwise.
		have := map[string]bool{}
		for _, op := range headerOps(own) {
			have[op.dir+" "+op.name] = true
		}
		var lost []string
		for _, op := range rootOps {
			if !have[op.dir+" "+op.name] {
				lost = append(lost, op.String())
			}
		}
		if len(lost) == 0 {
			continue
		}
		list := strings.Join(lost, ", ")
		if len(lost) > 3 {
			list = strings.Join(lost[:3], ", ") + fmt.Sprintf(" and %d more", len(lost)-3)
		}
		p.Reportf(d.Obj, x.r.Keys.Of("headers", x.r.Loc),
			"the headers of %s replace those of %s of VirtualService %s/%s, which delegates to this one, instead of adding to them: Istio's merge copies the root's headers only into a route without any, so %s %s not apply here. Repeat them on this route, or move them to each route that wants them",
			routeLabel("http", x.k, x.r.Name), routeLabel("http", i, r.Name), root.Namespace(), root.Name(), list, plural(len(lost), "does", "do")).
			AtMost(rules.Warning).
			Relate(root.Obj, r.Keys.Of("headers", r.Loc), "the root's headers")
	}
}

// rootCors reports the delegate routes with a corsPolicy of their own
// while route r of root has one: mergeHTTPRoute copies the root's policy
// only into a route without one, so the fields of the root's policy that
// the route's does not set are lost there, as with headers.
func rootCors(p *rules.Pass, root *graph.VirtualService, i int, r spec.HTTPRoute, d *graph.VirtualService, m []mergedRoute) {
	rootFields := corsFields(r.CorsPolicy)
	if len(rootFields) == 0 {
		return
	}
	for _, x := range m {
		if x.r.CorsPolicy == nil {
			continue
		}
		own := corsFields(x.r.CorsPolicy)
		var lost []string
		for _, f := range rootFields {
			if !slices.Contains(own, f) {
				lost = append(lost, f)
			}
		}
		if len(lost) == 0 {
			continue
		}
		p.Reportf(d.Obj, x.r.Keys.Of("corsPolicy", x.r.Loc),
			"the corsPolicy of %s replaces that of %s of VirtualService %s/%s, which delegates to this one, instead of adding to it: Istio's merge copies the root's policy only into a route without one, so the root's %s %s not apply here. Repeat %s in this route's policy, or move the policy to each route that wants it",
			routeLabel("http", x.k, x.r.Name), routeLabel("http", i, r.Name), root.Namespace(), root.Name(), strings.Join(lost, ", "), plural(len(lost), "does", "do"), plural(len(lost), "it", "them")).
			AtMost(rules.Warning).
			Relate(root.Obj, r.Keys.Of("corsPolicy", r.Loc), "the root's corsPolicy")
	}
}

// rootRetries reports the delegate routes that forward with a retry policy
// of their own while route r of root has one: mergeHTTPRoute copies the
// root's policy only into a route without one, so its retryOn and
// perTryTimeout that the route's policy leaves unset are lost there. Only
// policies that retry (attempts above 0) are compared: validation refuses
// other settings with attempts 0 or unset (MR018), and a policy of 0
// attempts turns retries off, whatever the other side sets.
func rootRetries(p *rules.Pass, root *graph.VirtualService, i int, r spec.HTTPRoute, d *graph.VirtualService, m []mergedRoute) {
	rt := r.Retries
	if rt.Attempts.V <= 0 {
		return
	}
	for _, x := range m {
		own := x.r.Retries
		if own == nil || own.Attempts.V <= 0 || !x.forwards() {
			continue
		}
		var lost []string
		if rt.RetryOn.V != "" && own.RetryOn.V == "" {
			lost = append(lost, fmt.Sprintf("retryOn %q", rt.RetryOn.V))
		}
		if rt.PerTryTimeout.V != "" && own.PerTryTimeout.V == "" {
			lost = append(lost, "perTryTimeout "+rt.PerTryTimeout.V)
		}
		if len(lost) == 0 {
			continue
		}
		msg := fmt.Sprintf("the retries of %s replace those of %s of VirtualService %s/%s, which delegates to this one, instead of adding to them: Istio's merge copies the root's retry policy only into a route without one, so the root's %s %s not apply here",
			routeLabel("http", x.k, x.r.Name), routeLabel("http", i, r.Name), root.Namespace(), root.Name(), strings.Join(lost, " and "), plural(len(lost), "does", "do"))
		if own.RetryOn.V == "" {
			msg += ", and Envoy retries only on Istio's default conditions (connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes)"
		} else if own.PerTryTimeout.V == "" {
			msg += ", and each try is bounded only by the route's timeout"
		}
		p.Reportf(d.Obj, own.Loc, "%s. Repeat %s in this route's retries", msg, plural(len(lost), "it", "them")).
			AtMost(rules.Warning).
			Relate(root.Obj, rt.Loc, "the root's retries")
	}
}

// rootFault reports the delegate routes with a fault of their own while
// route r of root injects a fault of another kind: mergeHTTPRoute copies
// the root's fault only into a route without one, so a delegate route's
// abort drops the root's delay there, and the reverse. A delegate route
// whose fault has the root's kind, even of another value, is taken as its
// choice. Validation refuses a fault beside a redirect or a
// directResponse (MR004), so a route with its own fault forwards; those
// without one take the root's (rootFaultAnswers).
func rootFault(p *rules.Pass, root *graph.VirtualService, i int, r spec.HTTPRoute, d *graph.VirtualService, m []mergedRoute) {
	delay, abort := delayText(r.Fault.Delay), abortText(r.Fault.Abort)
	if delay == "" && abort == "" {
		return
	}
	rootFaultAnswers(p, root, i, r, d, m, delay, abort)
	for _, x := range m {
		own := x.r.Fault
		if own == nil || own.Delay == nil && own.Abort == nil {
			// Without a fault the route takes the root's; validation
			// refuses one of neither kind (MR019).
			continue
		}
		var lost []string
		if delay != "" && own.Delay == nil {
			lost = append(lost, delay)
		}
		if abort != "" && own.Abort == nil {
			lost = append(lost, abort)
		}
		if len(lost) == 0 {
			continue
		}
		p.Reportf(d.Obj, x.r.Keys.Of("fault", x.r.Loc),
			"the fault of %s replaces that of %s of VirtualService %s/%s, which delegates to this one, instead of adding to it: Istio's merge copies the root's fault only into a route without one, so the root's %s %s not injected here. Repeat %s in this route's fault",
			routeLabel("http", x.k, x.r.Name), routeLabel("http", i, r.Name), root.Namespace(), root.Name(), strings.Join(lost, " and "), plural(len(lost), "is", "are"), plural(len(lost), "it", "them")).
			AtMost(rules.Warning).
			Relate(root.Obj, r.Keys.Of("fault", r.Loc), "the root's fault")
	}
}

// rootFaultAnswers reports the fault of route r of root that the merge
// copies into delegate routes that redirect or answer with a
// directResponse: validation refuses a fault beside either in one route
// (validateHTTPRoute), but not in the merged route, and TranslateRoute
// sets the fault filter's per-route config whatever the route's action.
// Envoy's fault filter runs before the router, so its abort replaces the
// redirect or the fixed response, and its delay holds it back. The
// delegate route cannot opt out (a fault of its own is refused there too):
// the fix is the root's, so the finding is on the root's fault. delay and
// abort are what the root's fault injects (delayText, abortText).
func rootFaultAnswers(p *rules.Pass, root *graph.VirtualService, i int, r spec.HTTPRoute, d *graph.VirtualService, m []mergedRoute, delay, abort string) {
	var hit []mergedRoute
	redirects, answers := 0, 0
	for _, x := range m {
		// A route with a fault of its own keeps it (and validation has
		// refused it already, MR004).
		if x.r.Fault != nil {
			continue
		}
		switch {
		case x.r.Redirect != nil:
			redirects++
		case x.r.DirectResponse != nil:
			answers++
		default:
			continue
		}
		hit = append(hit, x)
	}
	if len(hit) == 0 {
		return
	}
	// TranslateRoute prefers the redirect when a route has both.
	first, what := hit[0], "redirect"
	if first.r.Redirect == nil {
		what = "direct response"
	}
	does := plural(len(hit), "redirects", "redirect")
	switch {
	case answers > 0 && redirects > 0:
		does, what = "redirect or answer with a directResponse", "redirect or direct response"
	case answers > 0:
		does = plural(len(hit), "answers with a directResponse", "answer with a directResponse")
	}
	var effects []string
	if abort != "" {
		effects = append(effects, fmt.Sprintf("its %s answers those requests instead of the %s", abort, what))
	}
	if delay != "" {
		effects = append(effects, fmt.Sprintf("its %s holds back the %s", delay, what))
	}
	// The redirect has no key position of its own (spec keeps it raw):
	// the route's stands for it.
	at := first.r.Loc
	if first.r.Redirect == nil {
		at = first.r.Keys.Of("directResponse", at)
	}
	p.Reportf(root.Obj, r.Keys.Of("fault", r.Loc),
		"the fault of %s is copied into the routes of %s that it delegates to, and Envoy injects it into %s too, which %s: %s. Validation refuses a fault beside a redirect or a directResponse in one route, but Istio's merge does not check it, and the delegate route cannot opt out. Move the fault into the delegate routes that forward, or send these requests through a root route without fault",
		routeLabel("http", i, r.Name), delegateLabel(d), routeList(hit), does, strings.Join(effects, ", and ")).
		AtMost(rules.Warning).
		Relate(d.Obj, at, "a delegate route that does not forward")
}

// delayText describes a fault delay that TranslateFault injects into some
// requests, or returns "" for one that delays none: without a fixedDelay,
// or with 0% (or no percentage), or a value that is not a number.
func delayText(d *spec.HTTPFaultDelay) string {
	if d == nil || d.FixedDelay.V == "" {
		return ""
	}
	pct, bad := d.Percent.V, d.Percent.Bad
	if d.Percentage != nil {
		pct, bad = d.Percentage.Value.V, d.Percentage.Value.Bad
	}
	if bad || pct <= 0 {
		return ""
	}
	return fmt.Sprintf("delay of %s for %s of requests", d.FixedDelay.V, pctText(pct))
}

// abortText describes a fault abort that TranslateFault injects into some
// requests, or returns "" for one that aborts none: without an httpStatus
// or a grpcStatus (an http2Error is dropped), or without a percentage
// above 0.
func abortText(a *spec.HTTPFaultAbort) string {
	if a == nil || a.Percentage == nil || a.Percentage.Value.Bad || a.Percentage.Value.V <= 0 {
		return ""
	}
	var what string
	switch {
	case a.HTTPStatus.Set && !a.HTTPStatus.Bad:
		what = "httpStatus " + strconv.FormatFloat(a.HTTPStatus.V, 'f', -1, 64)
	case a.GRPCStatus.V != "":
		what = "grpcStatus " + a.GRPCStatus.V
	default:
		return ""
	}
	return fmt.Sprintf("abort with %s for %s of requests", what, pctText(a.Percentage.Value.V))
}

// corsFields lists the fields a corsPolicy sets, once each, in the order
// of Istio's CorsPolicy (others after, sorted), so that messages do not
// depend on the order written; the deprecated allowOrigin, which
// TranslateCORSPolicy reads when allowOrigins is unset, counts as
// allowOrigins.
func corsFields(c *spec.HeaderNames) []string {
	corsOrder := [...]string{"allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders", "maxAge", "allowCredentials", "unmatchedPreflights"}
	var out []string
	for _, f := range c.Names {
		if f == "allowOrigin" {
			f = "allowOrigins"
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	rank := func(f string) int {
		if i := slices.Index(corsOrder[:], f); i >= 0 {
			return i
		}
		return len(corsOrder)
	}
	slices.SortFunc(out, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return out
}

// headerOp is one operation of a route's headers: request or response,
// set, add or remove, and the header name, lowercase.
type headerOp struct{ dir, op, name string }

func (o headerOp) String() string { return o.dir + "." + o.op + " " + o.name }

// headerOps lists the operations of a route's headers in the order
// written.
func headerOps(h *spec.HTTPHeaders) []headerOp {
	var out []headerOp
	for _, d := range []struct {
		dir string
		ops *spec.HeaderOps
	}{{"request", h.Request}, {"response", h.Response}} {
		if d.ops == nil {
			continue
		}
		for _, n := range d.ops.Set.Names {
			out = append(out, headerOp{d.dir, "set", strings.ToLower(n)})
		}
		for _, n := range d.ops.Add.Names {
			out = append(out, headerOp{d.dir, "add", strings.ToLower(n)})
		}
		for _, n := range d.ops.Remove {
			out = append(out, headerOp{d.dir, "remove", strings.ToLower(n)})
		}
	}
	return out
}

// mirrorPercent is what a route writes of the two fields that set its
// mirror's percentage; MirrorPercent reads mirrorPercentage first.
type mirrorPercent struct {
	pct, pctInt       float64
	hasPct, hasPctInt bool
	// bad is set when a value is not a number: no comparison is made.
	bad bool
	// field names the field value reads.
	field string
}

// mirrorPercentOf reads the mirror percentage fields of route r. A
// mirrorPercentage without value is 0%, as Istio reads it.
func mirrorPercentOf(r spec.HTTPRoute) mirrorPercent {
	var out mirrorPercent
	if p := r.MirrorPercentage; p != nil {
		out.pct, out.hasPct, out.bad = p.Value.V, true, p.Value.Bad
	}
	if n := r.MirrorPercent; n.Set {
		out.pctInt, out.hasPctInt, out.bad = n.V, true, out.bad || n.Bad
	}
	return out.named()
}

// mergedWith returns the fields of a delegate route merged with the
// root's: each one the delegate route leaves unset comes from the root.
func (o mirrorPercent) mergedWith(root mirrorPercent) mirrorPercent {
	if !o.hasPct && root.hasPct {
		o.pct, o.hasPct = root.pct, true
	}
	if !o.hasPctInt && root.hasPctInt {
		o.pctInt, o.hasPctInt = root.pctInt, true
	}
	o.bad = o.bad || root.bad
	return o.named()
}

// named sets field to the field MirrorPercent reads: mirrorPercentage
// before mirrorPercent.
func (o mirrorPercent) named() mirrorPercent {
	switch {
	case o.hasPct:
		o.field = "mirrorPercentage"
	case o.hasPctInt:
		o.field = "mirrorPercent"
	}
	return o
}

// fromRoot reports whether the merged fields o, of a delegate route whose
// own are own, take the value that MirrorPercent reads from the root.
func (o mirrorPercent) fromRoot(own mirrorPercent) bool {
	switch o.field {
	case "mirrorPercentage":
		return !own.hasPct
	case "mirrorPercent":
		return !own.hasPctInt
	}
	return false
}

// value is the percentage of requests mirrored (MirrorPercent), or -1 when
// a field is not a number.
func (o mirrorPercent) value() float64 {
	switch {
	case o.bad:
		return -1
	case o.hasPct:
		return o.pct
	case o.hasPctInt:
		return o.pctInt
	}
	return 100
}

func pctText(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + "%" }

func pctPhrase(v float64) string {
	if v <= 0 {
		return "mirrors no request"
	}
	return "mirrors " + pctText(v)
}

// delegateLabel names delegate VirtualService d in messages.
func delegateLabel(d *graph.VirtualService) string {
	return fmt.Sprintf("VirtualService %s/%s", d.Namespace(), d.Name())
}

// moreRoutes says how many more delegate routes a rewrite cuts.
func moreRoutes(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("; %d more %s under the root's prefix", n, plural(n, "route matches a path", "routes match paths"))
}

// routeList names routes in messages: the first two, and how many more.
func routeList(rs []mergedRoute) string {
	switch len(rs) {
	case 1:
		return routeLabel("http", rs[0].k, rs[0].r.Name)
	case 2:
		return routeLabel("http", rs[0].k, rs[0].r.Name) + " and " + routeLabel("http", rs[1].k, rs[1].r.Name)
	}
	return fmt.Sprintf("%s, %s and %d more", routeLabel("http", rs[0].k, rs[0].r.Name), routeLabel("http", rs[1].k, rs[1].r.Name), len(rs)-2)
}

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

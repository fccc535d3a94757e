package validation

import (
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// ConflictingActions reports VirtualService routes whose actions exclude
// each other, or that have none.
var ConflictingActions = &rules.Rule{
	ID:      "MR004",
	Name:    "http-route-conflicting-actions",
	Summary: "a VirtualService route has conflicting actions, or none",
	Doc: `An HTTP route of a VirtualService does exactly one thing: forward (` + "`route`" + `), redirect
(` + "`redirect`" + `), answer (` + "`directResponse`" + `) or hand over to another VirtualService (` + "`delegate`" + `).
Istio's validation webhook rejects a route that sets two of them, one that sets none, a
` + "`redirect`" + ` or ` + "`directResponse`" + ` together with ` + "`fault`" + ` or ` + "`rewrite`" + `, and ` + "`mirror`" + ` together with
` + "`mirrors`" + `. A route that delegates is the exception: only ` + "`route`" + ` and ` + "`redirect`" + ` are
refused beside ` + "`delegate`" + `, and its ` + "`directResponse`" + `, ` + "`fault`" + `, ` + "`rewrite`" + ` and mirrors are
defaults for the delegate's routes. A TCP or TLS route needs a ` + "`route`" + `, a TLS route needs a
` + "`match`" + ` with ` + "`sniHosts`" + `, and a VirtualService needs at least one of ` + "`http`" + `, ` + "`tcp`" + ` and
` + "`tls`" + `. A delegate VirtualService (one without ` + "`hosts`" + `) may have neither ` + "`gateways`" + `, ` + "`tcp`" + `,
` + "`tls`" + ` nor routes that delegate again.

The schema cannot express these combinations, so ` + "`kubectl apply`" + ` passes client-side checks and the
webhook refuses the object. Split the route in two (a match that redirects, then one that
forwards), or remove the action that is not meant.`,
	Bad:      shopRedirect("    route:"),
	Good:     shopRedirect("  - route:"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runConflictingActions,
}

// shopRedirect is VirtualService shop/shop, which redirects /old to /new
// and has the route line: one in the redirect's entry, or one that starts
// an entry of its own. The examples of MR004.
func shopRedirect(route string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: shop
  namespace: shop
spec:
  hosts: [shop]
  http:
  - match:
    - uri: {prefix: /old}
    redirect: {uri: /new}
` + route + `
    - destination: {host: shop}
`
}

func runConflictingActions(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.VirtualService) {
		s := specOf(o)
		delegateVS := noItems(s.get("hosts"))
		if !s.has("http") && !s.has("tcp") && !s.has("tls") {
			p.Reportf(o, s.keyLoc("hosts"), "VirtualService has no http, tcp or tls routes: Istio rejects it")
		}
		if delegateVS {
			for _, f := range []string{"gateways", "tcp", "tls"} {
				if s.get(f).len() > 0 {
					p.Reportf(o, s.keyLoc(f), "a delegate VirtualService (one without hosts) cannot set %s: Istio rejects it", f)
				}
			}
		}
		for r := range s.get("http").items() {
			if !r.isMap() {
				continue
			}
			if !delegateVS && r.has("delegate") {
				// validateHTTPRouteConflict checks a route that delegates
				// for route and redirect alone, and stops there: its
				// directResponse, fault, rewrite and mirrors are defaults
				// that mergeHTTPRoute copies into the delegate's routes.
				for _, a := range []string{"route", "redirect"} {
					if r.has(a) && !(a == "route" && noItems(r.get(a))) { //nolint:staticcheck // QF1001: as below
						p.Reportf(o, r.keyLoc(a), "%s sets both delegate and %s: a route that delegates cannot route or redirect itself, its delegate's routes do; Istio rejects the VirtualService", r.where(), a)
					}
				}
				continue
			}
			var actions []string
			for _, a := range []string{"route", "redirect", "directResponse", "delegate"} {
				if r.has(a) && !(a == "route" && noItems(r.get(a))) { //nolint:staticcheck // QF1001: "not an empty route" reads better than its De Morgan form
					actions = append(actions, a)
				}
			}
			switch {
			case len(actions) == 0:
				p.Reportf(o, r.loc(), "%s has no route, redirect, directResponse or delegate: Istio rejects the VirtualService", r.where())
			case len(actions) > 1:
				p.Reportf(o, r.keyLoc(actions[1]), "%s sets both %s: a route does one of route, redirect, directResponse and delegate; Istio rejects the VirtualService", r.where(), strings.Join(actions, " and "))
			}
			if delegateVS && r.has("delegate") {
				p.Reportf(o, r.keyLoc("delegate"), "%s delegates again, but this VirtualService is itself a delegate (it has no hosts): Istio rejects it", r.where())
			}
			for _, a := range []string{"redirect", "directResponse"} {
				if !r.has(a) {
					continue
				}
				for _, x := range []string{"fault", "rewrite"} {
					if r.has(x) {
						p.Reportf(o, r.keyLoc(x), "%s sets both %s and %s: Istio rejects the VirtualService", r.where(), a, x)
					}
				}
			}
			if r.has("mirror") && r.get("mirrors").len() > 0 {
				p.Reportf(o, r.keyLoc("mirrors"), "%s sets both mirror and mirrors: use mirrors alone; Istio rejects the VirtualService", r.where())
			}
		}
		for _, kind := range []string{"tcp", "tls"} {
			for r := range s.get(kind).items() {
				if r.isMap() && noItems(r.get("route")) {
					p.Reportf(o, r.loc(), "%s has no route: Istio rejects the VirtualService", r.where())
				}
			}
		}
		for r := range s.get("tls").items() {
			if !r.isMap() {
				continue
			}
			ms := r.get("match")
			if noItems(ms) {
				p.Reportf(o, r.loc(), "%s has no match: a TLS route must match on sniHosts; Istio rejects the VirtualService", r.where())
			}
			for m := range ms.items() {
				if m.isMap() && noItems(m.get("sniHosts")) {
					p.Reportf(o, m.loc(), "%s has no sniHosts: Istio rejects the VirtualService", m.where())
				}
			}
		}
	}
	return nil
}

// noItems reports whether a list field is absent, null or empty, as
// Istio's validation reads it. A value of another type is not: the loader
// or MR001 reports its type, and reading it as no list would add a second
// message, and a wrong one ("has no route" of a route written as a
// mapping), for the same mistake.
func noItems(x node) bool { return !x.ok() || x.isSeq() && x.len() == 0 }

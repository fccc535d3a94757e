package validation

import (
	"regexp"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// InvalidHeaderName reports HTTP header names that Istio rejects.
var InvalidHeaderName = &rules.Rule{
	ID:      "MR009",
	Name:    "invalid-header-name",
	Summary: "an HTTP header name is empty or has characters other than letters, digits, - and _",
	Doc: `Istio's webhook accepts header names made of letters, digits, ` + "`-`" + ` and ` + "`_`" + ` only, in
VirtualService matches (` + "`headers`" + `, ` + "`withoutHeaders`" + `), header operations (` + "`set`" + `, ` + "`add`" + `,
` + "`remove`" + ` of requests and responses, per route and per destination), CORS ` + "`allowHeaders`" + ` and
` + "`exposeHeaders`" + `, and RequestAuthentication ` + "`outputClaimToHeaders`" + `; and in the ` + "`headers`" + ` and ` + "`corsPolicy`" + ` of
a Flagger Canary's ` + "`spec.service`" + `, which Flagger copies into the routes of the VirtualService it
generates, which Istio then rejects. A space, a colon (pseudo-headers
such as ` + "`:path`" + ` are matched with ` + "`uri`" + `, ` + "`authority`" + `, ` + "`method`" + `), or a trailing ` + "`:`" + ` copied from a
curl trace makes the webhook reject the object.

A match key ` + "`@request.auth.claims.<claim>`" + ` routes on a JWT claim; it is only allowed on a
VirtualService bound to gateways alone, since sidecars do not validate JWTs before routing.

Fix the name; match the request URI, authority or method with their own fields.`,
	Bad:      reviewsHeaderMatch(`"x-canary:"`),
	Good:     reviewsHeaderMatch("x-canary"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.RequestAuthentication, kinds.Canary},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runInvalidHeaderName,
}

// reviewsHeaderMatch is VirtualService shop/reviews, which sends the
// requests with header (a YAML key) to subset v2 and the others to v1:
// the examples of MR009.
func reviewsHeaderMatch(header string) string {
	return reviewsVirtualService(`  http:
  - match:
    - headers:
        ` + header + `: {exact: "true"}
    route:
    - destination: {host: reviews, subset: v2}
  - route:
    - destination: {host: reviews, subset: v1}
`)
}

var validHeader = regexp.MustCompile(`^[-_A-Za-z0-9]+$`)

const jwtClaimPrefix = "@request.auth.claims"

func runInvalidHeaderName(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.VirtualService) {
		s := specOf(o)
		gatewayOnly := !boundToMesh(s)
		for r := range s.get("http").items() {
			for m := range r.get("match").items() {
				checkMatchHeaders(p, o, m, gatewayOnly)
			}
			checkHeaderOps(p, o, r.get("headers"))
			for d := range r.get("route").items() {
				checkHeaderOps(p, o, d.get("headers"))
			}
			checkCORSHeaders(p, o, r.get("corsPolicy"))
		}
	}
	for o, svc := range canaryHTTPServices(p) {
		checkHeaderOps(p, o, svc.get("headers"))
		checkCORSHeaders(p, o, svc.get("corsPolicy"))
	}
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.RequestAuthentication) {
		for r := range specOf(o).get("jwtRules").items() {
			for c := range r.get("outputClaimToHeaders").items() {
				x := c.get("header")
				if v, ok := x.str(); ok {
					checkHeaderName(p, o, v, x.loc(), x)
				}
			}
			for h := range r.get("fromHeaders").items() {
				x := h.get("name")
				if v, ok := x.str(); ok && v == "" {
					p.Reportf(o, x.loc(), "%s: header name is empty; Istio rejects the RequestAuthentication", x.where())
				}
			}
		}
	}
	return nil
}

// checkMatchHeaders checks the header names of an HTTP match m of a
// VirtualService.
func checkMatchHeaders(p *rules.Pass, o *manifest.Object, m node, gatewayOnly bool) {
	for _, f := range []string{"headers", "withoutHeaders"} {
		for e := range m.get(f).entries() {
			if strings.HasPrefix(e.key, jwtClaimPrefix) {
				if !gatewayOnly {
					p.Reportf(o, e.keyLoc, "%s: JWT claim routing (%s) is only supported on a VirtualService bound to gateways alone; Istio rejects the VirtualService", e.val.where(), e.key)
				}
				continue
			}
			checkHeaderName(p, o, e.key, e.keyLoc, e.val)
		}
	}
}

// checkHeaderOps checks the header names of Istio header operations h
// (of requests and responses: set, add, remove).
func checkHeaderOps(p *rules.Pass, o *manifest.Object, h node) {
	for _, dir := range []string{"request", "response"} {
		hd := h.get(dir)
		for _, f := range []string{"set", "add"} {
			for e := range hd.get(f).entries() {
				checkHeaderName(p, o, e.key, e.keyLoc, e.val)
			}
		}
		for x := range hd.get("remove").strs() {
			v, _ := x.str()
			checkHeaderName(p, o, v, x.loc(), x)
		}
	}
}

// checkCORSHeaders checks the header names of an Istio CORS policy.
func checkCORSHeaders(p *rules.Pass, o *manifest.Object, cors node) {
	for _, f := range []string{"allowHeaders", "exposeHeaders"} {
		for x := range cors.get(f).strs() {
			v, _ := x.str()
			checkHeaderName(p, o, v, x.loc(), x)
		}
	}
}

func checkHeaderName(p *rules.Pass, o *manifest.Object, name string, loc manifest.Loc, at node) {
	switch {
	case name == "":
		p.Reportf(o, loc, "%s: header name is empty; Istio rejects %s", at.where(), rejectedObject(o))
	case !validHeader.MatchString(name):
		p.Reportf(o, loc, "%s: header name %q may only hold letters, digits, - and _; Istio rejects %s", at.where(), name, rejectedObject(o))
	}
}

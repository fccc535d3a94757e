package validation

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// InvalidHeaderName reports HTTP header names that Istio rejects.
var InvalidHeaderName = &rules.Rule{
	ID:      "MR009",
	Name:    "invalid-header-name",
	Summary: "an HTTP header name is empty or malformed, or names a header that Istio does not let a route change",
	Doc: `Istio's webhook checks the header names of a VirtualService, and of a Flagger Canary's
` + "`spec.service`" + ` (` + "`headers`" + `, ` + "`rewrite`" + ` and ` + "`corsPolicy`" + `, which Flagger copies into the routes of the
VirtualService it generates, which Istio then rejects):

- a match (` + "`headers`" + `, ` + "`withoutHeaders`" + `) names a JWT claim (` + "`@request.auth.claims.<claim>`" + `), a
  pseudo-header (` + "`:authority`" + `, ` + "`:method`" + `, ` + "`:path`" + `, ` + "`:scheme`" + `, ` + "`:status`" + `) or a header made
  of letters, digits and ` + "``!#$%&'*+-.^_`|~``" + `: a space, a colon or a trailing ` + "`:`" + ` copied from a curl
  trace is refused. JWT claim routing is only allowed on a VirtualService bound to gateways
  alone, since sidecars do not validate JWTs before routing;
- CORS ` + "`allowHeaders`" + ` and ` + "`exposeHeaders`" + ` hold such header names, or ` + "`*`" + `;
- a header operation (` + "`set`" + `, ` + "`add`" + `, ` + "`remove`" + ` of requests and responses, per route and per
  destination) cannot change a pseudo-header or the ` + "`Host`" + ` header, except that setting or adding
  ` + "`:authority`" + ` or ` + "`Host`" + ` on a request rewrites the authority, which a route may do in one place
  only (` + "`rewrite.authority`" + ` or one such header);
- no header name is empty, and a RequestAuthentication's ` + "`outputClaimToHeaders`" + ` names hold only
  letters, digits, ` + "`-`" + ` and ` + "`_`" + `.

Istio checks nothing else of the names in header operations: one that is not a valid HTTP
header name (` + "`x powered by`" + `) is accepted, and reported as a warning, since no valid request or
response carries it.

Fix the name; rewrite the authority with ` + "`rewrite.authority`" + ` alone.`,
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

// Istio's header name formats (pkg/config/validation/validation.go): a
// header that a route matches, or a CORS header, is an RFC 7230 token
// (validHeaderNameRegex); RequestAuthentication's outputClaimToHeaders
// is stricter (validStrictHeaderNameRegex).
var (
	tokenHeader  = regexp.MustCompile("^[-!#$%&'*+.^_`|~A-Za-z0-9]+$")
	strictHeader = regexp.MustCompile(`^[-_A-Za-z0-9]+$`)
)

// pseudoHeaders are the HTTP/2 pseudo-headers a match may name
// (ValidateHTTPHeaderNameOrJwtClaimRoute).
var pseudoHeaders = map[string]bool{":method": true, ":scheme": true, ":authority": true, ":path": true, ":status": true}

const jwtClaimPrefix = "@request.auth.claims"

// tokenChars says which characters an HTTP header name may hold, for
// messages.
const tokenChars = "letters, digits and !#$%&'*+-.^_`|~"

func runInvalidHeaderName(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.VirtualService) {
		s := specOf(o)
		gatewayOnly := !boundToMesh(s)
		for r := range s.get("http").items() {
			for m := range r.get("match").items() {
				checkMatchHeaders(p, o, m, gatewayOnly)
			}
			checkHeaderOps(p, o, r.get("headers"))
			checkAuthorityRewrites(p, o, r)
			for d := range r.get("route").items() {
				checkHeaderOps(p, o, d.get("headers"))
			}
			checkCORSHeaders(p, o, r.get("corsPolicy"))
		}
	}
	for o, svc := range canaryHTTPServices(p) {
		checkHeaderOps(p, o, svc.get("headers"))
		checkAuthorityRewrites(p, o, svc)
		checkCORSHeaders(p, o, svc.get("corsPolicy"))
	}
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.RequestAuthentication) {
		for r := range specOf(o).get("jwtRules").items() {
			for c := range r.get("outputClaimToHeaders").items() {
				x := c.get("header")
				if v, ok := x.str(); ok {
					switch {
					case v == "":
						p.Reportf(o, x.loc(), "%s: header name is empty; Istio rejects the RequestAuthentication", x.where())
					case !strictHeader.MatchString(v):
						p.Reportf(o, x.loc(), "%s: header name %q may only hold letters, digits, - and _; Istio rejects the RequestAuthentication", x.where(), v)
					}
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
// VirtualService as ValidateHTTPHeaderNameOrJwtClaimRoute does: a JWT
// claim, a pseudo-header or an RFC 7230 token.
func checkMatchHeaders(p *rules.Pass, o *manifest.Object, m node, gatewayOnly bool) {
	for _, f := range []string{"headers", "withoutHeaders"} {
		for e := range m.get(f).entries() {
			switch {
			case isRoutingClaim(e.key):
				if !gatewayOnly {
					p.Reportf(o, e.keyLoc, "%s: JWT claim routing (%s) is only supported on a VirtualService bound to gateways alone; Istio rejects the VirtualService", e.val.where(), e.key)
				}
			case e.key == "":
				p.Reportf(o, e.keyLoc, "%s: header name is empty; Istio rejects %s", e.val.where(), rejectedObject(o))
			case pseudoHeaders[e.key]:
			case !tokenHeader.MatchString(e.key):
				p.Reportf(o, e.keyLoc, "%s: header name %q is not a valid HTTP header name (%s, or a pseudo-header such as :authority); Istio rejects %s", e.val.where(), e.key, tokenChars, rejectedObject(o))
			}
		}
	}
}

// isRoutingClaim reports whether a match key names a JWT claim, as
// jwt.ToRoutingClaim reads it: the prefix in any case, then .claim or
// [claim].
func isRoutingClaim(key string) bool {
	if len(key) < len(jwtClaimPrefix) || !strings.EqualFold(key[:len(jwtClaimPrefix)], jwtClaimPrefix) {
		return false
	}
	rest := key[len(jwtClaimPrefix):]
	return strings.HasPrefix(rest, ".") && len(rest) > 1 ||
		strings.HasPrefix(rest, "[") && strings.HasSuffix(rest, "]") && len(rest) > 2
}

// checkHeaderOps checks the header names of Istio header operations h
// (of requests and responses: set, add, remove), as
// ValidateHTTPHeaderWithAuthorityOperationName (request set and add) and
// ValidateHTTPHeaderOperationName (the others) do: the name must not be
// empty, a pseudo-header or Host, except that setting or adding the
// authority (:authority or Host) of a request rewrites it. Istio checks
// no more than that, so other malformed names are only warned about.
func checkHeaderOps(p *rules.Pass, o *manifest.Object, h node) {
	for _, dir := range []string{"request", "response"} {
		hd := h.get(dir)
		for _, f := range []string{"set", "add"} {
			for e := range hd.get(f).entries() {
				checkHeaderOp(p, o, e.key, e.keyLoc, e.val, dir == "request")
			}
		}
		for x := range hd.get("remove").strs() {
			v, _ := x.str()
			checkHeaderOp(p, o, v, x.loc(), x, false)
		}
	}
}

// checkHeaderOp checks the name of one header operation; authorityOK says
// whether it may rewrite the authority (a request's set or add).
func checkHeaderOp(p *rules.Pass, o *manifest.Object, name string, loc manifest.Loc, at node, authorityOK bool) {
	switch {
	case name == "":
		p.Reportf(o, loc, "%s: header name is empty; Istio rejects %s", at.where(), rejectedObject(o))
	case authorityOK && isAuthorityHeader(name):
	case strings.EqualFold(name, "host"):
		p.Reportf(o, loc, "%s: the Host header can only be set or added on a request, where it rewrites the authority; Istio rejects %s", at.where(), rejectedObject(o))
	case strings.HasPrefix(name, ":"):
		p.Reportf(o, loc, "%s: pseudo-header %q cannot be changed (only :authority, set or added on a request); Istio rejects %s", at.where(), name, rejectedObject(o))
	case !tokenHeader.MatchString(name):
		p.Reportf(o, loc, "%s: header name %q is not a valid HTTP header name (%s): Istio accepts it, but no valid request or response carries such a header", at.where(), name, tokenChars).AtMost(rules.Warning)
	}
}

// isAuthorityHeader is Istio's: the headers that name the authority.
func isAuthorityHeader(name string) bool {
	return strings.EqualFold(name, ":authority") || strings.EqualFold(name, "host")
}

// checkAuthorityRewrites reports a route (or a Canary's service) that
// rewrites the authority in several places, as validateAuthorityRewrite
// does: rewrite.authority, then the request headers set, then added,
// that name the authority; one is allowed. Istio reads the header maps
// in no order; they are read here in the order of their keys, so that
// the finding does not depend on the order written.
func checkAuthorityRewrites(p *rules.Pass, o *manifest.Object, route node) {
	first := ""
	if a, ok := route.get("rewrite").get("authority").str(); ok && a != "" {
		first = "rewrite.authority"
	}
	req := route.get("headers").get("request")
	for _, f := range []string{"set", "add"} {
		var authority []entry
		for e := range req.get(f).entries() {
			if isAuthorityHeader(e.key) {
				authority = append(authority, e)
			}
		}
		slices.SortFunc(authority, func(a, b entry) int { return strings.Compare(a.key, b.key) })
		for _, e := range authority {
			if first != "" {
				p.Reportf(o, e.keyLoc, "%s rewrites the authority, which %s already does: the authority can be rewritten in one place only; Istio rejects %s", e.val.where(), first, rejectedObject(o))
				continue
			}
			if v, ok := e.val.scalar(); ok && v != "" {
				first = "headers.request." + f + "[" + strconv.Quote(e.key) + "]"
			}
		}
	}
}

// checkCORSHeaders checks the header names of an Istio CORS policy, as
// ValidateCORSHTTPHeaderName does: an RFC 7230 token, or *.
func checkCORSHeaders(p *rules.Pass, o *manifest.Object, cors node) {
	for _, f := range []string{"allowHeaders", "exposeHeaders"} {
		for x := range cors.get(f).strs() {
			v, _ := x.str()
			switch {
			case v == "":
				p.Reportf(o, x.loc(), "%s: header name is empty; Istio rejects %s", x.where(), rejectedObject(o))
			case v != "*" && !tokenHeader.MatchString(v):
				p.Reportf(o, x.loc(), "%s: header name %q is not a valid HTTP header name (%s, or *); Istio rejects %s", x.where(), v, tokenChars, rejectedObject(o))
			}
		}
	}
}

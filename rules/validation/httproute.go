package validation

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// HTTPRouteInvalid reports the values of a VirtualService HTTP route that
// Istio's webhook rejects: redirect, rewrite, directResponse, fault, CORS
// and mirror percentages.
var HTTPRouteInvalid = &rules.Rule{
	ID:      "MR019",
	Name:    "http-route-invalid",
	Summary: "an HTTP route's redirect, rewrite, directResponse, fault, corsPolicy or mirror percentage holds a value Istio rejects",
	Doc: `Istio's validation webhook checks the values of each HTTP route of a VirtualService
(validateHTTPRoute and the functions it calls, in pkg/config/validation) and rejects the
VirtualService when:

- a ` + "`redirect`" + ` sets both ` + "`uri`" + ` and ` + "`prefixRewrite`" + `; sets ` + "`prefixRewrite`" + ` on a route with a ` + "`uri`" + `
  match that is not a prefix; sets none of ` + "`uri`" + `, ` + "`prefixRewrite`" + `, ` + "`authority`" + `, ` + "`scheme`" + `, ` + "`port`" + `
  and ` + "`derivePort`" + `; has a ` + "`redirectCode`" + ` other than 0 outside 300-399; or a ` + "`scheme`" + ` other than
  ` + "`http`" + ` and ` + "`https`" + ` (validateHTTPRedirect);
- a ` + "`rewrite`" + ` sets both ` + "`uri`" + ` and ` + "`uriRegexRewrite`" + `, or none of them and no ` + "`authority`" + `; or its
  ` + "`uriRegexRewrite`" + ` lacks ` + "`match`" + ` or ` + "`rewrite`" + `, or its ` + "`match`" + ` is not an RE2 regex of at most
  1024 characters (validateHTTPRewrite);
- a ` + "`directResponse`" + ` status is outside 200-600, or its body is larger than 1 MB
  (validateHTTPDirectResponse; above 100 kB the webhook only warns, which is MR016's);
- a ` + "`fault`" + ` has neither ` + "`abort`" + ` nor ` + "`delay`" + `; a ` + "`percentage.value`" + ` is outside 0-100, or above 0
  and below 0.0001; an abort ` + "`httpStatus`" + ` is outside 200-600, its ` + "`grpcStatus`" + ` is not a gRPC code
  name (` + "`UNAVAILABLE`" + `, ` + "`NOT_FOUND`" + `, ...), or it uses ` + "`http2Error`" + `; or a delay uses
  ` + "`exponentialDelay`" + `, neither of which Istio supports yet (validateHTTPFaultInjection);
- a ` + "`corsPolicy.allowOrigins`" + ` entry has an empty ` + "`exact`" + `, ` + "`prefix`" + ` or ` + "`regex`" + ` (or none), or a
  regex that is not RE2; or an ` + "`allowMethods`" + ` item is not one of GET, HEAD, POST, PUT, PATCH,
  DELETE, CONNECT, OPTIONS, TRACE and ` + "`*`" + `, written in capitals (validateCORSPolicy);
- ` + "`mirrorPercentage`" + ` or a ` + "`mirrors`" + ` entry's ` + "`percentage`" + ` is outside 0-100, or ` + "`mirrorPercent`" + ` is
  above 100.

Flagger copies a Canary's ` + "`spec.service.corsPolicy`" + ` into each HTTP route of the VirtualService
it generates: its ` + "`allowOrigins`" + ` and ` + "`allowMethods`" + ` are checked the same way and reported at
the Canary. Only its Istio router reads the field: for another provider (the Gateway API
ones among them, whose HTTPRoute gets no CORS filter) Istio never sees the values, and they
are not checked.

The schema only says "integer" and "string" for these, so they pass client-side validation and
the webhook refuses the object. Header names are MR009's, durations MR002's, ports MR003's,
and the combinations of actions (a redirect beside a route or a fault) MR004's.`,
	Bad:      shopCORS("[get, post]"),
	Good:     shopCORS("[GET, POST]"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Canary},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runHTTPRouteInvalid,
}

// shopCORS is VirtualService shop/shop, whose route allows CORS requests
// from shop.example.com with the methods: the examples of MR019.
func shopCORS(methods string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: shop
  namespace: shop
spec:
  hosts: [shop]
  http:
  - route:
    - destination: {host: shop}
    corsPolicy:
      allowOrigins:
      - exact: https://shop.example.com
      allowMethods: ` + methods + `
`
}

func runHTTPRouteInvalid(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.VirtualService) {
		for r := range specOf(o).get("http").items() {
			if !r.isMap() {
				continue
			}
			checkRedirect(p, o, r)
			checkRewrite(p, o, r)
			checkDirectResponse(p, o, r)
			checkFault(p, o, r)
			checkCORS(p, o, r.get("corsPolicy"))
			checkMirrorPercentages(p, o, r)
		}
	}
	for o, svc := range canaryHTTPServices(p) {
		checkCORS(p, o, svc.get("corsPolicy"))
	}
	return nil
}

// checkRedirect checks a route's redirect as validateHTTPRedirect does.
func checkRedirect(p *rules.Pass, o *manifest.Object, r node) {
	rd := r.get("redirect")
	if !rd.isMap() {
		return
	}
	if nonEmpty(rd, "uri") && nonEmpty(rd, "prefixRewrite") {
		p.Reportf(o, rd.keyLoc("prefixRewrite"), "%s sets both uri and prefixRewrite: a redirect replaces the whole path or its matched prefix, not both; Istio rejects the VirtualService", rd.where())
	}
	if nonEmpty(rd, "prefixRewrite") {
		for m := range r.get("match").items() {
			// A uri match of any other type (exact, regex, or none
			// written) cannot say which prefix to replace.
			if u := m.get("uri"); u.ok() && !u.has("prefix") {
				p.Reportf(o, m.keyLoc("uri"), "%s: redirect.prefixRewrite needs every uri match of its route to be a prefix match; Istio rejects the VirtualService", u.where())
			}
		}
	}
	// port and derivePort are the two arms of a oneof: written, even as 0
	// or the enum's first value, either one is a port.
	if !nonEmpty(rd, "uri") && !nonEmpty(rd, "prefixRewrite") && !nonEmpty(rd, "authority") &&
		!nonEmpty(rd, "scheme") && !rd.get("port").ok() && !rd.get("derivePort").ok() {
		p.Reportf(o, r.keyLoc("redirect"), "%s changes nothing: set uri, prefixRewrite, authority, scheme, port or derivePort; Istio rejects the VirtualService", rd.where())
	}
	if x := rd.get("redirectCode"); x.ok() {
		if c, ok := x.int(); ok && c != 0 && (c < 300 || c > 399) {
			p.Reportf(o, x.loc(), "%s %d is not a redirect (3xx) status; Istio rejects the VirtualService", x.where(), c)
		}
	}
	if x := rd.get("scheme"); nonEmpty(rd, "scheme") {
		if s, _ := x.str(); s != "http" && s != "https" {
			hint := ""
			if l := strings.ToLower(s); l == "http" || l == "https" {
				hint = fmt.Sprintf(" (write %s, in lower case)", l)
			}
			p.Reportf(o, x.loc(), "%s %q is neither http nor https%s; Istio rejects the VirtualService", x.where(), s, hint)
		}
	}
}

// checkRewrite checks a route's rewrite as validateHTTPRewrite does.
func checkRewrite(p *rules.Pass, o *manifest.Object, r node) {
	rw := r.get("rewrite")
	if !rw.isMap() {
		return
	}
	re := rw.get("uriRegexRewrite")
	switch {
	case nonEmpty(rw, "uri") && re.ok():
		p.Reportf(o, rw.keyLoc("uriRegexRewrite"), "%s sets both uri and uriRegexRewrite: use one; Istio rejects the VirtualService", rw.where())
	case !nonEmpty(rw, "uri") && !re.ok() && !nonEmpty(rw, "authority"):
		p.Reportf(o, r.keyLoc("rewrite"), "%s rewrites nothing: set uri, uriRegexRewrite or authority; Istio rejects the VirtualService", rw.where())
	}
	if !re.ok() {
		return
	}
	if !nonEmpty(re, "match") || !nonEmpty(re, "rewrite") {
		var missing []string
		for _, f := range []string{"match", "rewrite"} {
			if !nonEmpty(re, f) {
				missing = append(missing, f)
			}
		}
		p.Reportf(o, rw.keyLoc("uriRegexRewrite"), "%s has no %s: it needs both match and rewrite; Istio rejects the VirtualService", re.where(), strings.Join(missing, " or "))
		return
	}
	match := re.get("match")
	s, _ := match.str()
	if err := checkRE2(s); err != nil {
		p.Reportf(o, match.loc(), "%s: %v; Istio rejects the VirtualService", match.where(), err)
	}
}

// checkRE2 is validateStringRegexp: Go's regexp, which accepts RE2's
// syntax, and 1024 characters, Istio's stand-in for Envoy's program size
// limit.
func checkRE2(re string) error {
	if len(re) > maxRegexLen {
		return fmt.Errorf("regex is %d characters long, more than the %d Istio allows", len(re), maxRegexLen)
	}
	if _, err := regexp.Compile(re); err != nil {
		return fmt.Errorf("not an RE2 regex (%w)", err)
	}
	return nil
}

// maxRegexLen is Istio's limit on the length of a regex.
const maxRegexLen = 1024

// Limits of validateHTTPDirectResponse on a direct response's body.
const (
	kb                = 1024
	maxBody           = 1024 * kb
	maxBodyNoWarning  = 100 * kb
	httpStatusMinimum = 200
	httpStatusMaximum = 600
)

// checkDirectResponse checks a route's directResponse as
// validateHTTPDirectResponse does. A missing status is MR001's: the
// schema requires it.
func checkDirectResponse(p *rules.Pass, o *manifest.Object, r node) {
	dr := r.get("directResponse")
	if !dr.isMap() {
		return
	}
	checkHTTPStatus(p, o, dr.get("status"))
	if size, x := bodySize(dr.get("body")); size > maxBody {
		p.Reportf(o, x.loc(), "%s is %d bytes: a direct response body must be less than 1 MB; Istio rejects the VirtualService", x.where(), size)
	}
}

// checkHTTPStatus checks a status as validateHTTPStatus does: 200 to 600,
// both included.
func checkHTTPStatus(p *rules.Pass, o *manifest.Object, x node) {
	if c, ok := x.int(); ok && (c < httpStatusMinimum || c > httpStatusMaximum) {
		p.Reportf(o, x.loc(), "%s %d is not in range 200-600; Istio rejects the VirtualService", x.where(), c)
	}
}

// bodySize returns the size in bytes of a direct response body, as
// validateHTTPDirectResponse counts it (the decoded bytes of a base64
// body), and the node that holds it.
func bodySize(body node) (int, node) {
	if x := body.get("string"); x.ok() {
		s, _ := x.str()
		return len(s), x
	}
	x := body.get("bytes")
	s, _ := x.str()
	// protojson reads standard and URL base64, with or without padding:
	// the padding alone says nothing of the size.
	n := len(strings.TrimRight(s, "="))
	return n * 3 / 4, x
}

// checkFault checks a route's fault as validateHTTPFaultInjection does. An
// abort without an error type is MR016's: the webhook only warns.
func checkFault(p *rules.Pass, o *manifest.Object, r node) {
	f := r.get("fault")
	if !f.isMap() {
		return
	}
	ab, dl := f.get("abort"), f.get("delay")
	if !ab.ok() && !dl.ok() {
		p.Reportf(o, r.keyLoc("fault"), "%s has neither abort nor delay; Istio rejects the VirtualService", f.where())
	}
	if ab.isMap() {
		checkFaultPercentage(p, o, ab)
		if x := ab.get("httpStatus"); x.ok() {
			checkHTTPStatus(p, o, x)
		}
		if x := ab.get("grpcStatus"); x.ok() {
			if s, ok := x.str(); ok && !grpcStatuses[s] {
				hint := ""
				if grpcStatuses[strings.ToUpper(s)] {
					hint = fmt.Sprintf(" (write %s, in capitals)", strings.ToUpper(s))
				}
				p.Reportf(o, x.loc(), "%s %q is not a gRPC status code name such as UNAVAILABLE%s; Istio rejects the VirtualService", x.where(), s, hint)
			}
		}
		if ab.has("http2Error") {
			p.Reportf(o, ab.keyLoc("http2Error"), "%s: Istio does not support HTTP/2 abort faults yet, use httpStatus or grpcStatus; Istio rejects the VirtualService", ab.where())
		}
	}
	if dl.isMap() {
		checkFaultPercentage(p, o, dl)
		if dl.has("exponentialDelay") {
			p.Reportf(o, dl.keyLoc("exponentialDelay"), "%s: Istio does not support exponentialDelay yet, use fixedDelay; Istio rejects the VirtualService", dl.where())
		}
	}
}

// checkFaultPercentage checks the percentage of an abort or a delay as
// validatePercentage does: 0, or 0.0001 to 100.
func checkFaultPercentage(p *rules.Pass, o *manifest.Object, fault node) {
	x := fault.get("percentage").get("value")
	if v, ok := x.num(); ok && (v < 0 || v > 100 || v > 0 && v < 0.0001) {
		p.Reportf(o, x.loc(), "%s %v is neither 0 nor in range 0.0001-100; Istio rejects the VirtualService", x.where(), v)
	}
}

// grpcStatuses are the names of Istio's grpc.SupportedGRPCStatus
// (pkg/util/grpc/codes.go).
var grpcStatuses = map[string]bool{
	"OK": true, "CANCELLED": true, "UNKNOWN": true, "INVALID_ARGUMENT": true, "DEADLINE_EXCEEDED": true,
	"NOT_FOUND": true, "ALREADY_EXISTS": true, "PERMISSION_DENIED": true, "RESOURCE_EXHAUSTED": true,
	"FAILED_PRECONDITION": true, "ABORTED": true, "OUT_OF_RANGE": true, "UNIMPLEMENTED": true,
	"INTERNAL": true, "UNAVAILABLE": true, "DATA_LOSS": true, "UNAUTHENTICATED": true,
}

// corsMethods is Istio's supportedCORSMethods: Go's method names, which
// are in capitals, and *.
var corsMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
	"CONNECT": true, "OPTIONS": true, "TRACE": true, "*": true,
}

// checkCORS checks a CORS policy's origins and methods as
// validateCORSPolicy does; header names are MR009's and maxAge MR002's.
func checkCORS(p *rules.Pass, o *manifest.Object, cors node) {
	for m := range cors.get("allowOrigins").items() {
		if !m.isMap() {
			continue
		}
		// validateAllowOrigins reads the one match type that is set; two
		// are MR001's.
		var typ string
		var val node
		for _, t := range []string{"exact", "prefix", "regex"} {
			if m.has(t) {
				typ, val = t, m.get(t)
				break
			}
		}
		s, _ := val.str()
		switch {
		case typ == "":
			p.Reportf(o, m.loc(), "%s has no exact, prefix or regex: it matches no origin; Istio rejects %s", m.where(), rejectedObject(o))
		case s == "":
			p.Reportf(o, val.loc(), "%s is empty: write the origin, or remove the entry; Istio rejects %s", val.where(), rejectedObject(o))
		case typ == "regex":
			if err := checkRE2(s); err != nil {
				p.Reportf(o, val.loc(), "%s: %v; Istio rejects %s", val.where(), err, rejectedObject(o))
			}
		}
	}
	for x := range cors.get("allowMethods").strs() {
		m, _ := x.str()
		if corsMethods[m] {
			continue
		}
		hint := ""
		if corsMethods[strings.ToUpper(m)] {
			hint = fmt.Sprintf(" (write %s, in capitals)", strings.ToUpper(m))
		}
		p.Reportf(o, x.loc(), "%s: %q is not an HTTP method Istio supports%s; Istio rejects %s", x.where(), m, hint, rejectedObject(o))
	}
}

// checkMirrorPercentages checks a route's mirror percentages as
// validateHTTPRoute and validateHTTPMirrors do.
func checkMirrorPercentages(p *rules.Pass, o *manifest.Object, r node) {
	check := func(x node) {
		if v, ok := x.num(); ok && (v < 0 || v > 100) {
			p.Reportf(o, x.loc(), "%s %v is not in range 0-100; Istio rejects the VirtualService", x.where(), v)
		}
	}
	check(r.get("mirrorPercentage").get("value"))
	for m := range r.get("mirrors").items() {
		check(m.get("percentage").get("value"))
	}
	// mirrorPercent is a UInt32Value: the schema refuses a negative one.
	if x := r.get("mirrorPercent"); x.ok() {
		if v, ok := x.int(); ok && v > 100 {
			p.Reportf(o, x.loc(), "%s %d is above 100; Istio rejects the VirtualService", x.where(), v)
		}
	}
}

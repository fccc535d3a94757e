package security

import (
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// AuthzMethodInvalid reports AuthorizationPolicy methods that no request
// carries.
var AuthzMethodInvalid = &rules.Rule{
	ID:      "MR332",
	Name:    "authz-method-invalid",
	Summary: "an AuthorizationPolicy method is not an HTTP method, so it never matches",
	Doc: `` + "`methods`" + ` and ` + "`notMethods`" + ` of an AuthorizationPolicy operation are compared with the request's
HTTP method, exactly and case-sensitively (with ` + "`*`" + `, ` + "`PREFIX*`" + ` and ` + "`*SUFFIX`" + ` wildcards). A value that
is not an upper-case HTTP method (one of IANA's HTTP method registry, WebDAV's included, or
` + "`PURGE`" + `, which caches take) never matches: an ALLOW rule on ` + "`get`" + ` allows nothing, and a DENY
rule on it denies nothing. A gRPC method name (` + "`/shop.Cart/Add`" + `) never matches either: every gRPC
call is a POST; match the gRPC method with ` + "`paths`" + ` instead.

Kiali reports the same (KIA0102) but accepts lower-case methods, which Envoy does not match.

Write the method in upper case (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT, TRACE),
or move a gRPC method name to ` + "`paths`" + `.`,
	Bad: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: read-only
  namespace: shop
spec:
  selector: {matchLabels: {app: catalog}}
  rules:
  - to:
    - operation: {methods: [get, head]}
`,
	Good: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: read-only
  namespace: shop
spec:
  selector: {matchLabels: {app: catalog}}
  rules:
  - to:
    - operation: {methods: [GET, HEAD]}
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy},
	Related:  []string{"KIA0102"},
	Deps:     rules.DepNone,
	Run:      runAuthzMethodInvalid,
}

// httpMethods are the methods of IANA's HTTP Method Registry, WebDAV's and
// the like included: Envoy matches any method token, and servers (WebDAV,
// CalDAV) take these. PURGE is not registered, but caches take it.
var httpMethods = []string{
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
	"ACL", "BASELINE-CONTROL", "BIND", "CHECKIN", "CHECKOUT", "COPY", "LABEL", "LINK", "LOCK",
	"MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL", "MKREDIRECTREF", "MKWORKSPACE", "MOVE",
	"ORDERPATCH", "PRI", "PROPFIND", "PROPPATCH", "QUERY", "REBIND", "REPORT", "SEARCH",
	"UNBIND", "UNCHECKOUT", "UNLINK", "UNLOCK", "UPDATE", "UPDATEREDIRECTREF", "VERSION-CONTROL",
	"PURGE",
}

func runAuthzMethodInvalid(p *rules.Pass) error {
	for _, ap := range p.Graph.AuthorizationPolicies {
		for at, m := range operationValues(ap, methodFields) {
			if methodMatchesSome(m.V) {
				continue
			}
			why := "no HTTP method matches it"
			switch {
			case strings.HasPrefix(m.V, "/"):
				why = "gRPC calls are all POST: match the gRPC method with paths"
			case methodMatchesSome(strings.ToUpper(m.V)):
				why = "methods are case-sensitive: write " + strings.ToUpper(m.V)
			}
			p.Reportf(ap.Obj, m.Loc, "%s: %q never matches (%s)", at, m.V, why)
		}
	}
	return nil
}

func methodFields(o *spec.AuthzOperation) []valueField {
	return []valueField{{"methods", o.Methods}, {"notMethods", o.NotMethods}}
}

// methodMatchesSome reports whether pattern matches at least one HTTP
// method, with Istio's exact, prefix and suffix wildcards.
func methodMatchesSome(pattern string) bool {
	if pattern == "*" {
		return true
	}
	for _, m := range httpMethods {
		switch {
		case strings.HasSuffix(pattern, "*") && strings.HasPrefix(m, strings.TrimSuffix(pattern, "*")),
			strings.HasPrefix(pattern, "*") && strings.HasSuffix(m, strings.TrimPrefix(pattern, "*")),
			m == pattern:
			return true
		}
	}
	return false
}

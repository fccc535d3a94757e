package routing

import (
	"fmt"
	"regexp"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// InvalidRegex reports http match regexes that RE2 does not accept.
var InvalidRegex = &rules.Rule{
	ID:      "MR105",
	Name:    "invalid-regex",
	Summary: "http match regex is not valid RE2 syntax",
	Doc: `Envoy matches ` + "`regex`" + ` conditions with Google RE2, and Istio's validating webhook compiles
each one with Go's regexp package, which implements the same syntax. RE2 has no backreferences
(` + "`\\1`" + `), no lookahead or lookbehind (` + "`(?=…)`, `(?!…)`, `(?<=…)`" + `) and no possessive
quantifiers; a PCRE or JavaScript regex that uses them is rejected along with the whole
VirtualService, and so is an empty regex or one longer than 1024 characters. The check covers the
uri, scheme, method, authority, headers, queryParams and withoutHeaders conditions of every http
match; in withoutHeaders, Istio accepts ` + "`*`" + ` to mean "header present".

Rewrite the expression in RE2 syntax (https://github.com/google/re2/wiki/Syntax), or use an
exact or prefix match where a regex is not needed. The message gives the compiler's error.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - match:
    - uri:
        regex: '/api/(?!internal).*'
    route:
    - destination: {host: reviews}
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
    - uri:
        prefix: /api/internal
    directResponse: {status: 404}
  - match:
    - uri:
        regex: '/api/.*'
    route:
    - destination: {host: reviews}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"IST0106"},
	Deps:     rules.DepNone,
	Run:      runInvalidRegex,
}

// maxRegexLen is Istio's stand-in for Envoy's RE2 program size limit.
const maxRegexLen = 1024

func runInvalidRegex(p *rules.Pass) error {
	for _, vs := range p.Graph.VirtualServices {
		for i, r := range vs.Spec.HTTP {
			for j, m := range r.Match {
				where := fmt.Sprintf("http[%d].match[%d]", i, j)
				for _, c := range matchConditions(m) {
					re := c.match.Regex
					if !re.Set || (c.star && re.V == "*") {
						continue
					}
					switch _, err := regexp.Compile(re.V); {
					case re.V == "":
						p.Reportf(vs.Obj, re.Loc, "%s.%s regex is empty: Istio rejects the VirtualService", where, c.field)
					case len(re.V) > maxRegexLen:
						p.Reportf(vs.Obj, re.Loc, "%s.%s regex is %d characters long: Istio rejects regexes longer than %d", where, c.field, len(re.V), maxRegexLen)
					case err != nil:
						p.Reportf(vs.Obj, re.Loc, "%s.%s regex %q is not valid RE2: %v", where, c.field, re.V, err)
					}
				}
			}
		}
	}
	return nil
}

// condition is one string condition of an http match.
type condition struct {
	// field is "uri" or "headers[x-user]", for messages.
	field string
	match *spec.StringMatch
	// star is true where Istio accepts the regex "*" (withoutHeaders).
	star bool
}

// matchConditions lists the string conditions of a match in a stable
// order.
func matchConditions(m spec.HTTPMatch) []condition {
	var out []condition
	for _, f := range []struct {
		name string
		sm   *spec.StringMatch
	}{{"uri", m.URI}, {"scheme", m.Scheme}, {"method", m.Method}, {"authority", m.Authority}} {
		if f.sm != nil {
			out = append(out, condition{f.name, f.sm, false})
		}
	}
	for _, f := range []struct {
		name string
		m    map[string]spec.StringMatch
		star bool
	}{{"headers", m.Headers, false}, {"queryParams", m.QueryParams, false}, {"withoutHeaders", m.WithoutHeaders, true}} {
		for _, k := range sortedKeys(f.m) {
			sm := f.m[k]
			out = append(out, condition{fmt.Sprintf("%s[%s]", f.name, k), &sm, f.star})
		}
	}
	return out
}

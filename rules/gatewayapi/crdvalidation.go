package gatewayapi

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// CRDValidation reports Gateway API objects that break a CEL rule
// (x-kubernetes-validations) of their CRD. Schema validation (MR001) checks
// the CRDs' OpenAPI schemas only, and the API server evaluates the CEL
// rules after it: such an object passes a client-side schema check and is
// refused on apply. The rule reads the objects' YAML, as the API server
// does after defaulting, so it needs no graph and sees objects that the
// graph leaves out.
var CRDValidation = &rules.Rule{
	ID:      "MR619",
	Name:    "gatewayapi-crd-validation",
	Summary: "a Gateway API object breaks a CEL validation rule of its CRD, so the API server rejects it",
	Doc: `The Gateway API CRDs carry validation rules written in CEL (` + "`x-kubernetes-validations`" + `)
besides their OpenAPI schemas. The API server evaluates them after the schema, on the object as
defaulted, and refuses the object when one fails: ` + "`kubectl apply`" + ` fails, and a GitOps sync stays
out of date. Schema validation (schema-invalid) does not evaluate them. This rule does, for the
CRDs of the Gateway API release meshlint embeds (schema/gatewayapi/README.md), and quotes the
CRD's message:

- **HTTPRoute and GRPCRoute filters**, on a rule and on a backendRef: a filter whose ` + "`type`" + ` lacks
  its field (` + "`type: RequestHeaderModifier`" + ` without ` + "`requestHeaderModifier`" + `) or that carries the
  field of another type; ` + "`CORS`" + `, ` + "`RequestHeaderModifier`" + `, ` + "`ResponseHeaderModifier`" + `,
  ` + "`RequestRedirect`" + ` or ` + "`URLRewrite`" + ` twice in one list; ` + "`RequestRedirect`" + ` beside ` + "`URLRewrite`" + `;
  ` + "`RequestRedirect`" + ` on a rule with backendRefs; a ` + "`path`" + ` modifier whose ` + "`type`" + ` does not match
  the field it sets; ` + "`ReplacePrefixMatch`" + ` on a rule without exactly one match, of type
  ` + "`PathPrefix`" + ` (a rule without matches has one, ` + "`PathPrefix /`" + `, by default); ` + "`*`" + ` beside other
  values in a CORS ` + "`allowOrigins`" + `, ` + "`allowMethods`" + ` or ` + "`allowHeaders`" + `; a mirror with both
  ` + "`percent`" + ` and ` + "`fraction`" + `, or a fraction above 1; an ` + "`ExternalAuth`" + ` whose ` + "`protocol`" + ` does not
  match its ` + "`grpc`" + ` or ` + "`http`" + ` settings, or whose backendRef names a Service without a port.
- **HTTPRoute matches and rules**: an ` + "`Exact`" + ` or ` + "`PathPrefix`" + ` path that is not absolute, holds
  ` + "`//`" + `, ` + "`/./`" + `, ` + "`/../`" + `, ` + "`%2f`" + `, ` + "`#`" + ` or a character outside RFC 3986's path characters, or
  ends in ` + "`/.`" + ` or ` + "`/..`" + `; a ` + "`timeouts.backendRequest`" + ` longer than ` + "`timeouts.request`" + `; more than
  128 matches in all; a ` + "`sessionPersistence`" + ` with ` + "`cookieConfig`" + ` but a type other than ` + "`Cookie`" + `, or
  a ` + "`Permanent`" + ` cookie without ` + "`absoluteTimeout`" + `.
- **GRPCRoute method matches** with neither ` + "`service`" + ` nor ` + "`method`" + ` (matching every method is
  written with no ` + "`method`" + ` match at all), or an ` + "`Exact`" + ` service or method that is not a
  protobuf name (` + "`/`" + ` included: write ` + "`service: pkg.Service`" + `, ` + "`method: Get`" + `).
- **Every route kind**: two ` + "`parentRefs`" + ` to the same parent of which only one sets ` + "`sectionName`" + `
  (or ` + "`port`" + `), or with the same ` + "`sectionName`" + ` and ` + "`port`" + `; a rule ` + "`name`" + ` used twice; a TLSRoute
  hostname that is an IP address.
- **Gateway and ListenerSet listeners**: ` + "`tls`" + ` on an HTTP, TCP or UDP listener; an HTTPS listener
  whose ` + "`tls.mode`" + ` is not ` + "`Terminate`" + `; a TLS listener without ` + "`tls`" + `; a ` + "`hostname`" + ` on a TCP
  or UDP listener; ` + "`tls`" + ` that terminates (the default mode) with neither ` + "`certificateRefs`" + ` nor
  ` + "`options`" + `. An HTTPS listener without ` + "`tls`" + ` is accepted: a Gateway's is a placeholder that
  ListenerSets fill, and Istio refuses a ListenerSet's (gatewayapi-listener-protocol-unsupported).
- **Gateways**: a Hostname or IPAddress address written twice (gatewayapi-address-unsupported
  judges the addresses without the repeat), or a Hostname address that is not a DNS name; an ` + "`infrastructure`" + ` label or annotation key that is not a qualified name; two
  ` + "`tls.frontend.perPort`" + ` entries for one port.

Other rules report the remaining CEL rules: a Service backendRef or mirror without ` + "`port`" + `
(gatewayapi-backend-port-unknown), listeners with the same name or the same port, protocol and
hostname (gatewayapi-listener-conflict), and BackendTLSPolicy's (gatewayapi-backendtls-policy-invalid).
Those that only repeat an enum or pattern of the schema are schema-invalid's, and GatewayClass's
immutable ` + "`controllerName`" + ` concerns updates, which an offline linter does not see.`,
	Bad: filterExample("", `    filters:
    - type: RequestHeaderModifier
      responseHeaderModifier:
        set: [{name: x-frame-options, value: DENY}]
`),
	Good: filterExample("", `    filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set: [{name: x-frame-options, value: DENY}]
`),
	Severity: rules.Error,
	Inputs:   inputs(kinds.K8sGateway, kinds.ListenerSet),
	Local:    true,
	Run:      runCRDValidation,
}

func runCRDValidation(p *rules.Pass) error {
	for _, o := range p.Graph.Objects {
		if o.Group != kinds.GroupGatewayAPI {
			continue
		}
		c := celCheck{p: p, o: o}
		s := yn{yamlpath.Field(o.Root(), "spec")}
		if !s.isMap() {
			continue
		}
		switch o.Kind {
		case kinds.HTTPRoute, kinds.GRPCRoute, kinds.TCPRoute, kinds.TLSRoute, kinds.UDPRoute:
			c.route(s)
		case kinds.K8sGateway:
			c.listeners(s.get("listeners"))
			c.gateway(s)
		case kinds.ListenerSet:
			c.listeners(s.get("listeners"))
		}
	}
	return nil
}

// celCheck reports the CEL rules that object o breaks.
type celCheck struct {
	p *rules.Pass
	o *manifest.Object
}

// reject reports at loc that the API server rejects the object, with the
// CRD's message, and what to do about it when hint is set.
func (c celCheck) reject(loc manifest.Loc, celMessage, hint, format string, args ...any) {
	if hint != "" {
		hint = "; " + hint
	}
	c.p.Reportf(c.o, loc, "%s: the API server rejects the %s (%s)%s", fmt.Sprintf(format, args...), c.o.Kind, celMessage, hint)
}

// routeFilterFields maps each filter type of a route kind to the field
// that holds its settings (HTTPRouteFilter, GRPCRouteFilter): the CRDs
// require that field for the type and refuse it for any other.
var routeFilterFields = map[kinds.Kind]map[string]string{
	kinds.HTTPRoute: {"RequestHeaderModifier": "requestHeaderModifier", "ResponseHeaderModifier": "responseHeaderModifier",
		"RequestMirror": "requestMirror", "RequestRedirect": "requestRedirect", "URLRewrite": "urlRewrite",
		"ExtensionRef": "extensionRef", "CORS": "cors", "ExternalAuth": "externalAuth"},
	kinds.GRPCRoute: {"RequestHeaderModifier": "requestHeaderModifier", "ResponseHeaderModifier": "responseHeaderModifier",
		"RequestMirror": "requestMirror", "ExtensionRef": "extensionRef"},
}

// uniqueFilters are the filter types a filter list may hold once, in the
// order the CRDs check them.
var uniqueFilters = map[kinds.Kind][]string{
	kinds.HTTPRoute: {"CORS", "RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite"},
	kinds.GRPCRoute: {"RequestHeaderModifier", "ResponseHeaderModifier"},
}

func (c celCheck) route(s yn) {
	c.parentRefs(s.get("parentRefs"))
	for i, h := range s.get("hostnames").items() {
		if v := h.str(); refusedIPHostname(c.o, v) {
			c.reject(h.loc(), "Hostnames cannot contain an IP", "", "hostnames[%d] %q is an IP address, not a host name", i, v)
		}
	}
	rs := s.get("rules")
	// Rule names came with v1 of HTTPRoute and GRPCRoute, and v1alpha2 of
	// the others; their later versions have none (a name is schema-invalid).
	if c.o.Kind == kinds.HTTPRoute || c.o.Kind == kinds.GRPCRoute || strings.HasSuffix(c.o.APIVersion, "/v1alpha2") {
		c.ruleNames(rs)
	}
	if routeFilterFields[c.o.Kind] == nil {
		return
	}
	total := 0
	for i, r := range rs.items() {
		if !r.isMap() {
			continue
		}
		where := fmt.Sprintf("rules[%d]", i)
		ms := r.get("matches")
		switch {
		case ms.ok():
			total += len(ms.items())
		case c.o.Kind == kinds.HTTPRoute:
			total++ // the default match, PathPrefix /
		}
		c.filters(r, r.get("filters"), where+".filters", true)
		for j, b := range r.get("backendRefs").items() {
			c.filters(r, b.get("filters"), fmt.Sprintf("%s.backendRefs[%d].filters", where, j), false)
		}
		if c.o.Kind == kinds.HTTPRoute {
			c.redirectBesideBackends(r, where)
			for j, m := range ms.items() {
				c.pathMatch(m.get("path"), fmt.Sprintf("%s.matches[%d].path", where, j))
			}
			c.timeouts(r.get("timeouts"), where)
		} else {
			for j, m := range ms.items() {
				c.methodMatch(m.get("method"), fmt.Sprintf("%s.matches[%d].method", where, j))
			}
		}
		c.sessionPersistence(r.get("sessionPersistence"), where)
	}
	if total > 128 {
		c.reject(rs.loc(), "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128", "",
			"the rules have %d matches in all", total)
	}
}

// refusedIPHostname reports whether the CRD of route o refuses its
// hostname h for an IP address: TLSRoute's does, from v1alpha3 on. An IPv6
// address breaks the schema's pattern already.
func refusedIPHostname(o *manifest.Object, h string) bool {
	if o.Kind != kinds.TLSRoute || strings.HasSuffix(o.APIVersion, "/v1alpha2") || strings.Contains(h, ":") {
		return false
	}
	_, err := netip.ParseAddr(h)
	return err == nil
}

// parentRefs applies the CEL rules of spec.parentRefs: references to the
// same parent must all set sectionName, or none, and all set port, or
// none, and must not repeat one another.
func (c celCheck) parentRefs(refs yn) {
	type key struct{ group, kind, namespace, name string }
	type ref struct {
		k       key
		section string
		port    string
	}
	var seen []ref
	mixed := map[key]bool{}
	for j, r := range refs.items() {
		if !r.isMap() {
			continue
		}
		cur := ref{k: key{group: kinds.GroupGatewayAPI, kind: string(kinds.K8sGateway), namespace: r.get("namespace").str(), name: r.get("name").str()},
			section: r.get("sectionName").str(), port: r.get("port").str()}
		if g := r.get("group"); g.ok() {
			cur.k.group = g.str()
		}
		if k := r.get("kind"); k.ok() {
			cur.k.kind = k.str()
		}
		if cur.port == "0" {
			cur.port = ""
		}
		for i, prev := range seen {
			if prev.k != cur.k {
				continue
			}
			parent := cur.k.kind + " " + cur.k.name
			if prev.section == cur.section && prev.port == cur.port {
				c.reject(r.loc(), "sectionName or port must be unique when parentRefs includes 2 or more references to the same parent", "",
					"parentRefs[%d] repeats parentRefs[%d] (%s, same sectionName and port)", j, i, parent)
				break
			}
			if ((prev.section == "") != (cur.section == "") || (prev.port == "") != (cur.port == "")) && !mixed[cur.k] {
				mixed[cur.k] = true
				var only []string
				for _, f := range []struct {
					field   string
					was, is string
				}{{"sectionName", prev.section, cur.section}, {"port", prev.port, cur.port}} {
					switch {
					case f.was != "" && f.is == "":
						only = append(only, fmt.Sprintf("only parentRefs[%d] sets %s", i, f.field))
					case f.was == "" && f.is != "":
						only = append(only, fmt.Sprintf("only parentRefs[%d] sets %s", j, f.field))
					}
				}
				c.reject(r.loc(), "sectionName or port must be specified when parentRefs includes 2 or more references to the same parent",
					"set the same of sectionName and port on each, or keep only a reference without them, which attaches to the whole parent",
					"parentRefs[%d] and parentRefs[%d] both name %s, and %s", i, j, parent, strings.Join(only, " and "))
				break
			}
		}
		seen = append(seen, cur)
	}
}

// ruleNames reports a rule name used twice.
func (c celCheck) ruleNames(rs yn) {
	first := map[string]int{}
	for i, r := range rs.items() {
		n := r.get("name")
		if !n.ok() {
			continue
		}
		if j, dup := first[n.str()]; dup {
			c.reject(n.loc(), "Rule name must be unique within the route", "", "rules[%d] has the name %q of rules[%d]", i, n.str(), j)
			continue
		}
		first[n.str()] = i
	}
}

// filters applies the CEL rules of a filter list of rule r, the rule's own
// (onRule) or a backendRef's, named where.
func (c celCheck) filters(r, fs yn, where string, onRule bool) {
	fields := routeFilterFields[c.o.Kind]
	items := fs.items()
	firstOf := map[string]int{}
	redirect, rewrite := -1, -1
	for i, f := range items {
		if !f.isMap() {
			continue
		}
		fw := fmt.Sprintf("%s[%d]", where, i)
		t := f.get("type")
		typ := t.str()
		if _, known := fields[typ]; !known {
			continue // an unknown or missing type is schema-invalid
		}
		for _, ft := range []string{"CORS", "RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "RequestRedirect", "URLRewrite", "ExtensionRef", "ExternalAuth"} {
			field, ok := fields[ft]
			if !ok {
				continue
			}
			has := f.get(field).ok()
			switch {
			case has && typ != ft:
				c.reject(f.keyLoc(field), fmt.Sprintf("filter.%s must be nil if the filter.type is not %s", field, ft), "",
					"%s has type %s but sets %s, the field of type %s", fw, typ, field, ft)
			case !has && typ == ft:
				c.reject(t.loc(), fmt.Sprintf("filter.%s must be specified for %s filter.type", field, ft), "",
					"%s has type %s but no %s", fw, typ, field)
			}
		}
		for _, u := range uniqueFilters[c.o.Kind] {
			if typ != u {
				continue
			}
			if j, dup := firstOf[typ]; dup {
				c.reject(t.loc(), typ+" filter cannot be repeated", "merge their settings into one", "%s repeats the %s filter of %s[%d]", fw, typ, where, j)
			} else {
				firstOf[typ] = i
			}
		}
		switch typ {
		case "RequestRedirect":
			if redirect < 0 {
				redirect = i
			}
		case "URLRewrite":
			if rewrite < 0 {
				rewrite = i
			}
		}
		c.filterSettings(f, fw)
	}
	if redirect >= 0 && rewrite >= 0 {
		later := max(redirect, rewrite)
		c.reject(items[later].get("type").loc(), "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both", "a redirect answers the client, and nothing is forwarded to rewrite",
			"%s has both a RequestRedirect (%s[%d]) and a URLRewrite (%s[%d]) filter", where, where, redirect, where, rewrite)
	}
	if c.o.Kind == kinds.HTTPRoute {
		c.replacePrefixMatch(r, items, where, onRule)
	}
}

// filterSettings applies the CEL rules of the settings of filter f, named
// fw. A GRPCRoute filter has only a mirror of these: the others' fields
// are schema-invalid there.
func (c celCheck) filterSettings(f yn, fw string) {
	c.mirror(f.get("requestMirror"), fw)
	if c.o.Kind != kinds.HTTPRoute {
		return
	}
	for _, m := range []string{"requestRedirect", "urlRewrite"} {
		path := f.get(m).get("path")
		if !path.isMap() {
			continue
		}
		t := path.get("type")
		for _, pt := range []struct{ typ, field string }{{"ReplaceFullPath", "replaceFullPath"}, {"ReplacePrefixMatch", "replacePrefixMatch"}} {
			has := path.get(pt.field).ok()
			switch {
			case t.str() == pt.typ && !has:
				c.reject(t.loc(), fmt.Sprintf("%s must be specified when type is set to '%s'", pt.field, pt.typ), "",
					"%s.%s.path has type %s but no %s", fw, m, pt.typ, pt.field)
			case has && t.str() != pt.typ:
				c.reject(path.keyLoc(pt.field), fmt.Sprintf("type must be '%s' when %s is set", pt.typ, pt.field), "",
					"%s.%s.path sets %s but has type %q", fw, m, pt.field, t.str())
			}
		}
	}
	if cors := f.get("cors"); cors.isMap() {
		for _, a := range []struct{ field, what string }{{"allowOrigins", "origins"}, {"allowMethods", "methods"}, {"allowHeaders", "methods"}} {
			vs := cors.get(a.field)
			items := vs.items()
			if len(items) < 2 {
				continue
			}
			for _, v := range items {
				if v.str() == "*" {
					// The CRD's message for allowHeaders says "methods".
					c.reject(v.loc(), fmt.Sprintf("%s cannot contain '*' alongside other %s", strings.ToUpper(a.field[:1])+a.field[1:], a.what), "* allows every value already",
						"%s.cors.%s has * beside other values", fw, a.field)
					break
				}
			}
		}
	}
	if ea := f.get("externalAuth"); ea.isMap() {
		c.backendPort(ea.get("backendRef"), fw+".externalAuth.backendRef")
		proto := ea.get("protocol").str()
		for _, pr := range []struct{ proto, field string }{{"GRPC", "grpc"}, {"HTTP", "http"}} {
			has := ea.get(pr.field).ok()
			switch {
			case proto == pr.proto && !has:
				c.reject(ea.get("protocol").loc(), fmt.Sprintf("%s must be specified when protocol is set to '%s'", pr.field, pr.proto), "",
					"%s.externalAuth has protocol %s but no %s", fw, pr.proto, pr.field)
			case has && proto != pr.proto && proto != "":
				c.reject(ea.keyLoc(pr.field), fmt.Sprintf("protocol must be '%s' when %s is set", pr.proto, pr.field), "",
					"%s.externalAuth sets %s but has protocol %s", fw, pr.field, proto)
			}
		}
	}
}

// mirror applies the CEL rules of a RequestMirror filter's settings.
func (c celCheck) mirror(mirror yn, fw string) {
	if !mirror.isMap() {
		return
	}
	if mirror.get("percent").ok() && mirror.get("fraction").ok() {
		c.reject(mirror.keyLoc("fraction"), "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter", "",
			"%s.requestMirror sets both percent and fraction", fw)
	}
	fr := mirror.get("fraction")
	num, okN := fr.get("numerator").int()
	den, okD := fr.get("denominator").int()
	if !okD && fr.isMap() {
		den, okD = 100, true // the CRD's default
	}
	if okN && okD && num > den {
		c.reject(fr.get("numerator").loc(), "numerator must be less than or equal to denominator", "",
			"%s.requestMirror.fraction is %d/%d, above 1", fw, num, den)
	}
}

// replacePrefixMatch applies the CEL rules of an HTTPRoute rule that a
// RequestRedirect or URLRewrite with path.replacePrefixMatch in filter list
// items (the rule's own, or a backendRef's) needs exactly one match, of
// type PathPrefix.
func (c celCheck) replacePrefixMatch(r yn, items []yn, where string, onRule bool) {
	for _, m := range []struct{ field, typ string }{{"requestRedirect", "RequestRedirect"}, {"urlRewrite", "URLRewrite"}} {
		var found []yn
		for _, f := range items {
			path := f.get(m.field).get("path")
			if path.get("type").str() == "ReplacePrefixMatch" && path.get("replacePrefixMatch").ok() {
				found = append(found, path.get("type"))
			}
		}
		// The CEL rule asks for exactly one such filter (exists_one); two
		// are refused as a repeated filter.
		if len(found) != 1 {
			continue
		}
		ms := r.get("matches")
		n, prefix := 1, true // the default matches: one PathPrefix /
		if ms.ok() {
			items := ms.items()
			n = len(items)
			prefix = n == 1 && pathMatchType(items[0]) == "PathPrefix"
		}
		if n == 1 && prefix {
			continue
		}
		msg := fmt.Sprintf("When using %s filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified", m.typ)
		if !onRule {
			lead := "Within backendRefs, when"
			if m.typ == "URLRewrite" {
				lead = "Within backendRefs, When" // as the CRD writes it
			}
			msg = lead + strings.TrimPrefix(msg, "When")
		}
		got := fmt.Sprintf("%d matches", n)
		if n == 1 {
			got = "a match of type " + pathMatchType(ms.items()[0])
		}
		c.reject(found[0].loc(), msg, "", "%s: %s replaces the matched prefix of the path, and the rule has %s, not exactly one PathPrefix match", where, m.typ, got)
	}
}

// backendPort applies the CEL rule of a BackendObjectReference that
// meshlint's graph does not read (the route's backendRefs and mirrors are
// gatewayapi-backend-port-unknown's): a Service needs a port.
func (c celCheck) backendPort(ref yn, where string) {
	if !ref.isMap() || ref.get("port").ok() || ref.get("group").str() != "" {
		return
	}
	if k := ref.get("kind"); k.ok() && k.str() != "Service" {
		return
	}
	c.reject(ref.loc(), "Must have port for Service reference", "", "%s names Service %q without a port", where, ref.get("name").str())
}

// pathMatchType is the path type of an HTTPRoute match, defaults applied.
func pathMatchType(m yn) string {
	if t := m.get("path").get("type"); t.ok() {
		return t.str()
	}
	return "PathPrefix"
}

// redirectBesideBackends reports a RequestRedirect filter on a rule that
// has backendRefs: the redirect answers every request, so the backends
// would receive none.
func (c celCheck) redirectBesideBackends(r yn, where string) {
	if len(r.get("backendRefs").items()) == 0 {
		return
	}
	for i, f := range r.get("filters").items() {
		if f.get("requestRedirect").ok() {
			c.reject(f.keyLoc("requestRedirect"), "RequestRedirect filter must not be used together with backendRefs", "a redirect answers the request itself: move the backends to a rule of their own",
				"%s.filters[%d] redirects, and the rule has backendRefs", where, i)
			return
		}
	}
}

// validPathChars is the CRD's pattern of Exact and PathPrefix path values.
var validPathChars = regexp.MustCompile(`^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$`)

// pathMatch applies the CEL rules of an HTTPRoute path match: an Exact or
// PathPrefix value is an absolute, normalized path.
func (c celCheck) pathMatch(path yn, where string) {
	if !path.isMap() {
		return
	}
	typ := "PathPrefix"
	if t := path.get("type"); t.ok() {
		typ = t.str()
	}
	v := path.get("value")
	if (typ != "Exact" && typ != "PathPrefix") || !v.ok() {
		return // RegularExpression, or another type: schema-invalid; no value: "/"
	}
	val := v.str()
	const suffix = " when type one of ['Exact', 'PathPrefix']"
	var msg string
	switch {
	case !strings.HasPrefix(val, "/"):
		msg = "value must be an absolute path and start with '/'" + suffix
	case strings.Contains(val, "//"):
		msg = "must not contain '//'" + suffix
	case strings.Contains(val, "/./"):
		msg = "must not contain '/./'" + suffix
	case strings.Contains(val, "/../"):
		msg = "must not contain '/../'" + suffix
	case strings.Contains(val, "%2f"):
		msg = "must not contain '%2f'" + suffix
	case strings.Contains(val, "%2F"):
		msg = "must not contain '%2F'" + suffix
	case strings.Contains(val, "#"):
		msg = "must not contain '#'" + suffix
	case strings.HasSuffix(val, "/.."):
		msg = "must not end with '/..'" + suffix
	case strings.HasSuffix(val, "/."):
		msg = "must not end with '/.'" + suffix
	case !validPathChars.MatchString(val):
		msg = "must only contain valid characters (matching " + validPathChars.String() + ") for types ['Exact', 'PathPrefix']"
	default:
		return
	}
	c.reject(v.loc(), msg, "write a pattern as a RegularExpression match", "%s: %s path %q is not an absolute, normalized path", where, typ, val)
}

// timeouts applies the CEL rule of an HTTPRoute rule's timeouts: the
// timeout of one attempt cannot exceed that of the whole request, unless
// the request has none (0s).
func (c celCheck) timeouts(t yn, where string) {
	req, okR := gatewayDuration(t.get("request"))
	be, okB := gatewayDuration(t.get("backendRequest"))
	if !okR || !okB || req == 0 || be <= req {
		return
	}
	c.reject(t.get("backendRequest").loc(), "backendRequest timeout cannot be longer than request timeout", "",
		"%s.timeouts.backendRequest %s is longer than timeouts.request %s", where, t.get("backendRequest").str(), t.get("request").str())
}

// gatewayDuration parses a Gateway API Duration (GEP-2257: a subset of
// Go's durations). A value that does not parse is schema-invalid.
func gatewayDuration(v yn) (time.Duration, bool) {
	if !v.ok() {
		return 0, false
	}
	d, err := time.ParseDuration(v.str())
	return d, err == nil
}

var (
	grpcServiceName = regexp.MustCompile(`^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`)
	grpcMethodName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z_0-9]*$`)
)

// methodMatch applies the CEL rules of a GRPCRoute method match. Its type
// defaults to Exact, so a match without service and method is refused.
func (c celCheck) methodMatch(m yn, where string) {
	if !m.isMap() {
		return
	}
	svc, meth := m.get("service"), m.get("method")
	if !svc.ok() && !meth.ok() {
		c.reject(m.loc(), "One or both of 'service' or 'method' must be specified", "to match every method, leave the method match out",
			"%s sets neither service nor method", where)
		return
	}
	if t := m.get("type"); t.ok() && t.str() != "Exact" {
		return
	}
	if svc.ok() && !grpcServiceName.MatchString(svc.str()) {
		c.reject(svc.loc(), "service must only contain valid characters (matching "+grpcServiceName.String()+")", "",
			"%s.service %q is not a fully qualified protobuf service name such as pkg.Service", where, svc.str())
	}
	if meth.ok() && !grpcMethodName.MatchString(meth.str()) {
		c.reject(meth.loc(), "method must only contain valid characters (matching "+grpcMethodName.String()+")", "",
			"%s.method %q is not a protobuf method name", where, meth.str())
	}
}

// sessionPersistence applies the CEL rules of a rule's sessionPersistence.
func (c celCheck) sessionPersistence(sp yn, where string) {
	cc := sp.get("cookieConfig")
	if !cc.ok() {
		return
	}
	if t := sp.get("type"); t.ok() && t.str() != "Cookie" { // the type defaults to Cookie
		c.reject(sp.keyLoc("cookieConfig"), "cookieConfig can only be set with type Cookie", "",
			"%s.sessionPersistence sets cookieConfig but has type %s", where, t.str())
	}
	if lt := cc.get("lifetimeType"); lt.str() == "Permanent" && !sp.get("absoluteTimeout").ok() {
		c.reject(lt.loc(), "AbsoluteTimeout must be specified when cookie lifetimeType is Permanent", "",
			"%s.sessionPersistence has a Permanent cookie but no absoluteTimeout", where)
	}
}

// listeners applies the CEL rules of the listeners of a Gateway or a
// ListenerSet, which are the same for both. Their names and their port, protocol and hostname
// are gatewayapi-listener-conflict's.
func (c celCheck) listeners(ls yn) {
	for i, l := range ls.items() {
		if !l.isMap() {
			continue
		}
		name := l.get("name").str()
		what := fmt.Sprintf("listener %s", name)
		if name == "" {
			what = fmt.Sprintf("listeners[%d]", i)
		}
		proto := l.get("protocol").str()
		tls := l.get("tls")
		switch proto {
		case "HTTP", "TCP", "UDP":
			if tls.ok() {
				c.reject(l.keyLoc("tls"), "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']", "to terminate TLS, use protocol HTTPS or TLS",
					"%s has protocol %s and tls settings", what, proto)
			}
		case "HTTPS":
			if m := tls.get("mode"); m.ok() && m.str() != "" && m.str() != "Terminate" {
				c.reject(m.loc(), "tls mode must be Terminate for protocol HTTPS", "for TLS passthrough, use protocol TLS",
					"%s has protocol HTTPS and tls mode %s", what, m.str())
			}
		case "TLS":
			if !tls.ok() {
				c.reject(l.get("protocol").loc(), "tls mode must be set for protocol TLS", "set tls.mode to Terminate or Passthrough",
					"%s has protocol TLS but no tls", what)
			}
		}
		if (proto == "TCP" || proto == "UDP") && l.get("hostname").str() != "" {
			c.reject(l.get("hostname").loc(), "hostname must not be specified for protocols ['TCP', 'UDP']", "a TCP or UDP listener cannot tell connections apart by host name",
				"%s has protocol %s and a hostname", what, proto)
		}
		if tls.isMap() {
			m := tls.get("mode")
			terminate := !m.ok() || m.str() == "Terminate" // the default mode
			if terminate && len(tls.get("certificateRefs").items()) == 0 && !tls.get("options").hasEntries() {
				c.reject(l.keyLoc("tls"), "certificateRefs or options must be specified when mode is Terminate", "",
					"%s terminates TLS but has no certificateRefs (nor options)", what)
			}
		}
	}
}

// labelKey is the CRD's pattern of infrastructure label and annotation keys.
var labelKey = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$`)

// hostnameAddress is the CRD's pattern of Hostname addresses.
var hostnameAddress = regexp.MustCompile(`^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// gateway applies the CEL rules of a Gateway's spec other than its
// listeners'.
func (c celCheck) gateway(s yn) {
	seen := map[[2]string]int{}
	for i, a := range s.get("addresses").items() {
		typ := "IPAddress" // the default type
		if t := a.get("type"); t.ok() {
			typ = t.str()
		}
		v := a.get("value")
		if !v.ok() || (typ != "IPAddress" && typ != "Hostname") {
			continue
		}
		if typ == "Hostname" && !hostnameAddress.MatchString(v.str()) {
			c.reject(v.loc(), "Hostname value must be empty or contain only valid characters (matching "+hostnameAddress.String()+")", "",
				"addresses[%d] %q is not a lowercase DNS name", i, v.str())
		}
		k := [2]string{typ, v.str()}
		if j, dup := seen[k]; dup {
			c.reject(v.loc(), typ+" values must be unique", "", "addresses[%d] repeats addresses[%d] (%s %s)", i, j, typ, v.str())
			continue
		}
		seen[k] = i
	}
	infra := s.get("infrastructure")
	for _, m := range []struct{ field, what string }{{"labels", "Label"}, {"annotations", "Annotation"}} {
		for _, e := range infra.get(m.field).entries() {
			switch {
			case !labelKey.MatchString(e.key):
				c.reject(e.keyLoc, m.what+" keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.", "",
					"infrastructure.%s key %q is not a qualified name", m.field, e.key)
			case len(strings.SplitN(e.key, "/", 2)[0]) >= 253:
				// Caught by the schema's maxLength of keys too, for most.
				c.reject(e.keyLoc, "If specified, the "+strings.ToLower(m.what)+" key's prefix must be a DNS subdomain not longer than 253 characters in total.", "",
					"infrastructure.%s key %q has a prefix of 253 characters or more", m.field, e.key)
			}
		}
	}
	ports := map[string]int{}
	for i, pp := range s.get("tls").get("frontend").get("perPort").items() {
		port := pp.get("port")
		if !port.ok() {
			continue
		}
		if j, dup := ports[port.str()]; dup {
			c.reject(port.loc(), "Port for TLS configuration must be unique within the Gateway", "",
				"tls.frontend.perPort[%d] repeats the port %s of perPort[%d]", i, port.str(), j)
			continue
		}
		ports[port.str()] = i
	}
}

// yn is a YAML node of an object, aliases resolved, or nil for a field
// that is absent.
type yn struct{ n *yaml.Node }

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// ok reports whether the field is there and not null: a null is dropped
// on decoding, so CEL's has() is false for it.
func (x yn) ok() bool {
	return x.n != nil && !(x.n.Kind == yaml.ScalarNode && x.n.Tag == "!!null") //nolint:staticcheck // QF1001: as in rules/validation
}

func (x yn) isMap() bool { return x.n != nil && x.n.Kind == yaml.MappingNode }

// get is the value of key in a mapping, merge keys included.
func (x yn) get(key string) yn {
	if !x.isMap() {
		return yn{}
	}
	return yn{deref(yamlpath.Field(x.n, key))}
}

// items are the items of a sequence.
func (x yn) items() []yn {
	if x.n == nil || x.n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]yn, len(x.n.Content))
	for i, c := range x.n.Content {
		out[i] = yn{deref(c)}
	}
	return out
}

type ynEntry struct {
	key    string
	keyLoc manifest.Loc
}

// entries are the keys of a mapping, with their locations.
func (x yn) entries() []ynEntry {
	if !x.isMap() {
		return nil
	}
	var out []ynEntry
	for k := range yamlpath.Entries(x.n) {
		out = append(out, ynEntry{k.Value, manifest.LocOf(k)})
	}
	return out
}

func (x yn) hasEntries() bool { return len(x.entries()) > 0 }

// str is a scalar's value; "" for anything else. A wrong type is
// schema-invalid, and the checks treat it as absent.
func (x yn) str() string {
	if !x.ok() || x.n.Kind != yaml.ScalarNode {
		return ""
	}
	return x.n.Value
}

// int is a scalar's integer value.
func (x yn) int() (int64, bool) {
	v, err := strconv.ParseInt(x.str(), 10, 64)
	return v, err == nil
}

func (x yn) loc() manifest.Loc { return manifest.LocOf(x.n) }

// keyLoc is the location of key in a mapping, or of the mapping when the
// key is absent.
func (x yn) keyLoc(key string) manifest.Loc {
	if x.isMap() {
		if k, _ := yamlpath.Lookup(x.n, key); k != nil {
			return manifest.LocOf(k)
		}
	}
	return x.loc()
}

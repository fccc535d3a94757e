package graph

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/spec"
)

// flaggerRoute describes the HTTPRoute Flagger creates for c: name,
// apiVersion, labels and annotations, hostnames, parentRefs as written
// ([group/kind:]namespace/name[#section][:port], namespace "" when
// unset), then each rule's backendRefs as group/kind:name:port/weight and
// its filters by type, a mirror's with its backend as name:port.
func flaggerRoute(c *Canary) string {
	r := c.HTTPRoute
	if r == nil {
		return ""
	}
	var hosts, parents []string
	for _, h := range r.Spec.Hostnames {
		hosts = append(hosts, h.V)
	}
	for _, p := range r.Spec.ParentRefs {
		s := p.Namespace.V + "/" + p.Name.V
		if p.Group.Set || p.Kind.Set {
			s = p.Group.V + "/" + p.Kind.V + ":" + s
		}
		if p.SectionName.Set {
			s += "#" + p.SectionName.V
		}
		if p.Port.Set {
			s += fmt.Sprintf(":%d", p.Port.V)
		}
		parents = append(parents, s)
	}
	out := fmt.Sprintf("%s %s labels %s annotations %s hostnames %s parents %s", r.Name(), r.Obj.APIVersion,
		kv(r.Obj.Labels), kv(r.Obj.Annotations), strings.Join(hosts, ","), strings.Join(parents, ","))
	for _, rule := range r.Spec.Rules {
		var bs, fs []string
		for _, b := range rule.BackendRefs {
			bs = append(bs, fmt.Sprintf("%s/%s:%s:%d/%d", b.Group.V, b.Kind.V, b.Name.V, b.Port.V, b.Weight.V))
		}
		for _, f := range rule.Filters {
			s := f.Type.V
			if f.RequestMirror != nil && f.RequestMirror.BackendRef != nil {
				s += fmt.Sprintf(":%s:%d", f.RequestMirror.BackendRef.Name.V, f.RequestMirror.BackendRef.Port.V)
			}
			fs = append(fs, s)
		}
		out += fmt.Sprintf(" rule[%s filters %s]", strings.Join(bs, ","), strings.Join(fs, ","))
	}
	return out
}

// TestFlaggerHTTPRoute checks the HTTPRoute derived for a Canary of a
// Gateway API provider against Factory.MeshRouter and the Reconcile,
// mapRouteMatches, makeBackendRef and makeFilters of Flagger v1.36.1's
// GatewayAPIRouter and GatewayAPIV1Beta1Router, in the state of an idle
// canary.
func TestFlaggerHTTPRoute(t *testing.T) {
	target := flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers)
	ref := "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n"
	gwRefs := "    gatewayRefs: [{name: public, namespace: gateway}]\n"
	idle := " rule[/Service:podinfo-primary:9898/100,/Service:podinfo-canary:9898/0 filters ]"
	route := func(provider, service string) string {
		return flaggerCanary("podinfo", "  provider: "+provider+"\n"+ref+"  service:\n    port: 9898\n"+service)
	}
	for _, c := range []struct{ name, src, route string }{{
		// The hostnames are spec.service.hosts alone (no apex host is
		// added), the parentRefs the gatewayRefs as written; the
		// backends are the primary and canary Services at the port.
		name:  "defaults",
		src:   docs(target, route("gatewayapi:v1", gwRefs+"    hosts: [app.example.com]\n")),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames app.example.com parents gateway/public" + idle,
	}, {
		// No hosts: no hostnames, so the route takes every hostname of
		// the listeners.
		name:  "no hosts",
		src:   docs(target, route("gatewayapi:v1", gwRefs)),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames  parents gateway/public" + idle,
	}, {
		// gatewayapi:v1beta1 has its own router, whose client writes
		// v1beta1; any other version after gatewayapi:v1 gets the v1
		// router. The apex metadata goes on the route, without Flux's
		// annotations; spec.service.name names it; each mirror is a
		// RequestMirror filter.
		name: "v1beta1, service fields",
		src: docs(target, flaggerCanary("podinfo", "  provider: gatewayapi:v1beta1\n"+ref+`  service:
    name: frontend
    port: 80
    targetPort: 9898
    hosts: [app.example.com, "*.example.org"]
    gatewayRefs:
    - {name: public, namespace: gateway, sectionName: https}
    - {group: gateway.networking.k8s.io, kind: Gateway, name: internal, port: 8080}
    mirror:
    - backendRef: {name: shadow, port: 8080}
    match: [{uri: {prefix: /api}, headers: {x-team: {exact: a}}}, {method: {exact: GET}, queryParams: {v: {regex: "2.*"}}}]
    timeout: 5s
    apex:
      labels: {team: a}
      annotations: {owner: a, kustomize.toolkit.fluxcd.io/checksum: abc}
`)),
		route: "frontend gateway.networking.k8s.io/v1beta1 labels team=a annotations owner=a hostnames app.example.com,*.example.org " +
			"parents gateway/public#https,gateway.networking.k8s.io/Gateway:/internal:8080 " +
			"rule[/Service:frontend-primary:80/100,/Service:frontend-canary:80/0 filters RequestMirror:shadow:8080]",
	}, {
		name:  "v1alpha2",
		src:   docs(target, route("gatewayapi:v1alpha2", gwRefs)),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames  parents gateway/public" + idle,
	}, {
		// An A/B test: a second rule, to the primary alone.
		name: "A/B test",
		src: docs(target, route("gatewayapi:v1", gwRefs)+
			"  analysis:\n    match: [{headers: {x-canary: {exact: insider}}}]\n"),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames  parents gateway/public" + idle +
			" rule[/Service:podinfo-primary:9898/100 filters ]",
	}, {
		// makeFilters: the header operations, the rewrite, then the
		// mirrors, on both rules of an A/B test.
		name: "filters, A/B test",
		src: docs(target, route("gatewayapi:v1", gwRefs+`    headers:
      request: {add: {x-team: a}}
      response: {remove: [server]}
    rewrite: {uri: /v2, authority: api.example.com}
    mirror:
    - backendRef: {name: shadow, port: 8080}
    timeout: 1m30s
  analysis:
    match: [{headers: {x-canary: {exact: insider}}}]
`)),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames  parents gateway/public" +
			" rule[/Service:podinfo-primary:9898/100,/Service:podinfo-canary:9898/0 filters RequestHeaderModifier,ResponseHeaderModifier,URLRewrite,RequestMirror:shadow:8080]" +
			" rule[/Service:podinfo-primary:9898/100 filters RequestHeaderModifier,ResponseHeaderModifier,URLRewrite,RequestMirror:shadow:8080]",
	}, {
		// Only the operations that are set make a filter.
		name: "response headers only",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    headers: {response: {set: {x-served-by: podinfo}}}\n")),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames  parents gateway/public" +
			" rule[/Service:podinfo-primary:9898/100,/Service:podinfo-canary:9898/0 filters ResponseHeaderModifier]",
	}, {
		// A rewrite of the prefix with a single path prefix match, the
		// default one or the service's, and an A/B test of one match.
		name: "prefix rewrite, default match",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    rewrite: {uri: /, type: ReplacePrefixMatch}\n")),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames  parents gateway/public" +
			" rule[/Service:podinfo-primary:9898/100,/Service:podinfo-canary:9898/0 filters URLRewrite]",
	}, {
		name: "prefix rewrite, A/B test of one match",
		src: docs(target, route("gatewayapi:v1", gwRefs+"    match: [{uri: {prefix: /api}}]\n    rewrite: {uri: /, type: ReplacePrefixMatch}\n")+
			"  analysis:\n    match: [{headers: {x-canary: {exact: insider}}}]\n"),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames  parents gateway/public" +
			" rule[/Service:podinfo-primary:9898/100,/Service:podinfo-canary:9898/0 filters URLRewrite]" +
			" rule[/Service:podinfo-primary:9898/100 filters URLRewrite]",
	}, {
		// A full path rewrite (any other type) takes any matches; the
		// v1beta1 router sets no timeouts, so any timeout does.
		name: "full path rewrite, two matches, v1beta1 timeout",
		src: docs(target, route("gatewayapi:v1beta1", gwRefs+"    match: [{uri: {prefix: /api}}, {uri: {exact: /v2}}]\n"+
			"    rewrite: {uri: /, type: ReplaceFullPath}\n    timeout: 1.5s\n")),
		route: "podinfo gateway.networking.k8s.io/v1beta1 labels  annotations  hostnames  parents gateway/public" +
			" rule[/Service:podinfo-primary:9898/100,/Service:podinfo-canary:9898/0 filters URLRewrite]",
	}, {
		// Suspended, or with the apex Service in the input: the route is
		// there all the same.
		name: "suspended, apex Service of the input",
		src: docs(target, svc("test", "podinfo", "app=podinfo"),
			flaggerCanary("podinfo", "  provider: gatewayapi:v1\n  suspend: true\n"+ref+"  service:\n    port: 9898\n"+gwRefs)),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames  parents gateway/public" + idle,
	}, {
		// An HTTPRoute of another name, or of the apex's name in another
		// namespace, is no obstacle.
		name: "other HTTPRoutes of the input",
		src: docs(target, route("gatewayapi:v1", gwRefs),
			"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: podinfo-admin, namespace: test}\nspec:\n  rules:\n  - backendRefs: [{name: podinfo-primary, port: 9898}]\n",
			"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: podinfo, namespace: other}\nspec:\n  rules:\n  - backendRefs: [{name: podinfo, port: 9898}]\n"),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames  parents gateway/public" + idle,
	}, {
		// Flagger takes over the input's HTTPRoute of the apex's name,
		// whatever its version; it creates no other.
		name: "HTTPRoute of the input",
		src: docs(target, route("gatewayapi:v1", gwRefs),
			"apiVersion: gateway.networking.k8s.io/v1beta1\nkind: HTTPRoute\nmetadata: {name: podinfo, namespace: test}\nspec:\n  rules:\n  - backendRefs: [{name: podinfo-primary, port: 9898}]\n"),
	}, {
		// Reconcile fails without gatewayRefs.
		name: "no gatewayRefs",
		src:  docs(target, route("gatewayapi:v1", "    hosts: [app.example.com]\n")),
	}, {
		// mapRouteMatches fails on a matcher the Gateway API lacks, and
		// Reconcile with it.
		name: "uri suffix",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    match: [{uri: {suffix: .png}}]\n")),
	}, {
		name: "header prefix",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    match: [{uri: {prefix: /}}, {headers: {x-user: {prefix: a}}}]\n")),
	}, {
		name: "method regex",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    match: [{method: {regex: GET|HEAD}}]\n")),
	}, {
		name: "query parameter prefix",
		src:  docs(target, route("gatewayapi:v1beta1", gwRefs+"    match: [{queryParams: {v: {prefix: \"2\"}}}]\n")),
	}, {
		// The API server refuses a request timeout that is no Gateway API
		// Duration, which the v1 router sets on the rules.
		name: "timeout not a Gateway API Duration",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    timeout: 1.5s\n")),
	}, {
		// It refuses a rewrite of the prefix unless each rule has a
		// single match, of a path prefix.
		name: "prefix rewrite, two matches",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    match: [{uri: {prefix: /api}}, {uri: {prefix: /v2}}]\n    rewrite: {uri: /, type: ReplacePrefixMatch}\n")),
	}, {
		name: "prefix rewrite, exact match",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    match: [{uri: {exact: /api}}]\n    rewrite: {uri: /, type: ReplacePrefixMatch}\n")),
	}, {
		name: "prefix rewrite, A/B test of two matches",
		src: docs(target, route("gatewayapi:v1", gwRefs+"    rewrite: {uri: /, type: ReplacePrefixMatch}\n")+
			"  analysis:\n    match: [{headers: {x-canary: {exact: insider}}}, {headers: {x-beta: {exact: \"1\"}}}]\n"),
	}, {
		// Of an analysis match of a uri, the API server keeps nothing:
		// mapRouteMatches drops it, and the A/B rule has one match.
		name: "prefix rewrite, A/B test of one match and a pruned one",
		src: docs(target, route("gatewayapi:v1", gwRefs+"    rewrite: {uri: /, type: ReplacePrefixMatch}\n")+
			"  analysis:\n    match: [{headers: {x-canary: {exact: insider}}}, {uri: {prefix: /beta}}]\n"),
		route: "podinfo gateway.networking.k8s.io/v1 labels  annotations  hostnames  parents gateway/public" +
			" rule[/Service:podinfo-primary:9898/100,/Service:podinfo-canary:9898/0 filters URLRewrite]" +
			" rule[/Service:podinfo-primary:9898/100 filters URLRewrite]",
	}, {
		// A rewritten authority must be a precise hostname.
		name: "rewrite authority with a port",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    rewrite: {authority: \"api.example.com:8080\"}\n")),
	}, {
		// The API server refuses "*", and any hostname not in lower case,
		// as an HTTPRoute's: the creation fails.
		name: "host *",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    hosts: [app.example.com, \"*\"]\n")),
	}, {
		name: "host in upper case",
		src:  docs(target, route("gatewayapi:v1", gwRefs+"    hosts: [App.example.com]\n")),
	}, {
		// "gatewayapi" without a version is the IstioRouter's.
		name: "gatewayapi without a version",
		src:  docs(target, route("gatewayapi", gwRefs)),
	}} {
		t.Run(c.name, func(t *testing.T) {
			for _, prepared := range []bool{false, true} {
				g := flaggerGraph(t, c.src, prepared)
				cn := g.Canaries[0]
				if got := flaggerRoute(cn); got != c.route {
					t.Errorf("prepared=%v: HTTPRoute\n%s\nwant\n%s", prepared, got, c.route)
				}
				if cn.HTTPRoute != nil && (g.GeneratedBy(cn.HTTPRoute.Obj) != cn || cn.VirtualService != nil || len(cn.DestinationRules) > 0) {
					t.Errorf("prepared=%v: GeneratedBy %v, VirtualService %v, %d DestinationRules", prepared,
						g.GeneratedBy(cn.HTTPRoute.Obj), cn.VirtualService, len(cn.DestinationRules))
				}
				if cn.Primary == nil || len(cn.Services) == 0 {
					t.Errorf("prepared=%v: primary %v, Services:\n%s", prepared, cn.Primary, flaggerServices(cn))
				}
			}
		})
	}
}

// TestFlaggerHTTPRoutePositions checks that the HTTPRoute's positions are
// the fields of the Canary it comes from, and that the object is the
// Canary's.
func TestFlaggerHTTPRoutePositions(t *testing.T) {
	src := docs(flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers),
		flaggerCanary("podinfo", `  provider: gatewayapi:v1
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service:
    port: 9898
    hosts:
    - app.example.com
    gatewayRefs:
    - name: public
      namespace: gateway
    headers:
      request:
        add: {x-team: a}
    rewrite:
      uri: /
    mirror:
    - backendRef:
        name: shadow
        port: 8080
`),
		flaggerCanary("web", "  provider: gatewayapi:v1\n  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service:\n    name: web\n    port: 80\n    gatewayRefs: [{name: public}]\n"+
			"  analysis:\n    match:\n    - headers: {x-canary: {exact: insider}}\n"))
	g := flaggerGraph(t, src, true)
	cn := g.Canaries[0]
	svc, ref := cn.Spec.Service, cn.Spec.TargetRef
	r := cn.HTTPRoute
	if r == nil {
		t.Fatal("no HTTPRoute")
	}
	o := r.Obj
	if o.File != cn.Obj.File || o.NameLoc != ref.Name.Loc || o.KindLoc != cn.Obj.KindLoc || o.Root() != nil || Origin(o) != cn.Obj {
		t.Errorf("object at %s %v", o.File, o.NameLoc)
	}
	if o.Kind != "HTTPRoute" || o.Group != "gateway.networking.k8s.io" || o.Namespace != "test" || o.OwnerKind != "Canary" || o.OwnerName != "podinfo" {
		t.Errorf("%s: %s %s owned by %s/%s", o.Ref(), o.APIVersion, o.Kind, o.OwnerKind, o.OwnerName)
	}
	if h := r.Spec.Hostnames[0]; h.Loc != svc.Hosts[0].Loc || h.Loc.IsZero() {
		t.Errorf("hostname at %v", h.Loc)
	}
	if p := r.Spec.ParentRefs[0]; p.Loc != svc.GatewayRefs[0].Loc || p.Name.Loc != svc.GatewayRefs[0].Name.Loc || p.Name.Loc.IsZero() {
		t.Errorf("parentRef at %v, name at %v", p.Loc, p.Name.Loc)
	}
	rule := r.Spec.Rules[0]
	if rule.Loc != svc.Loc {
		t.Errorf("rule at %v, want spec.service at %v", rule.Loc, svc.Loc)
	}
	for _, b := range rule.BackendRefs {
		if b.Loc != svc.Port.Loc || b.Port.Loc != svc.Port.Loc || b.Weight.Loc != svc.Port.Loc || b.Name.Loc != ref.Name.Loc {
			t.Errorf("backendRef %s at %v, port at %v, weight at %v, name at %v", b.Name.V, b.Loc, b.Port.Loc, b.Weight.Loc, b.Name.Loc)
		}
	}
	if len(rule.Filters) != 3 {
		t.Fatalf("%d filters", len(rule.Filters))
	}
	if h, w := rule.Filters[0], rule.Filters[1]; h.Loc != svc.Headers.Request.Loc || w.Loc != svc.Rewrite.Loc || h.Loc.IsZero() || w.Loc.IsZero() || w.Type.Loc != w.Loc {
		t.Errorf("header filter at %v, rewrite at %v", h.Loc, w.Loc)
	}
	m := rule.Filters[2]
	if mb := svc.Mirror[0].BackendRef; m.Loc != mb.Loc || m.RequestMirror.BackendRef.Name.Loc != mb.Name.Loc || mb.Name.Loc.IsZero() {
		t.Errorf("mirror at %v", m.Loc)
	}
	// The second Canary names its apex: the route's name and its
	// backends' names are at spec.service.name.
	web := g.Canaries[1]
	r = web.HTTPRoute
	if r.Obj.NameLoc != web.Spec.Service.Name.Loc || r.Spec.Rules[0].BackendRefs[0].Name.Loc != web.Spec.Service.Name.Loc || r.Obj.Name != "web" {
		t.Errorf("web at %v, backend name at %v", r.Obj.NameLoc, r.Spec.Rules[0].BackendRefs[0].Name.Loc)
	}
	// Its A/B rule is at the analysis match, the other at spec.service.
	if am := web.Spec.Analysis.Match[0]; r.Spec.Rules[0].Loc != am.Loc || r.Spec.Rules[1].Loc != web.Spec.Service.Loc || am.Loc.IsZero() {
		t.Errorf("A/B rule at %v, rule of the service match at %v", r.Spec.Rules[0].Loc, r.Spec.Rules[1].Loc)
	}
}

// TestValidRouteHostnames checks validRouteHostnames against the Gateway
// API's Hostname and the HTTPRoute's limit of 16 hostnames.
func TestValidRouteHostnames(t *testing.T) {
	strs := func(hs ...string) []spec.Str {
		var out []spec.Str
		for _, h := range hs {
			out = append(out, spec.Str{V: h})
		}
		return out
	}
	many := strs(strings.Split(strings.Repeat("a.example.com,", 17), ",")[:17]...)
	for _, c := range []struct {
		name string
		hs   []spec.Str
		ok   bool
	}{
		{"none", nil, true},
		{"names", strs("app.example.com", "*.example.org", "localhost", "10.0.0.1"), true},
		{"sixteen", many[:16], true},
		{"seventeen", many, false},
		{"star", strs("*"), false},
		{"wildcard inside", strs("app.*.example.com"), false},
		{"upper case", strs("App.example.com"), false},
		{"trailing dot", strs("app.example.com."), false},
		{"empty", strs(""), false},
		{"port", strs("app.example.com:80"), false},
		{"too long", strs(strings.Repeat("a", 254)), false},
	} {
		if got := validRouteHostnames(c.hs); got != c.ok {
			t.Errorf("%s: %v, want %v", c.name, got, c.ok)
		}
	}
}

// TestFlaggerRoutePaths checks flaggerRoutePaths against mapRouteMatches,
// matcher by matcher: whether it fails, and the path of the match it
// makes ("" for none).
func TestFlaggerRoutePaths(t *testing.T) {
	exact := &spec.StringMatch{Exact: spec.Str{V: "a"}}
	prefix := &spec.StringMatch{Prefix: spec.Str{V: "a"}}
	regex := &spec.StringMatch{Regex: spec.Str{V: "a"}}
	empty := &spec.StringMatch{}
	for _, c := range []struct {
		name string
		m    spec.HTTPMatch
		ok   bool
		path string
	}{
		{"empty match", spec.HTTPMatch{}, true, ""},
		{"uri exact", spec.HTTPMatch{URI: exact}, true, "Exact"},
		{"uri prefix", spec.HTTPMatch{URI: prefix}, true, "PathPrefix"},
		{"uri regex", spec.HTTPMatch{URI: regex}, true, "RegularExpression"},
		{"uri regex first", spec.HTTPMatch{URI: &spec.StringMatch{Exact: spec.Str{V: "/a"}, Regex: spec.Str{V: "/b.*"}}}, true, "RegularExpression"},
		{"uri without value", spec.HTTPMatch{URI: empty}, false, ""},
		{"method exact", spec.HTTPMatch{Method: exact}, true, "PathPrefix"},
		{"method prefix", spec.HTTPMatch{Method: prefix}, false, ""},
		{"method regex", spec.HTTPMatch{Method: regex}, false, ""},
		{"header exact", spec.HTTPMatch{Headers: map[string]spec.StringMatch{"x": *exact}}, true, "PathPrefix"},
		{"header regex", spec.HTTPMatch{Headers: map[string]spec.StringMatch{"x": *regex}}, true, "PathPrefix"},
		{"header prefix", spec.HTTPMatch{Headers: map[string]spec.StringMatch{"x": *prefix}}, false, ""},
		{"query exact", spec.HTTPMatch{QueryParams: map[string]spec.StringMatch{"x": *exact}}, true, "PathPrefix"},
		{"query prefix", spec.HTTPMatch{QueryParams: map[string]spec.StringMatch{"x": *prefix}}, false, ""},
		// Fields of Istio's match that mapRouteMatches ignores: the match
		// is dropped.
		{"authority prefix", spec.HTTPMatch{Authority: prefix, Scheme: empty, SourceLabels: map[string]string{"app": "a"}}, true, ""},
	} {
		paths, ok := flaggerRoutePaths([]spec.HTTPMatch{{URI: prefix}, c.m})
		want := []string{"PathPrefix"}
		if c.path != "" {
			want = append(want, c.path)
		}
		if !ok {
			want = nil
		}
		if ok != c.ok || strings.Join(paths, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v %v, want %v %v", c.name, paths, ok, want, c.ok)
		}
	}
}

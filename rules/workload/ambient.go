package workload

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// ambientPolicy is a policy whose effect needs an L7 proxy: an L7
// AuthorizationPolicy, a RequestAuthentication, an L7 Telemetry, a
// WasmPlugin or a TrafficExtension. attachedPolicies also lists the others, with l7 "".
type ambientPolicy struct {
	obj   *manifest.Object
	l7    string
	scope graph.AmbientPolicyScope
	// dryRun is an AuthorizationPolicy's istio.io/dry-run annotation.
	dryRun bool
}

// anyAmbient reports whether the input puts any pod in ambient mode: a
// namespace, or a workload without a sidecar, labelled for it. The rules
// that check what ambient mode ignores report only about such pods (or the
// Services and ServiceEntries of such namespaces), so without one
// ambientPolicies and ambientRoutes skip listing the policies and routes.
func anyAmbient(g *graph.Graph) bool {
	for ns := range g.Namespaces {
		if g.AmbientNamespace(ns) {
			return true
		}
	}
	for _, w := range g.Workloads {
		if g.Ambient(w) {
			return true
		}
	}
	return false
}

// attachedPolicies lists every AuthorizationPolicy, RequestAuthentication,
// Telemetry, WasmPlugin and TrafficExtension with what of it needs an L7
// proxy ("" for nothing).
func attachedPolicies(g *graph.Graph) []ambientPolicy {
	var out []ambientPolicy
	for _, ap := range g.AuthorizationPolicies {
		s := ap.Spec
		what, _ := graph.L7Authorization(s)
		if what != "" {
			what = "L7 rules (" + what + ")"
		}
		out = append(out, ambientPolicy{ap.Obj, what, graph.PolicyScope(s.Selector, s.TargetRef, s.TargetRefs), ap.DryRun()})
	}
	for _, ra := range g.RequestAuthentications {
		s := ra.Spec
		out = append(out, ambientPolicy{ra.Obj, "JWT authentication", graph.PolicyScope(s.Selector, s.TargetRef, s.TargetRefs), false})
	}
	for _, t := range g.Telemetries {
		what := ""
		if graph.L7Telemetry(t) {
			what = "L7 telemetry (tracing, access logs or metrics)"
		}
		s := t.Spec
		out = append(out, ambientPolicy{t.Obj, what, graph.PolicyScope(s.Selector, s.TargetRef, s.TargetRefs), false})
	}
	for _, w := range g.Extensions() {
		// A TrafficExtension runs a Wasm module or a Lua script: both are
		// HTTP filters (Lua is HTTP only: MatchType), which ztunnel lacks.
		what := "a Wasm extension"
		if w.Obj.Kind == kinds.TrafficExtension {
			what = "a Wasm or Lua filter"
		}
		s := w.Spec
		out = append(out, ambientPolicy{w.Obj, what, graph.PolicyScope(s.Selector, s.TargetRef, s.TargetRefs), false})
	}
	return out
}

// ambientPolicies lists the policies that need an L7 proxy, none when no
// pod is in ambient mode.
func ambientPolicies(g *graph.Graph) []ambientPolicy {
	if !anyAmbient(g) {
		return nil
	}
	var out []ambientPolicy
	for _, a := range attachedPolicies(g) {
		// By default istiod never sends a dry-run policy to ztunnel
		// (convertAuthorizationPolicy in serviceregistry/ambient, unless
		// AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY), so one attached by
		// selector is not turned into L4 rules there. A waypoint does try
		// one attached by targetRefs, as shadow rules.
		if a.l7 == "" || a.dryRun && !a.scope.HasTargetRefs() {
			continue
		}
		out = append(out, a)
	}
	return out
}

// enrolFix is the next step of MR750 and MR752: enrol the target of the
// given kind for a waypoint.
func enrolFix(kind string) string {
	return fmt.Sprintf("deploy a waypoint and label the %s or its namespace %s=<waypoint>", kind, graph.UseWaypointLabel)
}

var ambientPolicyKinds = withPods(kinds.AuthorizationPolicy, kinds.RequestAuthentication, kinds.Telemetry, kinds.WasmPlugin,
	kinds.TrafficExtension, kinds.Service, kinds.ServiceEntry, kinds.Namespace)

const ambientDocNote = `A pod is in ambient mode when it or its namespace is labelled ` + "`istio.io/dataplane-mode: ambient`" + `
(a pod's own label ` + "`none`" + ` opts out), it gets no sidecar and does not use the host network, and its
namespace is not kube-system, which istio-cni excludes by default. There ztunnel handles L4 only: L7 settings take effect in a waypoint proxy, which
serves the Services and ServiceEntries enrolled with the ` + "`istio.io/use-waypoint`" + ` label, on
themselves or on their namespace (the value ` + "`none`" + ` opts out).`

// cartService is Service shop/cart, the destination of the examples of
// MR750, MR752 and MR753, and the separator of the next document.
const cartService = `apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  selector: {app: cart}
  ports: [{name: http, port: 80}]
---
`

// AmbientPolicyWithoutWaypoint reports L7 policies attached to ambient
// Services that no waypoint serves.
var AmbientPolicyWithoutWaypoint = &rules.Rule{
	ID:      "MR750",
	Name:    "ambient-policy-without-waypoint",
	Summary: "l7 policy targets an ambient service that is not enrolled for a waypoint",
	Doc: `An L7 AuthorizationPolicy (HTTP methods, paths, hosts, request principals or request
conditions), a RequestAuthentication, an L7 Telemetry (tracing, access logging, metrics), a
WasmPlugin or a TrafficExtension attached by ` + "`targetRefs`" + ` to a Service (or ServiceEntry) is applied by
the waypoint that serves it. When the Service is in ambient mode and not enrolled for a waypoint,
there is none, and ztunnel ignores any policy with ` + "`targetRefs`" + ` (convertAuthorizationPolicy in
Istio): the policy is not enforced at all, not even the L4 rules of an AuthorizationPolicy.

Deploy a waypoint and label the Service or its namespace ` + "`istio.io/use-waypoint: <waypoint>`" + `.

` + ambientDocNote,
	Bad:      ambientShop + cartService + cartGetPolicy,
	Good:     waypointShop + cartService + cartGetPolicy,
	Severity: rules.Warning,
	Inputs:   ambientPolicyKinds,
	Related:  []string{"KIA0109", "KIA1110", "KIA1111", "KIA1112"},
	Deps:     rules.DepINJ | rules.DepTGT | rules.DepREF,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		for _, a := range ambientPolicies(g) {
			for _, t := range g.UnenrolledTargets(a.obj.Namespace, a.scope) {
				p.Reportf(a.obj, t.Ref.Name.Loc, "%s targets %s %s/%s, which is in ambient mode and not enrolled for a waypoint, so the policy applies nowhere: no waypoint applies its %s, and ztunnel ignores any policy with targetRefs; %s",
					a.obj.Ref(), t.Kind, t.Obj.Namespace, t.Obj.Name, strings.TrimPrefix(a.l7, "a "), enrolFix(string(t.Kind)))
			}
		}
		return nil
	},
}

// cartGetPolicy is an AuthorizationPolicy with an L7 rule (the GET
// method), attached to Service shop/cart: the examples of MR750.
const cartGetPolicy = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart-get, namespace: shop}
spec:
  targetRefs: [{kind: Service, group: "", name: cart}]
  rules: [{to: [{operation: {methods: [GET]}}]}]
`

// AmbientSelectorPolicyIgnored reports L7 policies attached by selector to
// ambient pods.
var AmbientSelectorPolicyIgnored = &rules.Rule{
	ID:      "MR751",
	Name:    "ambient-selector-policy-ignored",
	Summary: "l7 policy applies by selector to ambient pods, where only ztunnel sees it",
	Doc: `A policy without ` + "`targetRefs`" + ` (with a workload selector, or none) applies to the proxies of the
selected pods. Pods in ambient mode have ztunnel, which only enforces L4: waypoints ignore
selector policies. So an L7 AuthorizationPolicy, a RequestAuthentication, an L7 Telemetry, a
WasmPlugin or a TrafficExtension attached this way does not do what it says (ztunnel even turns an
ALLOW policy with L7 rules into one that allows nothing that needs them, and a DENY policy with L7
rules into one that denies more).

Attach the policy with ` + "`targetRefs`" + ` to the Service (served by a waypoint) or to the waypoint
Gateway. Policies of the root namespace are not checked, nor dry-run AuthorizationPolicies
(annotation ` + "`istio.io/dry-run: \"true\"`" + `), which istiod does not send to ztunnel unless
` + "`AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY`" + ` is on.

` + ambientDocNote,
	Bad: ambientShop + `apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers: [{name: cart, image: cart}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  jwtRules: [{issuer: "https://issuer.example.com"}]
`,
	Good: waypointShop + `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: shop}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
  jwtRules: [{issuer: "https://issuer.example.com"}]
`,
	Severity: rules.Warning,
	Inputs:   ambientPolicyKinds,
	Related:  []string{"KIA0110", "KIA1115", "KIA1116", "KIA1117"},
	Deps:     rules.DepINJ,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		for _, a := range ambientPolicies(g) {
			ns := a.obj.Namespace
			if a.scope.HasTargetRefs() || ns == g.Mesh.RootNamespace {
				continue
			}
			ambient, nsAmbient := g.AmbientWorkloadsSelected(ns, a.scope.Selector)
			loc := a.obj.NameLoc
			if a.scope.Selector != nil {
				loc = a.scope.Selector.Loc
			}
			switch {
			case len(ambient) > 0:
				w := ambient[0]
				p.Reportf(a.obj, loc, "%s has %s but no targetRefs, and applies to %s %s/%s, which is in ambient mode: waypoints ignore selector policies and ztunnel only enforces L4; attach it with targetRefs",
					a.obj.Ref(), a.l7, w.KindName(), w.Namespace(), w.Name())
			case nsAmbient:
				p.Reportf(a.obj, loc, "%s has %s but no targetRefs, and namespace %s is in ambient mode: waypoints ignore selector policies and ztunnel only enforces L4; attach it with targetRefs",
					a.obj.Ref(), a.l7, ns)
			}
		}
		return nil
	},
}

// ambientRoute is an L7 VirtualService for mesh traffic or an L7
// DestinationRule, with the hosts it configures.
type ambientRoute struct {
	obj   *manifest.Object
	l7    string
	at    manifest.Loc
	hosts []string
	locs  []manifest.Loc
}

// ambientRoutes lists the routing that needs an L7 proxy (ambientRoute),
// none when no pod is in ambient mode.
func ambientRoutes(g *graph.Graph) []ambientRoute {
	if !anyAmbient(g) {
		return nil
	}
	var out []ambientRoute
	for _, vs := range g.VirtualServices {
		if !vs.MeshRoutes() {
			continue
		}
		r := ambientRoute{obj: vs.Obj, l7: "http/tls routes", at: vs.Obj.NameLoc}
		for i, h := range vs.Hosts {
			r.hosts = append(r.hosts, h)
			loc := vs.Obj.NameLoc
			if i < len(vs.Spec.Hosts) {
				loc = vs.Spec.Hosts[i].Loc
			}
			r.locs = append(r.locs, loc)
		}
		out = append(out, r)
	}
	for _, dr := range g.DestinationRules {
		if what, at := graph.L7TrafficPolicy(dr); what != "" {
			out = append(out, ambientRoute{obj: dr.Obj, l7: what, at: at, hosts: []string{dr.Host}, locs: []manifest.Loc{dr.Spec.Host.Loc}})
		}
	}
	return out
}

var ambientRouteKinds = withPods(kinds.VirtualService, kinds.DestinationRule, kinds.Service, kinds.ServiceEntry, kinds.Namespace)

// AmbientRouteWithoutWaypoint reports L7 routing for ambient destinations
// that no waypoint serves.
var AmbientRouteWithoutWaypoint = &rules.Rule{
	ID:      "MR752",
	Name:    "ambient-route-without-waypoint",
	Summary: "l7 routing or traffic policy for an ambient destination that is not enrolled for a waypoint",
	Doc: `In ambient mode the client's ztunnel does no L7 routing: the http and tls routes of a
VirtualService for mesh traffic, and the L7 settings of a DestinationRule (HTTP connection pool,
outlier detection, consistent hashing on a header, cookie or query parameter), are applied by
the waypoint of the destination. When the destination Service is in ambient mode and not
enrolled for a waypoint, or is a ServiceEntry that is not enrolled for an (egress) waypoint
while the configuration's namespace is in ambient mode, they are ignored.

Deploy a waypoint and label the Service (ServiceEntry) or its namespace
` + "`istio.io/use-waypoint: <waypoint>`" + `. Hosts that resolve to nothing in the input are not checked.

` + ambientDocNote,
	Bad: ambientShop + cartService + cartTimeout,
	Good: ambientShop + `apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop, labels: {istio.io/use-waypoint: waypoint}}
spec:
  selector: {app: cart}
  ports: [{name: http, port: 80}]
---
` + cartTimeout,
	Severity: rules.Warning,
	Inputs:   ambientRouteKinds,
	Related:  []string{"KIA0210", "KIA0211", "KIA1109", "KIA1113"},
	Deps:     rules.DepINJ | rules.DepHOST | rules.DepTGT,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		for _, a := range ambientRoutes(g) {
			ns := a.obj.Namespace
			for i, h := range a.hosts {
				var services int
				for _, t := range g.LookupHost(h, ns) {
					switch {
					case t.Service != nil:
						services++
						s := t.Service
						if g.AmbientService(s) && !g.WaypointEnrolled(s.Namespace(), s.Obj.Labels) {
							p.Reportf(a.obj, a.locs[i], "%s has %s for Service %s/%s, which is in ambient mode and not enrolled for a waypoint, so no proxy applies them; %s",
								a.obj.Ref(), a.l7, s.Namespace(), s.Name(), enrolFix("Service"))
						}
					case services == 0 && t.Entry != nil:
						se := t.Entry
						n := g.Namespaces[ns]
						if g.AmbientNamespace(ns) && n != nil && !n.Injection && !g.WaypointEnrolled(se.Namespace(), se.Obj.Labels) {
							p.Reportf(a.obj, a.locs[i], "%s in ambient namespace %s has %s for ServiceEntry %s/%s, which is not enrolled for a waypoint, so no proxy applies them; %s",
								a.obj.Ref(), ns, a.l7, se.Namespace(), se.Name(), enrolFix("ServiceEntry"))
						}
					}
				}
			}
		}
		return nil
	},
}

// cartTimeout is a VirtualService with an L7 route (a timeout) for
// Service shop/cart: the examples of MR752.
const cartTimeout = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart]
  http: [{timeout: 5s, route: [{destination: {host: cart}}]}]
`

// AmbientRouteNamespace reports L7 routing for a waypoint-served Service
// written in another namespace.
var AmbientRouteNamespace = &rules.Rule{
	ID:      "MR753",
	Name:    "ambient-route-namespace",
	Summary: "l7 routing or traffic policy for an ambient service is in another namespace than the service",
	Doc: `A waypoint applies the VirtualServices and DestinationRules of the namespace of the Service it
serves. An L7 VirtualService for mesh traffic or an L7 DestinationRule written in another
namespace for a Service in ambient mode (enrolled for a waypoint) is ignored by the waypoint,
although sidecar clients still apply it. Configuration in the root namespace is not checked.

Move the resource to the Service's namespace.

` + ambientDocNote,
	Bad:      waypointShop + cartService + cartOutlierDetection("web"),
	Good:     waypointShop + cartService + cartOutlierDetection("shop"),
	Severity: rules.Warning,
	Inputs:   ambientRouteKinds,
	Related:  []string{"KIA0212", "KIA1114"},
	Deps:     rules.DepINJ | rules.DepHOST | rules.DepTGT,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		for _, a := range ambientRoutes(g) {
			ns := a.obj.Namespace
			if ns == g.Mesh.RootNamespace {
				continue
			}
			for i, h := range a.hosts {
				for _, t := range g.LookupHost(h, ns) {
					s := t.Service
					if s == nil || s.Namespace() == ns || !g.AmbientService(s) || !g.WaypointEnrolled(s.Namespace(), s.Obj.Labels) {
						continue
					}
					p.Reportf(a.obj, a.locs[i], "%s has %s for Service %s/%s, which a waypoint serves: the waypoint only reads configuration of namespace %s",
						a.obj.Ref(), a.l7, s.Namespace(), s.Name(), s.Namespace())
				}
			}
		}
		return nil
	},
}

// cartOutlierDetection is a DestinationRule of namespace ns with an L7
// setting (outlier detection) for Service shop/cart: the examples of
// MR753.
func cartOutlierDetection(ns string) string {
	return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: ` + ns + `}
spec:
  host: cart.shop.svc.cluster.local
  trafficPolicy: {outlierDetection: {consecutive5xxErrors: 3}}
`
}

// AmbientAndSidecar reports namespaces and pods that ask for both ambient
// mode and a sidecar.
var AmbientAndSidecar = &rules.Rule{
	ID:      "MR754",
	Name:    "ambient-and-sidecar",
	Summary: "namespace or pod asks for both ambient mode and sidecar injection",
	Doc: `A pod with a sidecar is never captured by ambient mode: istio-cni skips it. So a namespace
labelled ` + "`istio.io/dataplane-mode: ambient`" + ` that also turns on sidecar injection
(` + "`istio-injection: enabled`" + ` or ` + "`istio.io/rev`" + `), or a pod labelled for ambient that gets a sidecar,
says two contradicting things, and the sidecar wins. ` + "`istio-injection: disabled`" + ` next to
` + "`istio.io/rev`" + ` turns injection off: every injector webhook of Istio's chart requires
` + "`istio-injection`" + ` to be absent or ` + "`enabled`" + `.

Choose one data plane. A pod that opts into a sidecar (` + "`sidecar.istio.io/inject: \"true\"`" + `) in an
ambient namespace is a supported per-pod choice and is not reported.`,
	Bad: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio.io/dataplane-mode: ambient, istio-injection: enabled}
`,
	Good: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio.io/dataplane-mode: ambient}
`,
	Severity: rules.Warning,
	Inputs:   withPods(kinds.Namespace),
	Related:  []string{"KIA1311"},
	Deps:     rules.DepINJ,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		sites := annotationSites(p)
		for _, s := range sites {
			if s.Obj.Kind != kinds.Namespace || s.Obj.Group != kinds.GroupCore {
				continue
			}
			n := g.Namespaces[s.Obj.Name]
			if n == nil || n.Labels["istio.io/dataplane-mode"] != "ambient" || !injectionLabels(g, n) {
				continue
			}
			p.Reportf(s.Obj, s.LabelLoc("istio.io/dataplane-mode"), "Namespace %s is labelled for both ambient mode and sidecar injection: its pods get sidecars, which ambient mode does not capture; remove one of the labels", n.Name)
		}
		var pods map[*manifest.Object]graph.AnnotationSite // built for the first finding
		for _, w := range g.Workloads {
			if !w.Sidecar || w.Labels["istio.io/dataplane-mode"] != "ambient" {
				continue
			}
			if pods == nil {
				pods = map[*manifest.Object]graph.AnnotationSite{}
				for _, s := range sites {
					if s.Kind == kinds.Pod {
						pods[s.Obj] = s
					}
				}
			}
			loc := w.Obj.NameLoc
			if s, ok := pods[w.Obj]; ok {
				loc = s.LabelLoc("istio.io/dataplane-mode")
			}
			its, them := "its pods get", "them"
			if w.KindName() == "Pod" {
				its, them = "it gets", "it"
			}
			p.Reportf(w.Obj, loc, "%s %s/%s is labelled for ambient mode but %s a sidecar, so ambient mode does not capture %s; remove the label or turn off injection for %s",
				w.KindName(), w.Namespace(), w.Name(), its, them, them)
		}
		return nil
	},
}

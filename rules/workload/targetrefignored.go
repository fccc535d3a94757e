package workload

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// waypointGatewayClass is the only GatewayClass a policy can target
// (constants.WaypointGatewayClassName in Istio).
const waypointGatewayClass = "istio-waypoint"

// PolicyTargetRefIgnored reports targetRefs that attach a policy to no
// proxy, or fewer than they seem to: a Service or ServiceEntry no waypoint
// serves, or a GatewayClass Istio does not read there.
var PolicyTargetRefIgnored = &rules.Rule{
	ID:      "MR759",
	Name:    "policy-targetref-ignored",
	Summary: "policy targetRef names a service no waypoint serves, or a gatewayclass istio ignores there",
	Doc: `Only gateways and waypoints read the ` + "`targetRefs`" + ` of an AuthorizationPolicy, a
RequestAuthentication, a Telemetry, a WasmPlugin or a TrafficExtension: a sidecar, and ztunnel,
ignore any policy that has them, whatever they name (ShouldAttachPolicy and convertAuthorizationPolicy
in Istio). So a policy attached by ` + "`targetRefs`" + `

- to a Service or a ServiceEntry of its namespace that is not enrolled for a waypoint (neither it
  nor its namespace is labelled ` + "`istio.io/use-waypoint`" + `, or it opts out with ` + "`none`" + `) applies
  nowhere: a Service of sidecar pods does not get it, nor does ztunnel, even for L4 rules;
- to a GatewayClass other than ` + "`istio-waypoint`" + `, or to ` + "`istio-waypoint`" + ` from another namespace
  than the root namespace, applies nowhere: Istio reads a GatewayClass target only for
  ` + "`istio-waypoint`" + `, from the root namespace, and gives it to every waypoint. A Telemetry is the
  exception: istiod looks Telemetries with ` + "`targetRefs`" + ` up only in the namespace of the waypoint
  and of the Service it serves (applicableTelemetries), so one in the root namespace that targets
  ` + "`istio-waypoint`" + ` reaches the waypoints of the root namespace alone.

Attach the policy to sidecar pods with ` + "`selector`" + `, enrol the Service for a waypoint, or target
the Gateway. Istio reads the legacy ` + "`targetRef`" + ` only when ` + "`targetRefs`" + ` is empty.

A Service or ServiceEntry the input does not hold is not reported, nor one whose namespace the
input does not declare (its labels could enrol it), nor a reference with a namespace (Istio
refuses it: MR010 and the kind's validation rule). An L7 policy on a Service or ServiceEntry in
ambient mode is MR750's.`,
	Bad: injectedShop + `---
` + cartService + `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart-callers, namespace: shop}
spec:
  targetRefs: [{kind: Service, group: "", name: cart}]
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]}]
`,
	Good: injectedShop + `---
` + cartService + `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart-callers, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]}]
`,
	Severity: rules.Warning,
	Inputs:   ambientPolicyKinds,
	Deps:     rules.DepINJ,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		for _, a := range attachedPolicies(g) {
			ns := a.obj.Namespace
			for _, r := range a.scope.TargetRefs {
				if r.Namespace.V != "" {
					continue
				}
				loc := r.Name.Loc
				if loc.Line == 0 {
					loc = r.Loc
				}
				switch {
				case r.Kind.V == "Service" && (r.Group.V == "" || r.Group.V == "core"):
					s := serviceIn(g, ns, r.Name.V)
					if s == nil {
						continue
					}
					why, ok := unserved(g, ns, s.Obj.Labels)
					if !ok {
						continue
					}
					ambient := g.AmbientService(s)
					if ambient && a.l7 != "" {
						continue // MR750's
					}
					p.Reportf(a.obj, loc, "%s targets Service %s/%s, which no waypoint serves (%s): only a waypoint applies a policy attached to a Service, and sidecars and ztunnel ignore any policy with targetRefs, so this one applies nowhere; %s",
						a.obj.Ref(), ns, s.Name(), why, targetFix(ambient, "Service"))
				case r.Kind.V == "ServiceEntry" && r.Group.V == kinds.GroupIstioNetworking:
					se := serviceEntryIn(g, ns, r.Name.V)
					if se == nil {
						continue
					}
					why, ok := unserved(g, ns, se.Labels)
					if !ok {
						continue
					}
					ambient := g.AmbientNamespace(ns)
					if ambient && a.l7 != "" {
						continue // MR750's
					}
					p.Reportf(a.obj, loc, "%s targets ServiceEntry %s/%s, which no waypoint serves (%s): only a waypoint applies a policy attached to a ServiceEntry, and sidecars and ztunnel ignore any policy with targetRefs, so this one applies nowhere; %s",
						a.obj.Ref(), ns, se.Name, why, targetFix(ambient, "ServiceEntry"))
				case r.Kind.V == "GatewayClass" && r.Group.V == kinds.GroupGatewayAPI:
					root := g.Mesh.RootNamespace
					switch {
					case r.Name.V != waypointGatewayClass:
						p.Reportf(a.obj, loc, "%s targets GatewayClass %s, which Istio ignores: the only GatewayClass a policy attaches to is %s, from the root namespace %s; target the Gateway instead",
							a.obj.Ref(), r.Name.V, waypointGatewayClass, root)
					case ns != root:
						p.Reportf(a.obj, loc, "%s targets GatewayClass %s from namespace %s, which Istio ignores: it attaches a policy to GatewayClass %s only from the root namespace %s; move the policy there, or target the waypoint Gateway",
							a.obj.Ref(), waypointGatewayClass, ns, waypointGatewayClass, root)
					case a.obj.Kind == kinds.Telemetry:
						// applicableTelemetries (pilot/pkg/model/telemetry.go)
						// looks Telemetries with targetRefs up in the
						// waypoint's namespace and its Service's only, never
						// in the root namespace for another one.
						p.Reportf(a.obj, loc, "%s targets GatewayClass %s, but istiod looks a Telemetry with targetRefs up only in the namespace of the waypoint and of the Service it serves: it applies to the waypoints of %s alone; for the others, target their Gateway from their namespace",
							a.obj.Ref(), waypointGatewayClass, root)
					}
				}
			}
		}
		return nil
	},
}

// serviceIn returns Service ns/name, nil when the input has none: Istio
// matches a Service target in the policy's own namespace only.
func serviceIn(g *graph.Graph, ns, name string) *graph.Service {
	for _, s := range g.Services {
		if s.Namespace() == ns && s.Name() == name {
			return s
		}
	}
	return nil
}

// serviceEntryIn returns the object of ServiceEntry ns/name, nil when the
// input has none.
func serviceEntryIn(g *graph.Graph, ns, name string) *manifest.Object {
	for _, se := range g.ServiceEntries {
		if se.Namespace() == ns && se.Name() == name {
			return se.Obj
		}
	}
	return nil
}

// unserved reports whether an object of namespace ns with labels l is
// known not to be enrolled for a waypoint, and why. An unlabelled object
// of a namespace the input does not declare is not known: the namespace's
// labels could enrol it.
func unserved(g *graph.Graph, ns string, l map[string]string) (why string, ok bool) {
	if g.WaypointEnrolled(ns, l) {
		return "", false
	}
	if v, own := l[graph.UseWaypointLabel]; own {
		return fmt.Sprintf("it is labelled %s=%q", graph.UseWaypointLabel, v), true
	}
	n := g.Namespaces[ns]
	if n == nil || !n.Declared() {
		return "", false
	}
	if v, set := n.Labels[graph.UseWaypointLabel]; set {
		return fmt.Sprintf("namespace %s is labelled %s=%q", ns, graph.UseWaypointLabel, v), true
	}
	return fmt.Sprintf("neither it nor namespace %s is labelled %s", ns, graph.UseWaypointLabel), true
}

// targetFix is the next step for a target of the given kind. A Service of
// sidecar pods can take the policy by selector instead; a ServiceEntry has
// no pods of its own.
func targetFix(ambient bool, kind string) string {
	if ambient || kind == "ServiceEntry" {
		return enrolFix(kind)
	}
	return "select the pods with selector instead, or " + enrolFix(kind)
}

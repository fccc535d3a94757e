package routing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// RolloutIstioRoutingInvalid reports Argo Rollouts whose Istio traffic
// routing the Argo Rollouts controller rejects, or fails on, at run time.
var RolloutIstioRoutingInvalid = &rules.Rule{
	ID:      "MR153",
	Name:    "rollout-istio-routing-invalid",
	Summary: "an Argo Rollout's Istio traffic routing names objects, routes or subsets that Argo Rollouts rejects",
	Doc: `A canary Argo Rollout with ` + "`strategy.canary.trafficRouting.istio`" + ` shifts traffic by rewriting the
weights of a VirtualService: either between two hosts, the Rollout's ` + "`stableService`" + ` and
` + "`canaryService`" + ` (host-level splitting), or between two subsets of one host, which Argo Rollouts
points at the stable and canary pods by labelling them in a DestinationRule (subset-level
splitting, ` + "`destinationRule`" + `). None of this is checked when the Rollout is applied: the
controller checks it on every reconciliation, and when a check fails it sets the Rollout's
` + "`InvalidSpec`" + ` condition and does not roll it out, or fails each step and retries. Either way a
new version is never released, and nothing in the manifests says why.

The rule follows Argo Rollouts v1.10.2 and reports, on the field of the Rollout (or the route of
the VirtualService) at fault:

- ` + "`istio`" + ` that sets both ` + "`virtualService`" + ` and ` + "`virtualServices`" + `, or neither
  (ValidateRolloutVirtualServicesConfig);
- host-level splitting (no ` + "`destinationRule`" + `, no ` + "`pingPong`" + `) without both ` + "`stableService`" + `
  and ` + "`canaryService`" + ` (ValidateRolloutStrategyCanary, requireCanaryStableServices);
- a VirtualService that is not in the input. A reference is ` + "`name`" + ` (the Rollout's
  namespace) or ` + "`name.namespace`" + `, split at the last dot after dropping ` + "`.cluster.local`" + `
  (GetVirtualServiceNamespaceName, GetReferencedVirtualServices);
- a VirtualService with no http, tls or tcp routes, and routes that fail Argo's route checks
  (ValidateVirtualService, ValidateHTTPRoutes, ValidateTlsRoutes, ValidateTcpRoutes): a name of
  ` + "`routes`" + ` that no http route has; no ` + "`routes`" + ` while the VirtualService has more than one http
  route (routes of ` + "`managedRoutes`" + ` not counted); a ` + "`tlsRoutes`" + ` entry that no tls route matches
  (the one port of its matches, 0 when there is none, and the same SNI hosts), a ` + "`tcpRoutes`" + `
  entry that no tcp route matches by port, or no such list while the VirtualService has more than
  one tls or tcp route. Without a list, Argo takes the first tls and tcp route, and without
  ` + "`routes`" + ` the only http route, or else the first one without a name;
- a route Argo edits whose destinations do not include both the canary and the stable
  subset (subset-level), or both the canary and the stable Service (host-level: Argo compares
  the first label of each destination host with the Service names, so ` + "`web-canary`" + `,
  ` + "`web-canary.shop`" + ` and ` + "`web-canary.shop.svc.cluster.local`" + ` all count)
  (validateVirtualServiceRouteDestinations);
- a ` + "`destinationRule`" + ` that is not in the input in the Rollout's namespace, or that lacks the
  ` + "`canarySubsetName`" + ` or ` + "`stableSubsetName`" + ` subset: Argo labels only the subsets it finds
  (UpdateHash), so routes to the missing one fail with 503 (NR); and any other subset of that
  DestinationRule, which UpdateHash drops at each step (it keeps only the canary and stable
  subsets, and while an experiment step runs the subsets it adds itself);
- a ` + "`canaryService`" + `, ` + "`stableService`" + ` or ` + "`pingPong`" + ` Service that is not in the input, whose
  selector has a label other than ` + "`rollouts-pod-template-hash`" + ` that the Rollout's pod template
  does not carry with the same value, or that is annotated as managed by another Rollout
  (getReferencedServices, ValidateService).

An object that is not in the input may well be in the cluster: those references are reported
only with the closed-world setting. The selector of a Rollout with a ` + "`workloadRef`" + ` is not
judged, since its pod template is the referenced Deployment's.

Fix the reference, or the VirtualService: name the routes to split in ` + "`routes`" + `
(` + "`tlsRoutes`" + `, ` + "`tcpRoutes`" + `), and give each of them a destination for the stable and one for the
canary, with weights Argo Rollouts will set.`,
	Bad: rolloutExample(`  http:
  - name: main
    route:
    - destination: {host: web-stable}
      weight: 100
`),
	Good: rolloutExample(`  http:
  - name: primary
    route:
    - destination: {host: web-stable}
      weight: 100
    - destination: {host: web-canary}
      weight: 0
`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Rollout, kinds.VirtualService, kinds.DestinationRule, kinds.Service},
	Deps:     rules.DepREF,
	Run:      runRolloutIstioRouting,
}

// rolloutExample is a Rollout whose canary Argo Rollouts routes with
// VirtualService shop/web, and that VirtualService with the given http
// routes: the examples of MR153.
func rolloutExample(http string) string {
	return webRollout + `      stableService: web-stable
      canaryService: web-canary
      trafficRouting:
        istio:
          virtualService:
            name: web
            routes: [primary]
      steps:
      - setWeight: 20
      - pause: {}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
  namespace: shop
spec:
  hosts: [web.example.com]
` + http
}

// rolloutHashLabel is the label Argo Rollouts adds to the pods of each
// ReplicaSet and to the selectors of the Services and subsets it manages.
const rolloutHashLabel = "rollouts-pod-template-hash"

// rolloutManagedBy is the annotation Argo Rollouts sets on the Services it
// manages, naming the Rollout.
const rolloutManagedBy = "argo-rollouts.argoproj.io/managed-by-rollouts"

// invalidSpec is what the controller does when a check of its validation
// fails.
const invalidSpec = "Argo Rollouts sets the Rollout's InvalidSpec condition and does not roll it out"

func runRolloutIstioRouting(p *rules.Pass) error {
	for _, r := range p.Graph.Rollouts {
		istio := r.Istio()
		if istio == nil {
			continue
		}
		c := &rolloutCheck{p: p, r: r, istio: istio, ref: "Rollout " + r.Namespace() + "/" + r.Name()}
		c.requiredServices()
		c.services()
		if c.virtualServiceConfig() {
			for _, rv := range r.VirtualServices {
				c.virtualService(rv)
			}
		}
		c.destinationRule()
	}
	return nil
}

type rolloutCheck struct {
	p     *rules.Pass
	r     *graph.Rollout
	istio *spec.IstioTrafficRouting
	ref   string // "Rollout ns/name"
}

// requiredServices mirrors requireCanaryStableServices: host-level
// splitting needs both Services.
func (c *rolloutCheck) requiredServices() {
	canary := c.r.Spec.Strategy.Canary
	if c.istio.DestinationRule != nil || canary.PingPong != nil {
		return
	}
	var missing []string
	if canary.StableService.V == "" {
		missing = append(missing, "stableService")
	}
	if canary.CanaryService.V == "" {
		missing = append(missing, "canaryService")
	}
	if len(missing) == 0 {
		return
	}
	c.p.Reportf(c.r.Obj, canary.Loc, "%s splits traffic by host (trafficRouting.istio without destinationRule), which needs stableService and canaryService, but %s %s not set: %s",
		c.ref, strings.Join(missing, " and "), wording.Plural(len(missing), "is", "are"), invalidSpec)
}

// services mirrors getReferencedServices and ValidateService.
func (c *rolloutCheck) services() {
	g := c.p.Graph
	for _, rs := range c.r.Services {
		s := rs.Service
		if s == nil {
			if g.Mesh.ClosedWorld {
				c.p.Reportf(c.r.Obj, rs.Name.Loc, "%s %q of %s: no Service %s/%s in the input: %s (services %q not found)",
					rs.Field, rs.Name.V, c.ref, c.r.Namespace(), rs.Name.V, invalidSpec, rs.Name.V)
			}
			continue
		}
		if c.r.Spec.WorkloadRef == nil {
			var differ, has []string
			tmpl := c.r.Spec.Template.Metadata.Labels
			for _, k := range sortedKeys(s.Spec.Selector) {
				if k == rolloutHashLabel {
					continue
				}
				if v, ok := tmpl[k]; !ok || v != s.Spec.Selector[k] {
					differ = append(differ, k+"="+s.Spec.Selector[k])
					if ok {
						has = append(has, k+"="+v)
					}
				}
			}
			if len(differ) > 0 {
				msg := fmt.Sprintf("%s %q: the selector of Service %s/%s has %s, which the pod template of %s does not carry",
					rs.Field, rs.Name.V, s.Namespace(), s.Name(), strings.Join(differ, ","), c.ref)
				if len(has) > 0 {
					msg += " (it has " + strings.Join(has, ",") + ")"
				}
				key := strings.SplitN(differ[0], "=", 2)[0]
				msg += fmt.Sprintf(": %s (Service %q has unmatch label %q in rollout)", invalidSpec, s.Name(), key)
				c.p.Reportf(c.r.Obj, rs.Name.Loc, "%s", msg).
					Relate(s.Obj, selectorLoc(s.Obj), "the selector of Service %s/%s: %s", s.Namespace(), s.Name(), labels.String(s.Spec.Selector))
			}
		}
		if owner, ok := s.Obj.Annotations[rolloutManagedBy]; ok && owner != c.r.Name() {
			c.p.Reportf(c.r.Obj, rs.Name.Loc, "%s %q: Service %s/%s is annotated %s: %q, another Rollout: %s (Service %q is managed by another Rollout)",
				rs.Field, rs.Name.V, s.Namespace(), s.Name(), rolloutManagedBy, owner, invalidSpec, s.Name()).
				Relate(s.Obj, s.Obj.NameLoc, "Service %s/%s", s.Namespace(), s.Name())
		}
	}
}

// virtualServiceConfig mirrors ValidateRolloutVirtualServicesConfig and
// reports whether the references can be read.
func (c *rolloutCheck) virtualServiceConfig() bool {
	one, many := c.istio.VirtualService != nil, c.istio.VirtualServices != nil
	switch {
	case one && many:
		c.p.Reportf(c.r.Obj, c.istio.VirtualServices.Loc, "%s sets both trafficRouting.istio.virtualService and virtualServices: %s (either VirtualService or VirtualServices must be configured)",
			c.ref, invalidSpec)
		return false
	case !one && !many:
		c.p.Reportf(c.r.Obj, c.istio.Loc, "%s sets neither trafficRouting.istio.virtualService nor virtualServices: %s (either VirtualService or VirtualServices must be configured)",
			c.ref, invalidSpec)
		return false
	}
	return true
}

// virtualService mirrors GetReferencedVirtualServices and the route
// checks of ValidateVirtualService, which the controller runs again before
// it sets weights.
func (c *rolloutCheck) virtualService(rv graph.RolloutVirtualService) {
	field := "virtualService"
	if c.istio.VirtualServices != nil {
		field = "virtualServices"
	}
	vs := rv.VirtualService
	if vs == nil {
		if c.p.Graph.Mesh.ClosedWorld {
			c.p.Reportf(c.r.Obj, rv.Ref.Name.Loc, "%s %q of %s: no VirtualService %s/%s in the input: %s (virtualservices.networking.istio.io %q not found)",
				field, rv.Ref.Name.V, c.ref, rv.Namespace, rv.Name, invalidSpec, rv.Name)
		}
		return
	}
	vc := &vsCheck{rolloutCheck: c, rv: rv, vs: vs, field: field, vsRef: "VirtualService " + vs.Namespace() + "/" + vs.Name()}
	sp := vs.Spec
	if len(sp.HTTP) == 0 && len(sp.TLS) == 0 && len(sp.TCP) == 0 {
		c.p.Reportf(vs.Obj, vs.Obj.NameLoc, "%s has no http, tls or tcp routes for %s to set the weights of: %s (Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService)",
			vc.vsRef, c.ref, invalidSpec).
			Relate(c.r.Obj, rv.Ref.Name.Loc, "the reference of %s", c.ref)
		return
	}
	if len(sp.HTTP) > 0 {
		vc.httpRoutes()
	}
	if len(sp.TLS) > 0 {
		vc.tlsRoutes()
	}
	if len(sp.TCP) > 0 {
		vc.tcpRoutes()
	}
}

type vsCheck struct {
	*rolloutCheck
	rv    graph.RolloutVirtualService
	vs    *graph.VirtualService
	field string // virtualService or virtualServices
	vsRef string // "VirtualService ns/name"
}

// httpRoutes mirrors ValidateHTTPRoutes (getHttpRouteIndexesToPatch and
// splitManagedRoutesAndNonManagedRoutes).
func (c *vsCheck) httpRoutes() {
	http := c.vs.Spec.HTTP
	names := c.rv.Ref.Routes
	var patch []int
	if len(names) == 0 {
		managed := map[string]bool{}
		for _, m := range c.r.Spec.Strategy.Canary.TrafficRouting.ManagedRoutes {
			managed[m.Name.V] = true
		}
		var own []int
		for i, h := range http {
			if !managed[h.Name.V] {
				own = append(own, i)
			}
		}
		if len(own) > 1 {
			c.p.Reportf(c.r.Obj, c.rv.Ref.Name.Loc, "%s %q of %s lists no routes, but %s has %d http routes%s, and Argo Rollouts edits an http route it is not told the name of only when it is the only one: %s (%s)",
				c.field, c.rv.Ref.Name.V, c.ref, c.vsRef, len(own), managedNote(len(http)-len(own)), invalidSpec,
				routesError("http", "spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes")).
				Relate(c.vs.Obj, http[own[1]].Loc, "%s, a second http route of %s", routeName("http", own[1], http[own[1]].Name.V), c.vsRef)
			return
		}
		if len(http) == 1 {
			patch = []int{0}
		} else if i := slices.IndexFunc(http, func(h spec.HTTPRoute) bool { return h.Name.V == "" }); i >= 0 {
			patch = []int{i}
		}
	}
	for _, n := range names {
		i := slices.IndexFunc(http, func(h spec.HTTPRoute) bool { return h.Name.V == n.V })
		if i < 0 {
			c.p.Reportf(c.r.Obj, n.Loc, "route %q of %s is not an http route of %s (%s): %s (%s)",
				n.V, c.ref, c.vsRef, httpNames(http), invalidSpec, routesError("http", "HTTP Route '"+n.V+"' is not found in the defined Virtual Service.")).
				Relate(c.vs.Obj, c.vs.Obj.NameLoc, "%s", c.vsRef)
			continue
		}
		if !slices.Contains(patch, i) {
			patch = append(patch, i)
		}
	}
	for _, i := range patch {
		c.destinations("http", routeName("http", i, http[i].Name.V), http[i].Loc, http[i].Route)
	}
}

// tlsRoutes mirrors ValidateTlsRoutes (getTlsRouteIndexesToPatch,
// searchTlsRoute).
func (c *vsCheck) tlsRoutes() {
	tls := c.vs.Spec.TLS
	sel := c.rv.Ref.TLSRoutes
	if len(sel) == 0 {
		if len(tls) > 1 {
			c.tooMany("tls", "tlsRoutes", len(tls), tls[1].Loc)
			return
		}
		c.destinations("tls", "tls[0]", tls[0].Loc, tls[0].Route)
		return
	}
	var patch []int
	for _, s := range sel {
		var found []int
		for i, t := range tls {
			port, sni, ok := tlsRouteKey(t)
			if ok && port == s.Port.V && argoEqual(spec.Values(s.SNIHosts), sni) {
				found = append(found, i)
			}
		}
		if len(found) == 0 {
			c.p.Reportf(c.r.Obj, s.Loc, "tlsRoutes entry (port %d, sniHosts [%s]) of %s matches no tls route of %s: %s (%s)",
				s.Port.V, strings.Join(spec.Values(s.SNIHosts), ", "), c.ref, c.vsRef, invalidSpec, routesError("tls", "No matching TLS routes found in the defined Virtual Service.")).
				Relate(c.vs.Obj, tls[0].Loc, "the first tls route of %s", c.vsRef)
			continue
		}
		for _, i := range found {
			if !slices.Contains(patch, i) {
				patch = append(patch, i)
			}
		}
	}
	for _, i := range patch {
		c.destinations("tls", fmt.Sprintf("tls[%d]", i), tls[i].Loc, tls[i].Route)
	}
}

// tcpRoutes mirrors ValidateTcpRoutes (getTcpRouteIndexesToPatch,
// searchTcpRoute).
func (c *vsCheck) tcpRoutes() {
	tcp := c.vs.Spec.TCP
	sel := c.rv.Ref.TCPRoutes
	if len(sel) == 0 {
		if len(tcp) > 1 {
			c.tooMany("tcp", "tcpRoutes", len(tcp), tcp[1].Loc)
			return
		}
		c.destinations("tcp", "tcp[0]", tcp[0].Loc, tcp[0].Route)
		return
	}
	var patch []int
	for _, s := range sel {
		var found []int
		for i, t := range tcp {
			ports := map[int64]bool{}
			for _, m := range t.Match {
				ports[m.Port.V] = true
			}
			if len(ports) <= 1 && singlePort(ports) == s.Port.V {
				found = append(found, i)
			}
		}
		if len(found) == 0 {
			c.p.Reportf(c.r.Obj, s.Loc, "tcpRoutes entry (port %d) of %s matches no tcp route of %s: %s (%s)",
				s.Port.V, c.ref, c.vsRef, invalidSpec, routesError("tcp", "No matching TCP routes found in the defined Virtual Service.")).
				Relate(c.vs.Obj, tcp[0].Loc, "the first tcp route of %s", c.vsRef)
			continue
		}
		for _, i := range found {
			if !slices.Contains(patch, i) {
				patch = append(patch, i)
			}
		}
	}
	for _, i := range patch {
		c.destinations("tcp", fmt.Sprintf("tcp[%d]", i), tcp[i].Loc, tcp[i].Route)
	}
}

// tooMany reports a reference without a tlsRoutes or tcpRoutes list to a
// VirtualService with several routes of that kind.
func (c *vsCheck) tooMany(kind, list string, n int, second spec.Loc) {
	c.p.Reportf(c.r.Obj, c.rv.Ref.Name.Loc, "%s %q of %s lists no %s, but %s has %d %s routes, and without the list Argo Rollouts edits the first %s route only when it is the only one: %s (%s)",
		c.field, c.rv.Ref.Name.V, c.ref, list, c.vsRef, n, kind, kind, invalidSpec,
		routesError(kind, "spec."+kind+"[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService."+list)).
		Relate(c.vs.Obj, second, "%s[1], a second %s route of %s", kind, kind, c.vsRef)
}

// destinations mirrors validateVirtualServiceRouteDestinations: a route
// Argo Rollouts edits must have a destination for the canary and one for
// the stable, by subset when the Rollout names a DestinationRule and by
// host otherwise.
func (c *vsCheck) destinations(kind, where string, at spec.Loc, route []spec.RouteDestination) {
	var missing []string
	var first string
	if dr := c.istio.DestinationRule; dr != nil {
		has := func(subset string) bool {
			return subset != "" && slices.ContainsFunc(route, func(d spec.RouteDestination) bool {
				return d.Destination != nil && d.Destination.Subset.V == subset
			})
		}
		if !has(dr.CanarySubsetName.V) {
			missing = append(missing, fmt.Sprintf("the canary subset %q", dr.CanarySubsetName.V))
			first = fmt.Sprintf("Canary DestinationRule subset '%s' not found in route", dr.CanarySubsetName.V)
		}
		if !has(dr.StableSubsetName.V) {
			missing = append(missing, fmt.Sprintf("the stable subset %q", dr.StableSubsetName.V))
			if first == "" {
				first = fmt.Sprintf("Stable DestinationRule subset '%s' not found in route", dr.StableSubsetName.V)
			}
		}
	} else {
		stable, canary := c.r.StableAndCanaryServices()
		if stable.V == "" || canary.V == "" {
			return // requiredServices reports it
		}
		has := func(svc string) bool {
			return slices.ContainsFunc(route, func(d spec.RouteDestination) bool {
				return d.Destination != nil && argoHost(d.Destination.Host.V) == svc
			})
		}
		if !has(canary.V) {
			missing = append(missing, fmt.Sprintf("the canary Service %q", canary.V))
			first = fmt.Sprintf("Canary Service '%s' not found in route", canary.V)
		}
		if !has(stable.V) {
			missing = append(missing, fmt.Sprintf("the stable Service %q", stable.V))
			if first == "" {
				first = fmt.Sprintf("Stable Service '%s' not found in route", stable.V)
			}
		}
	}
	if len(missing) == 0 {
		return
	}
	c.p.Reportf(c.vs.Obj, at, "%s of %s, whose weights %s sets, has no destination for %s: %s (%s)",
		where, c.vsRef, c.ref, strings.Join(missing, " nor for "), invalidSpec, routesError(kind, first)).
		Relate(c.r.Obj, c.rv.Ref.Name.Loc, "the reference of %s", c.ref)
}

// destinationRule mirrors the DestinationRule lookup of the Istio
// reconciler (getDestinationRule, UpdateHash).
func (c *rolloutCheck) destinationRule() {
	ref := c.istio.DestinationRule
	if ref == nil {
		return
	}
	dr := c.r.DestinationRule
	if dr == nil {
		if c.p.Graph.Mesh.ClosedWorld {
			c.p.Reportf(c.r.Obj, ref.Name.Loc, "destinationRule %q of %s: no DestinationRule %s/%s in the input: Argo Rollouts fails every reconciliation of the Rollout (destinationrules.networking.istio.io %q not found, event DestinationRuleNotFound) and never shifts traffic",
				ref.Name.V, c.ref, c.r.Namespace(), ref.Name.V, ref.Name.V)
		}
		return
	}
	var names []string
	for _, s := range dr.Spec.Subsets {
		names = append(names, s.Name.V)
	}
	for _, s := range []struct {
		field, role string
		name        spec.Str
	}{{"canarySubsetName", "canary", ref.CanarySubsetName}, {"stableSubsetName", "stable", ref.StableSubsetName}} {
		if slices.Contains(names, s.name.V) {
			continue
		}
		c.p.Reportf(c.r.Obj, s.name.Loc, "%s %q of %s: DestinationRule %s/%s has no subset %q (%s): Argo Rollouts points only the subsets it finds at the %s pods, so routes to subset %q fail with 503 (NR)",
			s.field, s.name.V, c.ref, dr.Namespace(), dr.Name(), s.name.V, subsetList(names), s.role, s.name.V).
			Relate(dr.Obj, dr.Obj.NameLoc, "DestinationRule %s/%s", dr.Namespace(), dr.Name())
	}
	// UpdateHash rewrites the subsets as the canary and stable ones (and
	// those of the experiment steps running), and drops the others.
	for _, s := range dr.Spec.Subsets {
		if s.Name.V == ref.CanarySubsetName.V || s.Name.V == ref.StableSubsetName.V {
			continue
		}
		c.p.Reportf(dr.Obj, s.Name.Loc, "subset %q of DestinationRule %s/%s, which %s manages: Argo Rollouts keeps only the canary and stable subsets when it updates the DestinationRule at each step, so routes to subset %q fail with 503 (NR) once a rollout starts",
			s.Name.V, dr.Namespace(), dr.Name(), c.ref, s.Name.V).
			Relate(c.r.Obj, ref.Name.Loc, "the destinationRule of %s", c.ref)
	}
}

// routesError is the message of ValidateVirtualService for an error of
// ValidateHTTPRoutes, ValidateTlsRoutes or ValidateTcpRoutes.
func routesError(kind, err string) string {
	return fmt.Sprintf("Istio VirtualService has invalid %s routes. Error: %s", strings.ToUpper(kind), err)
}

// argoHost is Argo Rollouts' getHost: the first label of a destination
// host, which it compares with Service names ("" for a host that starts
// with a dot).
func argoHost(h string) string {
	i := strings.Index(h, ".")
	switch {
	case i > 0:
		return h[:i]
	case i < 0:
		return h
	}
	return ""
}

// tlsRouteKey returns what searchTlsRoute matches a tls route by: the one
// port of its matches (0 when none sets one) and its SNI hosts, each once.
// ok is false for a route whose matches name several ports, which no
// tlsRoutes entry selects.
func tlsRouteKey(t spec.TLSRoute) (port int64, sni []string, ok bool) {
	ports := map[int64]bool{}
	seen := map[string]bool{}
	for _, m := range t.Match {
		ports[m.Port.V] = true
		for _, h := range m.SniHosts {
			if !seen[h.V] {
				seen[h.V] = true
				sni = append(sni, h.V)
			}
		}
	}
	return singlePort(ports), sni, len(ports) <= 1
}

// singlePort returns the port of a set of at most one, 0 for none.
func singlePort(ports map[int64]bool) int64 {
	for p := range ports {
		return p
	}
	return 0
}

// argoEqual is Argo Rollouts' evaluate.Equal: a and b have the same length
// and every element of b is in a.
func argoEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

func routeName(kind string, i int, name string) string {
	if name == "" {
		return fmt.Sprintf("%s[%d]", kind, i)
	}
	return fmt.Sprintf("%s[%d] (%q)", kind, i, name)
}

func httpNames(http []spec.HTTPRoute) string {
	var names []string
	for _, h := range http {
		if h.Name.V != "" {
			names = append(names, fmt.Sprintf("%q", h.Name.V))
		}
	}
	if len(names) == 0 {
		return "none of its http routes has a name"
	}
	return "its http routes are named " + strings.Join(names, ", ")
}

func subsetList(names []string) string {
	if len(names) == 0 {
		return "it has no subsets"
	}
	return "its subsets: " + strings.Join(names, ", ")
}

func managedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" besides %d of managedRoutes", n)
}

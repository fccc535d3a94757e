package graph

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// Canary is a Flagger Canary (flagger.app/v1beta1), with the objects
// Flagger v1.36.1 creates for it at run time, which a repository does not
// hold. For a target Deployment (or DaemonSet) T whose selector label is
// app=V, its canary controller creates the workload T-primary, whose pods
// carry app=V-primary, and its KubernetesDefaultRouter the Services <apex>
// and <apex>-primary, which select those pods, and <apex>-canary, which
// selects T's: whatever the provider, since the scheduler picks that
// router by the target's kind alone (Factory.KubernetesRouter). For the
// Istio provider the IstioRouter then creates the DestinationRules
// <apex>-canary and <apex>-primary and the VirtualService <apex>, which
// routes the apex and spec.service.hosts to the primary and canary
// Services; for the Gateway API providers (gatewayapi:v1 and
// gatewayapi:v1beta1) its Gateway API router creates the HTTPRoute <apex>,
// attached to spec.service.gatewayRefs, for spec.service.hosts, with the
// primary and canary Services as backends (flagger_gatewayapi.go). The
// graph holds these among its Workloads, Services, DestinationRules,
// VirtualServices and GatewayRoutes, as if they were in the input, so that
// routes, selectors, reach and mTLS see them; GeneratedBy tells them
// apart. What the other providers' routers create (Ingresses,
// TrafficSplits...) is not modelled, nor what the canary controller
// creates for a Service target (KubernetesNoopRouter makes nothing for
// one, ServiceController copies it as <target>-primary and -canary).
//
// They are derived with the -selector-labels of config.Mesh.FlaggerLabels
// (the flag's default unless flagger.selector-labels sets them), the
// default -include-label-prefix, and for a Canary without spec.provider with the
// mesh provider of config.Mesh.FlaggerMeshProvider, istio (the flag's
// default) when it is not set. A suspended Canary
// (spec.suspend) gets them too: Flagger then skips the Canary, leaving
// what it created before in place, and a Canary is suspended to pause one
// that runs.
type Canary struct {
	Meta
	Spec *spec.Canary
	// Provider is the provider whose router Flagger uses for the Canary:
	// spec.provider, or when it is empty Flagger's -mesh-provider flag
	// (the scheduler's advanceCanary), from the mesh settings, "" when
	// they do not set it (Flagger's default, istio).
	Provider string
	// Target is the workload spec.targetRef names: a Deployment or
	// DaemonSet of the input in the Canary's namespace. It is nil when
	// the input has none, or when nothing is derived for the Canary.
	Target *Workload
	// TargetSelector is the spec.selector of the Deployment or DaemonSet
	// of the input that spec.targetRef names, set also when Flagger finds
	// none of its selector labels there (and so derives nothing).
	TargetSelector *spec.LabelSelector
	// Label and Value are the label of the target's spec.selector
	// matchLabels that Flagger keys its selectors on, and its value
	// (getSelectorLabel); both are "" when nothing is derived.
	Label, Value string
	// Primary is the primary workload Flagger creates; nil when nothing is
	// derived, or when the input holds an object of its kind and name
	// (Flagger creates it only when it is absent).
	Primary *Workload
	// Services are the Services Flagger creates, in the order apex,
	// primary, canary, less those whose name a Service of the input
	// has in the namespace: Flagger rewrites that one (Rewrites).
	Services []*Service
	// DestinationRules are those Flagger's IstioRouter creates, in the
	// order canary, primary, less those whose name a DestinationRule of
	// the input has in the namespace, which Flagger rewrites (Rewrites);
	// none for another provider.
	DestinationRules []*DestinationRule
	// VirtualService is the VirtualService Flagger's IstioRouter creates,
	// as it is while no analysis runs; nil when nothing is derived, for
	// another provider, when the input has a VirtualService of its name in
	// the namespace (Flagger rewrites that one: Rewrites), or when
	// Flagger fails before creating it (a delegate with hosts or
	// gateways).
	VirtualService *VirtualService
	// HTTPRoute is the HTTPRoute Flagger's Gateway API router creates, as
	// it is while no analysis runs; nil when nothing is derived, for
	// another provider, when the input has an HTTPRoute of its name in the
	// namespace (Flagger takes that over), or when Flagger fails before
	// creating it (no spec.service.gatewayRefs, or a match the Gateway API
	// cannot express) or the API server refuses it. It is among the
	// graph's GatewayRoutes once addFlaggerRoutes has run.
	HTTPRoute *GatewayRoute
	// Rewrites are the objects of the input that Flagger rewrites for the
	// Canary, in the order Flagger reconciles them.
	Rewrites []*Rewrite
	// routeTakeOver is the spec Flagger gives an HTTPRoute of the input
	// named after the apex; addGatewayAPI puts it in place.
	routeTakeOver *spec.GatewayRoute
	// copies are the definitions of the Canary's object, in input order
	// (itself among them), when the input defines it more than once:
	// each derives its own objects, and takes over the definitions of
	// the input's objects that go with it (takesOver).
	copies []*Canary
}

// Rewrite is an object of the input that Flagger takes over because it has
// the name of one Flagger would create: a Service named as the apex,
// primary or canary Service, whose selector and ports reconcileService
// sets; a DestinationRule named as the primary or canary one, and a
// VirtualService or HTTPRoute named after the apex, whose spec Flagger's
// router replaces (keeping the original in an annotation). The graph holds
// the object as Flagger leaves it, with Flagger's fields at the Canary's
// positions.
type Rewrite struct {
	Obj *manifest.Object
	// Written is the spec as the input has it: a *spec.Service,
	// *spec.DestinationRule, *spec.VirtualService or *spec.GatewayRoute.
	Written any
	// Flagger is the spec Flagger gives it, of the same type.
	Flagger any
}

// flaggerToolkitMarker marks the labels and annotations (of Flux) that
// Flagger never copies.
const flaggerToolkitMarker = "toolkit.fluxcd.io"

// Istio reports whether Flagger routes the Canary's traffic with its
// IstioRouter, as Factory.MeshRouter chooses for its Provider: "istio",
// unset (Flagger's -mesh-provider defaults to istio), or a name no router
// of Flagger's has, for which MeshRouter falls back to the IstioRouter
// ("gatewayapi" without a version is one: MeshRouter matches the Gateway
// API routers by the prefixes "gatewayapi:v1beta1" and "gatewayapi:v1").
func (c *Canary) Istio() bool { return FlaggerIstio(c.Provider) }

// FlaggerIstio reports whether Flagger routes the traffic of a Canary of
// provider p with its IstioRouter (see Canary.Istio), for rules that read
// Canaries of the input without the graph's: p is spec.provider, or
// FlaggerProvider's when it may be empty.
func FlaggerIstio(p string) bool {
	return p == "istio" || !config.FlaggerProviderKnown(p)
}

// FlaggerProvider returns the provider whose router Flagger uses for a
// Canary of spec.provider p under the mesh settings m: p, or when it is
// empty Flagger's -mesh-provider (m.FlaggerMeshProvider, "" for its
// default, istio), as the scheduler's advanceCanary chooses.
func FlaggerProvider(p string, m config.Mesh) string {
	if p == "" {
		return m.FlaggerMeshProvider
	}
	return p
}

// ServiceNames returns the names of the Services Flagger generates for c,
// as Flagger's Canary.GetServiceNames does: the apex is spec.service.name,
// defaulting to the targetRef's name; the others add "-primary" and
// "-canary" to it.
func (c *Canary) ServiceNames() (apex, primary, canary string) {
	apex = c.Spec.TargetRef.Name.V
	if c.Spec.Service.Name.V != "" {
		apex = c.Spec.Service.Name.V
	}
	return apex, apex + "-primary", apex + "-canary"
}

// PrimaryName returns the name of the primary workload: the targetRef's
// name with "-primary" (createPrimaryDeployment, createPrimaryDaemonSet).
func (c *Canary) PrimaryName() string { return c.Spec.TargetRef.Name.V + "-primary" }

// FlaggerSelectorLabel mirrors getSelectorLabel of Flagger's Deployment and
// DaemonSet controllers.
func FlaggerSelectorLabel(sel *spec.LabelSelector, labels []string) (label, value string, ok bool) {
	if sel == nil {
		return "", "", false
	}
	for _, l := range labels {
		if v, ok := sel.MatchLabels[l]; ok {
			return l, v, true
		}
	}
	return "", "", false
}

// flaggerPrimaryLabels mirrors Flagger's makePrimaryLabels: labels without
// Flux's, with label set to value.
func flaggerPrimaryLabels(labels map[string]string, value, label string) map[string]string {
	out := flaggerFilterMetadata(labels)
	out[label] = value
	return out
}

// flaggerFilterMetadata mirrors Flagger's filterMetadata: m without the
// keys of Flux.
func flaggerFilterMetadata(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		if !strings.Contains(k, flaggerToolkitMarker) {
			out[k] = v
		}
	}
	return out
}

// addCanary adds a Flagger Canary; addFlagger derives its objects once the
// whole input is in place.
func (g *Graph) addCanary(o *manifest.Object) {
	var cs *spec.Canary
	if !decodeInto(g, o, o.Spec(), &cs) {
		return
	}
	g.Canaries = append(g.Canaries, &Canary{Meta: Meta{Obj: o}, Spec: cs, Provider: FlaggerProvider(cs.Provider.V, g.Mesh)})
}

// GeneratedBy returns the Canary whose Flagger creates o (a primary
// workload, a Service, a DestinationRule, a VirtualService or an
// HTTPRoute), nil for an object of the input.
func (g *Graph) GeneratedBy(o *manifest.Object) *Canary { return g.generatedBy[o] }

// addFlagger adds the objects Flagger creates for the Canaries.
func (g *Graph) addFlagger() {
	if len(g.Canaries) > 1 {
		byID := make(map[ObjectID][]*Canary, len(g.Canaries))
		for _, c := range g.Canaries {
			id := IDOf(c.Obj)
			byID[id] = append(byID[id], c)
		}
		for _, defs := range byID {
			if len(defs) > 1 {
				for _, c := range defs {
					c.copies = defs
				}
			}
		}
	}
	for _, c := range g.Canaries {
		g.deriveCanary(c)
	}
}

// takesOver reports whether c is the definition of its Canary whose
// Flagger takes over x, a definition of an object of the input that
// Flagger rewrites: the one x goes with (Counterpart). Every definition of
// x is taken over, since whichever is applied, Flagger rewrites it.
func (g *Graph) takesOver(c *Canary, x *manifest.Object) bool {
	return c.copies == nil || Counterpart(g, x, c.copies) == c
}

// flaggerFinds sorts the objects of one namespace and name that Flagger
// finds when it reconciles c, to create one of them: input holds those of
// the input, which it takes over; other is true when the Flagger of
// another Canary created one (of the same apex). What it creates for
// another definition of c is not found: each definition creates its own.
func flaggerFinds[T interface{ Object() *manifest.Object }](g *Graph, c *Canary, xs []T) (input []T, other bool) {
	for _, x := range xs {
		switch by := g.generatedBy[x.Object()]; {
		case by == nil:
			input = append(input, x)
		case !SameObject(by.Obj, c.Obj):
			other = true
		}
	}
	return input, other
}

// deriveCanary derives what Flagger's scheduler creates for c when it
// initializes it (advanceCanary: the canary controller's GetMetadata and
// Initialize, the Kubernetes router's Initialize and Reconcile, then the
// mesh router's Reconcile). For a Service target the Kubernetes router is
// the KubernetesNoopRouter, and nothing is derived. The HTTPRoute of a
// Gateway API provider is derived here and registered by addFlaggerRoutes,
// once the Gateways it attaches to are in the graph.
func (g *Graph) deriveCanary(c *Canary) {
	ref := c.Spec.TargetRef
	kind := kinds.Kind(ref.Kind.V)
	if kind != kinds.Deployment && kind != kinds.DaemonSet {
		return
	}
	targets := g.inputWorkloads(kind, c.Namespace(), ref.Name.V)
	if targets == nil {
		return // Flagger fails on a target it cannot get
	}
	target := Counterpart(g, c.Obj, targets)
	var ws *spec.Workload
	if !decodeInto(g, target.Obj, target.Obj.Spec(), &ws) {
		return
	}
	c.TargetSelector = ws.Selector
	label, value, ok := FlaggerSelectorLabel(ws.Selector, g.Mesh.FlaggerLabels())
	if !ok {
		return // Flagger fails: "spec.selector.matchLabels must contain one of …"
	}
	ports := flaggerServicePorts(c.Spec.Service, target)
	if !validServicePorts(ports) {
		return // the API server rejects the first Service, and Flagger stops
	}
	c.Target, c.Label, c.Value = target, label, value
	primaryValue := value + "-primary"
	if g.inputWorkloads(kind, c.Namespace(), c.PrimaryName()) == nil {
		c.Primary = g.flaggerPrimary(c, target, primaryValue)
		g.addWorkload(c.Primary)
	}
	apex, primary, canary := c.ServiceNames()
	svc := c.Spec.Service
	// Initialize makes the canary and primary Services, Reconcile the
	// apex; each selects label alone.
	for _, s := range []struct {
		name, value string
		meta        *spec.CanaryMetadata
	}{{apex, primaryValue, svc.Apex}, {primary, primaryValue, svc.Primary}, {canary, value, svc.Canary}} {
		input, other := flaggerFinds(g, c, g.servicesNamed(c.Namespace(), s.name))
		for _, in := range input {
			if g.takesOver(c, in.Obj) {
				g.flaggerTakeOver(c, in, map[string]string{label: s.value}, ports)
			}
		}
		if input == nil && !other {
			c.Services = append(c.Services, g.flaggerService(c, s.name, map[string]string{label: s.value}, ports, s.meta))
		}
	}
	if c.GatewayAPI() {
		c.HTTPRoute = g.flaggerHTTPRoute(c)
		return
	}
	if !c.Istio() {
		return
	}
	// The Istio router's Reconcile, after the Kubernetes router's, makes
	// the DestinationRules, whatever the mode, then the VirtualService.
	for _, name := range []string{canary, primary} {
		input, other := flaggerFinds(g, c, g.destinationRules(c.Namespace(), name))
		for _, in := range input {
			if g.takesOver(c, in.Obj) {
				written := in.Spec
				g.setDestinationRuleSpec(in, flaggerDestinationRuleSpec(c, name, written.Host.Loc))
				c.Rewrites = append(c.Rewrites, &Rewrite{Obj: in.Obj, Written: written, Flagger: in.Spec})
			}
		}
		if input == nil && !other { // else another Canary's of the same apex
			c.DestinationRules = append(c.DestinationRules, g.flaggerDestinationRule(c, name))
		}
	}
	if svc.Delegation.V && (len(svc.Hosts) > 0 || len(svc.Gateways) > 0) {
		// reconcileVirtualService refuses a delegate with hosts or
		// gateways before it gets the VirtualService.
		return
	}
	input, other := flaggerFinds(g, c, g.virtualServices(c.Namespace(), apex))
	for _, in := range input {
		if g.takesOver(c, in.Obj) {
			written := in.Spec
			g.setVirtualServiceSpec(in, flaggerVirtualServiceSpec(c))
			c.Rewrites = append(c.Rewrites, &Rewrite{Obj: in.Obj, Written: written, Flagger: in.Spec})
		}
	}
	if input == nil && !other { // else another Canary's of the same apex
		c.VirtualService = g.flaggerVirtualService(c)
	}
}

// virtualServices returns the VirtualServices of this namespace and name:
// the definitions of one, in input order.
func (g *Graph) virtualServices(ns, name string) []*VirtualService {
	var out []*VirtualService
	for _, vs := range g.VirtualServices {
		if vs.Namespace() == ns && vs.Name() == name {
			out = append(out, vs)
		}
	}
	return out
}

// destinationRules returns the DestinationRules of this namespace and
// name: the definitions of one, in input order.
func (g *Graph) destinationRules(ns, name string) []*DestinationRule {
	var out []*DestinationRule
	for _, dr := range g.drsByNS[ns] {
		if dr.Name() == name {
			out = append(out, dr)
		}
	}
	return out
}

// flaggerDestinationRule returns the DestinationRule Flagger creates for
// c, as the IstioRouter's reconcileDestinationRule makes it: named after
// the primary or canary Service, for that Service's short name as host,
// with spec.service.trafficPolicy, and no labels, annotations, subsets or
// exportTo. Its name and host are at the field the apex name comes from,
// its traffic policy at spec.service.trafficPolicy.
func (g *Graph) flaggerDestinationRule(c *Canary, name string) *DestinationRule {
	o := g.flaggerObject(c, kinds.DestinationRule, name, c.apexLoc())
	dr := &DestinationRule{Meta: Meta{Obj: o}, Spec: flaggerDestinationRuleSpec(c, name, c.apexLoc())}
	g.addDestinationRule(dr)
	return dr
}

// flaggerDestinationRuleSpec returns the spec reconcileDestinationRule
// gives the DestinationRule name, with its host at hostLoc.
func flaggerDestinationRuleSpec(c *Canary, name string, hostLoc manifest.Loc) *spec.DestinationRule {
	if hostLoc.IsZero() {
		hostLoc = c.apexLoc()
	}
	return &spec.DestinationRule{
		Host:          spec.Str{V: name, Loc: hostLoc, Set: true},
		TrafficPolicy: flaggerTrafficPolicy(c.Spec.Service.TrafficPolicy),
	}
}

// flaggerTrafficPolicy returns the traffic policy Flagger reads from
// spec.service.trafficPolicy: tp less what the Canary CRD's schema does
// not have, and the API server drops (portLevelSettings, and
// tls.credentialName and tls.insecureSkipVerify, which Flagger's
// TLSSettings lacks too). tp itself, shared with the Canary, is left as
// it is.
func flaggerTrafficPolicy(tp *spec.TrafficPolicy) *spec.TrafficPolicy {
	if tp == nil {
		return nil
	}
	out := *tp
	out.PortLevelSettings = nil
	if tp.TLS != nil {
		tls := *tp.TLS
		tls.CredentialName, tls.InsecureSkipVer = spec.Str{}, spec.Bool{}
		out.TLS = &tls
	}
	return &out
}

// apexLoc returns the position of the field the apex name comes from:
// spec.service.name, or spec.targetRef.name when it is unset.
func (c *Canary) apexLoc() manifest.Loc {
	if c.Spec.Service.Name.Set {
		return c.Spec.Service.Name.Loc
	}
	return c.Spec.TargetRef.Name.Loc
}

// flaggerApexObject returns the object of a route Flagger names after the
// apex (its VirtualService or HTTPRoute), with the apex metadata of
// spec.service: its labels, and its annotations without Flux's.
func (g *Graph) flaggerApexObject(c *Canary, kind kinds.Kind) *manifest.Object {
	apex, _, _ := c.ServiceNames()
	o := g.flaggerObject(c, kind, apex, c.apexLoc())
	meta := c.Spec.Service.Apex
	if meta == nil {
		meta = &spec.CanaryMetadata{}
	}
	o.Labels = map[string]string{}
	for k, v := range meta.Labels {
		o.Labels[k] = v
	}
	o.Annotations = flaggerFilterMetadata(meta.Annotations)
	return o
}

// flaggerVirtualService returns the VirtualService Flagger creates for c,
// as the IstioRouter's reconcileVirtualService makes it: named after the
// apex, for the hosts of spec.service with the apex added (unless one is
// the apex or "*"), on spec.service.gateways, or the mesh when there are
// none; a delegate (spec.service.delegation) has neither hosts nor
// gateways. Its one route (a TCP route for appProtocol tcp) sends
// spec.service's match to the primary Service, weighted 100, and the
// canary Service, weighted 0 (makeDestination): the weights of an idle
// canary. An A/B test (spec.analysis.match, HTTP only) puts before it a
// route of the same destinations for the analysis's matches merged into
// the service's (mergeMatchConditions), and the route of the service's
// matches goes to the primary alone. Each HTTP route carries
// spec.service's rewrite, timeout, retries, headers and corsPolicy.
//
// What SetRoutes changes while an analysis runs is not modelled: the
// weights it shifts, the sticky route of session affinity, and the mirror
// to the canary Service (with a mirrorPercentage of
// spec.analysis.mirrorWeight when above 0) that it puts on the first
// route for the whole of a blue/green analysis with spec.analysis.mirror,
// or for the first step of a progressive one (the scheduler's
// runBlueGreen and runCanary; an A/B test's routes replace it). The next
// SetRoutes takes the mirror off, so it lasts no longer than an analysis,
// while the graph holds one state of the routes for all rules: the idle
// one, which lasts between analyses. With the mirror in it, rules would
// judge a transient route as the standing one (MR121 would report a
// delegate's mirror against its root's at every run). What the mirror
// does wrong during an analysis, such as a root's mirrorPercentage that
// the mirror of a delegation Canary without mirrorWeight takes instead of
// 100% (Istio's mergeHTTPRoute), is for a rule that reads spec.analysis
// to report (spec.CanaryAnalysis does not hold mirror, mirrorWeight or
// iterations yet).
func (g *Graph) flaggerVirtualService(c *Canary) *VirtualService {
	vs := &VirtualService{Meta: Meta{Obj: g.flaggerApexObject(c, kinds.VirtualService)}, Spec: flaggerVirtualServiceSpec(c)}
	g.addVirtualService(vs)
	return vs
}

// flaggerVirtualServiceSpec returns the spec of the VirtualService that
// flaggerVirtualService describes.
func flaggerVirtualServiceSpec(c *Canary) *spec.VirtualService {
	svc := c.Spec.Service
	_, primary, canary := c.ServiceNames()
	vsSpec := &spec.VirtualService{}
	if !svc.Delegation.V {
		vsSpec.Hosts, vsSpec.Gateways = flaggerVirtualServiceHosts(c), flaggerVirtualServiceGateways(c)
	}
	routeAt := spec.At{Loc: svc.Loc}
	if routeAt.Loc.IsZero() {
		routeAt.Loc = svc.Port.Loc
	}
	route := []spec.RouteDestination{
		flaggerDestination(c, primary, 100),
		flaggerDestination(c, canary, 0),
	}
	if strings.ToLower(svc.AppProtocol.V) == "tcp" {
		// canaryToL4Match: the ports of spec.service.match.
		var match []spec.L4Match
		for _, m := range svc.Match {
			match = append(match, spec.L4Match{At: m.At, Port: m.Port})
		}
		vsSpec.TCP = []spec.TCPRoute{{At: routeAt, Match: match, Route: route}}
		return vsSpec
	}
	ab := c.abMatch()
	if len(ab) == 0 {
		vsSpec.HTTP = []spec.HTTPRoute{flaggerVSRoute(c, routeAt, svc.Match, route)}
		return vsSpec
	}
	vsSpec.HTTP = []spec.HTTPRoute{
		flaggerVSRoute(c, spec.At{Loc: ab[0].Loc}, flaggerMergeMatches(ab, svc.Match), route),
		flaggerVSRoute(c, routeAt, svc.Match, []spec.RouteDestination{flaggerDestination(c, primary, 100)}),
	}
	return vsSpec
}

// flaggerVirtualServiceHosts returns spec.service.hosts with the apex
// added, unless one of them is the apex or "*".
func flaggerVirtualServiceHosts(c *Canary) []spec.Str {
	apex, _, _ := c.ServiceNames()
	hosts := c.Spec.Service.Hosts
	for _, h := range hosts {
		if h.V == apex || h.V == "*" {
			return hosts
		}
	}
	return append(slices.Clone(hosts), spec.Str{V: apex, Loc: c.apexLoc(), Set: true})
}

// flaggerVirtualServiceGateways returns spec.service.gateways, or the mesh,
// at spec.service, when there are none.
func flaggerVirtualServiceGateways(c *Canary) []spec.Str {
	svc := c.Spec.Service
	if len(svc.Gateways) > 0 {
		return svc.Gateways
	}
	at := svc.Loc
	if at.IsZero() {
		at = c.apexLoc()
	}
	return []spec.Str{{V: "mesh", Loc: at, Set: true}}
}

// flaggerVSRoute returns an HTTP route of Flagger's VirtualService, with
// spec.service's rewrite (GetIstioRewrite), timeout, retries, headers and
// corsPolicy, as reconcileVirtualService writes each of its HTTP routes.
// The headers and corsPolicy are shared with the Canary, so that a
// delegate route's, which replace its root's whole (Istio's
// mergeHTTPRoute), are seen; findings on them point at the Canary's keys.
func flaggerVSRoute(c *Canary, at spec.At, match []spec.HTTPMatch, route []spec.RouteDestination) spec.HTTPRoute {
	svc := c.Spec.Service
	r := spec.HTTPRoute{At: at, Match: match, Timeout: svc.Timeout, Retries: svc.Retries, Route: route, Headers: svc.Headers, CorsPolicy: svc.CorsPolicy}
	if svc.Rewrite != nil {
		r.Rewrite = &spec.HTTPRewrite{} // held as present alone
	}
	if svc.Headers != nil {
		// A key brought in by a merge key has no position of its own:
		// the value's stands for it.
		r.Keys = append(r.Keys, spec.KeyLoc{Key: "headers", Loc: svc.Keys.Of("headers", svc.Headers.Loc)})
	}
	if svc.CorsPolicy != nil {
		if loc := svc.Keys.Of("corsPolicy", manifest.Loc{}); !loc.IsZero() {
			r.Keys = append(r.Keys, spec.KeyLoc{Key: "corsPolicy", Loc: loc})
		}
	}
	return r
}

// abMatch returns spec.analysis.match, which makes the analysis an A/B
// test, as the API server keeps it: the Canary CRD's matches have only
// headers, queryParams and sourceLabels, and it prunes the rest.
func (c *Canary) abMatch() []spec.HTTPMatch {
	if c.Spec.Analysis == nil {
		return nil
	}
	out := make([]spec.HTTPMatch, len(c.Spec.Analysis.Match))
	for i, m := range c.Spec.Analysis.Match {
		out[i] = spec.HTTPMatch{At: m.At, Headers: m.Headers, QueryParams: m.QueryParams, SourceLabels: m.SourceLabels}
	}
	return out
}

// flaggerMergeMatches mirrors the IstioRouter's mergeMatchConditions: the
// analysis's matches as they are when the service has none, else each
// service match for each analysis match, with the headers and sourceLabels
// of the analysis match when it has them. Its query parameters are
// dropped: an analysis match of query parameters alone matches what the
// service's does. A merged match is at the position of its analysis
// match, its conditions at theirs.
func flaggerMergeMatches(analysis, service []spec.HTTPMatch) []spec.HTTPMatch {
	if len(service) == 0 {
		return analysis
	}
	merged := make([]spec.HTTPMatch, 0, len(analysis)*len(service))
	for _, a := range analysis {
		for _, m := range service {
			m.At = a.At
			if a.Headers != nil {
				m.Headers = a.Headers
			}
			if a.SourceLabels != nil {
				m.SourceLabels = a.SourceLabels
			}
			merged = append(merged, m)
		}
	}
	return merged
}

// flaggerDestination mirrors makeDestination: the Service name with this
// weight, and the port of spec.service when portDiscovery is on and the
// first gateway is not the mesh, or the VirtualService is a delegate. Its
// positions are spec.service.port's.
func flaggerDestination(c *Canary, name string, weight int64) spec.RouteDestination {
	svc := c.Spec.Service
	at := spec.At{Loc: svc.Port.Loc}
	d := &spec.Destination{At: at, Host: spec.Str{V: name, Loc: c.apexLoc(), Set: true}}
	if svc.PortDiscovery.V && (len(svc.Gateways) > 0 && svc.Gateways[0].V != "mesh" || svc.Delegation.V) {
		d.Port = &spec.PortSelector{Number: svc.Port}
	}
	return spec.RouteDestination{At: at, Destination: d, Weight: spec.Int{V: weight, Loc: svc.Port.Loc, Set: true}}
}

// inputWorkloads returns the workloads of the input of this kind (of
// group apps), namespace and name: the definitions of one, in input order.
func (g *Graph) inputWorkloads(kind kinds.Kind, ns, name string) []*Workload {
	var out []*Workload
	for _, w := range g.workloadsByNS[ns] {
		if w.Obj.Kind == kind && w.Obj.Group == kinds.GroupApps && w.Name() == name && g.generatedBy[w.Obj] == nil {
			out = append(out, w)
		}
	}
	return out
}

// flaggerObject returns an object Flagger creates for c. Its positions are
// the Canary's: findings about it point at the Canary, at nameLoc (the
// field its name comes from) when no field of its own is named.
func (g *Graph) flaggerObject(c *Canary, kind kinds.Kind, name string, nameLoc manifest.Loc) *manifest.Object {
	o := c.Obj
	if nameLoc.IsZero() {
		nameLoc = o.NameLoc
	}
	apiVersion := "v1"
	switch kind {
	case kinds.Service:
	case kinds.VirtualService, kinds.DestinationRule:
		apiVersion = kinds.GroupIstioNetworking + "/v1alpha3" // Flagger's client
	case kinds.HTTPRoute:
		apiVersion = kinds.GroupGatewayAPI + "/" + c.gatewayAPIVersion()
	default:
		apiVersion = kinds.GroupApps + "/v1"
	}
	group, _ := kinds.SplitAPIVersion(apiVersion)
	out := &manifest.Object{
		APIVersion: apiVersion, Group: group, Kind: kind, Name: name,
		Namespace: o.Namespace, NamespaceSet: o.NamespaceSet,
		// Flagger makes the Canary their controller (NewControllerRef).
		OwnerKind: string(kinds.Canary), OwnerName: o.Name,
		File: o.File, Doc: o.Doc, KindLoc: o.KindLoc, NameLoc: nameLoc, Sources: o.Sources,
		NoDirectives: true,
	}
	out.Prepared = &generated{from: o}
	if g.generatedBy == nil {
		g.generatedBy = map[*manifest.Object]*Canary{}
	}
	g.generatedBy[out] = c
	return out
}

// generated is the Prepared of an object the graph derives: the object of
// the input it comes from, whose YAML its positions are in.
type generated struct {
	from *manifest.Object
}

// Derived marks o as an object a controller creates from the input's
// object from, as Build makes them: Origin(o) is from. A cache that
// reports a run's findings again without building the graph uses it.
func Derived(o, from *manifest.Object) *manifest.Object {
	o.Prepared = &generated{from: from}
	return o
}

// Origin returns the object of the input whose YAML holds o's positions:
// the Canary of an object Flagger creates, the Rollout of the pods of an
// experiment step (rollout_experiment.go), o itself otherwise. Suppression
// comments of that YAML cover the findings on o.
func Origin(o *manifest.Object) *manifest.Object {
	if o == nil {
		return nil
	}
	if x, ok := o.Prepared.(*generated); ok {
		return x.from
	}
	return o
}

// flaggerPrimary returns the primary workload, as createPrimaryDeployment
// and createPrimaryDaemonSet make it: the target's pod template, whose
// labels are the target's with the selector label set to primaryValue
// (makePrimaryLabels) and whose annotations are the target's without
// Flux's (makeAnnotations; the random flagger-id it adds is left out).
// The pod spec is the target's (Flagger renames the ConfigMaps and Secrets
// it mounts, which meshlint does not read), without the positions, which
// are in the target's file.
func (g *Graph) flaggerPrimary(c *Canary, target *Workload, primaryValue string) *Workload {
	o := g.flaggerObject(c, target.Obj.Kind, c.PrimaryName(), c.Spec.TargetRef.Name.Loc)
	// The object's labels: includeLabelsByPrefix with the default
	// -include-label-prefix ("") keeps none of the target's.
	o.Labels = flaggerPrimaryLabels(nil, primaryValue, c.Label)
	o.Annotations = flaggerFilterMetadata(target.Obj.Annotations)
	t := &spec.PodTemplate{Spec: withoutLocs(target.Spec.Spec)}
	t.Metadata.Labels = flaggerPrimaryLabels(target.Spec.Metadata.Labels, primaryValue, c.Label)
	t.Metadata.Annotations = flaggerFilterMetadata(target.Spec.Metadata.Annotations)
	return g.templateWorkload(&Workload{Meta: Meta{Obj: o}, Spec: t})
}

// flaggerService returns a Service Flagger creates for c, as the
// KubernetesDefaultRouter's reconcileService makes it: a ClusterIP Service
// with the given selector and the ports of flaggerServicePorts, labelled
// with the Canary's metadata for it and label=name.
func (g *Graph) flaggerService(c *Canary, name string, selector map[string]string, ports []spec.ServicePort, meta *spec.CanaryMetadata) *Service {
	nameLoc := c.Spec.Service.Name.Loc
	if !c.Spec.Service.Name.Set {
		nameLoc = c.Spec.TargetRef.Name.Loc
	}
	o := g.flaggerObject(c, kinds.Service, name, nameLoc)
	if meta == nil {
		meta = &spec.CanaryMetadata{}
	}
	o.Labels = flaggerFilterMetadata(nil)
	for k, v := range meta.Labels {
		o.Labels[k] = v
	}
	o.Labels[c.Label] = name
	o.Annotations = flaggerFilterMetadata(meta.Annotations)
	s := &Service{Meta: Meta{Obj: o}, Spec: &spec.Service{
		Type:     spec.Str{V: "ClusterIP", Set: true},
		Selector: selector,
		Ports:    ports,
	}}
	g.addService(s)
	return s
}

// flaggerTakeOver applies to a Service of the input what reconcileService
// does to an existing one: its selector and ports become Flagger's, so
// that an apex Service written before Flagger came selects the primary
// pods. The ports are at the Canary's fields they come from. The spec is
// replaced, not changed: the input's may be shared with the cache.
func (g *Graph) flaggerTakeOver(c *Canary, s *Service, selector map[string]string, ports []spec.ServicePort) {
	written := s.Spec
	sp := *written
	sp.Selector = selector
	sp.Ports = ports
	s.Spec = &sp
	c.Rewrites = append(c.Rewrites, &Rewrite{Obj: s.Obj, Written: written, Flagger: s.Spec})
}

// flaggerServicePorts mirrors reconcileService: the port of spec.service,
// named portName (default "http"), TCP, to targetPort (default the port),
// with its appProtocol; then, with portDiscovery, the target's container
// ports (getPorts). The ports point at the fields they come from.
func flaggerServicePorts(svc spec.CanaryService, target *Workload) []spec.ServicePort {
	name := svc.PortName
	if name.V == "" {
		name = spec.Str{V: "http", Set: true}
	}
	targetPort := spec.IntOrString{Int: svc.Port.V, Loc: svc.Port.Loc, Set: true}
	if svc.TargetPort.String() != "0" {
		targetPort = svc.TargetPort
	}
	ports := []spec.ServicePort{{
		At:          spec.At{Loc: svc.Port.Loc},
		Name:        name,
		Port:        svc.Port,
		TargetPort:  targetPort,
		Protocol:    spec.Str{V: "TCP", Set: true},
		AppProtocol: svc.AppProtocol,
	}}
	if !svc.PortDiscovery.V {
		return ports
	}
	// getPorts keys the ports by name, so a later container's port takes
	// the name of an earlier one; Flagger then appends them in map order,
	// which is random: they are sorted by name here.
	found := map[string]int64{}
	for _, ct := range target.Spec.Spec.Containers {
		if ct.Name.V == "istio-proxy" || ct.Name.V == "envoy" {
			continue // a mesh proxy's
		}
		for i, p := range ct.Ports {
			if flaggerPortExcluded(svc, p) {
				continue
			}
			n := p.Name.V
			if n == "" {
				n = fmt.Sprintf("tcp-%s-%d", ct.Name.V, i)
			}
			found[n] = p.ContainerPort.V
		}
	}
	names := make([]string, 0, len(found))
	for n := range found {
		names = append(names, n)
	}
	sort.Strings(names)
	at := svc.PortDiscovery.Loc
	for _, n := range names {
		ports = append(ports, spec.ServicePort{
			At:         spec.At{Loc: at},
			Name:       spec.Str{V: n, Set: true},
			Port:       spec.Int{V: found[n], Loc: at, Set: true},
			TargetPort: spec.IntOrString{Int: found[n], Loc: at, Set: true},
			Protocol:   spec.Str{V: "TCP", Set: true},
		})
	}
	return ports
}

// validServicePorts reports whether the API server accepts a Service with
// these ports, as far as Flagger's choices go: numbers in range, and no
// name or number twice (a discovered port may repeat the first's name, or
// its number when targetPort is set).
func validServicePorts(ports []spec.ServicePort) bool {
	names, numbers := map[string]bool{}, map[int64]bool{}
	for _, p := range ports {
		if p.Port.V < 1 || p.Port.V > 65535 || names[p.Name.V] || numbers[p.Port.V] {
			return false
		}
		names[p.Name.V], numbers[p.Port.V] = true, true
	}
	return true
}

// flaggerPortExcluded reports whether getPorts leaves a container port out
// because spec.service already exposes it: the port (or the targetPort,
// by number or name, when one is set).
func flaggerPortExcluded(svc spec.CanaryService, p spec.ContainerPort) bool {
	tp := svc.TargetPort
	switch {
	case tp.String() == "0":
		return p.ContainerPort.V == svc.Port.V
	case tp.IsStr:
		return p.Name.V == tp.Str
	}
	return p.ContainerPort.V == tp.Int
}

var locType = reflect.TypeFor[manifest.Loc]()

// withoutLocs returns a deep copy of v with every position cleared: a
// value copied from one object into another, whose file it is not in.
// Maps (of strings, in spec types) are shared.
func withoutLocs[T any](v T) T {
	var out T
	copyWithoutLocs(reflect.ValueOf(&out).Elem(), reflect.ValueOf(v))
	return out
}

func copyWithoutLocs(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Struct:
		if src.Type() == locType {
			return
		}
		for i := range src.NumField() {
			if dst.Field(i).CanSet() {
				copyWithoutLocs(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Pointer:
		if !src.IsNil() {
			dst.Set(reflect.New(src.Type().Elem()))
			copyWithoutLocs(dst.Elem(), src.Elem())
		}
	case reflect.Slice:
		if !src.IsNil() {
			dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
			for i := range src.Len() {
				copyWithoutLocs(dst.Index(i), src.Index(i))
			}
		}
	default:
		dst.Set(src)
	}
}

package graph

import (
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// This file models what ambient mode does with L7 configuration: ztunnel
// only handles L4, so L7 settings (HTTP routes, L7 authorization, request
// authentication, Wasm, L7 telemetry) take effect only in a waypoint proxy,
// and a waypoint only serves the Services (and ServiceEntries) enrolled
// with the istio.io/use-waypoint label, on themselves or their namespace.

// UseWaypointLabel enrols a namespace, Service, ServiceEntry or pod for a
// waypoint; its value "none" opts out.
const UseWaypointLabel = "istio.io/use-waypoint"

// WaypointEnrolled reports whether an object of namespace ns with labels l
// uses a waypoint: its own istio.io/use-waypoint label decides, else its
// namespace's ("none" opts out).
func (g *Graph) WaypointEnrolled(ns string, l map[string]string) bool {
	if v, ok := l[UseWaypointLabel]; ok {
		return v != "" && v != "none"
	}
	if n := g.Namespaces[ns]; n != nil {
		v := n.Labels[UseWaypointLabel]
		return v != "" && v != "none"
	}
	return false
}

// AmbientService reports whether the pods behind s are in ambient mode: one
// of its workloads is, or it selects none in the input and its namespace
// is ambient without sidecar injection.
func (g *Graph) AmbientService(s *Service) bool {
	for _, w := range s.Workloads {
		if g.Ambient(w) {
			return true
		}
	}
	if len(s.Workloads) > 0 {
		return false
	}
	n := g.Namespaces[s.Namespace()]
	return g.AmbientNamespace(s.Namespace()) && n != nil && !n.Injection
}

// AmbientPolicyScope is what a policy (AuthorizationPolicy,
// RequestAuthentication, Telemetry, WasmPlugin, TrafficExtension) attaches
// to in ambient mode.
type AmbientPolicyScope struct {
	// TargetRefs are the targetRefs entries, or the legacy targetRef when
	// there are none.
	TargetRefs []spec.PolicyTargetReference
	// Selector is the workload selector, nil when absent.
	Selector *spec.MatchLabelsSelector
}

// HasTargetRefs reports whether the policy attaches by targetRef(s).
func (s AmbientPolicyScope) HasTargetRefs() bool { return len(s.TargetRefs) > 0 }

// PolicyScope collects the attachment fields of a policy. Istio reads the
// legacy targetRef only when targetRefs is empty (GetTargetRefs in
// pilot/pkg/model/policyattachment.go), so a targetRef beside targetRefs
// attaches the policy nowhere.
func PolicyScope(sel *spec.MatchLabelsSelector, ref *spec.PolicyTargetReference, refs []spec.PolicyTargetReference) AmbientPolicyScope {
	out := AmbientPolicyScope{Selector: sel, TargetRefs: refs}
	if len(refs) == 0 && ref != nil {
		out.TargetRefs = []spec.PolicyTargetReference{*ref}
	}
	return out
}

// AmbientWorkloadsSelected returns the workloads of namespace ns in ambient
// mode that a selector-attached (or namespace-wide) policy applies to.
// nsAmbient is true for a namespace-wide policy when the input shows no
// workload of ns and the namespace is ambient without sidecar injection:
// then the namespace stands for its pods.
func (g *Graph) AmbientWorkloadsSelected(ns string, sel *spec.MatchLabelsSelector) (ambient []*Workload, nsAmbient bool) {
	var labels map[string]string
	if sel != nil {
		labels = sel.MatchLabels
	}
	for _, w := range g.SelectWorkloads(ns, labels) {
		if g.Ambient(w) {
			ambient = append(ambient, w)
		}
	}
	n := g.Namespaces[ns]
	nsAmbient = sel == nil && len(g.WorkloadsIn(ns)) == 0 && g.AmbientNamespace(ns) && n != nil && !n.Injection
	return ambient, nsAmbient
}

// WaypointTarget is a Service or ServiceEntry a policy's targetRef names.
type WaypointTarget struct {
	Ref  spec.PolicyTargetReference
	Kind kinds.Kind
	Obj  *manifest.Object
}

// UnenrolledTargets returns the Service and ServiceEntry targetRefs of a
// policy of namespace ns that resolve to an object in ambient mode that is
// not enrolled for a waypoint. Gateway targets (a waypoint or an ingress)
// are always served.
func (g *Graph) UnenrolledTargets(ns string, scope AmbientPolicyScope) []WaypointTarget {
	var out []WaypointTarget
	for _, r := range scope.TargetRefs {
		tns := ns
		if r.Namespace.V != "" {
			tns = r.Namespace.V
		}
		switch {
		case r.Kind.V == "Service" && r.Group.V == "":
			for _, s := range g.Services {
				if s.Namespace() == tns && s.Name() == r.Name.V && g.AmbientService(s) && !g.WaypointEnrolled(tns, s.Obj.Labels) {
					out = append(out, WaypointTarget{r, kinds.Service, s.Obj})
				}
			}
		case r.Kind.V == "ServiceEntry" && r.Group.V == kinds.GroupIstioNetworking:
			for _, se := range g.ServiceEntries {
				if se.Namespace() == tns && se.Name() == r.Name.V && g.AmbientNamespace(tns) && !g.WaypointEnrolled(tns, se.Obj.Labels) {
					out = append(out, WaypointTarget{r, kinds.ServiceEntry, se.Obj})
				}
			}
		}
	}
	return out
}

// L7Authorization returns the first L7 attribute of an AuthorizationPolicy:
// HTTP operations (methods, paths, hosts), request principals or L7
// conditions; "" for a policy ztunnel can enforce.
func L7Authorization(ap *spec.AuthorizationPolicy) (what string, at spec.Loc) {
	for _, r := range ap.Rules {
		for _, f := range r.From {
			if s := f.Source; s != nil {
				if l := firstSet(s.RequestPrincipals, s.NotRequestPrincipals); l != nil {
					return "requestPrincipals", l.Loc
				}
			}
		}
		for _, t := range r.To {
			if o := t.Operation; o != nil {
				if l := firstSet(o.Methods, o.NotMethods); l != nil {
					return "methods", l.Loc
				}
				if l := firstSet(o.Paths, o.NotPaths); l != nil {
					return "paths", l.Loc
				}
				if l := firstSet(o.Hosts, o.NotHosts); l != nil {
					return "hosts", l.Loc
				}
			}
		}
		for _, c := range r.When {
			k := c.Key.V
			if strings.HasPrefix(k, "request.") || strings.HasPrefix(k, "experimental.") {
				return "condition " + k, c.Key.Loc
			}
		}
	}
	return "", spec.Loc{}
}

func firstSet(lists ...[]spec.Str) *spec.Str {
	for _, l := range lists {
		if len(l) > 0 {
			return &l[0]
		}
	}
	return nil
}

// L7TrafficPolicy returns the first L7 setting of a DestinationRule's
// traffic policies (its own, its subsets' and their port-level settings):
// HTTP connection pool settings, outlier detection, or consistent hashing
// on a header, cookie or query parameter. "" when there is none.
func L7TrafficPolicy(dr *DestinationRule) (what string, at spec.Loc) {
	if p := preparedOf(dr.Obj); p != nil {
		return p.f().L7What, p.f().L7Loc
	}
	return l7TrafficPolicy(dr.Obj.Spec())
}

func l7TrafficPolicy(sp *yaml.Node) (what string, at spec.Loc) {
	pols := []*yaml.Node{yamlpath.Field(sp, "trafficPolicy")}
	if subsets := yamlpath.Field(sp, "subsets"); subsets != nil && subsets.Kind == yaml.SequenceNode {
		for _, s := range subsets.Content {
			pols = append(pols, yamlpath.Field(s, "trafficPolicy"))
		}
	}
	for i := 0; i < len(pols); i++ {
		if pls := yamlpath.Field(pols[i], "portLevelSettings"); pls != nil && pls.Kind == yaml.SequenceNode {
			pols = append(pols, pls.Content...)
		}
	}
	for _, tp := range pols {
		if tp == nil {
			continue
		}
		if n := yamlpath.Field(yamlpath.Field(tp, "connectionPool"), "http"); n != nil {
			return "connectionPool.http", manifest.LocOf(n)
		}
		if n := yamlpath.Field(tp, "outlierDetection"); n != nil {
			return "outlierDetection", manifest.LocOf(n)
		}
		ch := yamlpath.Field(yamlpath.Field(tp, "loadBalancer"), "consistentHash")
		for _, k := range []string{"httpHeaderName", "httpCookie", "httpQueryParameterName"} {
			if n := yamlpath.Field(ch, k); n != nil {
				return "consistentHash." + k, manifest.LocOf(n)
			}
		}
	}
	return "", spec.Loc{}
}

// L7Telemetry reports whether a Telemetry configures what only an L7 proxy
// produces: tracing, access logging or metric overrides.
func L7Telemetry(t *Telemetry) bool {
	if len(t.Spec.Tracing) > 0 || len(t.Spec.AccessLogging) > 0 {
		return true
	}
	if p := preparedOf(t.Obj); p != nil {
		return p.f().Metrics
	}
	return yamlpath.Field(t.Obj.Spec(), "metrics") != nil
}

// MeshRoutes reports whether a VirtualService routes mesh traffic (no
// gateways, or the reserved "mesh") with L7 (http or tls) routes.
func (vs *VirtualService) MeshRoutes() bool {
	if len(vs.Spec.HTTP) == 0 && len(vs.Spec.TLS) == 0 {
		return false
	}
	if len(vs.Gateways) == 0 {
		return true
	}
	for _, r := range vs.Gateways {
		if r.Mesh {
			return true
		}
	}
	return false
}

// Extension is an Istio WasmPlugin or TrafficExtension
// (extensions.istio.io). istiod serves a WasmPlugin as a TrafficExtension
// and attaches both alike (TrafficExtensionWrapper.MatchListener calls
// ShouldAttachPolicy, pilot/pkg/model/extensions.go), so the rules that
// check where a policy attaches read them together; Obj.Kind tells them
// apart.
type Extension struct {
	Meta
	// Spec is the attachment of either kind. A TrafficExtension has no
	// legacy targetRef (its wrapper's GetTargetRef returns nil), so
	// Spec.TargetRef is always nil for one.
	Spec *spec.WasmPlugin
}

// Extensions returns the WasmPlugins and TrafficExtensions of the input
// (those that decode), in input order.
func (g *Graph) Extensions() []*Extension { return g.extensions }

// WorkloadGroup is an Istio WorkloadGroup.
type WorkloadGroup struct {
	Meta
	Spec *spec.WorkloadGroup
}

// WorkloadGroups returns the WorkloadGroups of the input (those that
// decode).
func (g *Graph) WorkloadGroups() []*WorkloadGroup { return g.workloadGroups }

// addAmbientKinds decodes WasmPlugins, TrafficExtensions and
// WorkloadGroups once, for the rules that read them. Objects that do not
// decode are left to MR001.
func (g *Graph) addAmbientKinds() {
	for _, o := range g.Objects {
		switch {
		case (o.Kind == kinds.WasmPlugin || o.Kind == kinds.TrafficExtension) && o.Group == kinds.GroupIstioExtensions:
			w := &Extension{Meta: Meta{Obj: o}, Spec: &spec.WasmPlugin{}}
			if len(g.decodeSpec(o, o.Spec(), w.Spec)) == 0 {
				if o.Kind == kinds.TrafficExtension {
					w.Spec.TargetRef = nil
				}
				g.extensions = append(g.extensions, w)
			}
		case o.Kind == kinds.WorkloadGroup && o.Group == kinds.GroupIstioNetworking:
			w := &WorkloadGroup{Meta: Meta{Obj: o}, Spec: &spec.WorkloadGroup{}}
			if len(g.decodeSpec(o, o.Spec(), w.Spec)) == 0 {
				g.workloadGroups = append(g.workloadGroups, w)
			}
		}
	}
}

// Addresses decodes spec.addresses of a Gateway API Gateway.
func (gw *K8sGateway) Addresses() []spec.GatewayAddress {
	if p := preparedOf(gw.Obj); p != nil {
		return p.f().Addresses
	}
	a, _ := addresses(gw.Obj)
	return a
}

func addresses(o *manifest.Object) ([]spec.GatewayAddress, bool) {
	var a spec.GatewayAddresses
	if len(spec.Decode(o.File, o.Spec(), &a)) > 0 {
		return nil, false
	}
	return a.Addresses, true
}

// LabelLoc returns the location of a label key of the site's metadata, or
// the object's name.
func (s AnnotationSite) LabelLoc(key string) manifest.Loc {
	if k, _ := yamlpath.Lookup(yamlpath.Field(s.metadata(), "labels"), key); k != nil {
		return manifest.LocOf(k)
	}
	return s.Obj.NameLoc
}

// DistinctAddresses is Addresses without the IPAddress and Hostname
// addresses that repeat an earlier one. The API server refuses a Gateway
// with such a repeat (MR001 reports it), so Istio never sees it: what Istio
// does with the Gateway is judged on the addresses it has once the repeat
// is removed.
func (gw *K8sGateway) DistinctAddresses() []spec.GatewayAddress {
	type key struct{ typ, value string }
	as := gw.Addresses()
	seen := map[key]bool{}
	out := make([]spec.GatewayAddress, 0, len(as))
	for _, a := range as {
		k := key{AddressType(a), a.Value.V}
		if a.Value.Set && (k.typ == "IPAddress" || k.typ == "Hostname") {
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, a)
	}
	return out
}

// AddressType is the type of a Gateway address, with the API's default,
// IPAddress, for one without.
func AddressType(a spec.GatewayAddress) string {
	if a.Type.V == "" {
		return "IPAddress"
	}
	return a.Type.V
}

// DeploysProxy reports whether Istio deploys the proxy of Gateway gw
// itself (IsManaged, gatewaycommon/gateway_utils.go): no address, or a
// single one of type IPAddress (the default). A Hostname address binds
// the Gateway to a Service deployed by hand. A repeated address is not
// counted twice (DistinctAddresses).
func (gw *K8sGateway) DeploysProxy() bool {
	as := gw.DistinctAddresses()
	return len(as) == 0 || len(as) == 1 && AddressType(as[0]) == "IPAddress"
}

// Unaddressed reports whether Istio binds Gateway gw, of a class it
// translates, to nothing: a Gateway whose proxy it does not deploy is bound
// to the Services of its Hostname addresses, the others ignored
// (extractGatewayServices), and with none of them left Istio does not
// accept it (UnsupportedAddress) and programs nothing for it (MR624's
// error).
func (gw *K8sGateway) Unaddressed() bool {
	if !gw.IstioTranslated() || gw.DeploysProxy() {
		return false
	}
	return !slices.ContainsFunc(gw.DistinctAddresses(), func(a spec.GatewayAddress) bool { return AddressType(a) == "Hostname" })
}

package graph

import (
	"strings"

	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// This file models the Gateway API (gateway.networking.k8s.io): Gateways
// and their listeners, the route kinds, ReferenceGrants and GatewayClasses.
// Manifests usually leave out the fields the API server defaults, so the
// defaults are applied here, once, as the API documents them:
//
//   - a parentRef without group and kind is a gateway.networking.k8s.io
//     Gateway, and an explicit empty group is the core group;
//   - a backendRef (and a certificateRef) without group is in the core group,
//     without kind a Service (a Secret);
//   - a reference without namespace points into the referrer's namespace;
//   - a backendRef without weight has weight 1;
//   - a listener without hostname accepts every hostname, and one without
//     allowedRoutes admits routes of its Gateway's namespace (from: Same), of
//     the kinds its protocol carries;
//   - a listener's tls without mode terminates TLS (mode: Terminate).

// GroupKind names a kind with its API group ("" is the core group).
type GroupKind struct {
	Group string
	Kind  kinds.Kind
}

// String writes the kind alone for the core group and the Gateway API's own
// kinds, and kind.group otherwise (Service.gateway.networking.k8s.io is
// what a Service parentRef without group names).
func (gk GroupKind) String() string {
	if gk.Group == kinds.GroupCore || gk.Group == kinds.GroupGatewayAPI && kinds.Known(gk.Group, gk.Kind) {
		return string(gk.Kind)
	}
	return string(gk.Kind) + "." + gk.Group
}

// The group kinds that references resolve to.
var (
	gkGateway = GroupKind{kinds.GroupGatewayAPI, kinds.K8sGateway}
	gkService = GroupKind{kinds.GroupCore, kinds.Service}
	gkSecret  = GroupKind{kinds.GroupCore, "Secret"}
)

// K8sGateway is a Gateway API Gateway (not Istio's Gateway).
type K8sGateway struct {
	Meta
	Spec *spec.K8sGateway
	// Listeners are the spec listeners, in spec order: those a parentRef
	// to the Gateway selects.
	Listeners []*Listener
	// Merged are the listeners the Gateway serves: its own, then those of
	// ListenerSets, in the API's precedence (listenerset.go). Rules that
	// check listeners walk these, and report at each one's Owner.
	Merged []*Listener
	// ListenerSets are the ListenerSets attached to the Gateway, in
	// precedence order.
	ListenerSets []*ListenerSet
	// Class is the GatewayClass named by gatewayClassName, nil when the
	// input does not hold it.
	Class *GatewayClass
	// FrontendValidations are the client certificate validations of
	// spec.tls.frontend: the default's, then those of perPort, in spec
	// order. Entries without validation are left out. They apply to the
	// listeners of Merged, ListenerSets' included.
	FrontendValidations []*FrontendValidation
	// ClientCertificateRef is spec.tls.backend.clientCertificateRef, the
	// certificate the Gateway presents to backends (default kind Secret);
	// ParametersRef is spec.infrastructure.parametersRef, in the Gateway's
	// namespace, with no default kind. Nil when unset.
	ClientCertificateRef, ParametersRef *ObjectRef
}

// FrontendValidation is a client certificate validation of a Gateway's
// spec.tls.frontend, the default or a perPort entry's, with the listeners
// it applies to.
type FrontendValidation struct {
	Spec *spec.FrontendTLSValidation
	// Port is the perPort entry's port, 0 for the default.
	Port int64
	// CACertificateRefs are caCertificateRefs. They are ObjectReferences:
	// no default kind, so an unset kind stays "".
	CACertificateRefs []*ObjectRef
	// Listeners are the listeners that terminate TLS and take this
	// validation: those on Port, or for the default those on a port no
	// perPort entry names (a perPort entry overrides the default even when
	// it has no validation), less those Istio serves with its built-in
	// certificate. They are the Gateway's own, then those of its
	// ListenerSets, in the merged order (linkFrontendListeners).
	Listeners []*Listener
}

// IstioGatewayController is the controllerName of the GatewayClasses whose
// Gateways Istio deploys as ingress (or egress) gateways.
const IstioGatewayController = "istio.io/gateway-controller"

// builtinClassControllers are the GatewayClasses istiod creates itself,
// with their controllers: a cluster has them whether or not the input
// holds them.
var builtinClassControllers = map[string]string{
	"istio":           IstioGatewayController,
	"istio-waypoint":  "istio.io/mesh-controller",
	"istio-east-west": "istio.io/eastwest-controller",
	"istio-remote":    "istio.io/unmanaged-gateway",
}

// istioTranslatedControllers are the controllers of the classes whose
// Gateways istiod's Gateway API controller translates into Envoy
// configuration (pilot/pkg/config/kube/gateway): ingress and egress
// gateways, waypoints and east-west gateways. The remote class
// (istio.io/unmanaged-gateway) is translated by no one, and agentgateway's
// classes by another controller, with rules of its own.
var istioTranslatedControllers = map[string]bool{
	IstioGatewayController:         true,
	"istio.io/mesh-controller":     true,
	"istio.io/eastwest-controller": true,
}

// IstioTranslated reports whether istiod's Gateway API controller
// translates the Gateway (see istioTranslatedControllers): Istio's
// readings of addresses, listener TLS options and placeholder listeners
// apply to it.
func (gw *K8sGateway) IstioTranslated() bool {
	return istioTranslatedControllers[gw.Controller()]
}

// BuiltinGatewayClass reports whether istiod creates the GatewayClass name
// itself.
func BuiltinGatewayClass(name string) bool {
	_, ok := builtinClassControllers[name]
	return ok
}

// Controller returns the controllerName of the Gateway's class: the
// GatewayClass of the input that gatewayClassName names, else that of the
// class istiod creates under that name, else "" (meshlint cannot tell who
// serves the Gateway).
func (gw *K8sGateway) Controller() string {
	if gw.Class != nil {
		return gw.Class.Spec.ControllerName.V
	}
	return builtinClassControllers[gw.Spec.GatewayClassName.V]
}

// GatewayClass is a Gateway API GatewayClass (cluster-scoped).
type GatewayClass struct {
	Meta
	Spec *spec.GatewayClass
}

// Listener is a listener of a K8sGateway, or of a ListenerSet attached to
// it, with the API's defaults applied.
type Listener struct {
	// Gateway is the Gateway that serves the listener; Set the ListenerSet
	// that declares it, nil for the Gateway's own.
	Gateway *K8sGateway
	Set     *ListenerSet
	Spec    *spec.Listener
	Name    string
	// Hostname is "" when the listener accepts every hostname.
	Hostname string
	Port     int64
	Protocol string
	// From is allowedRoutes.namespaces.from: Same (the default), All or
	// Selector.
	From string
	// Selector is allowedRoutes.namespaces.selector, nil when absent (then
	// From: Selector admits no namespace).
	Selector *labels.Selector
	// Kinds are the route kinds the listener admits: allowedRoutes.kinds
	// restricted to the kinds its protocol carries, or all those kinds.
	// AnyKind is true for implementation-specific protocols, whose route
	// kinds meshlint cannot know.
	Kinds   []GroupKind
	AnyKind bool
	// InvalidKinds are the allowedRoutes.kinds entries that the protocol
	// cannot carry: the listener ignores them and reports ResolvedRefs
	// False (InvalidRouteKinds).
	InvalidKinds []*spec.RouteGroupKind
	// CertificateRefs are tls.certificateRefs.
	CertificateRefs []*ObjectRef
	// Frontend is the client certificate validation of the Gateway's
	// spec.tls.frontend that applies to the listener, nil when none does,
	// the listener does not terminate TLS, or Istio serves it with its
	// built-in certificate (IstioBuiltinCertificate), which skips the
	// validation.
	Frontend *FrontendValidation
}

// TerminatesTLS reports whether the listener terminates TLS: it has a tls
// block whose mode is Terminate, the default. Its certificateRefs and the
// Gateway's client certificate validation apply to it, not to listeners
// in Passthrough mode.
func (l *Listener) TerminatesTLS() bool {
	tls := l.Spec.TLS
	return tls != nil && (!tls.Mode.Set || tls.Mode.V == "Terminate")
}

// IstioTerminateModeOption is the listener TLS option by which Istio's
// gateways pick how a listener terminates TLS.
const IstioTerminateModeOption = "gateway.istio.io/tls-terminate-mode"

// IstioBuiltinCertificate reports whether the listener, of a Gateway that
// Istio translates, serves the gateway's own workload certificate: its
// tls-terminate-mode option is ISTIO_SIMPLE or ISTIO_MUTUAL. Istio's
// buildTLS returns as soon as it reads either value: it reads neither the
// listener's certificateRefs nor the Gateway's client certificate
// validation, so nothing wrong with them matters.
func (l *Listener) IstioBuiltinCertificate() bool {
	if !l.TerminatesTLS() || !l.Gateway.IstioTranslated() {
		return false
	}
	m := l.Spec.TLS.Options[IstioTerminateModeOption]
	return m == "ISTIO_SIMPLE" || m == "ISTIO_MUTUAL"
}

// Placeholder reports whether Istio builds nothing for the listener: an
// HTTPS listener without tls, of a Gateway (or of a ListenerSet of a
// Gateway) that Istio translates. The API lets a Gateway declare such a
// listener for ListenerSets to fill; Istio's buildListener makes no server
// of it, so it is no route parent (gateway_collection.go skips it), and a
// ListenerSet's is not accepted either (gatewayapi-listener-protocol-
// unsupported). buildListener skips a TLS listener without tls alike, but
// the API server refuses its Gateway or ListenerSet before Istio sees it
// (gatewayapi-crd-validation reports it): the listener is judged as it is
// once tls is added, when routes attach to it.
func (l *Listener) Placeholder() bool {
	return l.Spec.TLS == nil && l.Protocol == "HTTPS" && l.Gateway.IstioTranslated()
}

// ObjectRef is a reference from a Gateway API object to another object,
// with the API's defaults applied.
type ObjectRef struct {
	GroupKind
	Namespace, Name string
	// CrossNamespace is true when the target is in another namespace than
	// the referring object.
	CrossNamespace bool
	// Loc is the reference; NameLoc and NamespaceLoc its fields (zero when
	// not written).
	Loc, NameLoc, NamespaceLoc spec.Loc
	// Grant is the ReferenceGrant that permits a cross-namespace reference,
	// nil when there is none (and for references that need none).
	Grant *ReferenceGrant
}

// GatewayRoute is a Gateway API route: an HTTPRoute, GRPCRoute, TCPRoute,
// TLSRoute or UDPRoute (see Kind).
type GatewayRoute struct {
	Meta
	Spec *spec.GatewayRoute
	// Parents are the resolved parentRefs, in spec order.
	Parents []*ParentRef
	// Rules are the resolved rules, in spec order.
	Rules []*GatewayRouteRule
}

// Kind is the route's kind, HTTPRoute for example.
func (r *GatewayRoute) Kind() kinds.Kind { return r.Obj.Kind }

// GroupKind is the route's kind in the Gateway API group.
func (r *GatewayRoute) GroupKind() GroupKind {
	return GroupKind{kinds.GroupGatewayAPI, r.Obj.Kind}
}

// HasHostnames reports whether the route kind matches on hostnames (TCP
// and UDP routes do not).
func (r *GatewayRoute) HasHostnames() bool {
	switch r.Kind() {
	case kinds.HTTPRoute, kinds.GRPCRoute, kinds.TLSRoute:
		return true
	}
	return false
}

// ParentRef is a resolved parentRefs entry.
type ParentRef struct {
	ObjectRef
	Spec *spec.ParentRef
	// SectionName and Port narrow the reference to listeners (of a
	// Gateway) or ports (of a Service); "" and 0 when unset.
	SectionName string
	Port        int64
	// Gateway is the Gateway found for a Gateway reference, or the
	// Gateway of the ListenerSet found for a ListenerSet reference when
	// the ListenerSet is attached to it; Service the Service found for a
	// Service reference (a mesh route); nil otherwise.
	Gateway     *K8sGateway
	ListenerSet *ListenerSet
	Service     *Service
	// Listeners are the listeners of the Gateway (of the ListenerSet) that
	// sectionName and port select: all of them when neither is set.
	// Placeholders (Listener.Placeholder) are left out: Istio makes no
	// route parent of them, so a parentRef cannot select them.
	Listeners []*Listener
	// Placeholders are the placeholder listeners that sectionName and
	// port select, kept apart to say why the parentRef selects nothing.
	Placeholders []*Listener
	// Attached are those of Listeners that admit the route: its kind, and
	// its namespace (or meshlint cannot tell, see AdmitsNamespace).
	Attached []*Listener
	// ServicePort is the port of Service that sectionName and port select
	// (nil when neither is set, or nothing matches).
	ServicePort *spec.ServicePort
}

// IsGateway reports whether the reference is to a Gateway API Gateway.
func (p *ParentRef) IsGateway() bool { return p.GroupKind == gkGateway }

// IsListenerSet reports whether the reference is to a ListenerSet.
func (p *ParentRef) IsListenerSet() bool { return p.GroupKind == gkListenerSet }

// IsService reports whether the reference is to a core Service.
func (p *ParentRef) IsService() bool { return p.GroupKind == gkService }

// IsMesh reports whether the reference attaches the route to the mesh
// rather than to a Gateway: a core Service (GAMMA), or Istio's
// ServiceEntry, which Istio treats alike (extractParentReferenceInfo).
func (p *ParentRef) IsMesh() bool {
	return p.IsService() || p.GroupKind == GroupKind{kinds.GroupIstioNetworking, kinds.ServiceEntry}
}

// NeedsGrants reports whether the route's cross-namespace backendRefs need
// a ReferenceGrant: whether it has a parent that is not a mesh parent. A
// mesh route needs none (GEP-1294), and Istio checks grants only when it
// builds a route for its Gateway parents (convertHTTPRoute and the others
// take enforceRefGrant = !mesh, route_collections.go). A route with both
// kinds of parents is built twice, and only the Gateways' build refuses an
// ungranted backend.
func (r *GatewayRoute) NeedsGrants() bool {
	for _, p := range r.Parents {
		if !p.IsMesh() {
			return true
		}
	}
	return false
}

// GatewayRouteRule is a rule of a route.
type GatewayRouteRule struct {
	Spec  *spec.GatewayRouteRule
	Index int
	// Backends are the rule's backendRefs, in spec order.
	Backends []*BackendRef
	// Mirrors are the backendRefs of the RequestMirror filters of the rule
	// and of its backends. A backend's filters are implementation-specific:
	// Istio takes none but header modifiers there, and refuses the whole
	// route for a mirror (gatewayapi-route-filter-unsupported).
	Mirrors []*BackendRef
}

// BackendFilter is a filter of a backendRef of a rule, with that backend.
type BackendFilter struct {
	Backend *BackendRef
	Spec    *spec.GatewayRouteFilter
}

// BackendFilters returns the filters of the rule's backendRefs, in spec
// order. The API leaves the filters a backend may carry to the
// implementation.
func (r *GatewayRouteRule) BackendFilters() []BackendFilter {
	var out []BackendFilter
	for _, b := range r.Backends {
		for i := range b.Spec.Filters {
			out = append(out, BackendFilter{b, &b.Spec.Filters[i]})
		}
	}
	return out
}

// BackendRef is a resolved backendRef.
type BackendRef struct {
	ObjectRef
	Spec *spec.BackendRef
	// Port is the port field as written.
	Port spec.Int
	// Weight is the effective weight: the written one, else 1. Mirrors
	// have none.
	Weight int64
	Mirror bool
	// MirrorSpec is the RequestMirror filter of a mirror, whose percent
	// or fraction says how many requests it copies (MirrorPercent).
	MirrorSpec *spec.RequestMirror
	// Service is the Service found for a Service reference, else nil.
	Service *Service
}

// MirrorPercent returns the percentage of requests a mirror copies, as
// Istio's createMirrorFilter makes it: a fraction's
// 100*numerator/denominator (the API defaults the denominator to 100),
// read before percent, else percent, else 100. ok is false for a
// denominator below 1, which the API refuses and from which Istio would
// make no sensible percentage. A reference that is no mirror copies none.
func (b *BackendRef) MirrorPercent() (pct float64, ok bool) {
	m := b.MirrorSpec
	switch {
	case !b.Mirror:
		return 0, true
	case m == nil:
		return 100, true
	case m.Fraction != nil:
		den := int64(100)
		if m.Fraction.Denominator.Set {
			den = m.Fraction.Denominator.V
		}
		if den < 1 {
			return 0, false
		}
		return 100 * float64(m.Fraction.Numerator.V) / float64(den), true
	case m.Percent.Set:
		return float64(m.Percent.V), true
	}
	return 100, true
}

// IsService reports whether the reference is to a core Service.
func (b *BackendRef) IsService() bool { return b.GroupKind == gkService }

// ReferenceGrant is a Gateway API ReferenceGrant.
type ReferenceGrant struct {
	Meta
	Spec *spec.ReferenceGrant
}

// addGatewayAPI decodes the Gateway API objects of the input and resolves
// their references; it runs once Services and Namespaces are in place.
func (g *Graph) addGatewayAPI() {
	var routes []*manifest.Object
	for _, o := range g.Objects {
		if o.Group != kinds.GroupGatewayAPI {
			continue
		}
		m := Meta{Obj: o}
		switch o.Kind {
		case kinds.K8sGateway:
			gw := &K8sGateway{Meta: m, Spec: &spec.K8sGateway{}}
			if decodeInto(g, o, o.Spec(), &gw.Spec) {
				g.K8sGateways = append(g.K8sGateways, gw)
			}
		case kinds.GatewayClass:
			gc := &GatewayClass{Meta: m}
			if decodeInto(g, o, o.Spec(), &gc.Spec) {
				g.GatewayClasses = append(g.GatewayClasses, gc)
			}
		case kinds.ReferenceGrant:
			rg := &ReferenceGrant{Meta: m}
			if decodeInto(g, o, o.Spec(), &rg.Spec) {
				g.ReferenceGrants = append(g.ReferenceGrants, rg)
			}
		case kinds.ListenerSet:
			g.addListenerSet(o)
		case kinds.HTTPRoute, kinds.GRPCRoute, kinds.TCPRoute, kinds.TLSRoute, kinds.UDPRoute:
			routes = append(routes, o)
		}
	}
	for _, gw := range g.K8sGateways {
		g.linkK8sGateway(gw)
	}
	g.linkListenerSets()
	for _, o := range routes {
		r := &GatewayRoute{Meta: Meta{Obj: o}}
		if decodeInto(g, o, o.Spec(), &r.Spec) {
			g.takeOverRoute(r)
			g.addGatewayRoute(r)
		}
	}
	g.addFlaggerRoutes()
}

// addGatewayRoute adds a route whose Spec is set, of the input or derived
// (flagger_gatewayapi.go), with its references resolved.
func (g *Graph) addGatewayRoute(r *GatewayRoute) {
	g.linkGatewayRoute(r)
	g.GatewayRoutes = append(g.GatewayRoutes, r)
}

func (g *Graph) linkK8sGateway(gw *K8sGateway) {
	for _, gc := range g.GatewayClasses {
		if gc.Name() == gw.Spec.GatewayClassName.V {
			gw.Class = gc
		}
	}
	for i := range gw.Spec.Listeners {
		gw.Listeners = append(gw.Listeners, g.newListener(gw, &gw.Spec.Listeners[i], nil))
	}
	g.linkFrontendValidations(gw)
	g.linkGatewayRefs(gw)
}

// linkGatewayRefs resolves the Gateway's references that are no
// listener's: a cross-namespace client certificate needs a ReferenceGrant
// from the Gateway, as certificateRefs do (GatewayBackendTLS); parameters
// are always local.
func (g *Graph) linkGatewayRefs(gw *K8sGateway) {
	if t := gw.Spec.TLS; t != nil && t.Backend != nil && t.Backend.ClientCertificateRef != nil {
		c := t.Backend.ClientCertificateRef
		ref := g.objectRef(gw.Namespace(), c.Group, c.Kind, gkSecret, c.Namespace, c.Name, c.Loc)
		if ref.CrossNamespace {
			ref.Grant = g.GrantFor(gkGateway, gw.Namespace(), ref)
		}
		gw.ClientCertificateRef = ref
	}
	if in := gw.Spec.Infrastructure; in != nil && in.ParametersRef != nil {
		pr := in.ParametersRef
		gw.ParametersRef = g.objectRef(gw.Namespace(), pr.Group, pr.Kind, GroupKind{}, spec.Str{}, pr.Name, pr.Loc)
	}
}

// newListener builds a listener of Gateway gw, declared by the Gateway
// itself (set is nil) or by ListenerSet set.
func (g *Graph) newListener(gw *K8sGateway, ls *spec.Listener, set *ListenerSet) *Listener {
	l := &Listener{
		Gateway:  gw,
		Set:      set,
		Spec:     ls,
		Name:     ls.Name.V,
		Hostname: strings.ToLower(ls.Hostname.V),
		Port:     ls.Port.V,
		Protocol: ls.Protocol.V,
		From:     "Same",
	}
	var written []spec.RouteGroupKind
	if ar := ls.AllowedRoutes; ar != nil {
		written = ar.Kinds
		if ns := ar.Namespaces; ns != nil {
			if ns.From.V != "" {
				l.From = ns.From.V
			}
			if ns.Selector != nil {
				s := Selector(ns.Selector)
				l.Selector = &s
			}
		}
	}
	l.Kinds, l.InvalidKinds, l.AnyKind = listenerKinds(l.Protocol, ls.TLS, written)
	if ls.TLS != nil {
		// A ListenerSet's references need grants to the ListenerSet:
		// those to its Gateway are not inherited.
		from := gkGateway
		if set != nil {
			from = gkListenerSet
		}
		for j := range ls.TLS.CertificateRefs {
			c := &ls.TLS.CertificateRefs[j]
			ref := g.objectRef(l.Namespace(), c.Group, c.Kind, gkSecret, c.Namespace, c.Name, c.Loc)
			if ref.CrossNamespace {
				ref.Grant = g.GrantFor(from, l.Namespace(), ref)
			}
			l.CertificateRefs = append(l.CertificateRefs, ref)
		}
	}
	return l
}

// linkFrontendValidations resolves the CA certificate references of the
// validations of a Gateway's spec.tls.frontend. A cross-namespace
// reference needs a ReferenceGrant from the Gateway, as certificateRefs do
// (FrontendTLSValidation.CACertificateRefs). The listeners each applies to
// are set once the ListenerSets are merged (linkFrontendListeners).
func (g *Graph) linkFrontendValidations(gw *K8sGateway) {
	if gw.Spec.TLS == nil || gw.Spec.TLS.Frontend == nil {
		return
	}
	f := gw.Spec.TLS.Frontend
	add := func(v *spec.FrontendTLSValidation, port int64) {
		if v == nil {
			return
		}
		fv := &FrontendValidation{Spec: v, Port: port}
		for i := range v.CACertificateRefs {
			c := &v.CACertificateRefs[i]
			ref := g.objectRef(gw.Namespace(), c.Group, c.Kind, GroupKind{}, c.Namespace, c.Name, c.Loc)
			if ref.CrossNamespace {
				ref.Grant = g.GrantFor(gkGateway, gw.Namespace(), ref)
			}
			fv.CACertificateRefs = append(fv.CACertificateRefs, ref)
		}
		gw.FrontendValidations = append(gw.FrontendValidations, fv)
	}
	add(f.Default.Validation, 0)
	seen := map[int64]bool{}
	for i := range f.PerPort {
		pp := &f.PerPort[i]
		if seen[pp.Port.V] {
			continue // the API server rejects a port named twice
		}
		seen[pp.Port.V] = true
		add(pp.TLS.Validation, pp.Port.V)
	}
}

// linkFrontendListeners sets the listeners that each client certificate
// validation of the Gateway applies to: those of its merged list that
// terminate TLS, so the listeners of its ListenerSets too. The API applies
// spec.tls.frontend to "all Listeners handling HTTPS traffic" on a port,
// and the Gateway has the merged list of listeners (ListenerSetSpec);
// GEP-91 made the validation per port because connections are shared by
// every listener of a port, which a ListenerSet's listeners are too. Istio
// builds a ListenerSet's listeners with its parent Gateway's spec.tls
// (buildListener from the ListenerSet collection, resolveGatewayTLS); it
// skips the validation of a listener it serves with its built-in
// certificate (IstioBuiltinCertificate).
func (g *Graph) linkFrontendListeners(gw *K8sGateway) {
	if gw.Spec.TLS == nil || gw.Spec.TLS.Frontend == nil {
		return
	}
	for _, l := range gw.Merged {
		if !l.TerminatesTLS() || l.IstioBuiltinCertificate() {
			continue
		}
		l.Frontend = gw.frontendFor(l.Port)
		if l.Frontend != nil {
			l.Frontend.Listeners = append(l.Frontend.Listeners, l)
		}
	}
}

// frontendFor returns the client certificate validation that applies on
// port: that of the first perPort entry of the port, as Istio's
// resolveGatewayTLS takes it (a perPort entry overrides the default even
// when it has no validation), else the default's; nil when that has none.
func (gw *K8sGateway) frontendFor(port int64) *FrontendValidation {
	f := gw.Spec.TLS.Frontend
	v := f.Default.Validation
	for i := range f.PerPort {
		if f.PerPort[i].Port.V == port {
			v = f.PerPort[i].TLS.Validation
			break
		}
	}
	for _, fv := range gw.FrontendValidations {
		if v != nil && fv.Spec == v {
			return fv
		}
	}
	return nil
}

// protocolKinds are the route kinds each core listener protocol carries.
// TLS listeners take TLSRoutes, and TCPRoutes too when they terminate TLS
// (see carriedKinds).
var protocolKinds = map[string][]kinds.Kind{
	"HTTP":  {kinds.HTTPRoute, kinds.GRPCRoute},
	"HTTPS": {kinds.HTTPRoute, kinds.GRPCRoute},
	"TLS":   {kinds.TLSRoute},
	"TCP":   {kinds.TCPRoute},
	"UDP":   {kinds.UDPRoute},
}

// carriedKinds returns the route kinds a listener of a core protocol
// carries, and false for other protocols. A TLS listener carries TCPRoutes
// besides TLSRoutes only when it terminates TLS: the API says "SSL
// passthrough is only supported by TLSRoute" (TLSModePassthrough), and
// Istio lists TCPRoute among a TLS listener's supported kinds only for
// mode Terminate, which is the default of a tls block without mode.
func carriedKinds(protocol string, tls *spec.ListenerTLS) ([]kinds.Kind, bool) {
	carried, core := protocolKinds[protocol]
	if protocol == "TLS" && tls != nil && (!tls.Mode.Set || tls.Mode.V == "Terminate") {
		carried = []kinds.Kind{kinds.TLSRoute, kinds.TCPRoute}
	}
	return carried, core
}

// listenerKinds returns the route kinds a listener admits: the written
// allowedRoutes.kinds that its protocol can carry, else every kind its
// protocol carries; and the written entries it cannot carry. A protocol
// outside the core ones admits any kind.
func listenerKinds(protocol string, tls *spec.ListenerTLS, written []spec.RouteGroupKind) (admitted []GroupKind, invalid []*spec.RouteGroupKind, anyKind bool) {
	carried, core := carriedKinds(protocol, tls)
	if !core {
		return nil, nil, true
	}
	if len(written) == 0 {
		for _, k := range carried {
			admitted = append(admitted, GroupKind{kinds.GroupGatewayAPI, k})
		}
		return admitted, nil, false
	}
	for i := range written {
		w := &written[i]
		gk := GroupKind{kinds.GroupGatewayAPI, kinds.Kind(w.Kind.V)}
		if w.Group.Set {
			gk.Group = w.Group.V
		}
		ok := false
		for _, k := range carried {
			if gk == (GroupKind{kinds.GroupGatewayAPI, k}) {
				admitted = append(admitted, gk)
				ok = true
			}
		}
		if !ok {
			invalid = append(invalid, w)
		}
	}
	return admitted, invalid, false
}

// AdmitsKind reports whether the listener admits routes of kind gk.
func (l *Listener) AdmitsKind(gk GroupKind) bool {
	if l.AnyKind {
		return true
	}
	for _, k := range l.Kinds {
		if k == gk {
			return true
		}
	}
	return false
}

// AcceptsHostname reports whether a route hostname h intersects the
// listener's hostname. A listener without hostname, or of a protocol
// without hostnames (TCP, UDP), accepts every name. A wildcard matches on
// label boundaries, any number of labels deep: "*.example.com" takes
// "foo.example.com" and "a.b.example.com" but not "example.com"; a route
// wildcard and a listener name intersect the same way, in either
// direction, as the API's hostname intersection does.
func (l *Listener) AcceptsHostname(h string) bool {
	if l.Hostname == "" || l.Protocol == "TCP" || l.Protocol == "UDP" {
		return true
	}
	return host.Matches(l.Hostname, strings.ToLower(h))
}

// HostnameTakenBy returns the listener that receives the requests for
// route hostname h, which listener l accepts, instead of l: the most
// specific other listener of l's Gateway (of its ListenerSet, for one of
// a ListenerSet) on l's port and protocol whose hostname covers all of h.
// The API sends a request to the most specific listener whose hostname
// matches (GatewaySpec.listeners, "Listeners that are distinct only by
// Hostname"), so a route reaches those names only through that listener;
// nil when none takes h. Only a wildcard listener, or one without
// hostname, loses names so. This is Istio's hostnameAllowedByIsolation
// (pilot/pkg/config/kube/gateway/conversion.go), with the same listeners
// compared (those of the parentRef's Gateway or ListenerSet, on its port
// and protocol): it drops h from the route's configuration for l, and says
// so in no status.
func (l *Listener) HostnameTakenBy(h string) *Listener {
	if l.Hostname != "" && !host.IsWildcard(l.Hostname) {
		return nil
	}
	siblings := l.Gateway.Listeners
	if l.Set != nil {
		siblings = l.Set.Listeners
	}
	h = strings.ToLower(h)
	var by *Listener
	for _, m := range siblings {
		if m == l || m.Port != l.Port || m.Protocol != l.Protocol || m.Hostname == l.Hostname || len(m.Hostname) < len(l.Hostname) {
			continue
		}
		if (m.Protocol == "HTTPS" || m.Protocol == "TLS") && m.Spec.TLS == nil {
			continue // a placeholder for ListenerSets: Istio builds no listener for it
		}
		if host.SubsetOf(h, m.Hostname) && (by == nil || len(m.Hostname) > len(by.Hostname)) {
			by = m
		}
	}
	return by
}

// AdmitsNamespace reports whether the listener's allowedRoutes admit routes
// of namespace ns, and whether meshlint can tell. It cannot when From is
// Selector and ns has no Namespace object in the input, so that its labels
// are unknown, unless the world is closed (then ns carries only its
// automatic kubernetes.io/metadata.name label).
func (g *Graph) AdmitsNamespace(l *Listener, ns string) (admitted, known bool) {
	switch l.From {
	case "All":
		return true, true
	case "Same":
		return ns == l.Namespace(), true
	case "Selector":
		if l.Selector == nil {
			return false, true
		}
		return g.namespaceSelected(l.Selector, ns)
	case "None":
		return false, true
	}
	// An unknown value: the API server rejects it.
	return false, false
}

func (g *Graph) linkGatewayRoute(r *GatewayRoute) {
	ns := r.Namespace()
	for i := range r.Spec.ParentRefs {
		pr := &r.Spec.ParentRefs[i]
		p := &ParentRef{Spec: pr, SectionName: pr.SectionName.V, Port: pr.Port.V}
		p.ObjectRef = *g.objectRef(ns, pr.Group, pr.Kind, gkGateway, pr.Namespace, pr.Name, pr.Loc)
		if !pr.Group.Set {
			p.Group = kinds.GroupGatewayAPI
		}
		switch {
		case p.IsGateway():
			g.linkGatewayParent(r, p)
		case p.IsListenerSet():
			g.linkListenerSetParent(r, p)
		case p.IsService():
			p.Service = g.serviceNamed(p.Namespace, p.Name)
			if p.Service != nil && (p.SectionName != "" || p.Port != 0) {
				for j := range p.Service.Spec.Ports {
					sp := &p.Service.Spec.Ports[j]
					if (p.SectionName == "" || sp.Name.V == p.SectionName) && (p.Port == 0 || sp.Port.V == p.Port) {
						p.ServicePort = sp
						break
					}
				}
			}
		}
		r.Parents = append(r.Parents, p)
	}
	for i := range r.Spec.Rules {
		rs := &r.Spec.Rules[i]
		rule := &GatewayRouteRule{Spec: rs, Index: i}
		addMirrors := func(fs []spec.GatewayRouteFilter) {
			for _, f := range fs {
				if f.RequestMirror != nil && f.RequestMirror.BackendRef != nil {
					b := g.backendRef(r, f.RequestMirror.BackendRef)
					b.Mirror, b.Weight, b.MirrorSpec = true, 0, f.RequestMirror
					rule.Mirrors = append(rule.Mirrors, b)
				}
			}
		}
		addMirrors(rs.Filters)
		for j := range rs.BackendRefs {
			br := &rs.BackendRefs[j]
			rule.Backends = append(rule.Backends, g.backendRef(r, br))
			addMirrors(br.Filters)
		}
		r.Rules = append(r.Rules, rule)
	}
}

func (g *Graph) linkGatewayParent(r *GatewayRoute, p *ParentRef) {
	for _, gw := range g.K8sGateways {
		if gw.Namespace() == p.Namespace && gw.Name() == p.Name {
			p.Gateway = gw
			break
		}
	}
	if p.Gateway != nil {
		g.selectListeners(r, p, p.Gateway.Listeners)
	}
}

// selectListeners sets the listeners of ls that parentRef p of route r
// selects, and those of them it attaches to.
func (g *Graph) selectListeners(r *GatewayRoute, p *ParentRef, ls []*Listener) {
	for _, l := range ls {
		if (p.SectionName != "" && l.Name != p.SectionName) || (p.Port != 0 && l.Port != p.Port) {
			continue
		}
		if l.Placeholder() {
			p.Placeholders = append(p.Placeholders, l)
			continue
		}
		p.Listeners = append(p.Listeners, l)
		if !l.AdmitsKind(r.GroupKind()) {
			continue
		}
		if ok, known := g.AdmitsNamespace(l, r.Namespace()); ok || !known {
			p.Attached = append(p.Attached, l)
		}
	}
}

func (g *Graph) backendRef(r *GatewayRoute, br *spec.BackendRef) *BackendRef {
	b := &BackendRef{Spec: br, Port: br.Port, Weight: 1}
	b.ObjectRef = *g.objectRef(r.Namespace(), br.Group, br.Kind, gkService, br.Namespace, br.Name, br.Loc)
	if br.Weight.Set {
		b.Weight = br.Weight.V
	}
	if b.IsService() {
		b.Service = g.serviceNamed(b.Namespace, b.Name)
	}
	if b.CrossNamespace {
		b.Grant = g.GrantFor(r.GroupKind(), r.Namespace(), &b.ObjectRef)
	}
	return b
}

// objectRef applies the defaults of a reference written in namespace own:
// an unset or empty group is the core group (callers that default to
// another group override it), an unset kind is def's, and an unset
// namespace is own.
func (g *Graph) objectRef(own string, group, kind spec.Str, def GroupKind, ns, name spec.Str, loc spec.Loc) *ObjectRef {
	ref := &ObjectRef{
		GroupKind: GroupKind{Group: group.V, Kind: kinds.Kind(kind.V)},
		Namespace: own,
		Name:      name.V,
		Loc:       loc,
		NameLoc:   name.Loc,
	}
	if !kind.Set || kind.V == "" {
		ref.GroupKind = GroupKind{Group: group.V, Kind: def.Kind}
		if !group.Set {
			ref.Group = def.Group
		}
	}
	if ns.Set && ns.V != "" {
		ref.Namespace, ref.NamespaceLoc = ns.V, ns.Loc
	}
	ref.CrossNamespace = ref.Namespace != own
	return ref
}

// serviceNamed returns the Service ns/name, or nil.
func (g *Graph) serviceNamed(ns, name string) *Service {
	for _, s := range g.servicesByHost[name+"."+ns+".svc."+g.Mesh.ClusterDomain] {
		if s.Namespace() == ns && s.Name() == name {
			return s
		}
	}
	return nil
}

// servicesNamed returns every definition of the Service of this namespace
// and name, in input order.
func (g *Graph) servicesNamed(ns, name string) []*Service {
	var out []*Service
	for _, s := range g.servicesByHost[name+"."+ns+".svc."+g.Mesh.ClusterDomain] {
		if s.Namespace() == ns && s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// serviceFor returns the definition of the Service of this namespace and
// name that definition from of the object that names it goes with
// (Counterpart), or nil.
func (g *Graph) serviceFor(from *manifest.Object, ns, name string) *Service {
	defs := g.servicesNamed(ns, name)
	if defs == nil {
		return nil
	}
	return Counterpart(g, from, defs)
}

// GrantFor returns a ReferenceGrant of the target's namespace that lets
// objects of kind from in namespace fromNS refer to the target, or nil. A
// grant's "to" entry without name covers every object of its kind.
func (g *Graph) GrantFor(from GroupKind, fromNS string, to *ObjectRef) *ReferenceGrant {
	for _, rg := range g.ReferenceGrants {
		if rg.Namespace() != to.Namespace {
			continue
		}
		trusted := false
		for _, f := range rg.Spec.From {
			if f.Group.V == from.Group && kinds.Kind(f.Kind.V) == from.Kind && f.Namespace.V == fromNS {
				trusted = true
				break
			}
		}
		if !trusted {
			continue
		}
		for _, t := range rg.Spec.To {
			if t.Group.V == to.Group && kinds.Kind(t.Kind.V) == to.Kind && (t.Name.V == "" || t.Name.V == to.Name) {
				return rg
			}
		}
	}
	return nil
}

// HasGatewayAPIKind reports whether the input holds at least one object of
// Gateway API kind k in namespace ns ("" for any namespace). It is HasKind
// for the gateway.networking.k8s.io group, whose Gateway shares its kind
// name with Istio's.
func (g *Graph) HasGatewayAPIKind(k kinds.Kind, ns string) bool {
	return g.present[presentKey{true, k, ns}]
}

// Describes reports whether the input holds objects of namespace ns other
// than its Namespace object: whether that namespace's configuration is in
// view. Cluster-scoped kinds do not count.
func (g *Graph) Describes(ns string) bool { return g.described[ns] }

// K8sGatewaysNamed returns the Gateway API Gateways called name, in any
// namespace, in input order.
func (g *Graph) K8sGatewaysNamed(name string) []*K8sGateway {
	var out []*K8sGateway
	for _, gw := range g.K8sGateways {
		if gw.Name() == name {
			out = append(out, gw)
		}
	}
	return out
}

// ServicesNamed returns the Services called name, in any namespace, in
// input order.
func (g *Graph) ServicesNamed(name string) []*Service {
	var out []*Service
	for _, s := range g.Services {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

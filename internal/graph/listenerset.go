package graph

import (
	"cmp"
	"slices"
	"time"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/yamlpath"
)

// This file models the Gateway API's ListenerSet: listeners that attach to
// a Gateway (spec.parentRef) when the Gateway's spec.allowedListeners admit
// the ListenerSet's namespace. The API's semantics, from its type comments
// (apis/v1/listenerset_types.go):
//
//   - a Gateway admits no ListenerSet unless allowedListeners says so
//     (namespaces.from defaults to None); Same, All and Selector work as
//     a listener's allowedRoutes do;
//   - the Gateway serves the merged list of its own listeners and those of
//     its attached ListenerSets, in this precedence: the Gateway's, then
//     the ListenerSets' by creation time (oldest first), then by
//     "{namespace}/{name}". A listener that conflicts with one of higher
//     precedence is the one that is Conflicted;
//   - listener names are unique within their Gateway or ListenerSet only;
//   - a route attaches to a ListenerSet's listeners through a parentRef of
//     kind ListenerSet (sectionName picks a listener); a parentRef to the
//     Gateway selects the Gateway's own listeners only, as Istio does;
//   - a listener's allowedRoutes from: Same means the ListenerSet's
//     namespace, and its cross-namespace certificateRefs need a
//     ReferenceGrant from the ListenerSet (grants to the Gateway are not
//     inherited);
//   - the Gateway's client certificate validation (spec.tls.frontend)
//     applies to the ListenerSets' listeners on its ports as to its own
//     (linkFrontendListeners).

var gkListenerSet = GroupKind{kinds.GroupGatewayAPI, kinds.ListenerSet}

// ListenerSet is a Gateway API ListenerSet.
type ListenerSet struct {
	Meta
	Spec *spec.ListenerSet
	// Parent is spec.parentRef with the API's defaults applied, nil when
	// it is not written (a schema error).
	Parent *ObjectRef
	// Gateway is the Gateway Parent names, nil when the input does not
	// hold it or Parent is not a Gateway; of its definitions, the one the
	// ListenerSet goes with (Counterpart).
	Gateway *K8sGateway
	// Allowed reports whether the Gateway's allowedListeners admit the
	// ListenerSet's namespace; AllowedKnown is false when meshlint cannot
	// tell (a namespace selector, and labels the input does not show).
	Allowed, AllowedKnown bool
	// Listeners are the spec listeners, in spec order, built when Gateway
	// is found: their Gateway is the parent and their Set this.
	Listeners []*Listener
	// Created is metadata.creationTimestamp, zero when the manifest does
	// not carry it (the API server sets it).
	Created time.Time
}

// Attached reports whether the ListenerSet's listeners join its Gateway's:
// the Gateway is found, its class takes ListenerSets, and it admits this
// one or meshlint cannot tell that it does not.
func (ls *ListenerSet) Attached() bool {
	return ls.Gateway != nil && ls.Gateway.SupportsListenerSets() && (ls.Allowed || !ls.AllowedKnown)
}

// SupportsListenerSets reports whether the controller of a Gateway's class
// attaches ListenerSets, false for the classes of Istio that do not
// (ClassInfo.SupportsListenerSet of istio.io/istio: waypoints, east-west
// and remote gateways). Other controllers are assumed to.
func (gw *K8sGateway) SupportsListenerSets() bool {
	switch gw.Controller() {
	case "istio.io/mesh-controller", "istio.io/eastwest-controller", "istio.io/unmanaged-gateway":
		return false
	}
	return true
}

// Owner is the object that declares the listener: its ListenerSet, else
// its Gateway.
func (l *Listener) Owner() *manifest.Object {
	if l.Set != nil {
		return l.Set.Obj
	}
	return l.Gateway.Obj
}

// Namespace is the namespace of the listener's owner: the one its
// allowedRoutes from: Same admits, and from which its certificateRefs
// are made.
func (l *Listener) Namespace() string { return l.Owner().Namespace }

// OwnerText names the listener's owner for messages: "Gateway ns/name" or
// "ListenerSet ns/name".
func (l *Listener) OwnerText() string {
	o := l.Owner()
	return string(o.Kind) + " " + o.Namespace + "/" + o.Name
}

// addListenerSet decodes a ListenerSet object.
func (g *Graph) addListenerSet(o *manifest.Object) {
	ls := &ListenerSet{Meta: Meta{Obj: o}}
	if !decodeInto(g, o, o.Spec(), &ls.Spec) {
		return
	}
	created := creationTimestamp(o)
	if p := preparedOf(o); p != nil && !g.recording {
		created = p.f().Created
	}
	// A timestamp that does not parse is a schema error (MR001); it is
	// read as none.
	ls.Created, _ = time.Parse(time.RFC3339, created)
	g.ListenerSets = append(g.ListenerSets, ls)
}

// creationTimestamp is metadata.creationTimestamp of an object whose nodes
// are still there, "" when absent.
func creationTimestamp(o *manifest.Object) string {
	if ts := yamlpath.Field(yamlpath.Field(o.Node, "metadata"), "creationTimestamp"); ts != nil {
		return manifest.Intern(ts.Value) // kept after the file's buffer is reused
	}
	return ""
}

// linkListenerSets resolves the ListenerSets' parents, builds their
// listeners and appends those of the attached ones to their Gateways'
// merged lists, in the API's precedence; then it gives the merged
// listeners their Gateway's client certificate validations. It runs after
// every Gateway is linked.
func (g *Graph) linkListenerSets() {
	for _, gw := range g.K8sGateways {
		gw.Merged = append([]*Listener(nil), gw.Listeners...)
	}
	for _, ls := range g.ListenerSets {
		g.linkListenerSet(ls)
	}
	sets := append([]*ListenerSet(nil), g.ListenerSets...)
	slices.SortStableFunc(sets, func(a, b *ListenerSet) int {
		// Two definitions of a ListenerSet that one Gateway takes are
		// in the order they are written, not read.
		return cmp.Or(ComparePrecedence(a.Created, a.Namespace()+"/"+a.Name(), b.Created, b.Namespace()+"/"+b.Name()),
			CompareDefinitions(a.Obj, b.Obj))
	})
	for _, ls := range sets {
		if ls.Attached() {
			ls.Gateway.ListenerSets = append(ls.Gateway.ListenerSets, ls)
			ls.Gateway.Merged = append(ls.Gateway.Merged, ls.Listeners...)
		}
	}
	for _, gw := range g.K8sGateways {
		g.linkFrontendListeners(gw)
	}
}

func (g *Graph) linkListenerSet(ls *ListenerSet) {
	pr := ls.Spec.ParentRef
	if pr == nil {
		return
	}
	ls.Parent = g.objectRef(ls.Namespace(), pr.Group, pr.Kind, gkGateway, pr.Namespace, pr.Name, pr.Loc)
	if !pr.Group.Set {
		ls.Parent.Group = kinds.GroupGatewayAPI
	}
	if ls.Parent.GroupKind != gkGateway {
		return
	}
	// Of the Gateway's definitions, the one the ListenerSet goes with:
	// each definition of the Gateway has the ListenerSets of its layout.
	var defs []*K8sGateway
	for _, gw := range g.K8sGateways {
		if gw.Namespace() == ls.Parent.Namespace && gw.Name() == ls.Parent.Name {
			defs = append(defs, gw)
		}
	}
	if defs == nil {
		return
	}
	ls.Gateway = Counterpart(g, ls.Obj, defs)
	ls.Allowed, ls.AllowedKnown = g.allowsListenerSet(ls.Gateway, ls.Namespace())
	for i := range ls.Spec.Listeners {
		l := g.newListener(ls.Gateway, &ls.Spec.Listeners[i], ls)
		ls.Listeners = append(ls.Listeners, l)
	}
}

// allowsListenerSet reports whether Gateway gw's allowedListeners admit
// ListenerSets of namespace ns, and whether meshlint can tell (as
// AdmitsNamespace does for routes).
func (g *Graph) allowsListenerSet(gw *K8sGateway, ns string) (allowed, known bool) {
	al := gw.Spec.AllowedListeners
	if al == nil || al.Namespaces == nil {
		return false, true
	}
	switch ListenerSetsFrom(gw) {
	case "All":
		return true, true
	case "Same":
		return ns == gw.Namespace(), true
	case "Selector":
		if al.Namespaces.Selector == nil {
			return false, true
		}
		s := Selector(al.Namespaces.Selector)
		return g.namespaceSelected(&s, ns)
	case "None":
		return false, true
	}
	return false, false // an unknown value: the API server rejects it
}

// ListenerSetsFrom is spec.allowedListeners.namespaces.from of a Gateway,
// with its default, None.
func ListenerSetsFrom(gw *K8sGateway) string {
	if al := gw.Spec.AllowedListeners; al != nil && al.Namespaces != nil && al.Namespaces.From.V != "" {
		return al.Namespaces.From.V
	}
	return "None"
}

// namespaceSelected reports whether namespace ns has labels that s
// matches, and whether meshlint can tell: not when the input has no
// Namespace object for it and the world is open.
func (g *Graph) namespaceSelected(s *labels.Selector, ns string) (ok, known bool) {
	n := g.Namespaces[ns]
	lbls := map[string]string{"kubernetes.io/metadata.name": ns}
	if n != nil {
		lbls = n.Labels
	}
	if s.Matches(lbls) {
		return true, true
	}
	return false, g.Mesh.ClosedWorld || (n != nil && n.Declared())
}

// linkListenerSetParent resolves a route's parentRef to a ListenerSet, the
// definition of it the route goes with (Counterpart): the route attaches
// to the ListenerSet's listeners, when the ListenerSet is attached to its
// Gateway.
func (g *Graph) linkListenerSetParent(r *GatewayRoute, p *ParentRef) {
	var defs []*ListenerSet
	for _, ls := range g.ListenerSets {
		if ls.Namespace() == p.Namespace && ls.Name() == p.Name {
			defs = append(defs, ls)
		}
	}
	if defs != nil {
		p.ListenerSet = Counterpart(g, r.Obj, defs)
	}
	if p.ListenerSet == nil || !p.ListenerSet.Attached() {
		return
	}
	p.Gateway = p.ListenerSet.Gateway
	g.selectListeners(r, p, p.ListenerSet.Listeners)
}

// ListenerSetsNamed returns the ListenerSets called name, in any
// namespace, in input order.
func (g *Graph) ListenerSetsNamed(name string) []*ListenerSet {
	var out []*ListenerSet
	for _, ls := range g.ListenerSets {
		if ls.Name() == name {
			out = append(out, ls)
		}
	}
	return out
}

// IstioCACertificateRef returns the i-th caCertificateRef of validation
// fv as Istio resolves it for listener l of a ListenerSet, nil for a
// Gateway's own listener. Istio builds a ListenerSet's listeners with the
// ListenerSet as the referring object (buildListener, buildTLS,
// buildCaCertificateReference): a reference without namespace points into
// the ListenerSet's namespace, and one into another namespace needs a
// ReferenceGrant from the ListenerSet. The API says neither: the
// references are the Gateway's.
func (g *Graph) IstioCACertificateRef(l *Listener, fv *FrontendValidation, i int) *ObjectRef {
	if l.Set == nil || i >= len(fv.Spec.CACertificateRefs) {
		return nil
	}
	c := &fv.Spec.CACertificateRefs[i]
	ref := g.objectRef(l.Namespace(), c.Group, c.Kind, GroupKind{}, c.Namespace, c.Name, c.Loc)
	if ref.CrossNamespace {
		ref.Grant = g.GrantFor(gkListenerSet, l.Namespace(), ref)
	}
	return ref
}

package gatewayapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/rules"
)

// ParentRefUnresolved reports route parentRefs that name no Gateway, no
// listener of it, or no Service.
var ParentRefUnresolved = &rules.Rule{
	ID:      "MR601",
	Name:    "gatewayapi-parent-ref-unresolved",
	Summary: "parentRef of a Gateway API route names no Gateway, listener or Service",
	Fix:     "replaces a misspelt parent name or sectionName with the one it most likely means",
	Doc: `A Gateway API route (HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, UDPRoute) takes effect only
where it attaches: at the Gateways, or for mesh routes the Services, named by its
` + "`parentRefs`" + `. A parentRef that names nothing leaves the route detached there
(` + "`Accepted: False`" + `, reason ` + "`NoMatchingParent`" + `): its traffic gets 404 or is not routed at all.

The API's defaults are applied first, as the API server would: a parentRef without ` + "`group`" + ` and
` + "`kind`" + ` is a ` + "`gateway.networking.k8s.io`" + ` Gateway, and one without ` + "`namespace`" + ` points into the route's
own namespace. So ` + "`kind: Service`" + ` without ` + "`group: \"\"`" + ` names a Service of the Gateway API group, which
does not exist; the rule says so. ` + "`sectionName`" + ` must name a listener of the Gateway (a port name
of a Service), and ` + "`port`" + ` must be the port of one; when both are set, one listener must match
both. Istio itself reads no ` + "`sectionName`" + ` of a Service parent: it accepts the route and applies it
to every port of the Service (to ` + "`port`" + `, when set), which the message then says; a ` + "`port`" + ` that is no
port of the Service does not detach the route either: Istio accepts it and matches its rules on
that port alone (` + "`augmentPortMatch`" + `), so it applies to no traffic, as the message says. A parentRef of ` + "`kind: ListenerSet`" + ` names a ListenerSet, whose own listeners ` + "`sectionName`" + ` and
` + "`port`" + ` select (a ListenerSet its Gateway does not accept is reported by
gatewayapi-listenerset-not-allowed instead). References to other kinds (an implementation's own
kinds) are not checked. A parentRef that repeats an earlier one of the route (the same parent,
namespace as written, sectionName and port) makes the API server refuse the route
(gatewayapi-crd-validation reports the repeat): what it names is reported once, at the first.

On the classes Istio translates (` + "`istio`" + `, waypoints, east-west gateways), an ` + "`HTTPS`" + ` listener
without ` + "`tls`" + ` is a placeholder that ListenerSets fill: Istio builds nothing for it and makes no
route parent of it. A parentRef whose ` + "`sectionName`" + ` or ` + "`port`" + ` selects only such listeners, or one
without them to a Gateway that has no other listener, attaches nowhere and is reported too
(Istio says ` + "`NoMatchingParent`" + `, or writes no status for the parentRef). A ` + "`TLS`" + ` listener without
` + "`tls`" + ` makes the API server refuse its Gateway or ListenerSet (gatewayapi-crd-validation reports
it); once it has ` + "`tls`" + `, routes attach to it, so a parentRef that selects it is not reported.

Istio also takes a parentRef of ` + "`group: networking.istio.io`" + `, ` + "`kind: ServiceEntry`" + ` as a mesh parent,
like a Service, and refuses the route there when no such ServiceEntry exists ("parent service
entry not found"); the rule reports it the same way. Istio reads no ` + "`sectionName`" + ` or ` + "`port`" + ` of a
ServiceEntry parent, so neither is checked.

A manifest folder seldom holds every Gateway of the cluster, and Gateways often live in a
namespace of their own. The rule therefore reports a missing Gateway only when the input holds
Gateway API Gateways in the target namespace, or a Gateway of that name in another namespace (the
message then says where), or an Istio Gateway of that name; a missing ListenerSet likewise; a
missing Service only when the input holds Services in the target namespace or one of that name
elsewhere (a missing ServiceEntry likewise). With the closed-world setting every unresolved
reference is reported. A wrong sectionName or port of a Gateway that is
in the input is always reported.

When the name is a close misspelling of exactly one Gateway (ListenerSet, Service, ServiceEntry) of
the namespace the parentRef points into (the same name in another case, or, for names of 6 or more
characters, at most 2 edits away), the message asks "did you mean", and ` + "`meshlint --fix`" + ` writes
that name, provided the parentRef's sectionName and port select a listener (a port) of it. A
sectionName that selects nothing gets the same for the one listener (Service port) name of the
parent that is a close match, when the parentRef's port, if set, selects that listener too. There
is no fix for the fields of a Canary from which Flagger makes its HTTPRoute, nor for a name
shared through a YAML anchor or merge key.

Kiali (KIA1401, KIA1402) reads the refs as stored by the API server and skips those without
` + "`kind`" + `; meshlint applies the defaults, so a parentRef written without group and kind is checked.`,
	Bad: parentRefExample(`  - name: pubic
`),
	Good: parentRefExample(`  - name: public
    sectionName: http
`),
	Severity: rules.Error,
	Inputs:   inputs(kinds.K8sGateway, kinds.ListenerSet, kinds.Service, kinds.ServiceEntry, kinds.GatewayClass),
	Related:  []string{"IST0101", "KIA1401", "KIA1402"},
	Deps:     rules.DepGWAPI | rules.DepREF | rules.DepPRES | rules.DepCLS,
	Run:      runParentRefUnresolved,
}

// parentRefExample is Gateway shop/public, with listener http, and an
// HTTPRoute attached to it by parentRef: the examples of MR601.
func parentRefExample(parentRef string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
  namespace: shop
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    port: 80
    protocol: HTTP
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: storefront
  namespace: shop
spec:
  parentRefs:
` + parentRef + `  rules:
  - backendRefs:
    - name: storefront
      port: 8080
`
}

func runParentRefUnresolved(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		for i, pr := range r.Parents {
			if pr.Name == "" || repeatsEarlier(r.Parents[:i], pr) {
				continue
			}
			switch {
			case pr.IsGateway():
				checkGatewayParent(p, r, pr)
			case pr.IsListenerSet():
				checkListenerSetParent(p, r, pr)
			case pr.IsService():
				checkServiceParent(p, r, pr)
			case pr.IsMesh():
				checkServiceEntryParent(p, r, pr)
			case pr.Group == kinds.GroupGatewayAPI && !kinds.Known(pr.Group, pr.Kind):
				msg := fmt.Sprintf("parentRef %q has kind %s, which the group gateway.networking.k8s.io does not serve", pr.Name, pr.Kind)
				switch pr.Kind {
				case kinds.Service:
					msg += `: a parentRef without group is in that group; write group: "" for a core Service`
				case kinds.ServiceEntry:
					msg += ": a parentRef without group is in that group; write group: networking.istio.io for Istio's ServiceEntry"
				}
				loc := pr.Spec.Kind.Loc
				if loc.IsZero() {
					loc = pr.NameLoc
				}
				p.Reportf(r.Obj, loc, "%s", msg)
			}
		}
	}
	return nil
}

// repeatsEarlier reports whether parentRef pr repeats one of earlier
// exactly, as the CRD compares them: group and kind defaulted, namespace
// as written, the same sectionName and port. The API server refuses such
// a route (gatewayapi-crd-validation reports the repeat), and once the
// repeat is dropped only the first is left: a finding on the repeat would
// say again what the first one's says.
func repeatsEarlier(earlier []*graph.ParentRef, pr *graph.ParentRef) bool {
	return slices.ContainsFunc(earlier, func(o *graph.ParentRef) bool {
		return o.GroupKind == pr.GroupKind && o.Spec.Namespace.V == pr.Spec.Namespace.V && o.Name == pr.Name &&
			o.SectionName == pr.SectionName && o.Port == pr.Port
	})
}

func checkGatewayParent(p *rules.Pass, r *graph.GatewayRoute, pr *graph.ParentRef) {
	g := p.Graph
	if gw := pr.Gateway; gw != nil {
		if len(pr.Listeners) > 0 || (pr.SectionName == "" && pr.Port == 0 && len(pr.Placeholders) == 0) {
			return
		}
		if len(pr.Placeholders) > 0 {
			reportPlaceholders(p, r, pr, "Gateway "+gw.Namespace()+"/"+gw.Name())
			return
		}
		matches, loc := selection(pr)
		hint, fixes := sectionHint(g, r, pr, listenerSections(pr, gw.Listeners), "listener")
		f := p.Reportf(r.Obj, loc, "parentRef %q: %s no listener of Gateway %s/%s, whose listeners are %s%s",
			pr.Name, matches, gw.Namespace(), gw.Name(), listenerList(gw.Listeners), hint).
			Relate(gw.Obj, gw.Obj.NameLoc, "Gateway %s/%s", gw.Namespace(), gw.Name())
		f.Fixes = fixes
		return
	}
	elsewhere := notIn(g.K8sGatewaysNamed(pr.Name), pr.Namespace)
	istio := g.FindGateway(pr.Namespace, pr.Name)
	if !g.Mesh.ClosedWorld && !g.HasGatewayAPIKind(kinds.K8sGateway, pr.Namespace) && len(elsewhere) == 0 && istio == nil {
		return
	}
	var b strings.Builder
	var fixes []rules.Fix
	fmt.Fprintf(&b, "parentRef %s matches no Gateway", refText(&pr.ObjectRef))
	switch {
	case istio != nil:
		fmt.Fprintf(&b, "; %s/%s is an Istio Gateway (networking.istio.io), to which Gateway API routes cannot attach", pr.Namespace, pr.Name)
	case len(elsewhere) > 0:
		fmt.Fprintf(&b, "; a Gateway %q exists in namespace %s: set namespace: %s", pr.Name, elsewhere[0].Namespace(), elsewhere[0].Namespace())
	default:
		in := namesIn(g.K8sGateways, pr.Namespace)
		if len(in) > 0 {
			fmt.Fprintf(&b, "; Gateways of namespace %s: %s", pr.Namespace, names(in))
		} else {
			fmt.Fprintf(&b, " (the input holds no Gateway in namespace %s)", pr.Namespace)
		}
		fixes = parentTypo(g, &b, r, pr, "Gateway", g.K8sGateways, func(gw *graph.K8sGateway) []*graph.Listener { return gw.Listeners })
	}
	f := p.Reportf(r.Obj, pr.NameLoc, "%s", b.String())
	f.Fixes = fixes
	for _, gw := range elsewhere {
		f.Relate(gw.Obj, gw.Obj.NameLoc, "Gateway %s/%s", gw.Namespace(), gw.Name())
	}
}

// reportPlaceholders reports parentRef pr of route r, to parent (its kind
// and name), whose sectionName and port select only placeholder listeners
// (or that selects every listener, and all are placeholders): HTTPS
// listeners without tls, of which Istio builds nothing. Istio has no route
// parent for them, so the parentRef attaches nowhere: with a sectionName
// or port, Istio says NoMatchingParent when the parent has other
// listeners; otherwise it writes no status for the parentRef at all.
func reportPlaceholders(p *rules.Pass, r *graph.GatewayRoute, pr *graph.ParentRef, parent string) {
	loc := pr.NameLoc
	what, status := "selects", "Istio writes no status for the parentRef"
	if pr.SectionName != "" || pr.Port != 0 {
		what, loc = selection(pr)
		what = strings.NewReplacer(" matches", " selects", " match", " select").Replace(what)
		status = "NoMatchingParent"
	}
	ls := graph.DistinctFunc(pr.Placeholders, (*graph.Listener).Owner)
	var ns []string
	for _, l := range ls {
		ns = append(ns, l.Name)
	}
	kind := plural(len(ls), "a placeholder for ListenerSets to fill", "placeholders for ListenerSets to fill")
	if pr.IsListenerSet() {
		kind = plural(len(ls), "it is not accepted", "they are not accepted")
	}
	f := p.Reportf(r.Obj, loc, "parentRef %q %s only %s %s of %s, which %s protocol HTTPS but no tls: Istio builds no listener for %s (%s), so the route attaches to none (%s)",
		pr.Name, what, plural(len(ns), "listener", "listeners"), names(ns), parent, plural(len(ls), "has", "have"),
		plural(len(ls), "it", "them"), kind, status)
	for _, l := range ls {
		f.Relate(l.Owner(), at(l), "listener %s", l.Name)
	}
}

// plural picks one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// selects reports whether the sectionName and port of parentRef pr, when
// set, select one of listeners ls that is no placeholder: a name corrected
// to that parent then attaches to a listener, and no finding about them
// takes its place.
func selects(pr *graph.ParentRef, ls []*graph.Listener) bool {
	for _, l := range ls {
		if (pr.SectionName == "" || l.Name == pr.SectionName) && (pr.Port == 0 || l.Port == pr.Port) && !l.Placeholder() {
			return true
		}
	}
	return pr.SectionName == "" && pr.Port == 0 && len(ls) == 0
}

// checkListenerSetParent reports a parentRef to a ListenerSet that names
// no ListenerSet, or no listener of it. A ListenerSet that its Gateway does
// not accept is reported once, at the ListenerSet (MR620).
// named is a Gateway API object of the graph.
type named interface {
	Name() string
	Namespace() string
	Object() *manifest.Object
}

// namesIn lists the names of the objects of namespace ns.
func namesIn[T named](objs []T, ns string) []string {
	var out []string
	for _, o := range objs {
		if o.Namespace() == ns {
			out = append(out, o.Name())
		}
	}
	return out
}

// notIn returns the objects of objs that are not in namespace ns: those
// of a name a reference looked for in ns. Each is there once, whatever
// the copies of it the input defines (MR017 reports them): one candidate
// is one a fix may take.
func notIn[T named](objs []T, ns string) []T {
	var out []T
	for _, o := range objs {
		if o.Namespace() != ns {
			out = append(out, o)
		}
	}
	return graph.Distinct(out)
}

// parentTypo adds to b the "did you mean" of a parentRef whose name
// matches no parent of kind: the one parent of its namespace, among parents,
// that the name most likely meant. It returns the fix that writes that name
// when the parent has a listener the parentRef's sectionName and port
// select; otherwise one finding would only make way for another.
func parentTypo[T named](g *graph.Graph, b *strings.Builder, r *graph.GatewayRoute, pr *graph.ParentRef, kind string, parents []T, listeners func(T) []*graph.Listener) []rules.Fix {
	name, ok := suggest.Closest(pr.Name, namesIn(parents, pr.Namespace))
	if !ok {
		return nil
	}
	b.WriteString(didYouMean(name))
	for _, p := range parents {
		if p.Namespace() == pr.Namespace && p.Name() == name {
			if !selects(pr, listeners(p)) || parentFixRejected(r, pr, name, pr.SectionName) {
				return nil
			}
			return renameFixes(g, r.Obj, pr.NameLoc, pr.Name, name, fmt.Sprintf("Refer to %s %s/%s", kind, pr.Namespace, name))
		}
	}
	return nil
}

func checkListenerSetParent(p *rules.Pass, r *graph.GatewayRoute, pr *graph.ParentRef) {
	g := p.Graph
	if ls := pr.ListenerSet; ls != nil {
		if !ls.Attached() || len(pr.Listeners) > 0 || (pr.SectionName == "" && pr.Port == 0 && len(pr.Placeholders) == 0) {
			return
		}
		if len(pr.Placeholders) > 0 {
			reportPlaceholders(p, r, pr, "ListenerSet "+ls.Namespace()+"/"+ls.Name())
			return
		}
		matches, loc := selection(pr)
		hint, fixes := sectionHint(g, r, pr, listenerSections(pr, ls.Listeners), "listener")
		f := p.Reportf(r.Obj, loc, "parentRef %q: %s no listener of ListenerSet %s/%s, whose listeners are %s%s",
			pr.Name, matches, ls.Namespace(), ls.Name(), listenerList(ls.Listeners), hint).
			Relate(ls.Obj, ls.Obj.NameLoc, "ListenerSet %s/%s", ls.Namespace(), ls.Name())
		f.Fixes = fixes
		return
	}
	elsewhere := notIn(g.ListenerSetsNamed(pr.Name), pr.Namespace)
	if !g.Mesh.ClosedWorld && !g.HasGatewayAPIKind(kinds.ListenerSet, pr.Namespace) && len(elsewhere) == 0 {
		return
	}
	var b strings.Builder
	var fixes []rules.Fix
	fmt.Fprintf(&b, "parentRef %s matches no ListenerSet", refText(&pr.ObjectRef))
	switch {
	case len(elsewhere) > 0:
		fmt.Fprintf(&b, "; a ListenerSet %q exists in namespace %s: set namespace: %s", pr.Name, elsewhere[0].Namespace(), elsewhere[0].Namespace())
	case !g.HasGatewayAPIKind(kinds.ListenerSet, pr.Namespace):
		fmt.Fprintf(&b, " (the input holds no ListenerSet in namespace %s)", pr.Namespace)
	default:
		fixes = parentTypo(g, &b, r, pr, "ListenerSet", g.ListenerSets, func(ls *graph.ListenerSet) []*graph.Listener { return ls.Listeners })
	}
	f := p.Reportf(r.Obj, pr.NameLoc, "%s", b.String())
	f.Fixes = fixes
	for _, ls := range elsewhere {
		f.Relate(ls.Obj, ls.Obj.NameLoc, "ListenerSet %s/%s", ls.Namespace(), ls.Name())
	}
}

func checkServiceParent(p *rules.Pass, r *graph.GatewayRoute, pr *graph.ParentRef) {
	if s := pr.Service; s != nil {
		if pr.ServicePort != nil || (pr.SectionName == "" && pr.Port == 0) {
			return
		}
		matches, loc := selection(pr)
		var ports []string
		sections := map[string]bool{}
		for _, sp := range s.Spec.Ports {
			ports = append(ports, fmt.Sprintf("%s %d", sp.Name.V, sp.Port.V))
			if sp.Name.V != "" {
				sections[sp.Name.V] = sections[sp.Name.V] || pr.Port == 0 || sp.Port.V == pr.Port
			}
		}
		hint, fixes := sectionHint(p.Graph, r, pr, sections, "port")
		f := p.Reportf(r.Obj, loc, "parentRef %q: %s no port of Service %s/%s, whose ports are %s%s%s",
			pr.Name, matches, s.Namespace(), s.Name(), strings.Join(ports, ", "), sectionIgnored(pr, s), hint).
			Relate(s.Obj, s.Obj.NameLoc, "Service %s/%s", s.Namespace(), s.Name())
		f.Fixes = fixes
		return
	}
	// A Service parent needs no ReferenceGrant (GEP-1294), in any namespace.
	reportMissingServiceRef(p, r, &pr.ObjectRef, "parentRef "+refText(&pr.ObjectRef), "", false, func(s *graph.Service) bool {
		if parentFixRejected(r, pr, s.Name(), pr.SectionName) {
			return false
		}
		if pr.SectionName == "" && pr.Port == 0 {
			return true
		}
		for _, sp := range s.Spec.Ports {
			if (pr.SectionName == "" || sp.Name.V == pr.SectionName) && (pr.Port == 0 || sp.Port.V == pr.Port) {
				return true
			}
		}
		return false
	})
}

// checkServiceEntryParent reports a parentRef to an Istio ServiceEntry
// that names none. Istio takes a ServiceEntry parent as it takes a Service
// one, for the mesh (extractParentReferenceInfo), and refuses it when the
// ServiceEntry does not exist (referenceAllowed: "parent service entry not
// found", Accepted: False). It reads no sectionName or port of it, so
// neither is checked; nor exportTo, since it looks the ServiceEntry up by
// namespace and name. The same presence gate as for Services applies: a
// ServiceEntry is often defined with the service it describes, outside the
// input.
func checkServiceEntryParent(p *rules.Pass, r *graph.GatewayRoute, pr *graph.ParentRef) {
	g := p.Graph
	var in, elsewhere []*graph.ServiceEntry
	for _, se := range g.ServiceEntries {
		switch {
		case se.Namespace() != pr.Namespace:
			if se.Name() == pr.Name {
				elsewhere = append(elsewhere, se)
			}
		case se.Name() == pr.Name:
			return
		default:
			in = append(in, se)
		}
	}
	elsewhere = graph.Distinct(elsewhere)
	if !g.Mesh.ClosedWorld && !g.HasKind(kinds.ServiceEntry, pr.Namespace) && len(elsewhere) == 0 {
		return
	}
	var b strings.Builder
	var fixes []rules.Fix
	fmt.Fprintf(&b, "parentRef %s matches no ServiceEntry", refText(&pr.ObjectRef))
	if len(elsewhere) == 0 && len(in) == 0 {
		fmt.Fprintf(&b, " (the input holds no ServiceEntry in namespace %s)", pr.Namespace)
	}
	b.WriteString(`: Istio does not accept the route for it ("parent service entry not found")`)
	switch {
	case len(elsewhere) > 0:
		fmt.Fprintf(&b, "; a ServiceEntry %q exists in namespace %s: set namespace: %s", pr.Name, elsewhere[0].Namespace(), elsewhere[0].Namespace())
	default:
		if name, ok := suggest.Closest(pr.Name, namesIn(in, pr.Namespace)); ok {
			b.WriteString(didYouMean(name))
			if !parentFixRejected(r, pr, name, pr.SectionName) {
				fixes = renameFixes(g, r.Obj, pr.NameLoc, pr.Name, name, fmt.Sprintf("Refer to ServiceEntry %s/%s", pr.Namespace, name))
			}
		}
	}
	f := p.Reportf(r.Obj, pr.NameLoc, "%s", b.String())
	f.Fixes = fixes
	for _, se := range elsewhere {
		f.Relate(se.Obj, se.Obj.NameLoc, "ServiceEntry %s/%s", se.Namespace(), se.Name())
	}
}

// sectionIgnored says what Istio does with a parentRef to Service s whose
// sectionName names no port of it, when its port, if set, is one: Istio
// reads no sectionName of a mesh parent (referenceAllowed checks none, and
// the route collections match on the parentRef's port alone), so the route
// is accepted and applies to every port of the Service, or to that port,
// rather than to the one port meant. A port that is no port of s is no
// reason to refuse the route either: Istio accepts it and adds a match on
// that port to each of its rules (augmentPortMatch,
// pilot/pkg/config/kube/gateway/conversion.go), which no request to the
// Service has, so the route applies to nothing.
func sectionIgnored(pr *graph.ParentRef, s *graph.Service) string {
	if pr.Port != 0 && !slices.ContainsFunc(s.Spec.Ports, func(sp spec.ServicePort) bool { return sp.Port.V == pr.Port }) {
		return fmt.Sprintf(": Istio accepts the route but matches its rules on port %d alone, which the Service does not serve, so the route applies to no traffic", pr.Port)
	}
	if pr.SectionName == "" {
		return ""
	}
	if pr.Port == 0 {
		return ": Istio reads no sectionName of a Service parent and applies the route to every port of the Service"
	}
	return fmt.Sprintf(": Istio reads no sectionName of a Service parent and applies the route to port %d", pr.Port)
}

// reportMissingService reports a reference to a Service that the input does
// not hold, when the input shows that namespace's Services or a Service of
// that name elsewhere (or the world is closed). When one Service of that
// namespace is a close match for the name, the message suggests it, and a
// fix refers to it if fits says that the reference would then be valid
// whole (its port, its ReferenceGrant). effect, when set, says what the
// missing Service does beyond the reference itself.
func reportMissingService(p *rules.Pass, r *graph.GatewayRoute, ref *graph.ObjectRef, what, effect string, fits func(*graph.Service) bool) {
	reportMissingServiceRef(p, r, ref, what, effect, true, fits)
}

// reportMissingServiceRef is reportMissingService for a reference that
// needs a ReferenceGrant across namespaces (grant), or not: a parentRef to
// a Service needs none ("ReferenceGrant is not applicable for governing
// ParentRefs to Services", CommonRouteSpec.ParentRefs), so its message
// does not ask for one.
func reportMissingServiceRef(p *rules.Pass, r *graph.GatewayRoute, ref *graph.ObjectRef, what, effect string, grant bool, fits func(*graph.Service) bool) {
	g := p.Graph
	elsewhere := notIn(g.ServicesNamed(ref.Name), ref.Namespace)
	if !g.Mesh.ClosedWorld && !g.HasKind(kinds.Service, ref.Namespace) && len(elsewhere) == 0 {
		return
	}
	var b strings.Builder
	var fixes []rules.Fix
	fmt.Fprintf(&b, "%s matches no Service", what)
	none := len(elsewhere) == 0 && !g.HasKind(kinds.Service, ref.Namespace)
	if none {
		fmt.Fprintf(&b, " (the input holds no Service in namespace %s)", ref.Namespace)
	}
	if effect != "" {
		b.WriteString(": " + effect)
	}
	switch {
	case len(elsewhere) > 0:
		ns := elsewhere[0].Namespace()
		fmt.Fprintf(&b, "; a Service %q exists in namespace %s: set namespace: %s", ref.Name, ns, ns)
		if grant {
			fmt.Fprintf(&b, " (and let a ReferenceGrant in %s permit it)", ns)
		}
	case none:
	default:
		in := namesIn(g.Services, ref.Namespace)
		if name, ok := suggest.Closest(ref.Name, in); ok {
			b.WriteString(didYouMean(name))
			if s := g.ServicesNamed(name); fits(serviceIn(s, ref.Namespace)) {
				fixes = renameFixes(g, r.Obj, ref.NameLoc, ref.Name, name, fmt.Sprintf("Refer to Service %s/%s", ref.Namespace, name))
			}
		}
	}
	f := p.Reportf(r.Obj, ref.NameLoc, "%s", b.String())
	f.Fixes = fixes
	for _, s := range elsewhere {
		f.Relate(s.Obj, s.Obj.NameLoc, "Service %s/%s", s.Namespace(), s.Name())
	}
}

// serviceIn returns the first of ss in namespace ns, as the graph
// resolves a Service reference, or nil.
func serviceIn(ss []*graph.Service, ns string) *graph.Service {
	for _, s := range ss {
		if s.Namespace() == ns {
			return s
		}
	}
	return nil
}

// listenerSections returns the names of listeners ls, and whether each
// would be selected together with the port of parentRef pr, when set. A
// placeholder listener is never selected: Istio makes no route parent of
// it, so a sectionName corrected to it would still select nothing.
func listenerSections(pr *graph.ParentRef, ls []*graph.Listener) map[string]bool {
	out := map[string]bool{}
	for _, l := range ls {
		out[l.Name] = out[l.Name] || (pr.Port == 0 || l.Port == pr.Port) && !l.Placeholder()
	}
	return out
}

// sectionHint suggests the section that parentRef pr's sectionName, which
// selects nothing, most likely meant, and the fix that writes it. sections
// are the parent's listener (or port) names, true for those the parentRef's
// port selects too: a name the parent has is not a typo (the port is
// wrong, or the pair), and a close name that the port does not select
// would leave the parentRef selecting nothing still.
func sectionHint(g *graph.Graph, r *graph.GatewayRoute, pr *graph.ParentRef, sections map[string]bool, what string) (string, []rules.Fix) {
	if pr.SectionName == "" {
		return "", nil
	}
	all := make([]string, 0, len(sections))
	for n := range sections {
		all = append(all, n)
	}
	name, ok := suggest.Closest(pr.SectionName, all)
	if !ok || !sections[name] {
		return "", nil
	}
	if parentFixRejected(r, pr, pr.Name, name) {
		return didYouMean(name), nil
	}
	written := pr.Spec.SectionName
	return didYouMean(name), renameFixes(g, r.Obj, written.Loc, written.V, name, fmt.Sprintf("Select %s %s", what, name))
}

// parentFixRejected reports whether pointing parentRef pr of route r at
// the parent named name, with sectionName section, would make the route
// break a CEL rule of spec.parentRefs (gatewayapi-crd-validation): two
// references to one parent that only one of narrows by sectionName or
// port, or that narrow it alike. A fix must not write an object that the
// API server refuses.
func parentFixRejected(r *graph.GatewayRoute, pr *graph.ParentRef, name, section string) bool {
	for _, o := range r.Parents {
		// The CRD compares namespaces as written: it defaults group and
		// kind, not namespace.
		if o == pr || o.GroupKind != pr.GroupKind || o.Spec.Namespace.V != pr.Spec.Namespace.V || o.Name != name {
			continue
		}
		if (o.SectionName == "") != (section == "") || (o.Port == 0) != (pr.Port == 0) ||
			(o.SectionName == section && o.Port == pr.Port) {
			return true
		}
	}
	return false
}

// selection says what a parentRef's sectionName and port match, as in
// `sectionName "http" and port 80 match`, and where the first is written.
func selection(pr *graph.ParentRef) (matches string, loc manifest.Loc) {
	var what []string
	loc = pr.Spec.SectionName.Loc
	if pr.SectionName != "" {
		what = append(what, fmt.Sprintf("sectionName %q", pr.SectionName))
	}
	if pr.Port != 0 {
		what = append(what, fmt.Sprintf("port %d", pr.Port))
		if loc.IsZero() {
			loc = pr.Spec.Port.Loc
		}
	}
	if len(what) == 1 {
		return what[0] + " matches", loc
	}
	return strings.Join(what, " and ") + " match", loc
}

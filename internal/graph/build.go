package graph

import (
	"slices"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Build decodes the objects' specs and resolves every reference between
// them. Objects whose spec has the wrong shape are left out and their errors
// returned in Graph.Errors.
func Build(objs []*manifest.Object, mesh config.Mesh) *Graph {
	g := newGraph(objs, mesh)
	g.sizeFor(objs)
	g.build()
	return g
}

// sizeFor allocates the lists of the kinds an input holds most of, and the
// Services' host index, at the size objs needs: appended to one at a
// time, a list of thousands grows a quarter at a time, allocating five
// times its size in all, and the index would be made over and over. Only
// Build's graph of the whole input needs it, the kept one.
func (g *Graph) sizeFor(objs []*manifest.Object) {
	// By kind alone, as add switches: the lists grow past their room only
	// for generic workloads and the objects Flagger and Argo derive.
	var workloads, services, vss, drs, nps, aps int
	for _, o := range objs {
		switch o.Kind {
		case kinds.Pod, kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.ReplicaSet, kinds.Job, kinds.CronJob, kinds.Rollout:
			workloads++
		case kinds.Service:
			services++
		case kinds.VirtualService:
			vss++
		case kinds.DestinationRule:
			drs++
		case kinds.NetworkPolicy:
			nps++
		case kinds.AuthorizationPolicy:
			aps++
		}
	}
	g.Workloads = withCap[*Workload](workloads)
	g.Services = withCap[*Service](services)
	g.servicesByHost = make(map[string][]*Service, services)
	g.VirtualServices = withCap[*VirtualService](vss)
	g.DestinationRules = withCap[*DestinationRule](drs)
	g.NetworkPolicies = withCap[*NetworkPolicy](nps)
	g.AuthorizationPolicies = withCap[*AuthorizationPolicy](aps)
}

// withCap returns an empty list with room for n items; nil, as a list
// never appended to is, for none.
func withCap[T any](n int) []T {
	if n == 0 {
		return nil
	}
	return make([]T, 0, n)
}

func newGraph(objs []*manifest.Object, mesh config.Mesh) *Graph {
	mesh = mesh.Complete()
	return &Graph{
		Mesh:           mesh,
		Objects:        objs,
		Namespaces:     map[string]*Namespace{},
		servicesByHost: map[string][]*Service{},
		workloadsByNS:  map[string][]*Workload{},
		gatewaysByKey:  map[string]*Gateway{},
		drsByNS:        map[string][]*DestinationRule{},
		pasByNS:        map[string][]*PeerAuthentication{},
		present:        map[presentKey]bool{},
		described:      map[string]bool{},
		configMaps:     map[[2]string]*manifest.Object{},
		secretsByName:  map[[2]string]*Secret{},
		defs:           &definitions{},
	}
}

func (g *Graph) build() {
	objs := g.Objects
	// Namespaces first: sidecar injection of workloads depends on them.
	for _, o := range objs {
		if o.Kind == kinds.Namespace && o.Group == kinds.GroupCore {
			ns := g.namespace(o.Name)
			ns.Obj = o
			for k, v := range o.Labels {
				ns.Labels[k] = v
			}
			// The API server sets this label to the name on every
			// create and update, whatever the manifest writes.
			ns.Labels[NamespaceNameLabel] = o.Name
		}
	}
	// And the webhook configurations and injector ConfigMaps: when the
	// input has the injector's, their selectors decide which pods are
	// sent to it, and the ConfigMaps what it does with them.
	g.addWebhookConfigurations()
	for _, o := range objs {
		g.notePresent(o)
		if (o.Kind != kinds.Namespace || o.Group != kinds.GroupCore) && o.Namespace != "" {
			g.namespace(o.Namespace)
		}
		g.add(o)
	}
	if !g.recording {
		// Prepare's graph of one file serves its decodes and the Local
		// rules, which read objects alone: nothing there needs links,
		// nor what Flagger and Argo Rollouts derive from objects of
		// other files.
		g.addFlagger()
		g.deriveExperiments()
		g.link()
	}
	g.addAdminPolicies()
	g.addIngresses()
	g.addAmbientKinds()
	g.addGatewayAPI()
	g.addBackendTLSPolicies()
	g.addExtras()
	if !g.recording {
		// Prepare's graph of one file resolves no routes.
		g.indexDRs()
	}
}

func (g *Graph) namespace(name string) *Namespace {
	ns := g.Namespaces[name]
	if ns == nil {
		ns = &Namespace{Name: name, Labels: map[string]string{"kubernetes.io/metadata.name": name}}
		g.Namespaces[name] = ns
	}
	return ns
}

// decode decodes node (a part of o) into out, keeping type errors. It
// returns false when the node could not be decoded cleanly; such objects are
// left out of the graph, since rules would reason about half of them.
func (g *Graph) decode(o *manifest.Object, node *yaml.Node, out any) bool {
	errs := g.decodeSpec(o, node, out)
	g.Errors = append(g.Errors, errs...)
	return len(errs) == 0
}

// decodeInto sets *out to o's spec: the value Prepare decoded, shared
// rather than copied (nothing after Prepare changes it), or a decode of
// node into *out (allocated when nil).
func decodeInto[T any](g *Graph, o *manifest.Object, node *yaml.Node, out **T) bool {
	if p := preparedOf(o); p != nil && !g.recording {
		for _, d := range p.decoded {
			if v, ok := d.spec.(*T); ok {
				*out = v
				g.Errors = append(g.Errors, d.errs...)
				return len(d.errs) == 0
			}
		}
	}
	if *out == nil {
		*out = new(T)
	}
	return g.decode(o, node, *out)
}

// decodeSpec decodes node into out, or takes what Prepare decoded into a
// value of out's type before the loader dropped the node.
func (g *Graph) decodeSpec(o *manifest.Object, node *yaml.Node, out any) []*manifest.Error {
	p, _ := o.Prepared.(*Prepared)
	if p != nil && !g.recording {
		if errs, ok := p.take(out); ok {
			return errs
		}
	}
	errs := spec.DecodeShared(o.File, node, out, g.maps)
	for _, e := range errs {
		e.File = o.Pos(e.Loc).File // a node of a kustomize patch is in the patch
	}
	if p != nil && g.recording {
		p.decoded = append(p.decoded, decoded{spec: out, errs: errs})
	}
	return errs
}

func (g *Graph) add(o *manifest.Object) {
	if kinds.GenericWorkload(o.Group, o.Kind) {
		// Before the switch: its kind may be the name of a modelled one
		// (Knative's Service, apps.kruise.io's StatefulSet).
		if w := g.genericWorkload(o); w != nil {
			g.addWorkload(w)
		}
		return
	}
	m := Meta{Obj: o}
	switch o.Kind {
	case kinds.Namespace:
	case kinds.Pod, kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.ReplicaSet, kinds.Job, kinds.CronJob:
		if w := g.workload(o); w != nil {
			g.addWorkload(w)
		}
	case kinds.Rollout:
		if o.Group == kinds.GroupArgo {
			g.addRollout(o)
		}
	case kinds.Experiment:
		if o.Group == kinds.GroupArgo {
			g.addExperiment(o)
		}
	case kinds.PodTemplate:
		if o.Group == kinds.GroupCore && g.recording {
			preparePodTemplate(g, o)
		}
	case kinds.Canary:
		if o.Group == kinds.GroupFlagger {
			g.addCanary(o)
		}
	case kinds.Service:
		s := &Service{Meta: m}
		if decodeInto(g, o, o.Spec(), &s.Spec) {
			g.addService(s)
		}
	case kinds.ServiceEntry:
		s := &ServiceEntry{Meta: m}
		if decodeInto(g, o, o.Spec(), &s.Spec) {
			s.ExportTo = exportTo(spec.Values(s.Spec.ExportTo), g.Mesh.DefaultServiceExportTo)
			g.ServiceEntries = append(g.ServiceEntries, s)
		}
	case kinds.Gateway:
		if o.Group != kinds.GroupIstioNetworking {
			return // a Gateway API Gateway: addGatewayAPI reads it
		}
		gw := &Gateway{Meta: m}
		if decodeInto(g, o, o.Spec(), &gw.Spec) {
			g.Gateways = append(g.Gateways, gw)
			g.gatewaysByKey[o.Namespace+"/"+o.Name] = gw
		}
	case kinds.VirtualService:
		vs := &VirtualService{Meta: m}
		if decodeInto(g, o, o.Spec(), &vs.Spec) {
			g.addVirtualService(vs)
		}
	case kinds.DestinationRule:
		dr := &DestinationRule{Meta: m}
		if decodeInto(g, o, o.Spec(), &dr.Spec) {
			g.addDestinationRule(dr)
		}
	case kinds.PeerAuthentication:
		pa := &PeerAuthentication{Meta: m}
		if decodeInto(g, o, o.Spec(), &pa.Spec) {
			pa.MeshWide = o.Namespace == g.Mesh.RootNamespace && !pa.HasSelector()
			g.PeerAuthentications = append(g.PeerAuthentications, pa)
			g.pasByNS[o.Namespace] = append(g.pasByNS[o.Namespace], pa)
		}
	case kinds.AuthorizationPolicy:
		ap := &AuthorizationPolicy{Meta: m}
		if decodeInto(g, o, o.Spec(), &ap.Spec) {
			g.AuthorizationPolicies = append(g.AuthorizationPolicies, ap)
		}
	case kinds.RequestAuthentication:
		ra := &RequestAuthentication{Meta: m}
		if decodeInto(g, o, o.Spec(), &ra.Spec) {
			g.RequestAuthentications = append(g.RequestAuthentications, ra)
		}
	case kinds.Sidecar:
		sc := &Sidecar{Meta: m}
		if decodeInto(g, o, o.Spec(), &sc.Spec) {
			g.Sidecars = append(g.Sidecars, sc)
		}
	case kinds.NetworkPolicy:
		np := &NetworkPolicy{Meta: m}
		if !decodeInto(g, o, o.Spec(), &np.Spec) {
			break
		}
		if r := networkPolicyRefusal(m, np.Spec, g.Mesh.Kubernetes()); r != nil {
			g.RefusedNetworkPolicies = append(g.RefusedNetworkPolicies, r)
			break
		}
		np.PodSelector = Selector(np.Spec.PodSelector)
		np.Ingress, np.Egress = policyTypes(np.Spec)
		g.NetworkPolicies = append(g.NetworkPolicies, np)
	}
}

// workload reads the pod template of o.
func (g *Graph) workload(o *manifest.Object) *Workload {
	w := &Workload{Meta: Meta{Obj: o}}
	switch o.Kind {
	case kinds.Pod:
		t := &spec.PodTemplate{}
		if !g.decode(o, o.Spec(), &t.Spec) {
			return nil
		}
		t.Metadata.Labels, t.Metadata.Annotations = o.Labels, o.Annotations
		w.Spec = t
	case kinds.CronJob:
		var cj *spec.CronJob
		if !decodeInto(g, o, o.Spec(), &cj) {
			return nil
		}
		w.Spec = &cj.JobTemplate.Spec.Template
	default:
		var wl *spec.Workload
		if !decodeInto(g, o, o.Spec(), &wl) {
			return nil
		}
		w.Spec, w.Replicas = &wl.Template, wl.Replicas
	}
	return g.templateWorkload(w)
}

// genericWorkload reads the pod template of a generic workload
// (kinds.GenericWorkload): spec.template alone, since nothing else of the
// custom resource's schema is known, decoded as a Deployment's template is.
// The template is decoded as the template of a spec.Workload, a type the
// cache of prepared specs holds (gob.go), whose other fields stay unset.
func (g *Graph) genericWorkload(o *manifest.Object) *Workload {
	var node *yaml.Node
	if tmpl := yamlpath.Field(o.Spec(), "template"); tmpl != nil {
		node = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: tmpl.Line, Column: tmpl.Column,
			Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "template"}, tmpl}}
	}
	var wl *spec.Workload
	if !decodeInto(g, o, node, &wl) {
		return nil
	}
	return g.templateWorkload(&Workload{Meta: Meta{Obj: o}, Spec: &wl.Template}, operatorLabels(o))
}

// operatorLabels returns the labels that the operator of generic workload
// o gives its pods besides the template's, those whose values the input
// shows. Only Knative's are known: a Service (serving.knative.dev) makes a
// Configuration of its name, which makes the Revisions whose pods run the
// template, and every pod is labelled with the names of its Service and
// Configuration. The labels of the Revision (its name, which is generated
// unless the template names it, the UIDs, the configuration's generation,
// and app, set to the Revision's name when the template has none) are not
// known here; MR152 leaves them unjudged.
func operatorLabels(o *manifest.Object) map[string]string {
	if o.Group != kinds.GroupKnativeServing {
		return nil
	}
	const service, configuration = "serving.knative.dev/service", "serving.knative.dev/configuration"
	switch o.Kind {
	case kinds.Service:
		return map[string]string{service: o.Name, configuration: o.Name}
	case "Configuration":
		return map[string]string{configuration: o.Name}
	}
	return nil
}

// addService adds a Service whose Spec is set, of the input or derived
// (flagger.go), with its host and exportTo.
func (g *Graph) addService(s *Service) {
	o := s.Obj
	s.Host = o.Name + "." + o.Namespace + ".svc." + g.Mesh.ClusterDomain
	s.ExportTo = exportTo(splitList(o.Annotations["networking.istio.io/exportTo"]), g.Mesh.DefaultServiceExportTo)
	g.Services = append(g.Services, s)
	g.servicesByHost[s.Host] = append(g.servicesByHost[s.Host], s)
}

// addVirtualService adds a VirtualService whose Spec is set, of the input
// or derived (flagger.go), with its exportTo and fully qualified hosts.
func (g *Graph) addVirtualService(vs *VirtualService) {
	g.setVirtualServiceSpec(vs, vs.Spec)
	g.VirtualServices = append(g.VirtualServices, vs)
}

// setVirtualServiceSpec sets vs's spec, and its exportTo and hosts, before
// the graph is linked.
func (g *Graph) setVirtualServiceSpec(vs *VirtualService, sp *spec.VirtualService) {
	vs.Spec = sp
	vs.ExportTo = exportTo(spec.Values(sp.ExportTo), g.Mesh.DefaultVirtualServiceExportTo)
	vs.Hosts = nil
	if len(sp.Hosts) > 0 {
		vs.Hosts = make([]string, len(sp.Hosts))
	}
	for i, h := range sp.Hosts {
		vs.Hosts[i] = g.FQDN(h.V, vs.Namespace())
	}
}

// addDestinationRule adds a DestinationRule whose Spec is set, of the
// input or derived (flagger.go), with its exportTo and fully qualified
// host.
func (g *Graph) addDestinationRule(dr *DestinationRule) {
	g.setDestinationRuleSpec(dr, dr.Spec)
	g.DestinationRules = append(g.DestinationRules, dr)
	g.drsByNS[dr.Namespace()] = append(g.drsByNS[dr.Namespace()], dr)
}

// setDestinationRuleSpec sets dr's spec, and its exportTo and host, before
// the graph is linked.
func (g *Graph) setDestinationRuleSpec(dr *DestinationRule, sp *spec.DestinationRule) {
	dr.Spec = sp
	dr.ExportTo = spec.Values(sp.ExportTo)
	if len(dr.ExportTo) == 0 {
		dr.ExportTo = drDefaultExportTo(g.Mesh.DefaultDestinationRuleExportTo)
	}
	dr.Host = g.FQDN(sp.Host.V, dr.Namespace())
}

// addWorkload adds w to the graph's workloads.
func (g *Graph) addWorkload(w *Workload) {
	g.Workloads = append(g.Workloads, w)
	g.workloadsByNS[w.Namespace()] = append(g.workloadsByNS[w.Namespace()], w)
}

// templateWorkload completes w, whose Spec is set, from its pod template,
// and extra, the labels that an operator gives the pods besides the
// template's (operatorLabels): the pods have them when the API server
// sends them to the injector webhooks, whose object selectors see them.
func (g *Graph) templateWorkload(w *Workload, extra ...map[string]string) *Workload {
	w.Labels = w.Spec.Metadata.Labels
	for _, x := range extra {
		if len(x) == 0 {
			continue
		}
		// w.Labels is the decoded template's map, shared: copy it.
		l := make(map[string]string, len(w.Labels)+len(x))
		for k, v := range x {
			l[k] = v
		}
		for k, v := range w.Labels { // the template's win
			l[k] = v
		}
		w.Labels = l
	}
	if w.Labels == nil {
		w.Labels = map[string]string{}
	}
	w.ServiceAccount = w.Spec.Spec.ServiceAccountName.V
	if w.ServiceAccount == "" {
		w.ServiceAccount = "default"
	}
	w.Sidecar = g.hasSidecar(w)
	return w
}

// hasSidecar applies the injector's rules: an explicit istio-proxy
// container or native sidecar, else the webhooks' selectors (those of the input's injector
// webhooks, or else the labels of Istio's chart), then the injector's own
// checks (injects, in injection.go). An istio-proxy container with image
// "auto" is not a sidecar of its own: it is the injector's gateway
// template's placeholder, which only injection fills in (MR724).
func (g *Graph) hasSidecar(w *Workload) bool {
	if c := w.proxyContainer(); c != nil && c.Image.V != "auto" {
		return true
	}
	var nsLabels map[string]string
	if ns := g.Namespaces[w.Namespace()]; ns != nil {
		nsLabels = ns.Labels
	}
	return g.injects(workloadPod(w), nsLabels).injected
}

// policyTypes applies the API's defaulting: Ingress always, Egress when
// there are egress rules, unless policyTypes is given.
func policyTypes(np *spec.NetworkPolicy) (ingress, egress bool) {
	if len(np.PolicyTypes) == 0 {
		return true, len(np.Egress) > 0
	}
	for _, t := range np.PolicyTypes {
		switch t.V {
		case "Ingress":
			ingress = true
		case "Egress":
			egress = true
		}
	}
	return ingress, egress
}

// Selector compiles a Kubernetes label selector. A nil selector selects
// everything, as an absent podSelector does.
func Selector(s *spec.LabelSelector) labels.Selector {
	if s == nil {
		return labels.Selector{}
	}
	out := labels.Selector{MatchLabels: s.MatchLabels}
	for _, e := range s.MatchExpressions {
		out.Exprs = append(out.Exprs, labels.Requirement{Key: e.Key.V, Op: labels.Operator(e.Operator.V), Values: e.Values})
	}
	return out
}

// link resolves references once every object is in place.
func (g *Graph) link() {
	g.indexLabels()
	for _, s := range g.Services {
		if len(s.Spec.Selector) > 0 {
			s.Workloads = g.SelectWorkloads(s.Namespace(), s.Spec.Selector)
		}
	}
	for _, gw := range g.Gateways {
		if len(gw.Spec.Selector) > 0 {
			// With PILOT_SCOPE_GATEWAY_TO_NAMESPACE, istiod gives a
			// gateway proxy only the Gateways of its own namespace
			// (PushContext.mergeGateways).
			ns := ""
			if g.Mesh.ScopeGatewayToNamespace {
				ns = gw.Namespace()
			}
			gw.Workloads = gatewayProxies(g.SelectWorkloads(ns, gw.Spec.Selector))
		}
	}
	for _, vs := range g.VirtualServices {
		for _, ref := range vs.Spec.Gateways {
			vs.Gateways = append(vs.Gateways, g.resolveGateway(ref, vs.Namespace()))
		}
	}
	g.linkRollouts()
	for _, np := range g.NetworkPolicies {
		np.Workloads = keepWorkloads(g.candidates(np.Namespace(), np.PodSelector.MatchLabels), func(w *Workload) bool { return np.PodSelector.Matches(w.Labels) })
	}
	// Istio breaks ties between policies by creation time, which manifests
	// do not have; name order keeps results independent of file order.
	for _, pas := range g.pasByNS {
		sort.SliceStable(pas, func(i, j int) bool { return pas[i].Name() < pas[j].Name() })
	}
}

// gatewayProxies keeps, of the workloads a Gateway's selector picks, those
// that may run a gateway proxy: Istio programs Gateways on router proxies
// only (Proxy.SetGatewaysForProxy), so application pods that happen to
// carry the labels neither serve its hosts nor hold its credentials. When
// none looks like a gateway, all are kept: the signs are not proof, and
// MR210 reports a selector that picks application pods only.
func gatewayProxies(ws []*Workload) []*Workload {
	if !slices.ContainsFunc(ws, (*Workload).MayRunGatewayProxy) {
		return ws
	}
	return keepWorkloads(ws, (*Workload).MayRunGatewayProxy)
}

// resolveGateway resolves a VirtualService gateways entry as Istio's
// ResolveGatewayName does, including the legacy "name.namespace" form.
func (g *Graph) resolveGateway(ref spec.Str, vsNS string) GatewayRef {
	r := GatewayRef{Written: ref}
	s := ref.V
	switch {
	case s == "mesh":
		r.Mesh = true
		return r
	case strings.Contains(s, "/"):
		r.Namespace, r.Name, _ = strings.Cut(s, "/")
		if r.Namespace == "." {
			r.Namespace = vsNS
		}
	case strings.Contains(s, "."):
		// name.ns or name.ns.svc.cluster.local
		name, rest, _ := strings.Cut(s, ".")
		ns, _, _ := strings.Cut(rest, ".")
		r.Name, r.Namespace, r.Legacy = name, ns, true
	default:
		r.Name, r.Namespace = s, vsNS
	}
	r.Gateway = g.gatewaysByKey[r.Namespace+"/"+r.Name]
	return r
}

// exportTo returns an object's exportTo list, or the mesh default for its
// kind (MeshConfig default*ExportTo) when it sets none. An empty result
// means "*".
func exportTo(list, meshDefault []string) []string {
	if len(list) == 0 {
		return meshDefault
	}
	return list
}

// drDefaultExportTo is the visibility Istio gives a DestinationRule without
// exportTo: it honours only "." and "*" of the mesh default (push_context.go,
// setDestinationRules: "We only honor . and *"), so a default that lists
// "." keeps the rule in its namespace, other namespaces named beside it
// included, and any other default exports it everywhere.
func drDefaultExportTo(meshDefault []string) []string {
	switch {
	case len(meshDefault) == 0:
		return nil // everywhere, as Istio's own default
	case slices.Contains(meshDefault, "."):
		return []string{"."}
	}
	return []string{"*"}
}

func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

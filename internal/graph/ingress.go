package graph

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
)

// Ingress is a Kubernetes Ingress: traffic from the cluster's ingress
// controller to the workloads of its backend Services.
type Ingress struct {
	Meta
	Spec *spec.Ingress
	// Backends are the default backend and the rules' backends that name
	// a Service, in spec order.
	Backends []IngressBackend
}

// Route is an OpenShift Route, the Ingress of OpenShift's router.
type Route struct {
	Meta
	Spec *spec.Route
	// Backends are spec.to and spec.alternateBackends of kind Service.
	Backends []IngressBackend
}

// IngressBackend is a Service that an Ingress or a Route sends traffic to.
type IngressBackend struct {
	// Name is the Service's name, in the namespace of the Ingress.
	Name spec.Str
	// Service is the Service found, or nil.
	Service *Service
	// Port picks the Service port: an Ingress names a Service port by
	// name or number; a Route's targetPort is a port name or a pod port
	// number. Unset (a Route without port) means every port.
	Port spec.IntOrString
	// Loc is where the backend is written.
	Loc spec.Loc
}

// addIngresses decodes the Ingresses and Routes of the input and resolves
// their backend Services; it runs once Services are in place.
func (g *Graph) addIngresses() {
	for _, o := range g.Objects {
		if kinds.GenericWorkload(o.Group, o.Kind) {
			continue // a workload whose kind has the name
		}
		switch o.Kind {
		case kinds.Ingress:
			in := &Ingress{Meta: Meta{Obj: o}}
			if !decodeInto(g, o, o.Spec(), &in.Spec) {
				continue
			}
			add := func(b *spec.IngressBackend) {
				if b == nil || b.Service == nil {
					return
				}
				port := spec.IntOrString{Int: b.Service.Port.Number.V, Set: b.Service.Port.Number.Set, Loc: b.Service.Port.Number.Loc}
				if b.Service.Port.Name.Set {
					port = spec.IntOrString{Str: b.Service.Port.Name.V, IsStr: true, Set: true, Loc: b.Service.Port.Name.Loc}
				}
				in.Backends = append(in.Backends, g.ingressBackend(o.Namespace, b.Service.Name, port, b.Loc))
			}
			add(in.Spec.DefaultBackend)
			for _, r := range in.Spec.Rules {
				if r.HTTP == nil {
					continue
				}
				for i := range r.HTTP.Paths {
					add(&r.HTTP.Paths[i].Backend)
				}
			}
			g.Ingresses = append(g.Ingresses, in)
		case kinds.Route:
			rt := &Route{Meta: Meta{Obj: o}}
			if !decodeInto(g, o, o.Spec(), &rt.Spec) {
				continue
			}
			var port spec.IntOrString
			if rt.Spec.Port != nil {
				port = rt.Spec.Port.TargetPort
			}
			for _, t := range append([]spec.RouteTarget{rt.Spec.To}, rt.Spec.AlternateBackends...) {
				if t.Name.V == "" || (t.Kind.V != "" && t.Kind.V != string(kinds.Service)) {
					continue
				}
				rt.Backends = append(rt.Backends, g.ingressBackend(o.Namespace, t.Name, port, t.Loc))
			}
			g.Routes = append(g.Routes, rt)
		}
	}
}

func (g *Graph) ingressBackend(ns string, name spec.Str, port spec.IntOrString, loc spec.Loc) IngressBackend {
	b := IngressBackend{Name: name, Port: port, Loc: loc}
	for _, s := range g.servicesByHost[name.V+"."+ns+".svc."+g.Mesh.ClusterDomain] {
		if s.Namespace() == ns && s.Name() == name.V {
			b.Service = s
			break
		}
	}
	return b
}

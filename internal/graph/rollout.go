package graph

import (
	"strings"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// Rollout is an Argo Rollout (argoproj.io/v1alpha1): a Deployment whose
// updates the Argo Rollouts controller drives, with the objects its canary
// strategy names resolved as that controller resolves them: of an object
// defined more than once, to the definition that the Rollout's goes with
// (Counterpart).
type Rollout struct {
	Meta
	Spec *spec.Rollout
	// Workload is the workload of its pod template; nil when the Rollout
	// takes its pods from a workloadRef (Ref is the workload) or has no
	// template.
	Workload *Workload
	// Ref is the workload that spec.workloadRef names, whose pod template
	// Argo Rollouts runs (rollout_experiment.go): a Deployment or
	// ReplicaSet of the input, or the pods of a PodTemplate of the input,
	// which runs none of its own; nil when there is none, or when Argo
	// would not resolve it.
	Ref *Workload
	// VirtualServices are the references of trafficRouting.istio that
	// Argo Rollouts reads (see IstioVirtualServices), resolved.
	VirtualServices []RolloutVirtualService
	// DestinationRule is the DestinationRule that trafficRouting.istio
	// names, in the Rollout's namespace; nil when there is none.
	DestinationRule *DestinationRule
	// Services are the Services the canary strategy names (canaryService,
	// stableService, pingPong), in that order, each looked up in the
	// Rollout's namespace.
	Services []RolloutService
	// Experiments are the workloads of the templates of its canary
	// experiment steps (rollout_experiment.go), in step order, of its own
	// pod template or of Ref's; they are among the graph's Workloads.
	Experiments []*Workload
	// ExperimentServices are the Services of the templates of its
	// experiment steps that have service or weight set, in step order;
	// they are among the graph's Services.
	ExperimentServices []*Service
	// experimentRuns are the templates of its experiment steps that run
	// pods, in step order, with the workload of each.
	experimentRuns []experimentRun
}

// RolloutVirtualService is a VirtualService reference of a Rollout.
type RolloutVirtualService struct {
	// Ref is the reference as written.
	Ref *spec.IstioVirtualService
	// Namespace and Name are what Argo Rollouts makes of Ref.Name.
	Namespace, Name string
	// VirtualService is the VirtualService found, or nil.
	VirtualService *VirtualService
}

// RolloutService is a Service that a Rollout's canary strategy names.
type RolloutService struct {
	// Field is the field that names it: canaryService, stableService,
	// pingPong.pingService or pingPong.pongService.
	Field string
	// Name is the field's value.
	Name spec.Str
	// Service is the Service of that name in the Rollout's namespace, or
	// nil.
	Service *Service
}

// addRollout adds an Argo Rollout, the workload of its pod template, and
// those of its experiment steps.
func (g *Graph) addRollout(o *manifest.Object) {
	var rs *spec.Rollout
	if !decodeInto(g, o, o.Spec(), &rs) {
		return
	}
	r := &Rollout{Meta: Meta{Obj: o}, Spec: rs}
	g.Rollouts = append(g.Rollouts, r)
	if rs.WorkloadRef != nil || rs.Template.Metadata.Labels == nil && len(rs.Template.Spec.Containers) == 0 {
		// A Rollout with a workloadRef runs the pods of the referenced
		// Deployment's template, which is a workload of the input
		// already.
		return
	}
	r.Workload = g.templateWorkload(&Workload{Meta: Meta{Obj: o}, Spec: &rs.Template})
	g.addWorkload(r.Workload)
	g.addRolloutExperiments(r, &rs.Template)
}

// Istio returns the Rollout's trafficRouting.istio, nil when its canary
// strategy routes no traffic through Istio.
func (r *Rollout) Istio() *spec.IstioTrafficRouting {
	c := r.Spec.Strategy.Canary
	if c == nil || c.TrafficRouting == nil {
		return nil
	}
	return c.TrafficRouting.Istio
}

// IstioVirtualServices returns the VirtualService references Argo Rollouts
// reads, as its MultipleVirtualServiceConfigured decides: virtualServices
// when it is set (even empty), else virtualService.
func (r *Rollout) IstioVirtualServices() []spec.IstioVirtualService {
	istio := r.Istio()
	switch {
	case istio == nil:
		return nil
	case istio.VirtualServices != nil:
		return istio.VirtualServices.Items
	case istio.VirtualService != nil:
		return []spec.IstioVirtualService{*istio.VirtualService}
	}
	return nil
}

// StableAndCanaryServices returns the names of the stable and canary
// Services as Argo Rollouts' GetStableAndCanaryServices does for traffic
// routing: stableService and canaryService, or, when both are empty and
// the strategy has pingPong, the pong and ping Services (the roles of a
// Rollout whose status names no stable ping-pong side yet).
func (r *Rollout) StableAndCanaryServices() (stable, canary spec.Str) {
	c := r.Spec.Strategy.Canary
	if c == nil {
		return spec.Str{}, spec.Str{}
	}
	if c.PingPong != nil && c.StableService.V == "" && c.CanaryService.V == "" {
		return c.PingPong.PongService, c.PingPong.PingService
	}
	return c.StableService, c.CanaryService
}

// VirtualServiceNamespaceName splits a VirtualService reference of a
// Rollout as Argo Rollouts' GetVirtualServiceNamespaceName does: a
// ".cluster.local" suffix is dropped, then the last dot-separated part is
// the namespace ("" for a name without dots) and the rest the name.
func VirtualServiceNamespaceName(ref string) (namespace, name string) {
	ref = strings.TrimSuffix(ref, ".cluster.local")
	i := strings.LastIndex(ref, ".")
	if i < 0 {
		return "", ref
	}
	return ref[i+1:], ref[:i]
}

// linkRollouts resolves the Rollouts' references.
func (g *Graph) linkRollouts() {
	if len(g.Rollouts) == 0 {
		return
	}
	// Each definition of a VirtualService, DestinationRule or Service may
	// be the one a definition of the Rollout goes with (Counterpart).
	vss := make(map[string][]*VirtualService, len(g.VirtualServices))
	for _, vs := range g.VirtualServices {
		k := vs.Namespace() + "/" + vs.Name()
		vss[k] = append(vss[k], vs)
	}
	for _, r := range g.Rollouts {
		c := r.Spec.Strategy.Canary
		if c == nil {
			continue
		}
		ns := r.Namespace()
		fields := []RolloutService{{Field: "canaryService", Name: c.CanaryService}, {Field: "stableService", Name: c.StableService}}
		if c.PingPong != nil {
			fields = append(fields, RolloutService{Field: "pingPong.pingService", Name: c.PingPong.PingService},
				RolloutService{Field: "pingPong.pongService", Name: c.PingPong.PongService})
		}
		for _, f := range fields {
			if f.Name.V == "" {
				continue
			}
			f.Service = g.serviceFor(r.Obj, ns, f.Name.V)
			r.Services = append(r.Services, f)
		}
		istio := r.Istio()
		if istio == nil {
			continue
		}
		refs := r.IstioVirtualServices()
		for i := range refs {
			vsNS, name := VirtualServiceNamespaceName(refs[i].Name.V)
			if vsNS == "" {
				vsNS = ns
			}
			rv := RolloutVirtualService{Ref: &refs[i], Namespace: vsNS, Name: name}
			if defs := vss[vsNS+"/"+name]; defs != nil {
				rv.VirtualService = Counterpart(g, r.Obj, defs)
			}
			r.VirtualServices = append(r.VirtualServices, rv)
		}
		if dr := istio.DestinationRule; dr != nil {
			var defs []*DestinationRule
			for _, d := range g.drsByNS[ns] {
				if d.Name() == dr.Name.V {
					defs = append(defs, d)
				}
			}
			if defs != nil {
				r.DestinationRule = Counterpart(g, r.Obj, defs)
			}
		}
	}
}

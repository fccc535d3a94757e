package graph

import (
	"reflect"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// prepared is what Build and the rules need of an object's YAML nodes,
// taken while the loader still holds them, so that it can drop them: the
// nodes of a large tree take 30 bytes for every byte of YAML.
type prepared struct {
	decoded []decoded

	// Facts the typed specs leave out, by kind.
	l7What      string   // DestinationRule: L7TrafficPolicy
	l7Loc       spec.Loc // DestinationRule
	metrics     bool     // Telemetry: spec.metrics is set
	faults      map[int]spec.Int
	addresses   []spec.GatewayAddress // Gateway API Gateway
	addressesOK bool
	template    *templateMeta // workload with a pod template
}

// decoded is one spec decode: the value and its errors.
type decoded struct {
	out  any
	errs []*manifest.Error
}

// templateMeta is the metadata of a workload's pod template.
type templateMeta struct {
	annotations, labels map[string]string
}

// take copies the prepared value of out's type into out.
func (p *prepared) take(out any) ([]*manifest.Error, bool) {
	t := reflect.TypeOf(out)
	for _, d := range p.decoded {
		if reflect.TypeOf(d.out) == t {
			reflect.ValueOf(out).Elem().Set(reflect.ValueOf(d.out).Elem())
			return d.errs, true
		}
	}
	return nil, false
}

// preparedOf returns what Prepare kept of o, or nil when o was not
// prepared (its nodes are then still there).
func preparedOf(o *manifest.Object) *prepared {
	p, _ := o.Prepared.(*prepared)
	return p
}

// Prepare decodes everything Build and the rules will need of objs (the
// objects of one file, or any other part of the input) while their nodes
// are alive, and keeps it on the objects. It runs Build itself on objs
// alone, so the two cannot drift apart, and returns that graph of objs:
// its Errors are their decoding errors, which the Build of the whole input
// reports again.
func Prepare(objs []*manifest.Object, mesh config.Mesh) *Graph {
	for _, o := range objs {
		o.Prepared = &prepared{}
	}
	g := newGraph(objs, mesh)
	g.recording = true
	g.build()
	for _, o := range objs {
		prepareFacts(o, preparedOf(o))
	}
	g.recording = false
	return g
}

func prepareFacts(o *manifest.Object, p *prepared) {
	switch {
	case o.Kind == kinds.DestinationRule && o.Group == kinds.GroupIstioNetworking:
		p.l7What, p.l7Loc = l7TrafficPolicy(o.Spec())
	case o.Kind == kinds.Telemetry:
		p.metrics = mapField(o.Spec(), "metrics") != nil
	case o.Kind == kinds.VirtualService:
		http := mapField(o.Spec(), "http")
		for i := 0; http != nil && http.Kind == yaml.SequenceNode && i < len(http.Content); i++ {
			if pct, ok := faultDelayPercent(o.File, http, i); ok {
				if p.faults == nil {
					p.faults = map[int]spec.Int{}
				}
				p.faults[i] = pct
			}
		}
	case o.Kind == kinds.K8sGateway && o.Group == kinds.GroupGatewayAPI:
		p.addresses, p.addressesOK = addresses(o)
	case kinds.IsWorkload(o.Kind) && o.Kind != kinds.Pod:
		if tm := templateMetadata(o); tm != nil {
			p.template = &templateMeta{annotations: stringMap(mapField(tm, "annotations")), labels: stringMap(mapField(tm, "labels"))}
		}
	}
}

package graph

import (
	"reflect"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Prepared is what Build and the rules need of an object's YAML nodes,
// taken while the loader still holds them, so that it can drop them: the
// nodes of a large tree take 30 bytes for every byte of YAML.
type Prepared struct {
	Decoded []decoded

	// Facts the typed specs leave out, by kind. The fields are exported
	// for the cache's gob encoding only.
	L7What      string   // DestinationRule: L7TrafficPolicy
	L7Loc       spec.Loc // DestinationRule
	Metrics     bool     // Telemetry: spec.metrics is set
	Faults      map[int]spec.Int
	Addresses   []spec.GatewayAddress // Gateway API Gateway
	AddressesOK bool
	Template    *templateMeta // workload with a pod template
}

// decoded is one spec decode: the value and its errors.
type decoded struct {
	Spec specs
	Errs []*manifest.Error
}

// templateMeta is the metadata of a workload's pod template.
type templateMeta struct {
	Annotations, Labels map[string]string
}

// take copies the prepared value of out's type into out.
func (p *Prepared) take(out any) ([]*manifest.Error, bool) {
	t := reflect.TypeOf(out)
	for _, d := range p.Decoded {
		if v := d.Spec.get(); reflect.TypeOf(v) == t {
			reflect.ValueOf(out).Elem().Set(reflect.ValueOf(v).Elem())
			return d.Errs, true
		}
	}
	return nil, false
}

// preparedOf returns what Prepare kept of o, or nil when o was not
// prepared (its nodes are then still there).
func preparedOf(o *manifest.Object) *Prepared {
	p, _ := o.Prepared.(*Prepared)
	return p
}

// Prepare decodes everything Build and the rules will need of objs (the
// objects of one file, or any other part of the input) while their nodes
// are alive, and keeps it on the objects. It runs Build itself on objs
// alone, so the two cannot drift apart, and returns that graph of objs,
// unlinked (no selector or gateway is resolved in it): its Objects and its
// Errors, their decoding errors, which the Build of the whole input reports
// again, are what the Local rules read.
func Prepare(objs []*manifest.Object, mesh config.Mesh) *Graph {
	for _, o := range objs {
		o.Prepared = &Prepared{}
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

func prepareFacts(o *manifest.Object, p *Prepared) {
	switch {
	case o.Kind == kinds.DestinationRule && o.Group == kinds.GroupIstioNetworking:
		p.L7What, p.L7Loc = l7TrafficPolicy(o.Spec())
	case o.Kind == kinds.Telemetry:
		p.Metrics = mapField(o.Spec(), "metrics") != nil
	case o.Kind == kinds.VirtualService:
		http := mapField(o.Spec(), "http")
		for i := 0; http != nil && http.Kind == yaml.SequenceNode && i < len(http.Content); i++ {
			if pct, ok := faultDelayPercent(o.File, http, i); ok {
				if p.Faults == nil {
					p.Faults = map[int]spec.Int{}
				}
				p.Faults[i] = pct
			}
		}
	case o.Kind == kinds.K8sGateway && o.Group == kinds.GroupGatewayAPI:
		p.Addresses, p.AddressesOK = addresses(o)
	case kinds.IsWorkload(o.Kind) && o.Kind != kinds.Pod:
		if tm := templateMetadata(o); tm != nil {
			p.Template = &templateMeta{Annotations: stringMap(mapField(tm, "annotations")), Labels: stringMap(mapField(tm, "labels"))}
		}
	}
}

package graph

import (
	"reflect"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Prepared is what Build and the rules need of an object's YAML nodes,
// taken while the loader still holds them, so that it can drop them: the
// nodes of a large tree take 30 bytes for every byte of YAML.
//
// It is kept for every object of the input, so it is small: most objects
// have one decoded spec and no facts.
type Prepared struct {
	decoded []decoded
	facts   *facts
}

// decoded is one spec decode: the value (a pointer to a spec type) and its
// errors.
type decoded struct {
	spec any
	errs []*manifest.Error
}

// facts are what the typed specs leave out, by kind. The fields are
// exported for the cache's gob encoding only.
type facts struct {
	L7What    string   // DestinationRule: L7TrafficPolicy
	L7Loc     spec.Loc // DestinationRule
	Metrics   bool     // Telemetry: spec.metrics is set
	Faults    map[int]DelayPercent
	Addresses []spec.GatewayAddress // Gateway API Gateway
	Template  *templateMeta         // workload with a pod template
	Injector  *injectorSettings     // sidecar injector ConfigMap
	ConfigMap *configMapFacts       // any ConfigMap
	Created   string                // ListenerSet: metadata.creationTimestamp
}

// f returns the facts of p, zero when it has none.
func (p *Prepared) f() facts {
	if p.facts == nil {
		return facts{}
	}
	return *p.facts
}

// setFacts returns p's facts, allocated on first use.
func (p *Prepared) setFacts() *facts {
	if p.facts == nil {
		p.facts = &facts{}
	}
	return p.facts
}

// templateMeta is the metadata of a workload's pod template.
type templateMeta struct {
	Annotations, Labels map[string]string
}

// take copies the prepared value of out's type into out.
func (p *Prepared) take(out any) ([]*manifest.Error, bool) {
	t := reflect.TypeOf(out)
	for _, d := range p.decoded {
		if reflect.TypeOf(d.spec) == t {
			reflect.ValueOf(out).Elem().Set(reflect.ValueOf(d.spec).Elem())
			return d.errs, true
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
//
// shared, when not nil, makes the equal maps of what is kept one.
func Prepare(objs []*manifest.Object, mesh config.Mesh, shared *Shared) *Graph {
	return PrepareReusing(nil, objs, mesh, shared)
}

// PrepareReusing is Prepare with the maps of scratch, a graph an earlier
// Prepare returned, cleared and reused for the graph of objs rather than
// made again: a loader worker prepares thousands of files, one after the
// other, each into a whole graph it drops as soon as the Local rules have
// read it. scratch, when not nil, must no longer be read by anyone; a
// scratch that held a large file is not reused, so that one file does not
// keep its maps' size for the rest of the run.
func PrepareReusing(scratch *Graph, objs []*manifest.Object, mesh config.Mesh, shared *Shared) *Graph {
	for _, o := range objs {
		o.Prepared = &Prepared{}
	}
	var g *Graph
	if scratch != nil && scratch.present != nil && len(scratch.Objects) <= maxScratchObjects {
		g = scratch.reuse(objs, mesh)
	} else {
		g = newGraph(objs, mesh)
	}
	g.recording, g.maps = true, shared.Maps()
	g.build()
	for _, o := range objs {
		prepareFacts(o, preparedOf(o), g.maps)
		shared.Canon(o)
	}
	g.recording, g.maps = false, nil
	return g
}

// maxScratchObjects bounds the objects of a file whose graph
// PrepareReusing reuses: its maps are about that many entries large.
const maxScratchObjects = 1000

// reuse makes g the empty graph that newGraph makes for objs, with g's
// maps cleared rather than made. Only the maps newGraph makes are kept:
// those made on first use (byLabel, generatedBy) are told unbuilt by being
// nil. Its slices are not kept: they are short, and what a rule made of
// one would see it overwritten.
func (g *Graph) reuse(objs []*manifest.Object, mesh config.Mesh) *Graph {
	*g = Graph{
		Mesh:           mesh.Complete(),
		Objects:        objs,
		Namespaces:     cleared(g.Namespaces),
		servicesByHost: cleared(g.servicesByHost),
		workloadsByNS:  cleared(g.workloadsByNS),
		gatewaysByKey:  cleared(g.gatewaysByKey),
		drsByNS:        cleared(g.drsByNS),
		pasByNS:        cleared(g.pasByNS),
		present:        cleared(g.present),
		described:      cleared(g.described),
		configMaps:     cleared(g.configMaps),
		secretsByName:  cleared(g.secretsByName),
		defs:           &definitions{},
	}
	return g
}

func cleared[M ~map[K]V, K comparable, V any](m M) M {
	clear(m)
	return m
}

func prepareFacts(o *manifest.Object, p *Prepared, maps *manifest.Maps) {
	switch {
	case HasPodTemplate(o):
		// First: a generic workload's kind may be any name.
		if tm := templateMetadata(o); tm != nil {
			p.setFacts().Template = &templateMeta{Annotations: stringMap(yamlpath.Field(tm, "annotations"), maps), Labels: stringMap(yamlpath.Field(tm, "labels"), maps)}
		}
	case kinds.LoadedConfigMap(o.Group, o.Kind):
		p.setFacts().ConfigMap = readConfigMap(o)
	case o.Kind == kinds.DestinationRule && o.Group == kinds.GroupIstioNetworking:
		if what, at := l7TrafficPolicy(o.Spec()); what != "" {
			f := p.setFacts()
			f.L7What, f.L7Loc = what, at
		}
	case o.Kind == kinds.Telemetry:
		if yamlpath.Field(o.Spec(), "metrics") != nil {
			p.setFacts().Metrics = true
		}
	case o.Kind == kinds.VirtualService:
		http := yamlpath.Field(o.Spec(), "http")
		for i := 0; http != nil && http.Kind == yaml.SequenceNode && i < len(http.Content); i++ {
			if pct, ok := faultDelayPercent(o.File, http, i); ok {
				f := p.setFacts()
				if f.Faults == nil {
					f.Faults = map[int]DelayPercent{}
				}
				f.Faults[i] = pct
			}
		}
	case o.Kind == kinds.K8sGateway && o.Group == kinds.GroupGatewayAPI:
		if a, _ := addresses(o); a != nil {
			p.setFacts().Addresses = a
		}
	case o.Kind == kinds.ListenerSet && o.Group == kinds.GroupGatewayAPI:
		if c := creationTimestamp(o); c != "" {
			p.setFacts().Created = c
		}
	}
}

package graph

import (
	"fmt"
	"hash/fnv"
	"maps"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// Experiment is an Argo Rollouts Experiment of the input
// (argoproj.io/v1alpha1), with what the Experiment controller of Argo
// Rollouts v1.10.2 creates for it at run time, which a repository does not
// hold: for each template a ReplicaSet <experiment>-<template> of the
// template's pods (newReplicaSetFromTemplate, experiments/replicaset.go),
// and for a template with service set a Service of those pods
// (createTemplateService, experiments/experiment.go). The graph holds them
// among its Workloads and Services, so that Services, routes and policies
// of the input see the pods and the Services; StandaloneExperimentOf tells
// them apart.
//
// The pods keep the template's positions, which are in the Experiment:
// findings about their pod spec point at the template.
type Experiment struct {
	Meta
	Spec *spec.Experiment
	// Workloads are the ReplicaSets of its templates, in template order;
	// none when Argo rejects the spec (validExperiment).
	Workloads []*Workload
	// Services are the Services of its templates that have one, in
	// template order.
	Services []*Service
}

// Argo's names for what it adds to the objects it creates.
const (
	argoPodTemplateHashLabel   = "rollouts-pod-template-hash"
	argoExperimentNameKey      = "experiment.argoproj.io/name"
	argoExperimentTemplateKey  = "experiment.argoproj.io/template-name"
	argoDefaultProgressSeconds = 600 // GetExperimentProgressDeadlineSecondsOrDefault
)

// addExperiment adds an Experiment of the input; deriveExperiments derives
// its objects once the whole input is in place, since an input Service
// with the name of a template's keeps Argo from creating that one.
func (g *Graph) addExperiment(o *manifest.Object) {
	var es *spec.Experiment
	if !decodeInto(g, o, o.Spec(), &es) {
		return
	}
	g.Experiments = append(g.Experiments, &Experiment{Meta: Meta{Obj: o}, Spec: es})
}

// deriveExperiments derives what the controllers of Argo Rollouts create
// beyond the input: the pods of the experiment steps of Rollouts with a
// workloadRef, whose template is another object's, the Services of the
// experiment steps, and the ReplicaSets and Services of the Experiments.
func (g *Graph) deriveExperiments() {
	g.addWorkloadRefExperiments()
	g.deriveRolloutExperimentServices()
	for _, e := range g.Experiments {
		g.deriveExperiment(e)
	}
}

// deriveExperiment derives the ReplicaSet of each template of e that the
// API server accepts (one with containers, whose selector matches its
// labels), and the Service of those with service set.
func (g *Graph) deriveExperiment(e *Experiment) {
	if !validExperiment(e.Spec) {
		return
	}
	for i := range e.Spec.Templates {
		t := &e.Spec.Templates[i]
		hash := experimentHash(e, t.Name.V)
		labels := experimentPodLabels(t.Template.Metadata.Labels, hash)
		sel := *t.Selector
		sel.MatchLabels = maps.Clone(sel.MatchLabels)
		if sel.MatchLabels == nil {
			sel.MatchLabels = map[string]string{}
		}
		// CloneSelectorAndAddLabel: the ReplicaSet selects its own pods.
		sel.MatchLabels[argoPodTemplateHashLabel] = hash
		if len(t.Template.Spec.Containers) == 0 || !Selector(&sel).Matches(labels) {
			continue // the API server rejects the ReplicaSet
		}
		w := g.experimentWorkload(e, t, labels)
		e.Workloads = append(e.Workloads, w)
		g.addWorkload(w)
		if s := g.experimentService(e, t, w); s != nil {
			e.Services = append(e.Services, s)
			g.addService(s)
		}
	}
}

// validExperiment mirrors VerifyExperimentSpec: a template without a
// selector or with an empty one, with minReadySeconds beyond the progress
// deadline, without a name or with another template's name makes the
// whole Experiment invalid, and Argo creates nothing for it.
func validExperiment(es *spec.Experiment) bool {
	deadline := int64(argoDefaultProgressSeconds)
	if es.ProgressDeadlineSeconds.Set {
		deadline = es.ProgressDeadlineSeconds.V
	}
	names := map[string]bool{}
	for _, t := range es.Templates {
		switch {
		case t.Selector == nil, len(t.Selector.MatchLabels) == 0 && len(t.Selector.MatchExpressions) == 0,
			t.MinReadySeconds.V > deadline, t.Name.V == "", names[t.Name.V]:
			return false
		}
		names[t.Name.V] = true
	}
	return true
}

// experimentHash stands in for the rollouts-pod-template-hash label that
// Argo gives the pods of a template and adds to the selectors of their
// ReplicaSet and Service: a hash of the pod template, which meshlint cannot
// compute (Argo hashes the whole Go object), so one of the Experiment's
// namespace and name and the template's name, in Argo's alphabet
// (rand.SafeEncodeString). Like Argo's, it is the same for every pod of
// the template and differs from template to template, so that a template's
// Service selects its pods only.
func experimentHash(e *Experiment, template string) string {
	return argoHash(e.Namespace() + "/" + e.Name() + "/" + template)
}

// argoHash returns a stand-in for a rollouts-pod-template-hash label: a
// hash of key in Argo's alphabet.
func argoHash(key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	const alphanums = "bcdfghjklmnpqrstvwxz2456789"
	b := []byte(fmt.Sprint(h.Sum32()))
	for i, c := range b {
		b[i] = alphanums[int(c)%len(alphanums)]
	}
	return string(b)
}

// experimentPodLabels returns the labels of a template's pods: its own,
// whose rollouts-pod-template-hash Argo replaces, as a new map, since the
// template's may be shared with the cache of prepared specs.
func experimentPodLabels(template map[string]string, hash string) map[string]string {
	out := make(map[string]string, len(template)+1)
	maps.Copy(out, template)
	out[argoPodTemplateHashLabel] = hash
	return out
}

// experimentObject returns an object the Experiment controller creates
// for template t of e, annotated with their names as Argo annotates it
// (newReplicaSetAnnotations, newServiceAnnotations), at nameLoc in the
// Experiment.
func experimentObject(e *Experiment, t *spec.ExperimentTemplate, apiVersion string, kind kinds.Kind, name string, nameLoc manifest.Loc) *manifest.Object {
	eo := e.Obj
	if nameLoc.IsZero() {
		nameLoc = t.Loc
	}
	group, _ := kinds.SplitAPIVersion(apiVersion)
	o := &manifest.Object{
		APIVersion: apiVersion, Group: group, Kind: kind, Name: name,
		Namespace: eo.Namespace, NamespaceSet: eo.NamespaceSet,
		Annotations: map[string]string{argoExperimentNameKey: eo.Name, argoExperimentTemplateKey: t.Name.V},
		OwnerKind:   string(kinds.Experiment), OwnerName: eo.Name,
		File: eo.File, Doc: eo.Doc, KindLoc: eo.KindLoc, NameLoc: nameLoc, Sources: eo.Sources,
		NoDirectives: true,
	}
	o.Prepared = &generated{from: eo}
	return o
}

// experimentWorkload returns the ReplicaSet <experiment>-<template> of
// template t, labelled as its pods are, whose pods have the given labels
// and the template's annotations and spec.
func (g *Graph) experimentWorkload(e *Experiment, t *spec.ExperimentTemplate, labels map[string]string) *Workload {
	o := experimentObject(e, t, kinds.GroupApps+"/v1", kinds.ReplicaSet, e.Name()+"-"+t.Name.V, t.Name.Loc)
	o.Labels = labels
	tmpl := t.Template
	tmpl.Metadata.Labels = labels
	return g.templateWorkload(&Workload{Meta: Meta{Obj: o}, Spec: &tmpl})
}

// experimentService returns the Service that createTemplateService makes
// for template t, whose ReplicaSet is w: named service.name, or as the
// ReplicaSet; selecting the ReplicaSet's labels; with a port for each
// container port, of its number, protocol and name. It returns nil when
// Argo makes none: t has no service, runs no pods (replicas 0, or a
// terminated Experiment), or its containers have no port; or when the
// API server refuses it: a Service of its name exists (Argo then fails
// rather than take it over), or the ports are not valid ones.
func (g *Graph) experimentService(e *Experiment, t *spec.ExperimentTemplate, w *Workload) *Service {
	if t.Service == nil || e.Spec.Terminate.V || t.Replicas.Set && t.Replicas.V == 0 {
		return nil
	}
	ports := experimentServicePorts(t.Template.Spec.Containers)
	if len(ports) == 0 || !validExperimentPorts(ports) {
		return nil
	}
	name, nameLoc := w.Name(), t.Service.Loc
	if t.Service.Name.V != "" {
		name, nameLoc = t.Service.Name.V, t.Service.Name.Loc
	}
	if g.serviceNamed(e.Namespace(), name) != nil {
		return nil
	}
	o := experimentObject(e, t, "v1", kinds.Service, name, nameLoc)
	return &Service{Meta: Meta{Obj: o}, Spec: &spec.Service{
		Type:     spec.Str{V: "ClusterIP", Set: true},
		Selector: experimentSelector(w.Labels),
		Ports:    ports,
	}}
}

// experimentServicePorts mirrors createTemplateService: every port of
// every container, in order, to the same number, with its protocol (TCP,
// the API server's default, when unset) and name. The ports are at the
// container ports they come from.
func experimentServicePorts(cs []spec.Container) []spec.ServicePort {
	var ports []spec.ServicePort
	for _, c := range cs {
		for _, p := range c.Ports {
			protocol := p.Protocol
			if protocol.V == "" {
				protocol = spec.Str{V: "TCP", Loc: p.Loc, Set: true}
			}
			ports = append(ports, spec.ServicePort{
				At:         p.At,
				Name:       p.Name,
				Port:       p.ContainerPort,
				TargetPort: spec.IntOrString{Int: p.ContainerPort.V, Loc: p.ContainerPort.Loc, Set: true},
				Protocol:   protocol,
			})
		}
	}
	return ports
}

// validExperimentPorts reports whether the API server accepts a Service
// with these ports: numbers in range, a name on each when there are
// several, no name twice and no number twice for one protocol.
func validExperimentPorts(ports []spec.ServicePort) bool {
	names, numbers := map[string]bool{}, map[string]bool{}
	for _, p := range ports {
		number := fmt.Sprintf("%d/%s", p.Port.V, p.Protocol.V)
		if p.Port.V < 1 || p.Port.V > 65535 || len(ports) > 1 && p.Name.V == "" || names[p.Name.V] || numbers[number] {
			return false
		}
		if p.Name.V != "" {
			names[p.Name.V] = true
		}
		numbers[number] = true
	}
	return true
}

// StandaloneExperimentOf returns the Experiment of the input for which
// Argo Rollouts creates o (the ReplicaSet or the Service of a template),
// nil for an object of the input or one derived from another kind.
func (g *Graph) StandaloneExperimentOf(o *manifest.Object) *Experiment {
	from := Origin(o)
	if from == o || from.Kind != kinds.Experiment || from.Group != kinds.GroupArgo {
		return nil
	}
	for _, e := range g.Experiments {
		if e.Obj != from {
			continue
		}
		for _, w := range e.Workloads {
			if w.Obj == o {
				return e
			}
		}
		for _, s := range e.Services {
			if s.Obj == o {
				return e
			}
		}
	}
	return nil
}

// experimentSelector is the selector of the Service of an experiment's
// ReplicaSet, whose pods have labels l: Argo selects them by all their
// labels, and so does the graph, but for the release labels
// (ReleaseLabel), which the graph does not read of pods; the pod template
// hash among the others selects the same pods.
func experimentSelector(l map[string]string) map[string]string {
	out := make(map[string]string, len(l))
	for k, v := range l {
		if !ReleaseLabel(k) {
			out[k] = v
		}
	}
	return out
}

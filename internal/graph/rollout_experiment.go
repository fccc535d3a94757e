package graph

import (
	"maps"
	"slices"
	"strconv"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// An experiment step of a Rollout's canary strategy runs pods that are in
// no manifest: Argo Rollouts v1.10.2 makes an Experiment of the step
// (GetExperimentFromTemplate, rollout/experiment.go), each of its templates
// the pod template of the Rollout's canary or stable ReplicaSet with the
// template's metadata labels and annotations set on it, and the Experiment
// controller runs each template as a ReplicaSet named
// <experiment>-<template> (newReplicaSetFromTemplate,
// experiments/replicaset.go), whose pods get a rollouts-pod-template-hash
// label of their own. A Service of the input may select those pods by the
// labels the step adds, as Argo's rollout-canary-preview example does, so
// the graph holds them among its Workloads.
//
// A template with service or weight set gets a Service too
// (GetExperimentFromTemplate gives the Experiment's template a service for
// either): the one the Experiment controller creates for the templates of
// a standalone Experiment (experimentService), selecting the ReplicaSet's
// labels, hash included, so only the template's pods. The graph holds it
// among its Services (deriveRolloutExperimentServices), so that routes and
// policies naming it see it.
//
// Argo names the Experiment <rollout>-<pod template hash>-<revision>-<step
// index>, from the Rollout's status; meshlint names the ReplicaSet
// <rollout>-<template> instead (rolloutExperimentName), and gives its pods
// a stand-in hash (argoHash) of that name. A Service without service.name
// is named as the ReplicaSet. The input holds one pod template, the
// Rollout's, so a template of the stable ReplicaSet (specRef: stable) gets
// it too, as the Rollout's own workload does. A Rollout with a workloadRef
// runs the template of the Deployment, ReplicaSet or PodTemplate it names,
// which Argo's template resolver copies into the Rollout's spec
// (informerBasedTemplateResolver.Resolve): its steps run that template too
// (addWorkloadRefExperiments). Not modelled: the templates' selector (the
// pods' labels are what selectors of the input match), and the weight of a
// template: while the step runs, the Istio traffic router adds a
// destination for its Service, weighted so, to the routes it manages
// (processRoutes, rollout/trafficrouting/istio) and deletes it when the
// step ends. meshlint models routes at rest, as it does the weights Argo
// sets on the canary and stable destinations (the VirtualService as the
// input writes it), so the step's destination is not in the graph.
// Experiment objects of the input are modelled apart (experiment.go).

// addRolloutExperiments adds the workloads of r's experiment steps, which
// run pod template src.
func (g *Graph) addRolloutExperiments(r *Rollout, src *spec.PodTemplate) {
	c := r.Spec.Strategy.Canary
	if c == nil {
		return
	}
	byName := map[string][]*Workload{}
	own := map[*Workload]templateOwn{} // what a workload's template sets
	for i := range c.Steps {
		e := c.Steps[i].Experiment
		if e == nil || !validSpecRefs(e) || repeatsTemplateName(e) {
			continue
		}
		for j := range e.Templates {
			t := &e.Templates[j]
			if t.Name.V == "" {
				continue // the CRD requires a name: the API server rejects the Rollout
			}
			w := g.rolloutExperimentWorkload(r, src, t)
			same := byName[t.Name.V]
			mine := templateOwn{labels: t.Metadata.Labels, annotations: t.Metadata.Annotations}
			if k := slices.IndexFunc(same, func(o *Workload) bool { return samePods(o, w, own[o], mine) }); k >= 0 {
				// Another step with the same template: its pods are
				// the same, at another time.
				r.experimentRuns = append(r.experimentRuns, experimentRun{same[k], t})
				continue
			}
			if len(same) > 0 {
				w.Obj.Name = rolloutExperimentName(r, t.Name.V) + "-" + strconv.Itoa(i)
			}
			byName[t.Name.V] = append(same, w)
			own[w] = mine
			r.Experiments = append(r.Experiments, w)
			r.experimentRuns = append(r.experimentRuns, experimentRun{w, t})
		}
	}
	for _, w := range r.Experiments {
		// Now that the names are final: the hash stands for the pod
		// template, which differs from ReplicaSet to ReplicaSet.
		w.Labels[argoPodTemplateHashLabel] = argoHash(w.Namespace() + "/" + w.Name())
		g.addWorkload(w)
	}
}

// experimentRun is a template of an experiment step of a Rollout, and the
// workload of its pods (that of an earlier step when their pods are the
// same).
type experimentRun struct {
	w *Workload
	t *spec.RolloutExperimentTemplate
}

// validSpecRefs reports whether every template of e takes its pods from
// the canary or the stable ReplicaSet: GetExperimentFromTemplate fails on
// any other specRef, and the step then makes no Experiment at all.
func validSpecRefs(e *spec.RolloutExperimentStep) bool {
	for _, t := range e.Templates {
		if t.SpecRef.V != "canary" && t.SpecRef.V != "stable" {
			return false
		}
	}
	return true
}

// repeatsTemplateName reports whether two templates of e have one name:
// the Experiment Argo makes of the step then fails VerifyExperimentSpec,
// as a standalone one does (validExperiment), and runs no pods.
func repeatsTemplateName(e *spec.RolloutExperimentStep) bool {
	names := map[string]bool{}
	for _, t := range e.Templates {
		if t.Name.V != "" && names[t.Name.V] {
			return true
		}
		names[t.Name.V] = true
	}
	return false
}

// templateOwn is what an experiment template sets of its pods' metadata.
type templateOwn struct{ labels, annotations map[string]string }

// samePods reports whether o and w, the workloads of two templates of one
// source pod template, have the same labels and annotations. It runs
// before either has its hash. Of the annotations ReadAnnotation does not
// keep, and of the release labels (ReleaseLabel), it compares what the
// templates set, ownO and ownW, not the merged maps: the same but where
// one template sets such a value to the one the source has, and it keeps
// the graph from reading the values of the source's, which may change
// without the cache reading them again (UnreadValues, ReleaseValues).
func samePods(o, w *Workload, ownO, ownW templateOwn) bool {
	return equalWhere(o.Labels, w.Labels, func(k string) bool { return !ReleaseLabel(k) }) &&
		equalWhere(ownO.labels, ownW.labels, ReleaseLabel) &&
		equalWhere(o.Spec.Metadata.Annotations, w.Spec.Metadata.Annotations, ReadAnnotation) &&
		equalWhere(ownO.annotations, ownW.annotations, func(k string) bool { return !ReadAnnotation(k) })
}

// equalWhere reports whether a and b hold the same entries of the keys
// keep holds for.
func equalWhere(a, b map[string]string, keep func(string) bool) bool {
	for _, m := range [][2]map[string]string{{a, b}, {b, a}} {
		for k, v := range m[0] {
			if u, ok := m[1][k]; keep(k) && (!ok || u != v) {
				return false
			}
		}
	}
	return true
}

// rolloutExperimentName is meshlint's name for the ReplicaSet of template
// name of an experiment step of r (Argo's has a hash: see above).
func rolloutExperimentName(r *Rollout, name string) string {
	return r.Name() + "-" + name
}

// rolloutExperimentWorkload returns the workload of template t: the
// ReplicaSet the Experiment controller creates from pod template src, at
// the template's entry in the Rollout, so that findings about its pods
// point at the step. Its pod spec is src's, without the positions, which
// belong to the Rollout's template or to the referenced workload's: rules
// that check a pod spec in itself check it there (ExperimentOf tells these
// workloads apart).
func (g *Graph) rolloutExperimentWorkload(r *Rollout, src *spec.PodTemplate, t *spec.RolloutExperimentTemplate) *Workload {
	ro := r.Obj
	nameLoc := t.Name.Loc
	if nameLoc.IsZero() {
		nameLoc = t.Loc
	}
	tmpl := &spec.PodTemplate{Spec: withoutLocs(src.Spec)}
	// The maps of src may be shared with the cache of prepared specs: the
	// merge makes new ones. The labels get a hash once the workload's
	// name is known (addRolloutExperiments).
	tmpl.Metadata.Labels = mergeLabels(src.Metadata.Labels, t.Metadata.Labels)
	if tmpl.Metadata.Labels == nil {
		tmpl.Metadata.Labels = map[string]string{}
	}
	tmpl.Metadata.Annotations = mergeLabels(src.Metadata.Annotations, t.Metadata.Annotations)
	o := &manifest.Object{
		APIVersion: kinds.GroupApps + "/v1", Group: kinds.GroupApps, Kind: kinds.ReplicaSet,
		Name:      rolloutExperimentName(r, t.Name.V),
		Namespace: ro.Namespace, NamespaceSet: ro.NamespaceSet,
		// newReplicaSetFromTemplate labels the ReplicaSet as its pods.
		Labels: tmpl.Metadata.Labels,
		File:   ro.File, Doc: ro.Doc, KindLoc: ro.KindLoc, NameLoc: nameLoc, Sources: ro.Sources,
		NoDirectives: true,
	}
	o.Prepared = &generated{from: ro}
	return g.templateWorkload(&Workload{Meta: Meta{Obj: o}, Spec: tmpl})
}

// mergeLabels returns base with extra set on it, as a new map; nil when
// both are nil, as Argo leaves the template's metadata then.
func mergeLabels(base, extra map[string]string) map[string]string {
	if base == nil && extra == nil {
		return nil
	}
	out := make(map[string]string, len(base)+len(extra))
	maps.Copy(out, base)
	maps.Copy(out, extra)
	return out
}

// ExperimentOf returns the Rollout of whose experiment steps o is the
// ReplicaSet or the Service of a template, nil for an object of the input
// (or another derived one). The ReplicaSet's pod spec is the Rollout's.
func (g *Graph) ExperimentOf(o *manifest.Object) *Rollout {
	from := Origin(o)
	if from == o || from.Kind != kinds.Rollout || from.Group != kinds.GroupArgo {
		return nil
	}
	for _, r := range g.Rollouts {
		if r.Obj != from {
			continue
		}
		for _, w := range r.Experiments {
			if w.Obj == o {
				return r
			}
		}
		for _, s := range r.ExperimentServices {
			if s.Obj == o {
				return r
			}
		}
	}
	return nil
}

// deriveRolloutExperimentServices adds the Services of the experiment
// steps' templates that have service or weight set, once the whole input
// is in place, since a Service of the input with a template Service's name
// keeps Argo from creating that one.
func (g *Graph) deriveRolloutExperimentServices() {
	for _, r := range g.Rollouts {
		for _, run := range r.experimentRuns {
			if s := g.rolloutExperimentService(r, run); s != nil {
				r.ExperimentServices = append(r.ExperimentServices, s)
				g.addService(s)
			}
		}
	}
}

// rolloutExperimentService returns the Service that createTemplateService
// makes for the template of run, as experimentService does for a
// standalone Experiment: named service.name, or as the ReplicaSet;
// selecting the ReplicaSet's labels; with a port for each container port.
// It returns nil when Argo makes none: neither service nor weight is set,
// replicas is 0, or the containers have no port; or when the API server
// refuses it: its ports are not valid ones, or a Service of its name
// exists. That Service may be one of the input (Argo then fails rather
// than take it over), or one of an earlier step of the Rollout: the
// templates of several steps may name the same Service. For a Service
// named as the ReplicaSet, meshlint's name stands in for one with a hash,
// which no Service of the input has: one of the input that has meshlint's
// name keeps the stand-in out, rather than hold two Services of one name.
//
// The Service is at the template's service.name, service or weight, and
// so are its ports: the container ports they come from are the Rollout's,
// where findings about them belong.
func (g *Graph) rolloutExperimentService(r *Rollout, run experimentRun) *Service {
	t, w := run.t, run.w
	if t.Service == nil && !t.Weight.Set || t.Replicas.Set && t.Replicas.V == 0 {
		return nil
	}
	loc := t.Weight.Loc
	name := w.Name()
	if t.Service != nil {
		loc = t.Service.Loc
		if t.Service.Name.V != "" {
			name, loc = t.Service.Name.V, t.Service.Name.Loc
		}
	}
	if loc.IsZero() {
		loc = t.Loc
	}
	ports := experimentServicePorts(w.Spec.Spec.Containers)
	if len(ports) == 0 || !validExperimentPorts(ports) || g.serviceNamed(r.Namespace(), name) != nil {
		return nil
	}
	for i := range ports {
		ports[i].Loc = loc
		ports[i].Name.Loc, ports[i].Port.Loc, ports[i].TargetPort.Loc, ports[i].Protocol.Loc = loc, loc, loc, loc
	}
	ro := r.Obj
	o := &manifest.Object{
		APIVersion: "v1", Kind: kinds.Service, Name: name,
		Namespace: ro.Namespace, NamespaceSet: ro.NamespaceSet,
		// newServiceAnnotations; the Experiment's name is a run-time one.
		Annotations: map[string]string{argoExperimentTemplateKey: t.Name.V},
		File:        ro.File, Doc: ro.Doc, KindLoc: ro.KindLoc, NameLoc: loc, Sources: ro.Sources,
		NoDirectives: true,
	}
	o.Prepared = &generated{from: ro}
	return &Service{Meta: Meta{Obj: o}, Spec: &spec.Service{
		Type:     spec.Str{V: "ClusterIP", Set: true},
		Selector: experimentSelector(w.Labels),
		Ports:    ports,
	}}
}

// addWorkloadRefExperiments resolves the workloadRef of each Rollout that
// has one, and adds the workloads of its experiment steps, which run the
// referenced template. It runs once the whole input is in place, since
// the referenced object may come after the Rollout.
func (g *Graph) addWorkloadRefExperiments() {
	podTemplates := map[*manifest.Object]*Workload{}
	for _, r := range g.Rollouts {
		if r.Spec.WorkloadRef == nil {
			continue
		}
		r.Ref = g.workloadRefTarget(r, podTemplates)
		if r.Ref != nil {
			g.addRolloutExperiments(r, r.Ref.Spec)
		}
	}
}

// workloadRefTarget returns the workload of the input that r's workloadRef
// names, as Argo's template resolver finds it: of the kind and group of
// the reference's kind and apiVersion, among those it supports
// (infoByGroupKind: Deployment and ReplicaSet of group apps, PodTemplate
// of the core group), of its name in r's namespace; of its definitions,
// the one r goes with (Counterpart). A PodTemplate runs no
// pods of its own: the workload of one is the Rollout's pods, which the
// first Rollout naming it adds to the graph and podTemplates keeps for the
// others. It returns nil when Argo resolves nothing: no such object, or a
// Rollout whose own template has labels or annotations ("template must be
// empty for workload reference rollout").
func (g *Graph) workloadRefTarget(r *Rollout, podTemplates map[*manifest.Object]*Workload) *Workload {
	ref := r.Spec.WorkloadRef
	meta := r.Spec.Template.Metadata
	if len(meta.Labels) > 0 || len(meta.Annotations) > 0 {
		return nil
	}
	group, _ := kinds.SplitAPIVersion(ref.APIVersion.V)
	kind := kinds.Kind(ref.Kind.V)
	switch {
	case group == kinds.GroupCore && kind == kinds.PodTemplate:
		return g.podTemplateWorkload(r, ref.Name.V, podTemplates)
	case group != kinds.GroupApps || kind != kinds.Deployment && kind != kinds.ReplicaSet:
		return nil
	}
	var defs []*Workload
	for _, w := range g.workloadsByNS[r.Namespace()] {
		if w.Obj.Kind == kind && w.Obj.Group == group && w.Name() == ref.Name.V && Origin(w.Obj) == w.Obj {
			defs = append(defs, w)
		}
	}
	if defs == nil {
		return nil
	}
	return Counterpart(g, r.Obj, defs)
}

// podTemplateWorkload returns the workload of the pods of the PodTemplate
// of the input named name in r's namespace, the definition of it that r
// goes with (Counterpart), added to the graph the first time: the object
// is the PodTemplate, whose template (at "template", not under spec) they
// run, so that findings about their pod spec point there. It returns nil
// when there is no such PodTemplate, or it does not decode.
func (g *Graph) podTemplateWorkload(r *Rollout, name string, known map[*manifest.Object]*Workload) *Workload {
	var defs []*manifest.Object
	for _, o := range g.Objects {
		if o.Kind == kinds.PodTemplate && o.Group == kinds.GroupCore && o.Namespace == r.Namespace() && o.Name == name {
			defs = append(defs, o)
		}
	}
	if defs == nil {
		return nil
	}
	o := counterpartFunc(g, r.Obj, defs, func(o *manifest.Object) *manifest.Object { return o })
	if w, ok := known[o]; ok {
		return w
	}
	var pt *spec.PodTemplate
	var w *Workload
	var node *yaml.Node
	if preparedOf(o) == nil {
		// Not prepared: the nodes are there. (A prepared one has its
		// decode, and reading the node again would read the file
		// again.)
		node = yamlpath.Field(o.Root(), "template")
	}
	if decodeInto(g, o, node, &pt) {
		w = g.templateWorkload(&Workload{Meta: Meta{Obj: o}, Spec: pt})
		g.addWorkload(w)
	}
	known[o] = w
	return w
}

// preparePodTemplate decodes the template of PodTemplate o while Prepare
// records, so that the decode is kept once the nodes are gone. The graph
// reads only the PodTemplates that a Rollout names (podTemplateWorkload),
// and reports their errors then: the scratch graph of Prepare keeps none.
func preparePodTemplate(g *Graph, o *manifest.Object) {
	g.decodeSpec(o, yamlpath.Field(o.Node, "template"), new(spec.PodTemplate))
}

package graph

import (
	"maps"
	"strconv"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// An experiment step of a Rollout's canary strategy runs pods that are in
// no manifest: Argo Rollouts v1.10.2 makes an Experiment of the step
// (GetExperimentFromTemplate, rollout/experiment.go), each of its templates
// the pod template of the Rollout's canary or stable ReplicaSet with the
// template's metadata labels and annotations set on it, and the Experiment
// controller runs each template as a ReplicaSet named
// <experiment>-<template> (newReplicaSetFromTemplate,
// experiments/replicaset.go). A Service of the input may select those pods
// by the labels the step adds, as Argo's rollout-canary-preview example
// does, so the graph holds them among its Workloads.
//
// Argo names the Experiment <rollout>-<pod template hash>-<revision>-<step
// index>, from the Rollout's status; meshlint names the ReplicaSet
// <rollout>-<template> instead (rolloutExperimentName). The input holds one
// pod template, the Rollout's, so a template of the stable ReplicaSet
// (specRef: stable) gets it too, as the Rollout's own workload does. A
// Rollout with a workloadRef runs the template of the Deployment or
// ReplicaSet it names, which Argo's template resolver copies into the
// Rollout's spec (informerBasedTemplateResolver.Resolve): its steps run
// that template too (addWorkloadRefExperiments). The
// rollouts-pod-template-hash label, a run-time one, is left out, as it is
// of the Rollout's pods. Not modelled: the Service the Experiment
// controller creates for a template with service or weight set (named
// after the Experiment, whose name is a run-time one) and the templates'
// selector (the pods' labels are what selectors of the input match).
// Experiment objects of the input are modelled apart (experiment.go).

// addRolloutExperiments adds the workloads of r's experiment steps, which
// run pod template src.
func (g *Graph) addRolloutExperiments(r *Rollout, src *spec.PodTemplate) {
	c := r.Spec.Strategy.Canary
	if c == nil {
		return
	}
	byName := map[string][]*Workload{}
	for i := range c.Steps {
		e := c.Steps[i].Experiment
		if e == nil || !validSpecRefs(e) {
			continue
		}
		for j := range e.Templates {
			t := &e.Templates[j]
			if t.Name.V == "" {
				continue // the CRD requires a name: the API server rejects the Rollout
			}
			w := g.rolloutExperimentWorkload(r, src, t)
			same := byName[t.Name.V]
			if samePods(same, w) {
				// Another step with the same template: its pods are
				// the same, at another time.
				continue
			}
			if len(same) > 0 {
				w.Obj.Name = rolloutExperimentName(r, t.Name.V) + "-" + strconv.Itoa(i)
			}
			byName[t.Name.V] = append(same, w)
			r.Experiments = append(r.Experiments, w)
			g.addWorkload(w)
		}
	}
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

// samePods reports whether one of ws has the labels and annotations of w.
func samePods(ws []*Workload, w *Workload) bool {
	for _, o := range ws {
		if maps.Equal(o.Labels, w.Labels) && maps.Equal(o.Spec.Metadata.Annotations, w.Spec.Metadata.Annotations) {
			return true
		}
	}
	return false
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
	// merge makes new ones.
	tmpl.Metadata.Labels = mergeLabels(src.Metadata.Labels, t.Metadata.Labels)
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
// both are empty, as Argo leaves the template's metadata then.
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
// ReplicaSet of a template, nil for an object of the input (or another
// derived one). Its pod spec is the Rollout's.
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
	}
	return nil
}

// addWorkloadRefExperiments resolves the workloadRef of each Rollout that
// has one, and adds the workloads of its experiment steps, which run the
// referenced template. It runs once the whole input is in place, since
// the referenced object may come after the Rollout.
func (g *Graph) addWorkloadRefExperiments() {
	for _, r := range g.Rollouts {
		if r.Spec.WorkloadRef == nil {
			continue
		}
		r.Ref = g.workloadRefTarget(r)
		if r.Ref != nil {
			g.addRolloutExperiments(r, r.Ref.Spec)
		}
	}
}

// workloadRefTarget returns the workload of the input that r's workloadRef
// names, as Argo's template resolver finds it: of the kind and group of
// the reference's kind and apiVersion, among those it supports that the
// graph holds (Deployment and ReplicaSet of group apps; a PodTemplate is
// not read), of its name in r's namespace. It returns nil when Argo
// resolves nothing: no such object, or a Rollout whose own template has
// labels or annotations ("template must be empty for workload reference
// rollout").
func (g *Graph) workloadRefTarget(r *Rollout) *Workload {
	ref := r.Spec.WorkloadRef
	meta := r.Spec.Template.Metadata
	if len(meta.Labels) > 0 || len(meta.Annotations) > 0 {
		return nil
	}
	group, _ := kinds.SplitAPIVersion(ref.APIVersion.V)
	kind := kinds.Kind(ref.Kind.V)
	if group != kinds.GroupApps || kind != kinds.Deployment && kind != kinds.ReplicaSet {
		return nil
	}
	for _, w := range g.workloadsByNS[r.Namespace()] {
		if w.Obj.Kind == kind && w.Obj.Group == group && w.Name() == ref.Name.V && Origin(w.Obj) == w.Obj {
			return w
		}
	}
	return nil
}

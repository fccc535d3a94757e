package graph

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// AnnotationSite is a set of annotations as written on an object: its own
// metadata, or the metadata of its pod template.
type AnnotationSite struct {
	Obj *manifest.Object
	// Kind is the kind the annotations apply to: the object's kind, or Pod
	// for a pod template.
	Kind kinds.Kind
	// Template is true for the annotations of a pod template.
	Template    bool
	Annotations map[string]string
	// Labels are the labels of the same metadata.
	Labels map[string]string
}

// metadata returns the site's metadata node. Only a finding needs it, so
// it may read the object's file again (manifest.Object.Root).
func (s AnnotationSite) metadata() *yaml.Node {
	if s.Template {
		return templateMetadata(s.Obj)
	}
	return yamlpath.Field(s.Obj.Root(), "metadata")
}

// KeyLoc returns the location of an annotation key, or the object's name.
func (s AnnotationSite) KeyLoc(key string) manifest.Loc {
	if k, _ := yamlpath.Lookup(yamlpath.Field(s.metadata(), "annotations"), key); k != nil {
		return manifest.LocOf(k)
	}
	return s.Obj.NameLoc
}

// AnnotationSites returns the annotation sites of the objects of the given
// kinds: each object's metadata, and for workloads with a pod template the
// template's metadata too (the annotations the pods get). The kinds are
// those of the groups meshlint models them in. Generic workloads
// (kinds.GenericWorkload) have no kind to ask for: they are included when
// ks holds Pod, as sets of pods; the Kind of their own metadata's site is
// their kind qualified by their group ("CloneSet.apps.kruise.io"), which no
// annotation applies to. Knative's own metadata is no site: Knative passes
// a Service's annotations on to the Route and Configuration it makes, and
// from there to objects that are not in the input, where Istio may read
// them.
func (g *Graph) AnnotationSites(ks ...kinds.Kind) []AnnotationSite {
	want := map[kinds.Kind]bool{}
	for _, k := range ks {
		want[k] = true
	}
	wanted := func(o *manifest.Object) bool {
		if kinds.GenericWorkload(o.Group, o.Kind) {
			return want[kinds.Pod]
		}
		return want[o.Kind] && o.Group != kinds.GroupGatewayAPI
	}
	// Counted first: the sites of a large input are many, and callers
	// keep them for the run.
	n := 0
	for _, o := range g.Objects {
		if !wanted(o) {
			continue
		}
		if !kinds.GenericWorkload(o.Group, o.Kind) || o.Group != kinds.GroupKnativeServing {
			n++
		}
		if HasPodTemplate(o) {
			n++ // a workload's template is a second site
		}
	}
	out := make([]AnnotationSite, 0, n)
	for _, o := range g.Objects {
		if !wanted(o) {
			continue
		}
		switch {
		case !kinds.GenericWorkload(o.Group, o.Kind):
			out = append(out, AnnotationSite{Obj: o, Kind: o.Kind, Annotations: o.Annotations, Labels: o.Labels})
		case o.Group != kinds.GroupKnativeServing:
			kind := o.Kind
			if o.Group != kinds.GroupCore {
				kind = kinds.Kind(string(o.Kind) + "." + o.Group)
			}
			out = append(out, AnnotationSite{Obj: o, Kind: kind, Annotations: o.Annotations, Labels: o.Labels})
		}
		if !HasPodTemplate(o) {
			continue
		}
		var tm *templateMeta
		if p := preparedOf(o); p != nil {
			tm = p.f().Template
		} else if n := templateMetadata(o); n != nil {
			tm = &templateMeta{Annotations: stringMap(yamlpath.Field(n, "annotations"), nil), Labels: stringMap(yamlpath.Field(n, "labels"), nil)}
		}
		if tm != nil {
			out = append(out, AnnotationSite{Obj: o, Kind: kinds.Pod, Template: true, Annotations: tm.Annotations, Labels: tm.Labels})
		}
	}
	return out
}

// HasPodTemplate reports whether o is a workload whose pods come from a
// pod template: any workload but a Pod (templateMetadata finds the
// template).
func HasPodTemplate(o *manifest.Object) bool {
	return kinds.IsWorkload(o.Group, o.Kind) && (o.Kind != kinds.Pod || o.Group != kinds.GroupCore)
}

// PodTemplatePath returns the field path of a workload's pod template:
// a CronJob's is under its job template.
func PodTemplatePath(o *manifest.Object) []string {
	if o.Kind == kinds.CronJob && o.Group == kinds.GroupBatch {
		return []string{"spec", "jobTemplate", "spec", "template"}
	}
	return []string{"spec", "template"}
}

// templateMetadata returns the metadata node of a workload's pod template.
func templateMetadata(o *manifest.Object) *yaml.Node {
	tmpl := o.Root()
	for _, k := range PodTemplatePath(o) {
		tmpl = yamlpath.Field(tmpl, k)
	}
	return yamlpath.Field(tmpl, "metadata")
}

// stringMap is the map of n's entries as written, from maps when not nil.
func stringMap(n *yaml.Node, maps *manifest.Maps) map[string]string {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) < 2 {
		return nil
	}
	var buf [16]manifest.Pair
	pairs := buf[:0]
	for k, v := range yamlpath.Entries(n) {
		pairs = append(pairs, manifest.Pair{K: k.Value, V: v.Value})
	}
	return maps.Make(pairs)
}

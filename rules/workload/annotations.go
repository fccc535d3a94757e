package workload

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
	"istio.io/api/annotation"
)

// The annotation list is istio.io/api's annotation package at the pinned
// module version (go.mod), so it follows the Istio release meshlint
// targets.
var istioAnnotations = func() map[string]*annotation.Instance {
	m := map[string]*annotation.Instance{}
	for _, a := range annotation.AllResourceAnnotations() {
		m[a.Name] = a
	}
	return m
}()

var annotationKinds = append([]kinds.Kind{kinds.Namespace, kinds.Service}, kinds.Workloads()...)

// istioAnnotation reports whether key is in Istio's annotation namespace, as
// istioctl analyze decides it.
func istioAnnotation(key string) bool {
	if key == "kubernetes.io/ingress.class" {
		return true
	}
	prefix, _, ok := strings.Cut(key, "/")
	if !ok || !strings.HasSuffix(prefix, "istio.io") {
		return false
	}
	switch key {
	case "sidecar.istio.io/status", "gateway.istio.io/controller-version", "istio.io/rev":
		return false
	}
	return true
}

type annotationUse struct {
	site graph.AnnotationSite
	key  string
	inst *annotation.Instance
}

type sitesKey struct{}

// annotationSites returns the annotation sites of annotationKinds, listed
// once per run for the rules that read them.
func annotationSites(p *rules.Pass) []graph.AnnotationSite {
	return p.Memo(sitesKey{}, func() any { return p.Graph.AnnotationSites(annotationKinds...) }).([]graph.AnnotationSite)
}

type usesKey struct{}

// istioAnnotationUses lists the Istio annotations of every site, sorted by
// key within a site. The list is shared by the rules of a run: do not
// modify it.
func istioAnnotationUses(p *rules.Pass) []annotationUse {
	return p.Memo(usesKey{}, func() any { return listIstioAnnotationUses(annotationSites(p)) }).([]annotationUse)
}

func listIstioAnnotationUses(sites []graph.AnnotationSite) []annotationUse {
	var out []annotationUse
	for _, s := range sites {
		keys := make([]string, 0, len(s.Annotations))
		for k := range s.Annotations {
			if istioAnnotation(k) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, annotationUse{s, k, istioAnnotations[k]})
		}
	}
	return out
}

func siteName(s graph.AnnotationSite) string {
	name := kinds.Qualified(s.Obj.Group, s.Obj.Kind) + " " + s.Obj.Namespace + "/" + s.Obj.Name
	if s.Obj.Kind == kinds.Namespace && s.Obj.Group == kinds.GroupCore {
		name = "Namespace " + s.Obj.Name
	}
	if s.Template {
		name = "the pod template of " + name
	}
	return name
}

const annotationDocNote = `The list of annotations, their deprecation and the resources each applies to come from
istio.io/api's annotation package, at the version meshlint is built with. Checked are Namespaces,
Services, Pods, the metadata of workloads (Deployments and the other pod controllers, and the
custom resources of other operators with a pod template at ` + "`spec.template`" + `, such as
OpenKruise's CloneSet or Knative's Service) and, unlike istioctl analyze, which only sees
running Pods, the metadata of their pod templates.`

// AnnotationUnknown reports Istio annotations that do not exist.
var AnnotationUnknown = &rules.Rule{
	ID:      "MR719",
	Name:    "annotation-unknown",
	Summary: "annotation in an Istio namespace is not an annotation Istio knows",
	Doc: `Istio ignores annotations it does not know, so a misspelled ` + "`sidecar.istio.io/proxyCpu`" + ` or
` + "`proxy.istio.io/configs`" + ` silently does nothing.

Fix the name. ` + annotationDocNote,
	Bad: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {sidecar.istio.io/proxyCpu: 200m}
    spec:
      containers: [{name: web, image: web}]
`,
	Good: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {sidecar.istio.io/proxyCPU: 200m}
    spec:
      containers: [{name: web, image: web}]
`,
	Severity: rules.Warning,
	Inputs:   annotationKinds,
	Related:  []string{"IST0108"},
	Run: func(p *rules.Pass) error {
		for _, u := range istioAnnotationUses(p) {
			if u.inst != nil {
				continue
			}
			msg := "annotation %q of %s is not an Istio annotation: Istio ignores it"
			if near := nearAnnotation(u.key); near != "" {
				msg += "; did you mean " + `"` + near + `"?`
			}
			p.Reportf(u.site.Obj, u.site.KeyLoc(u.key), msg, u.key, siteName(u.site))
		}
		return nil
	},
}

// nearAnnotation returns a known annotation that differs from key only in
// case, or "".
func nearAnnotation(key string) string {
	for name := range istioAnnotations {
		if strings.EqualFold(name, key) {
			return name
		}
	}
	return ""
}

// AnnotationMisplaced reports Istio annotations on a kind they do not
// apply to.
var AnnotationMisplaced = &rules.Rule{
	ID:      "MR720",
	Name:    "annotation-misplaced",
	Summary: "annotation of Istio is set on a kind of object it does not apply to",
	Doc: `Each Istio annotation is read from some kinds of objects only. The common mistake is a pod
annotation (` + "`sidecar.istio.io/proxyCPU`" + `, ` + "`proxy.istio.io/config`" + `, ` + "`traffic.sidecar.istio.io/...`" + `)
written on the Deployment's own metadata instead of its pod template: the injector never sees
it.

Move the annotation to the object it applies to (for pod annotations:
` + "`spec.template.metadata.annotations`" + `). ` + annotationDocNote,
	Bad: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations: {proxy.istio.io/config: "holdApplicationUntilProxyStarts: true"}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web}]
`,
	Good: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {proxy.istio.io/config: "holdApplicationUntilProxyStarts: true"}
    spec:
      containers: [{name: web, image: web}]
`,
	Severity: rules.Warning,
	Inputs:   annotationKinds,
	Related:  []string{"IST0107"},
	Run: func(p *rules.Pass) error {
		for _, u := range istioAnnotationUses(p) {
			if u.inst == nil || appliesTo(u.inst, u.site.Kind) {
				continue
			}
			var where []string
			for _, r := range u.inst.Resources {
				where = append(where, r.String())
			}
			msg := "annotation %q of %s applies to %s only: Istio does not read it here"
			if graph.HasPodTemplate(u.site.Obj) && !u.site.Template && appliesTo(u.inst, kinds.Pod) {
				msg += "; move it to spec.template.metadata.annotations"
			}
			p.Reportf(u.site.Obj, u.site.KeyLoc(u.key), msg, u.key, siteName(u.site), strings.Join(where, ", "))
		}
		return nil
	},
}

func appliesTo(a *annotation.Instance, k kinds.Kind) bool {
	for _, r := range a.Resources {
		if r == annotation.Any || r.String() == string(k) {
			return true
		}
	}
	return false
}

// AnnotationDeprecated reports deprecated Istio annotations.
var AnnotationDeprecated = &rules.Rule{
	ID:      "MR721",
	Name:    "annotation-deprecated",
	Summary: "annotation of Istio is deprecated",
	Doc: `Deprecated annotations still work for now but will be removed; most have a replacement in
` + "`proxy.istio.io/config`" + ` or in a label (` + "`sidecar.istio.io/inject`" + ` is a label on pods, not an
annotation; the annotation is not reported when the label is also set).

Replace the annotation as its documentation says. ` + annotationDocNote,
	Bad: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {sidecar.istio.io/extraStatTags: "user_agent"}
    spec:
      containers: [{name: web, image: web}]
`,
	Good: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web}]
`,
	Severity: rules.Info,
	Inputs:   annotationKinds,
	Related:  []string{"IST0135"},
	Run: func(p *rules.Pass) error {
		for _, u := range istioAnnotationUses(p) {
			if u.inst == nil || !u.inst.Deprecated {
				continue
			}
			if _, label := u.site.Labels[u.key]; label && u.key == "sidecar.istio.io/inject" {
				continue
			}
			p.Reportf(u.site.Obj, u.site.KeyLoc(u.key), "annotation %q of %s is deprecated", u.key, siteName(u.site))
		}
		return nil
	},
}

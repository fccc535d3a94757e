package routing

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ServiceSelectsNoWorkload reports Services whose selector matches no pod
// template of their namespace.
var ServiceSelectsNoWorkload = &rules.Rule{
	ID:      "MR152",
	Name:    "service-selects-no-workload",
	Summary: "a Service's selector matches no workload of its namespace, so it has no endpoints",
	Doc: `Kubernetes gives a Service with a ` + "`selector`" + ` the pods of its namespace that carry every one of
its labels, with the same values: the selector is a plain map, each key must be on the pod and
its value must be equal. When no pod matches, the Service has no endpoints. Its cluster IP and
DNS name still exist, so nothing fails at apply time, but every connection to it is refused,
and through a sidecar or a gateway requests get 503 "no healthy upstream" (response flag UH).
The usual causes are a typo in a label value, a selector copied from another Service, or a
selector that names labels of the Deployment's own ` + "`metadata.labels`" + `, which the Service
never looks at, rather than those of its pod template.

The rule matches the selector against the pod-template labels of the workloads in the input
(Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, Pods, Argo Rollouts, and the
custom resources of other operators that carry a pod template at ` + "`spec.template`" + `) of the
Service's namespace. When some workload carries every key of the selector with other values, the
message names the closest one (the most equal values; then by kind and name). The rule does
not cry wolf over what the input cannot show:

- it stays quiet in a namespace none of whose workloads is in the input (unless the
  closed-world setting says the input holds them all);
- a Service without a selector (its Endpoints or EndpointSlices are managed by hand), with an
  empty one, and a Service of type ` + "`ExternalName`" + ` are left alone;
- selector labels that pods get at run time rather than from their template
  (` + "`statefulset.kubernetes.io/pod-name`" + `, ` + "`pod-template-hash`" + `, the labels of the sidecar
  injector, …) are not judged; the rest of the selector is;
- the pods Istio deploys for a Gateway API Gateway of the input count, and so do the VMs of a
  WorkloadGroup with matching labels; a namespace with a WorkloadEntry is left alone, since
  Istio adds the WorkloadEntries a Service's selector matches to its endpoints.

Argo Rollouts are read like Deployments, and the ` + "`rollouts-pod-template-hash`" + ` label that
Argo adds to the selectors of the canary and stable Services is not judged. The custom resource
of any other operator whose ` + "`spec.template.spec.containers`" + ` is a list of containers (OpenKruise's
CloneSet, Advanced StatefulSet and Advanced DaemonSet, Knative's Service, OpenShift's
DeploymentConfig, …) is read as a workload whose pods have that template's labels, and nothing
more: the labels its operator adds at run time are not known, except Knative's. Knative labels
the pods of a Service with ` + "`serving.knative.dev/service`" + ` and ` + "`serving.knative.dev/configuration`" + `, both
set to its name, and those of a Configuration with ` + "`serving.knative.dev/configuration`" + `; the labels
of the Revision the pods run have values the input does not show (` + "`serving.knative.dev/revision`" + `,
the UIDs, ` + "`serving.knative.dev/configurationGeneration`" + `, and ` + "`app`" + ` when the template sets none) and
are not judged. Pods that a controller makes some other way are not in the input: suppress the
finding for a Service that selects them, with the reason.

Fix the selector to the labels of the pod template, or the pod template's labels (the
workload's own ` + "`selector`" + ` must still match them, and it cannot change after creation). This is
kube-score's ` + "`service-targets-pod`" + `, kube-linter's ` + "`dangling-service`" + ` and Kubescape's C-0293.`,
	Bad:      serviceSelectorExample("web-frontend"),
	Good:     serviceSelectorExample("web"),
	Severity: rules.Warning,
	Inputs:   append([]kinds.Kind{kinds.Service, kinds.K8sGateway, kinds.WorkloadGroup, kinds.WorkloadEntry}, kinds.Workloads()...),
	Deps:     rules.DepNone,
	Run:      runServiceSelectsNoWorkload,
}

// serviceSelectorExample is Service shop/web selecting app: app, and
// Deployment shop/web, labelled app: web-frontend, whose pods are app: web:
// the examples of MR152.
func serviceSelectorExample(app string) string {
	return `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: ` + app + `
  ports:
  - {name: http, port: 80, targetPort: 8080}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web-frontend}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:1
        ports:
        - {name: http, containerPort: 8080}
`
}

func runServiceSelectsNoWorkload(p *rules.Pass) error {
	g := p.Graph
	for _, s := range g.Services {
		ns := s.Namespace()
		if len(s.Spec.Selector) == 0 || len(s.Workloads) > 0 || s.Spec.Type.V == "ExternalName" ||
			!g.WorkloadsKnown(ns) || g.HasKind(kinds.WorkloadEntry, ns) {
			continue
		}
		sel := templateLabels(s.Spec.Selector)
		if len(sel) == 0 || len(g.SelectWorkloads(ns, sel)) > 0 || knativeSelected(g.WorkloadsIn(ns), sel) ||
			g.SelectsGatewayAPIPod(ns, sel) != "" || workloadGroupSelected(g, ns, sel) {
			continue
		}
		msg := "selector " + labels.String(s.Spec.Selector) + " of Service " + ns + "/" + s.Name() +
			" matches no workload of namespace " + ns + " in the input: the Service has no endpoints, and requests to it fail"
		w, differ := closestWorkload(g.WorkloadsIn(ns), sel)
		if w != nil {
			msg += " (closest: " + w.KindName() + " " + w.Name() + " has " + differ + ")"
		}
		f := p.Reportf(s.Obj, selectorLoc(s.Obj), "%s", msg)
		if w != nil {
			f.Relate(w.Obj, w.Obj.NameLoc, "%s %s/%s, the closest workload: its pods have %s", w.KindName(), ns, w.Name(), differ)
		}
	}
	return nil
}

// templateLabels returns the part of a Service selector that pod templates
// can be judged on: without the labels pods get at run time (see
// hasRuntimeLabel), which no template in the input shows.
func templateLabels(sel map[string]string) map[string]string {
	out := make(map[string]string, len(sel))
	for k, v := range sel {
		if !hasRuntimeLabel(map[string]string{k: v}) {
			out[k] = v
		}
	}
	return out
}

// knativeRevisionLabels are the labels Knative gives the pods of a
// Revision from the Revision and its Configuration, whose values the input
// does not show (the Revision's name is generated unless the template
// names it).
var knativeRevisionLabels = map[string]bool{
	"serving.knative.dev/revision":                true,
	"serving.knative.dev/revisionUID":             true,
	"serving.knative.dev/configurationGeneration": true,
	"serving.knative.dev/configurationUID":        true,
	"serving.knative.dev/serviceUID":              true,
}

// knativeSelected reports whether sel may select the pods of a Knative
// workload among ws: its labels (the graph adds the Service's and
// Configuration's names) hold every label of sel but those with values
// Knative sets at run time, which are not judged: the Revision's labels,
// and app, which Knative sets to the Revision's name when the template
// sets none.
func knativeSelected(ws []*graph.Workload, sel map[string]string) bool {
	for _, w := range ws {
		if w.Obj.Group != kinds.GroupKnativeServing {
			continue
		}
		_, app := w.Labels["app"]
		ok := true
		for k, v := range sel {
			got, has := w.Labels[k]
			unjudged := knativeRevisionLabels[k] || k == "app" && !app
			if (!has || got != v) && !unjudged {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// workloadGroupSelected reports whether sel matches the labels that a
// WorkloadGroup of namespace ns gives its WorkloadEntries: Istio adds the
// VMs a Service's selector matches to its endpoints.
func workloadGroupSelected(g *graph.Graph, ns string, sel map[string]string) bool {
	for _, wg := range g.WorkloadGroups() {
		if wg.Namespace() == ns && wg.Spec.Metadata != nil && labels.SubsetOf(sel, wg.Spec.Metadata.Labels) {
			return true
		}
	}
	return false
}

// closestWorkload returns, among the workloads that carry every key of sel
// (with another value for some), the one with the most equal values, ties
// broken by kind and name, and its differing labels ("app=webapp"). It
// returns nil when no workload carries all the keys.
func closestWorkload(ws []*graph.Workload, sel map[string]string) (*graph.Workload, string) {
	var best *graph.Workload
	bestEqual := -1
	for _, w := range ws {
		equal, ok := 0, true
		for k, v := range sel {
			got, has := w.Labels[k]
			if !has {
				ok = false
				break
			}
			if got == v {
				equal++
			}
		}
		if !ok {
			continue
		}
		if equal > bestEqual || equal == bestEqual && workloadBefore(w, best) {
			best, bestEqual = w, equal
		}
	}
	if best == nil {
		return nil, ""
	}
	var differ []string
	for k, v := range sel {
		if got := best.Labels[k]; got != v {
			differ = append(differ, k+"="+got)
		}
	}
	sort.Strings(differ)
	return best, strings.Join(differ, ",")
}

func workloadBefore(a, b *graph.Workload) bool {
	if a.Obj.Kind != b.Obj.Kind {
		return a.Obj.Kind < b.Obj.Kind
	}
	return a.Name() < b.Name()
}

// selectorLoc returns the location of the first key of the Service's
// spec.selector, or of spec.selector itself. The graph keeps the selector
// as a plain map, so a finding reads the object's node again (which may
// read its file again, once: manifest.Object.Root); a zero Loc falls back
// to the object's name.
func selectorLoc(o *manifest.Object) manifest.Loc {
	sel := yamlpath.Field(yamlpath.Field(o.Root(), "spec"), "selector")
	if sel == nil {
		return manifest.Loc{}
	}
	if sel.Kind == yaml.MappingNode && len(sel.Content) > 0 {
		return manifest.LocOf(sel.Content[0])
	}
	return manifest.LocOf(sel)
}

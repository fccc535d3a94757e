package graph

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
)

// genericInput holds the workloads of other operators: OpenKruise's
// CloneSet and Advanced StatefulSet, and Knative's Service and
// Configuration, with fields outside spec.template whose schema meshlint
// does not know (and which the spec types of apps would reject).
var genericInput = docs(`apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}`,
	`apiVersion: apps.kruise.io/v1alpha1
kind: CloneSet
metadata: {name: web, namespace: shop, labels: {tier: frontend}}
spec:
  replicas: many
  selector: app=web
  updateStrategy: [{type: InPlaceIfPossible}]
  template:
    metadata:
      labels: {app: web}
      annotations: {proxy.istio.io/config: "holdApplicationUntilProxyStarts: true"}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: nginx
        ports: [{name: http, containerPort: 8080}]`,
	`apiVersion: apps.kruise.io/v1beta1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  replicas: 3
  reserveOrdinals: [1]
  updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, maxUnavailable: 50%}}
  template:
    metadata:
      labels: {app: db, sidecar.istio.io/inject: "false"}
    spec:
      containers: [{name: db, image: postgres}]`,
	`apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello, namespace: shop}
spec:
  traffic: [{latestRevision: true, percent: 100}]
  template:
    metadata:
      labels: {serving.knative.dev/configuration: mine}
    spec:
      containerConcurrency: 10
      containers: [{image: hello}]`,
	`apiVersion: serving.knative.dev/v1
kind: Configuration
metadata: {name: greeter, namespace: shop}
spec:
  template:
    spec:
      containers: [{image: greeter}]`,
	svc("shop", "web", "app=web"),
	svc("shop", "hello-svc", "serving.knative.dev/service=hello"),
	netpol("shop", "db", "  podSelector: {matchLabels: {app: db}}"))

// workloadSummary describes the workloads of g: kind, name, labels,
// service account, sidecar, container ports.
func workloadSummary(g *Graph) string {
	var out []string
	for _, w := range g.Workloads {
		var ports []string
		for _, c := range w.Spec.Spec.Containers {
			for _, p := range c.Ports {
				ports = append(ports, p.Name.V)
			}
		}
		out = append(out, string(w.Obj.Kind)+"."+w.Obj.Group+" "+w.Name()+" "+kv(w.Labels)+" sa="+w.ServiceAccount+
			" sidecar="+map[bool]string{true: "yes", false: "no"}[w.Sidecar]+" ports="+strings.Join(ports, ","))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func TestGenericWorkloads(t *testing.T) {
	want := strings.Join([]string{
		"CloneSet.apps.kruise.io web app=web sa=web sidecar=yes ports=http",
		"Configuration.serving.knative.dev greeter serving.knative.dev/configuration=greeter sa=default sidecar=yes ports=",
		// The template's label wins over Knative's (which would reject it).
		"Service.serving.knative.dev hello serving.knative.dev/configuration=mine,serving.knative.dev/service=hello sa=default sidecar=yes ports=",
		"StatefulSet.apps.kruise.io db app=db,sidecar.istio.io/inject=false sa=default sidecar=no ports=",
	}, "\n")
	for _, prepared := range []bool{false, true} {
		g := flaggerGraph(t, genericInput, prepared)
		if got := workloadSummary(g); got != want {
			t.Errorf("prepared %v: workloads\n%s\nwant\n%s", prepared, got, want)
		}
		selected := map[string]string{}
		for _, s := range g.Services {
			selected[s.Name()] = refs(s.Workloads)
		}
		if want := (map[string]string{"web": "shop/web", "hello-svc": "shop/hello"}); !reflect.DeepEqual(selected, want) {
			t.Errorf("prepared %v: Services select %v, want %v", prepared, selected, want)
		}
		if len(g.NetworkPolicies) != 1 || refs(g.NetworkPolicies[0].Workloads) != "shop/db" {
			t.Errorf("prepared %v: the NetworkPolicy selects %s", prepared, refs(g.NetworkPolicies[0].Workloads))
		} else if g.NetworkPolicies[0].Workloads[0].Obj.Group != "apps.kruise.io" {
			t.Errorf("prepared %v: the NetworkPolicy selects a StatefulSet of group %q", prepared, g.NetworkPolicies[0].Workloads[0].Obj.Group)
		}
		// Neither is the Knative Service a Service, nor the Advanced
		// StatefulSet a StatefulSet of apps.
		if len(g.Services) != 2 {
			t.Errorf("prepared %v: Services %s", prepared, refs(g.Services))
		}
		if g.HasKind(kinds.StatefulSet, "shop") || g.HasKind(kinds.Kind("CloneSet"), "") {
			t.Errorf("prepared %v: HasKind counts generic workloads", prepared)
		}
		if !g.Describes("shop") {
			t.Errorf("prepared %v: namespace shop is not described", prepared)
		}
	}
}

// TestGenericWorkloadOnlyService checks that a namespace whose only
// "Service" is a Knative one holds no Service for HasKind.
func TestGenericWorkloadOnlyService(t *testing.T) {
	g := graphFrom(t, `apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello, namespace: shop}
spec:
  template:
    spec:
      containers: [{image: hello}]`)
	if g.HasKind(kinds.Service, "shop") || g.HasKind(kinds.Service, "") || len(g.Services) != 0 {
		t.Errorf("a Knative Service counts as a Service")
	}
	if len(g.Workloads) != 1 || !g.WorkloadsKnown("shop") {
		t.Errorf("the Knative Service is no workload of shop")
	}
}

// TestGenericWorkloadDecodeErrors checks that the pod template of a
// generic workload is decoded like a Deployment's: an error in it is
// reported where it is, and the workload left out.
func TestGenericWorkloadDecodeErrors(t *testing.T) {
	g, errs := graphWithErrors(t, docs(`apiVersion: apps.kruise.io/v1alpha1
kind: CloneSet
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: sometimes
      containers:
      - name: web
        ports: [{containerPort: http}]`, `apiVersion: apps.kruise.io/v1alpha1
kind: CloneSet
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api}]`))
	want := []string{
		`in.yaml:8:20: wrong type: expected a boolean (true or false), got "sometimes"`,
		`in.yaml:11:33: wrong type: expected an integer, got "http"`,
	}
	if len(errs) != len(want) {
		t.Fatalf("errors = %q, want %q", errs, want)
	}
	for i, w := range want {
		if !strings.HasSuffix(errs[i], w) {
			t.Errorf("error %d = %q, want %q", i, errs[i], w)
		}
	}
	if refs(g.Workloads) != "shop/api" {
		t.Errorf("workloads = %s, want the one without errors", refs(g.Workloads))
	}
}

// TestGenericAnnotationSites checks that generic workloads are annotation
// sites of pods, their own metadata under a kind qualified by their group,
// but for Knative's, which Knative passes on to other objects.
func TestGenericAnnotationSites(t *testing.T) {
	for _, prepared := range []bool{false, true} {
		g := flaggerGraph(t, genericInput, prepared)
		var got []string
		for _, s := range g.AnnotationSites(kinds.Pod) {
			got = append(got, s.Obj.Name+" "+string(s.Kind)+" "+kv(s.Annotations))
		}
		want := []string{
			"web CloneSet.apps.kruise.io ",
			"web Pod proxy.istio.io/config=holdApplicationUntilProxyStarts: true",
			"db StatefulSet.apps.kruise.io ",
			"db Pod ",
			"hello Pod ",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("prepared %v: sites\n%s\nwant\n%s", prepared, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, s := range g.AnnotationSites(kinds.Service, kinds.StatefulSet) {
			if s.Obj.Group != kinds.GroupCore {
				t.Errorf("prepared %v: %s %s is a site of Services or StatefulSets", prepared, s.Kind, s.Obj.Name)
			}
		}
	}
}

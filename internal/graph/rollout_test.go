package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestVirtualServiceNamespaceName holds the cases of Argo Rollouts v1.10.2's
// TestGetVirtualServiceNamespaceName (utils/istio/istio_test.go), and what
// the same code makes of an empty reference and of a Kubernetes-style FQDN.
func TestVirtualServiceNamespaceName(t *testing.T) {
	for _, c := range []struct {
		in, ns, name string
	}{
		{"virtualservice", "", "virtualservice"},
		{"virtualservice.istio", "istio", "virtualservice"},
		{"virtualservice.example.istio", "istio", "virtualservice.example"},
		{"my.virtual.service.istio", "istio", "my.virtual.service"},
		{"test.namespace.cluster.local", "namespace", "test"},
		{"", "", ""},
		{"web.shop.svc.cluster.local", "svc", "web.shop"},
	} {
		if ns, name := VirtualServiceNamespaceName(c.in); ns != c.ns || name != c.name {
			t.Errorf("VirtualServiceNamespaceName(%q) = %q, %q; want %q, %q", c.in, ns, name, c.ns, c.name)
		}
	}
}

// rolloutWithSteps is a Rollout of namespace test whose pod template has
// the labels app=web, version=v1, an annotation, a service account and a
// port, with these canary steps.
func rolloutWithSteps(steps string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: test}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, version: v1}
      annotations: {prometheus.io/scrape: "true"}
    spec:
      serviceAccountName: web-sa
      containers:
      - name: web
        image: web:1
        ports: [{name: http, containerPort: 8080}]
  strategy:
    canary:
      steps:
` + steps
}

// experiments describes the workloads of r's experiment steps: kind/name,
// pod labels, pod annotations, service account, container ports, and the
// line of its name.
func experiments(r *Rollout) string {
	var out []string
	for _, w := range r.Experiments {
		var ports []string
		for _, c := range w.Spec.Spec.Containers {
			for _, p := range c.Ports {
				ports = append(ports, fmt.Sprintf("%s:%d", p.Name.V, p.ContainerPort.V))
			}
		}
		out = append(out, fmt.Sprintf("%s/%s %s %s %s %s line %d", w.Obj.Kind, w.Name(), kv(w.Labels),
			kv(w.Spec.Metadata.Annotations), w.ServiceAccount, strings.Join(ports, ","), w.Obj.Pos(w.Obj.NameLoc).Line))
	}
	return strings.Join(out, "\n")
}

func TestRolloutExperiments(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      string
	}{{
		// Argo's rollout-canary-preview example: the step's labels win
		// over the template's, its annotations are added; the other
		// steps run no pods of their own.
		name: "canary preview",
		src: rolloutWithSteps(`      - setWeight: 20
      - experiment:
          templates:
          - name: preview
            specRef: canary
            selector: {matchLabels: {app: web-preview}}
            metadata:
              labels: {app: web-preview}
              annotations: {team: a}
          - name: baseline
            specRef: stable
      - pause: {}
`),
		want: "ReplicaSet/web-preview app=web-preview,version=v1 prometheus.io/scrape=true,team=a web-sa http:8080 line 22\n" +
			"ReplicaSet/web-baseline app=web,version=v1 prometheus.io/scrape=true web-sa http:8080 line 28",
	}, {
		// A specRef Argo does not know fails the whole step.
		name: "unknown specRef",
		src: rolloutWithSteps(`      - experiment:
          templates:
          - {name: preview, specRef: canary, metadata: {labels: {app: web-preview}}}
          - {name: old, specRef: previous}
`),
	}, {
		// The same template in two steps runs the same pods; one of the
		// same name with other labels gets the step's index.
		name: "repeated templates",
		src: rolloutWithSteps(`      - experiment:
          templates:
          - {name: preview, specRef: canary, metadata: {labels: {track: preview}}}
      - experiment:
          templates:
          - {name: preview, specRef: canary, metadata: {labels: {track: preview}}}
      - experiment:
          templates:
          - {name: preview, specRef: canary, metadata: {labels: {track: late}}}
`),
		want: "ReplicaSet/web-preview app=web,track=preview,version=v1 prometheus.io/scrape=true web-sa http:8080 line 21\n" +
			"ReplicaSet/web-preview-2 app=web,track=late,version=v1 prometheus.io/scrape=true web-sa http:8080 line 27",
	}} {
		for _, prepared := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/prepared=%v", c.name, prepared), func(t *testing.T) {
				g := flaggerGraph(t, c.src, prepared)
				if len(g.Rollouts) != 1 {
					t.Fatalf("%d Rollouts", len(g.Rollouts))
				}
				r := g.Rollouts[0]
				if got := experiments(r); got != c.want {
					t.Errorf("experiments:\n%s\nwant:\n%s", got, c.want)
				}
				if got := kv(r.Workload.Labels); got != "app=web,version=v1" {
					t.Errorf("the Rollout's labels became %s", got)
				}
				if g.ExperimentOf(r.Obj) != nil {
					t.Error("ExperimentOf(the Rollout) is not nil")
				}
				for _, w := range r.Experiments {
					if !slices.Contains(g.Workloads, w) {
						t.Errorf("%s is not among the workloads", w.Name())
					}
					if g.ExperimentOf(w.Obj) != r || Origin(w.Obj) != r.Obj {
						t.Errorf("%s: ExperimentOf or Origin is not the Rollout", w.Name())
					}
					if !w.Spec.Spec.Containers[0].Name.Loc.IsZero() {
						t.Errorf("%s: the pod spec keeps the Rollout's positions", w.Name())
					}
				}
			})
		}
	}
}

// TestRolloutExperimentSelected checks that a Service selecting the labels
// of an experiment step has its pods, and that a Rollout taking its pods
// from a workloadRef the input does not hold gets none for its steps
// (TestWorkloadRefExperiments has those it holds).
func TestRolloutExperimentSelected(t *testing.T) {
	g := graphFrom(t, docs(rolloutWithSteps(`      - experiment:
          templates:
          - {name: preview, specRef: canary, metadata: {labels: {app: web-preview}}}
`), svc("test", "web-preview", "app=web-preview"), svc("test", "web", "app=web"),
		`apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ref, namespace: test}
spec:
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: ref}
  strategy:
    canary:
      steps:
      - experiment:
          templates:
          - {name: preview, specRef: canary, metadata: {labels: {app: web-preview}}}
`))
	for _, s := range g.Services {
		var got []string
		for _, w := range s.Workloads {
			got = append(got, w.KindName()+"/"+w.Name())
		}
		want := map[string]string{"web-preview": "ReplicaSet/web-preview", "web": "Rollout/web"}[s.Name()]
		if strings.Join(got, ",") != want {
			t.Errorf("Service %s selects %v, want %s", s.Name(), got, want)
		}
	}
	for _, r := range g.Rollouts {
		if r.Name() == "ref" && len(r.Experiments) > 0 {
			t.Errorf("the workloadRef Rollout has experiments: %s", experiments(r))
		}
	}
}

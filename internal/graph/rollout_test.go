package graph

import (
	"fmt"
	"maps"
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
// pod labels but the hash, pod annotations, service account, container
// ports, and the line of its name. It fails t when a workload's hash label
// is missing, another's too, or not on the pod template and the object.
func experiments(t *testing.T, r *Rollout) string {
	t.Helper()
	var out []string
	hashes := map[string]bool{}
	for _, w := range r.Experiments {
		hash := w.Labels[argoPodTemplateHashLabel]
		if hash == "" || hashes[hash] || w.Spec.Metadata.Labels[argoPodTemplateHashLabel] != hash || w.Obj.Labels[argoPodTemplateHashLabel] != hash {
			t.Errorf("%s: hash label %q, already seen: %v; on the template %q, the object %q", w.Name(), hash, hashes[hash],
				w.Spec.Metadata.Labels[argoPodTemplateHashLabel], w.Obj.Labels[argoPodTemplateHashLabel])
		}
		hashes[hash] = true
		labels := maps.Clone(w.Labels)
		delete(labels, argoPodTemplateHashLabel)
		var ports []string
		for _, c := range w.Spec.Spec.Containers {
			for _, p := range c.Ports {
				ports = append(ports, fmt.Sprintf("%s:%d", p.Name.V, p.ContainerPort.V))
			}
		}
		out = append(out, fmt.Sprintf("%s/%s %s %s %s %s line %d", w.Obj.Kind, w.Name(), kv(labels),
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
		// Two templates of one name fail the step's Experiment
		// (VerifyExperimentSpec): it runs no pods, while the other
		// step runs its own.
		name: "repeated name in a step",
		src: rolloutWithSteps(`      - experiment:
          templates:
          - {name: preview, specRef: canary, metadata: {labels: {app: web-preview}}}
          - {name: preview, specRef: stable}
      - experiment:
          templates:
          - {name: baseline, specRef: stable}
`),
		want: "ReplicaSet/web-baseline app=web,version=v1 prometheus.io/scrape=true web-sa http:8080 line 25",
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
				if got := experiments(t, r); got != c.want {
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
			t.Errorf("the workloadRef Rollout has experiments: %s", experiments(t, r))
		}
	}
}

// experimentServices describes the Services of r's experiment steps:
// name, the workloads it selects, its ports and the line of its name.
func experimentServices(r *Rollout) string {
	var out []string
	for _, s := range r.ExperimentServices {
		var ws, ports []string
		for _, w := range s.Workloads {
			ws = append(ws, w.KindName()+"/"+w.Name())
		}
		for _, p := range s.Spec.Ports {
			ports = append(ports, fmt.Sprintf("%s:%d/%s->%d", p.Name.V, p.Port.V, p.Protocol.V, p.TargetPort.Int))
		}
		out = append(out, fmt.Sprintf("%s selects %s ports %s line %d", s.Name(), strings.Join(ws, ","),
			strings.Join(ports, ","), s.Obj.Pos(s.Obj.NameLoc).Line))
	}
	return strings.Join(out, "\n")
}

// TestRolloutExperimentServices checks the Services Argo Rollouts creates
// for the templates of experiment steps with service or weight set: each
// selects its template's pods only, and none is made where Argo makes
// none or the API server refuses it.
func TestRolloutExperimentServices(t *testing.T) {
	for _, c := range []struct {
		name, src, want string
	}{{
		// The baseline runs the Rollout's labels: its Service selects
		// its pods by their hash, not the Rollout's nor the other
		// templates'. The second step's preview is the first's.
		name: "service and weight",
		src: docs(rolloutWithSteps(`      - experiment:
          templates:
          - name: preview
            specRef: canary
            metadata: {labels: {app: web-preview}}
            service: {name: web-preview}
          - name: baseline
            specRef: stable
            weight: 10
          - name: plain
            specRef: stable
            metadata: {labels: {track: plain}}
      - experiment:
          templates:
          - name: preview
            specRef: canary
            metadata: {labels: {app: web-preview}}
            service: {name: web-preview}
            weight: 5
`), svc("test", "web", "app=web")),
		want: "web-preview selects ReplicaSet/web-preview ports http:8080/TCP->8080 line 24\n" +
			"web-baseline selects ReplicaSet/web-baseline ports http:8080/TCP->8080 line 27",
	}, {
		// service: {} names the Service as the ReplicaSet.
		name: "unnamed",
		src: rolloutWithSteps(`      - experiment:
          templates:
          - {name: preview, specRef: canary, service: {}}
`),
		want: "web-preview selects ReplicaSet/web-preview ports http:8080/TCP->8080 line 21",
	}, {
		// No pods, no Service; a name the input has is refused.
		name: "none",
		src: docs(rolloutWithSteps(`      - experiment:
          templates:
          - {name: idle, specRef: canary, replicas: 0, weight: 10}
          - {name: taken, specRef: canary, metadata: {labels: {track: taken}}, service: {name: web}}
          - {name: bare, specRef: canary}
`), svc("test", "web", "app=web")),
	}, {
		// A Rollout with a workloadRef: the Deployment's ports.
		name: "workloadRef",
		src: docs(`apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ro, namespace: test}
spec:
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  strategy:
    canary:
      steps:
      - experiment:
          templates:
          - {name: preview, specRef: canary, metadata: {labels: {app: web-preview}}, service: {name: preview}}
`, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: test}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1, ports: [{name: grpc, containerPort: 9090, protocol: TCP}]}]
`),
		want: "preview selects ReplicaSet/ro-preview ports grpc:9090/TCP->9090 line 11",
	}} {
		for _, prepared := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/prepared=%v", c.name, prepared), func(t *testing.T) {
				g := flaggerGraph(t, c.src, prepared)
				r := g.Rollouts[0]
				if got := experimentServices(r); got != c.want {
					t.Errorf("experiment Services:\n%s\nwant:\n%s", got, c.want)
				}
				for _, s := range r.ExperimentServices {
					if !slices.Contains(g.Services, s) || g.ExperimentOf(s.Obj) != r || Origin(s.Obj) != r.Obj {
						t.Errorf("%s: not a Service of the Rollout's experiment", s.Name())
					}
				}
			})
		}
	}
}

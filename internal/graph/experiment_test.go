package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// experimentOf is an Experiment of namespace test with these templates.
func experimentOf(spec string) string {
	return "apiVersion: argoproj.io/v1alpha1\nkind: Experiment\nmetadata: {name: ex, namespace: test}\nspec:\n" + spec
}

// derived describes what the graph derives for e: per ReplicaSet its
// kind/name, pod labels (the hash label as HASH), annotations, service
// account and the line of its name; per Service its name, selector, ports
// and the line of its name.
func derived(e *Experiment) string {
	var out []string
	hashed := func(m map[string]string) string {
		return strings.ReplaceAll(kv(m), m[argoPodTemplateHashLabel], "HASH")
	}
	for _, w := range e.Workloads {
		out = append(out, fmt.Sprintf("%s/%s %s %s %s line %d", w.Obj.Kind, w.Name(), hashed(w.Labels),
			kv(w.Spec.Metadata.Annotations), w.ServiceAccount, w.Obj.Pos(w.Obj.NameLoc).Line))
	}
	for _, s := range e.Services {
		var ports []string
		for _, p := range s.Spec.Ports {
			ports = append(ports, fmt.Sprintf("%s:%d->%s/%s", p.Name.V, p.Port.V, p.TargetPort.String(), p.Protocol.V))
		}
		out = append(out, fmt.Sprintf("Service/%s %s %s line %d", s.Name(), hashed(s.Spec.Selector),
			strings.Join(ports, ","), s.Obj.Pos(s.Obj.NameLoc).Line))
	}
	return strings.Join(out, "\n")
}

// TestExperimentDerived checks the ReplicaSets and Services derived for an
// Experiment against Argo Rollouts v1.10.2's experiment controller:
// newReplicaSetFromTemplate, createTemplateService and
// VerifyExperimentSpec.
func TestExperimentDerived(t *testing.T) {
	for _, c := range []struct {
		name, src, want string
	}{{
		// docs/features/experiment.md: a named Service for purple, none
		// for orange.
		name: "docs example",
		src: experimentOf(`  duration: 20m
  progressDeadlineSeconds: 30
  templates:
  - name: purple
    replicas: 1
    service:
      name: service-name
    selector:
      matchLabels: {app: canary-demo, color: purple}
    template:
      metadata:
        labels: {app: canary-demo, color: purple}
        annotations: {team: a}
      spec:
        serviceAccountName: demo
        containers:
        - name: rollouts-demo
          image: argoproj/rollouts-demo:purple
          ports:
          - {name: http, containerPort: 8080, protocol: TCP}
  - name: orange
    replicas: 1
    minReadySeconds: 10
    selector:
      matchLabels: {app: canary-demo, color: orange}
    template:
      metadata:
        labels: {app: canary-demo, color: orange}
      spec:
        containers:
        - name: rollouts-demo
          image: argoproj/rollouts-demo:orange
          ports: [{name: http, containerPort: 8080}]
`),
		want: "ReplicaSet/ex-purple app=canary-demo,color=purple,rollouts-pod-template-hash=HASH team=a demo line 8\n" +
			"ReplicaSet/ex-orange app=canary-demo,color=orange,rollouts-pod-template-hash=HASH  default line 25\n" +
			"Service/service-name app=canary-demo,color=purple,rollouts-pod-template-hash=HASH http:8080->8080/TCP line 11",
	}, {
		// test/e2e/functional/experiment-with-service.yaml and
		// -multiport-service.yaml: service {} names the Service after the
		// ReplicaSet; an unnamed port is kept when it is the only one.
		name: "e2e services",
		src: experimentOf(`  templates:
  - name: one
    service: {}
    selector: {matchLabels: {app: one}}
    template:
      metadata: {labels: {app: one}}
      spec:
        containers: [{name: c, image: nginx, ports: [{protocol: TCP, containerPort: 8080}]}]
  - name: multi
    service: {}
    selector: {matchLabels: {app: multi}}
    template:
      metadata: {labels: {app: multi}}
      spec:
        containers:
        - name: c
          image: nginx
          ports:
          - {name: testport1, containerPort: 8080}
          - {name: testport2, containerPort: 8081, protocol: UDP}
`),
		want: "ReplicaSet/ex-one app=one,rollouts-pod-template-hash=HASH  default line 6\n" +
			"ReplicaSet/ex-multi app=multi,rollouts-pod-template-hash=HASH  default line 13\n" +
			"Service/ex-one app=one,rollouts-pod-template-hash=HASH :8080->8080/TCP line 7\n" +
			"Service/ex-multi app=multi,rollouts-pod-template-hash=HASH testport1:8080->8080/TCP,testport2:8081->8081/UDP line 14",
	}, {
		// No Service without pods (replicas 0, a terminated
		// Experiment) or ports, or with ports the API server refuses
		// (two without a name); a template without containers, or
		// whose selector does not match its labels, has no ReplicaSet.
		name: "no service",
		src: experimentOf(`  templates:
  - name: zero
    replicas: 0
    service: {}
    selector: {matchLabels: {app: zero}}
    template:
      metadata: {labels: {app: zero}}
      spec:
        containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]
  - name: portless
    service: {}
    selector: {matchLabels: {app: portless}}
    template:
      metadata: {labels: {app: portless}}
      spec:
        containers: [{name: c, image: nginx}]
  - name: unnamed
    service: {}
    selector: {matchLabels: {app: unnamed}}
    template:
      metadata: {labels: {app: unnamed}}
      spec:
        containers: [{name: c, image: nginx, ports: [{containerPort: 8080}, {containerPort: 8081}]}]
  - name: empty
    service: {}
    selector: {matchLabels: {app: empty}}
    template:
      metadata: {labels: {app: empty}}
  - name: mismatch
    selector: {matchLabels: {app: other}}
    template:
      metadata: {labels: {app: mismatch}}
      spec:
        containers: [{name: c, image: nginx}]
`),
		want: "ReplicaSet/ex-zero app=zero,rollouts-pod-template-hash=HASH  default line 6\n" +
			"ReplicaSet/ex-portless app=portless,rollouts-pod-template-hash=HASH  default line 14\n" +
			"ReplicaSet/ex-unnamed app=unnamed,rollouts-pod-template-hash=HASH  default line 21",
	}, {
		name: "terminated",
		src: experimentOf(`  terminate: true
  templates:
  - name: one
    service: {}
    selector: {matchLabels: {app: one}}
    template:
      metadata: {labels: {app: one}}
      spec:
        containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]
`),
		want: "ReplicaSet/ex-one app=one,rollouts-pod-template-hash=HASH  default line 7",
	}, {
		// An input Service of the name: Argo fails rather than take
		// it over.
		name: "name taken",
		src: docs(svc("test", "ex-one", "app=other"), experimentOf(`  templates:
  - name: one
    service: {}
    selector: {matchLabels: {app: one}}
    template:
      metadata: {labels: {app: one}}
      spec:
        containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]
`)),
		want: "ReplicaSet/ex-one app=one,rollouts-pod-template-hash=HASH  default line 18",
	}} {
		for _, prepared := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/prepared=%v", c.name, prepared), func(t *testing.T) {
				g := flaggerGraph(t, c.src, prepared)
				if len(g.Experiments) != 1 {
					t.Fatalf("%d Experiments", len(g.Experiments))
				}
				e := g.Experiments[0]
				if got := derived(e); got != c.want {
					t.Errorf("derived:\n%s\nwant:\n%s", got, c.want)
				}
				if g.StandaloneExperimentOf(e.Obj) != nil {
					t.Error("StandaloneExperimentOf(the Experiment) is not nil")
				}
				hashes := map[string]bool{}
				for _, w := range e.Workloads {
					if !slices.Contains(g.Workloads, w) {
						t.Errorf("%s is not among the workloads", w.Name())
					}
					if g.StandaloneExperimentOf(w.Obj) != e || Origin(w.Obj) != e.Obj || g.ExperimentOf(w.Obj) != nil {
						t.Errorf("%s: StandaloneExperimentOf or Origin is not the Experiment", w.Name())
					}
					if cs := w.Spec.Spec.Containers; len(cs) > 0 && cs[0].Name.Loc.IsZero() {
						t.Errorf("%s: the pod spec lost the template's positions", w.Name())
					}
					hashes[w.Labels[argoPodTemplateHashLabel]] = true
				}
				if len(hashes) != len(e.Workloads) {
					t.Errorf("%d hash labels for %d templates", len(hashes), len(e.Workloads))
				}
				for _, s := range e.Services {
					if !slices.Contains(g.Services, s) || g.StandaloneExperimentOf(s.Obj) != e {
						t.Errorf("Service %s is not among the Services, or not the Experiment's", s.Name())
					}
					if len(s.Workloads) != 1 || s.Workloads[0] != e.Workloads[slices.IndexFunc(e.Workloads, func(w *Workload) bool {
						return w.Obj.Annotations[argoExperimentTemplateKey] == s.Obj.Annotations[argoExperimentTemplateKey]
					})] {
						t.Errorf("Service %s does not select its template's pods alone: %s", s.Name(), refs(s.Workloads))
					}
				}
			})
		}
	}
}

// TestExperimentInvalid checks that an Experiment whose spec
// VerifyExperimentSpec rejects gets nothing, whichever template is wrong.
func TestExperimentInvalid(t *testing.T) {
	good := `  - name: good
    service: {}
    selector: {matchLabels: {app: good}}
    template:
      metadata: {labels: {app: good}}
      spec:
        containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]
`
	for name, bad := range map[string]string{
		"no selector":    "  - name: bad\n    template:\n      metadata: {labels: {app: bad}}\n      spec: {containers: [{name: c, image: nginx}]}\n",
		"empty selector": "  - name: bad\n    selector: {}\n    template:\n      metadata: {labels: {app: bad}}\n      spec: {containers: [{name: c, image: nginx}]}\n",
		"repeated name":  strings.ReplaceAll(good, "app: good", "app: again"),
		"slow":           strings.Replace(strings.ReplaceAll(good, "good", "slow"), "    service: {}\n", "    minReadySeconds: 601\n", 1),
	} {
		t.Run(name, func(t *testing.T) {
			g := graphFrom(t, experimentOf("  templates:\n"+good+bad))
			if e := g.Experiments[0]; len(e.Workloads)+len(e.Services) > 0 {
				t.Errorf("derived:\n%s", derived(e))
			}
		})
	}
}

// TestWorkloadRefExperiments checks that the experiment steps of a Rollout
// with a workloadRef run the referenced Deployment's, ReplicaSet's or
// PodTemplate's template, wherever it is in the input, as Argo's template resolver
// resolves it, and that nothing is derived when it does not.
func TestWorkloadRefExperiments(t *testing.T) {
	deployment := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: test}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, version: v1}
    spec:
      serviceAccountName: web-sa
      containers: [{name: web, image: web:1, ports: [{name: http, containerPort: 8080}]}]
`
	// A PodTemplate has its template at the top.
	podTemplate := `apiVersion: v1
kind: PodTemplate
metadata: {name: web, namespace: test}
template:
  metadata:
    labels: {app: web, version: v1}
  spec:
    serviceAccountName: web-sa
    containers: [{name: web, image: web:1, ports: [{name: http, containerPort: 8080}]}]
`
	rollout := func(ref, template string) string {
		return `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ro, namespace: test}
spec:
  workloadRef: {` + ref + `}
` + template + `  strategy:
    canary:
      steps:
      - experiment:
          templates:
          - {name: preview, specRef: canary, metadata: {labels: {app: web-preview}}}
`
	}
	const preview = "ReplicaSet/ro-preview app=web-preview,version=v1  web-sa http:8080 line 12"
	for _, c := range []struct {
		name, src, want string
	}{
		{"deployment after", docs(rollout("apiVersion: apps/v1, kind: Deployment, name: web", ""), deployment), preview},
		{"deployment before", docs(deployment, rollout("apiVersion: apps/v1, kind: Deployment, name: web", "")), preview},
		{"replicaset", docs(strings.Replace(deployment, "kind: Deployment", "kind: ReplicaSet", 1),
			rollout("apiVersion: apps/v1, kind: ReplicaSet, name: web", "")), preview},
		{"other name", docs(deployment, rollout("apiVersion: apps/v1, kind: Deployment, name: api", "")), ""},
		{"other group", docs(deployment, rollout("apiVersion: apps.kruise.io/v1alpha1, kind: Deployment, name: web", "")), ""},
		{"other namespace", docs(strings.Replace(deployment, "namespace: test", "namespace: prod", 1),
			rollout("apiVersion: apps/v1, kind: Deployment, name: web", "")), ""},
		// Argo refuses a template beside the reference.
		{"template too", docs(deployment, rollout("apiVersion: apps/v1, kind: Deployment, name: web",
			"  template:\n    metadata: {labels: {app: web}}\n")), ""},
		{"podtemplate", docs(rollout("apiVersion: v1, kind: PodTemplate, name: web", ""), podTemplate), preview},
		{"podtemplate before", docs(podTemplate, rollout("apiVersion: v1, kind: PodTemplate, name: web", "")), preview},
		{"podtemplate of another group", docs(rollout("apiVersion: apps/v1, kind: PodTemplate, name: web", ""), podTemplate), ""},
	} {
		for _, prepared := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/prepared=%v", c.name, prepared), func(t *testing.T) {
				g := flaggerGraph(t, c.src, prepared)
				r := g.Rollouts[0]
				if got := experiments(t, r); got != strings.Replace(c.want, "line 12", fmt.Sprintf("line %d", lineOf(c.src, "{name: preview")), 1) {
					t.Errorf("experiments:\n%s\nwant:\n%s", got, c.want)
				}
				if (r.Ref != nil) != (c.want != "") {
					t.Errorf("Ref is %v", r.Ref)
				}
				if r.Ref != nil && strings.HasPrefix(c.name, "podtemplate") {
					// The Rollout runs the PodTemplate's pods: they are
					// a workload, at the PodTemplate.
					if r.Ref.Obj.Kind != "PodTemplate" || !slices.Contains(g.Workloads, r.Ref) || kv(r.Ref.Labels) != "app=web,version=v1" ||
						r.Ref.Spec.Spec.Containers[0].Name.Loc.IsZero() {
						t.Errorf("Ref %s %s %s is not the PodTemplate's pods", r.Ref.Obj.Kind, r.Ref.Name(), kv(r.Ref.Labels))
					}
				}
				for _, w := range r.Experiments {
					if !slices.Contains(g.Workloads, w) || g.ExperimentOf(w.Obj) != r || Origin(w.Obj) != r.Obj {
						t.Errorf("%s: not a workload of the Rollout's experiment", w.Name())
					}
					if !w.Spec.Spec.Containers[0].Name.Loc.IsZero() {
						t.Errorf("%s: the pod spec keeps the Deployment's positions", w.Name())
					}
				}
			})
		}
	}
}

// lineOf returns the 1-based line of src holding s.
func lineOf(src, s string) int {
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	return 0
}

// TestSamePodsUnreadSource checks that whether two experiment steps run
// the same pods does not read the values of the source template's
// annotations of no domain the graph reads (ReadAnnotation), which the
// cache lets change without reading them again (UnreadValues): a template
// setting such an annotation runs other pods than one that does not, as
// the source's value goes; those the graph reads are merged first.
func TestSamePodsUnreadSource(t *testing.T) {
	deployment := func(checksum, inject string) string {
		return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: test}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations:
        checksum/config: ` + checksum + `
        sidecar.istio.io/inject: "` + inject + `"
    spec:
      containers: [{name: web, image: web:1}]
`
	}
	const rollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ro, namespace: test}
spec:
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  strategy:
    canary:
      steps:
      - experiment:
          templates:
          - {name: preview, specRef: canary, metadata: {annotations: {checksum/config: a1, sidecar.istio.io/inject: "true"}}}
      - experiment:
          templates:
          - {name: preview, specRef: canary}
`
	for _, c := range []struct {
		checksum, inject string
		want             int
	}{
		{"a1", "true", 2}, {"b2", "true", 2}, {"a1", "false", 2},
	} {
		g := graphFrom(t, docs(deployment(c.checksum, c.inject), rollout))
		if got := len(g.Rollouts[0].Experiments); got != c.want {
			t.Errorf("checksum %s, inject %s: %d workloads of the steps, want %d", c.checksum, c.inject, got, c.want)
		}
	}
	// Of the keys the graph reads, the merged values count: the second
	// step's template takes the source's, which the first sets.
	same := strings.Replace(rollout, "checksum/config: a1, ", "", 1)
	for _, c := range []struct {
		inject string
		want   int
	}{{"true", 1}, {"false", 2}} {
		g := graphFrom(t, docs(deployment("a1", c.inject), same))
		if got := len(g.Rollouts[0].Experiments); got != c.want {
			t.Errorf("inject %s: %d workloads of the steps, want %d", c.inject, got, c.want)
		}
	}
	// So of a release label: the first step sets the source's value, the
	// second does not set it, and they differ whatever the source's.
	labelled := strings.Replace(rollout, "metadata: {annotations: {checksum/config: a1, sidecar.istio.io/inject: \"true\"}}", "metadata: {labels: {helm.sh/chart: web-1}}", 1)
	for _, chart := range []string{"web-1", "web-2"} {
		source := strings.Replace(deployment("a1", "true"), "labels: {app: web}\n      annotations", "labels: {app: web, helm.sh/chart: "+chart+"}\n      annotations", 1)
		g := graphFrom(t, docs(source, labelled))
		if got := len(g.Rollouts[0].Experiments); got != 2 {
			t.Errorf("helm.sh/chart %s: %d workloads of the steps, want 2", chart, got)
		}
	}
}

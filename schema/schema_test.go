package schema

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// load parses YAML text into objects, failing on any load error.
func load(t testing.TB, text string) []*manifest.Object {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{p}, manifest.Options{})
	for _, e := range res.Errors {
		t.Fatalf("load: %v", e)
	}
	return res.Objects
}

// lint validates every object and renders each violation as
// "line:col path | message".
func lint(t testing.TB, v *Validator, text string) []string {
	t.Helper()
	var out []string
	for _, o := range load(t, text) {
		vs, err := v.Check(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range vs {
			out = append(out, fmt.Sprintf("%d:%d %s | %s", x.Loc.Line, x.Loc.Col, x.Path, x.Msg))
		}
	}
	return out
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{{
		// Flagger's CRD: oneOf required [type, address] or [type, secretRef].
		name: "no alternative of required fields: the missing ones",
		yaml: `apiVersion: flagger.app/v1beta1
kind: AlertProvider
metadata: {name: slack}
spec: {type: slack, channel: alerts}
`,
		want: []string{`4:1 spec | spec: needs address or secretRef`},
	}, {
		// anyOf of three branches that all require interval and threshold.
		name: "no alternative of required fields: the common ones first",
		yaml: `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: podinfo}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service: {port: 9898}
  analysis:
    match: [{headers: {x-canary: {exact: insider}}}]
`,
		want: []string{`7:3 spec.analysis | spec.analysis: needs interval and threshold, and iterations, stepWeight or stepWeights`},
	}, {
		name: "unknown field at its key, with a suggestion",
		yaml: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weigth: 90
`,
		want: []string{`9:7 spec.http[0].route[0].weigth | unknown field "weigth" in spec.http[0].route[0] (did you mean "weight"?)`},
	}, {
		name: "unknown top-level and metadata fields",
		yaml: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  lables: {app: a}
specs: {}
`,
		want: []string{
			`5:3 metadata.lables | unknown field "lables" in metadata (did you mean "labels"?)`,
			`6:1 specs | unknown field "specs" (did you mean "spec"?)`,
		},
	}, {
		name: "wrong type in a field the graph does not decode",
		yaml: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: r}
spec:
  host: r
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: many
`,
		want: []string{`9:25 spec.trafficPolicy.connectionPool.tcp.maxConnections | spec.trafficPolicy.connectionPool.tcp.maxConnections: expected integer, got string "many"`},
	}, {
		name: "integer where a string is wanted",
		yaml: `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: r}
spec:
  hosts: [r]
  http:
  - timeout: 5
    route: [{destination: {host: r}}]
`,
		want: []string{`7:14 spec.http[0].timeout | spec.http[0].timeout: expected string, got integer 5`},
	}, {
		name: "enum, sorted, with a suggestion",
		yaml: `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: default}
spec:
  mtls:
    mode: STRICTT
`,
		want: []string{`6:11 spec.mtls.mode | spec.mtls.mode: "STRICTT" is not one of DISABLE, PERMISSIVE, STRICT, UNSET (did you mean "STRICT"?)`},
	}, {
		name: "required field at the parent's key",
		yaml: `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: r}
spec:
  subsets:
  - name: v1
`,
		want: []string{`4:1 spec.host | spec.host is required`},
	}, {
		name: "required field in a list item",
		yaml: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r}
spec:
  hosts: [r]
  http:
  - route:
    - destination:
        subset: v1
`,
		want: []string{`8:7 spec.http[0].route[0].destination.host | spec.http[0].route[0].destination.host is required`},
	}, {
		name: "at most one of several fields",
		yaml: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r}
spec:
  hosts: [r]
  http:
  - match:
    - uri: {exact: /a, prefix: /b}
    route: [{destination: {host: r}}]
`,
		want: []string{`8:7 spec.http[0].match[0].uri | spec.http[0].match[0].uri: exact and prefix are both set; set only one of exact, prefix, regex`},
	}, {
		name: "version not served",
		yaml: `apiVersion: networking.istio.io/v1alpha1
kind: Gateway
metadata: {name: g}
spec: {}
`,
		want: []string{`1:13 apiVersion | networking.istio.io/v1alpha1 Gateway is not served: use networking.istio.io/v1 or networking.istio.io/v1beta1 or networking.istio.io/v1alpha3`},
	}, {
		name: "Kubernetes version not served",
		yaml: `apiVersion: apps/v1beta2
kind: Deployment
metadata: {name: d}
`,
		want: []string{"1:13 apiVersion | apps/v1beta2 Deployment is not served by Kubernetes " + KubernetesVersion + ": use apps/v1"},
	}, {
		name: "AdminNetworkPolicy version not served, by the release its schema comes from",
		yaml: `apiVersion: policy.networking.k8s.io/v1beta1
kind: AdminNetworkPolicy
metadata: {name: a}
`,
		want: []string{"1:13 apiVersion | policy.networking.k8s.io/v1beta1 AdminNetworkPolicy is not served by network policy API " + AdminNetworkPolicyAPIVersion + ": use policy.networking.k8s.io/v1alpha1"},
	}, {
		name: "ClusterNetworkPolicy version not served",
		yaml: `apiVersion: policy.networking.k8s.io/v1alpha1
kind: ClusterNetworkPolicy
metadata: {name: c}
`,
		want: []string{"1:13 apiVersion | policy.networking.k8s.io/v1alpha1 ClusterNetworkPolicy is not served by network policy API " + NetworkPolicyAPIVersion + ": use policy.networking.k8s.io/v1beta1 or policy.networking.k8s.io/v1alpha2"},
	}, {
		name: "AdminNetworkPolicy: unknown action, unknown peer field",
		yaml: `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a}
spec:
  priority: 10
  subject: {namespaces: {}}
  ingress:
  - action: Accept
    from: [{namespace: {}}]
`,
		want: []string{
			`8:13 spec.ingress[0].action | spec.ingress[0].action: "Accept" is not one of Allow, Deny, Pass`,
			`9:13 spec.ingress[0].from[0].namespace | unknown field "namespace" in spec.ingress[0].from[0] (did you mean "namespaces"?)`,
		},
	}, {
		name: "Kubernetes: int-or-string, typos, quantities",
		yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: a}}
  strategy:
    rollingUpdate: {maxSurge: true, maxUnavailable: 25%}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers:
      - name: c
        image: x
        resources: {limits: {cpu: 0.5, memory: 1Gi}, requests: {cpu: 100m}}
        ports: [{containerPort: http}]
      contaners: []
`,
		want: []string{
			`7:31 spec.strategy.rollingUpdate.maxSurge | spec.strategy.rollingUpdate.maxSurge: expected string or integer, got boolean true`,
			`15:33 spec.template.spec.containers[0].ports[0].containerPort | spec.template.spec.containers[0].ports[0].containerPort: expected integer, got string "http"`,
			`16:7 spec.template.spec.contaners | unknown field "contaners" in spec.template.spec (did you mean "containers"?)`,
		},
	}, {
		name: "derived kinds: Job, CronJob, ReplicaSet",
		yaml: `apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      backofLimit: 3
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: x}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      containers: [{image: x}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: r}
spec:
  replicas: two
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: x}]
`,
		want: []string{
			`8:7 spec.jobTemplate.spec.backofLimit | unknown field "backofLimit" in spec.jobTemplate.spec (did you mean "backoffLimit"?)`,
			`20:20 spec.template.spec.containers[0].name | spec.template.spec.containers[0].name is required`,
			`26:13 spec.replicas | spec.replicas: expected integer, got string "two"`,
		},
	}, {
		name: "nulls are pruned, as the API server does",
		yaml: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: r
  labels:
  creationTimestamp: null
spec:
  host: r
  trafficPolicy: ~
  subsets:
  - name: v1
    labels:
`,
	}, {
		name: "StatefulSet serviceName is not required",
		yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: x}]
`,
	}, {
		name: "anchors, aliases and merge keys",
		yaml: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: r}
spec:
  host: r
  trafficPolicy: &tp
    connectionPool:
      tcp: {maxConnections: 10}
  subsets:
  - name: v1
    trafficPolicy: *tp
  - name: v2
    trafficPolicy:
      <<: *tp
      outlierDetecton: {}
`,
		want: []string{`15:7 spec.subsets[1].trafficPolicy.outlierDetecton | unknown field "outlierDetecton" in spec.subsets[1].trafficPolicy (did you mean "outlierDetection"?)`},
	}, {
		name: "errors inside an alias point at the anchored text",
		yaml: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: r}
spec:
  host: r
  trafficPolicy: &tp
    connectionPool:
      tcp: {maxConnections: lots}
  subsets:
  - name: v1
    trafficPolicy: *tp
`,
		want: []string{
			`8:29 spec.subsets[0].trafficPolicy.connectionPool.tcp.maxConnections | spec.subsets[0].trafficPolicy.connectionPool.tcp.maxConnections: expected integer, got string "lots"`,
			`8:29 spec.trafficPolicy.connectionPool.tcp.maxConnections | spec.trafficPolicy.connectionPool.tcp.maxConnections: expected integer, got string "lots"`,
		},
	}, {
		// Kubernetes reads YAML 1.1 (sigs.k8s.io/yaml): a plain yes is
		// the boolean true, so a boolean field takes it.
		name: "a plain yes, on or N is a boolean",
		yaml: `apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  publishNotReadyAddresses: yes
  allocateLoadBalancerNodePorts: N
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  paused: on
  template:
    metadata: {labels: {app: d}}
    spec:
      containers: [{name: c, image: i, stdin: Off, tty: YES}]
`,
	}, {
		name: "a boolean field refuses other words, and quoted ones",
		yaml: `apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  publishNotReadyAddresses: maybe
  allocateLoadBalancerNodePorts: "yes"
  ports: [{port: 80}]
`,
		want: []string{
			`5:29 spec.publishNotReadyAddresses | spec.publishNotReadyAddresses: expected boolean, got string "maybe"`,
			`6:34 spec.allocateLoadBalancerNodePorts | spec.allocateLoadBalancerNodePorts: expected boolean, got string "yes"`,
		},
	}, {
		name: "a plain yes or off in a string field, with why",
		yaml: `apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  selector: {app: s, canary: off, sidecar.istio.io/inject: on}
  sessionAffinity: yes
  externalName: "on"
  ports: [{port: 80, name: y}]
`,
		want: []string{
			`5:30 spec.selector.canary | spec.selector.canary: expected string, got boolean false (Kubernetes reads the unquoted off as the boolean false; quote it)`,
			`5:60 spec.selector["sidecar.istio.io/inject"] | spec.selector["sidecar.istio.io/inject"]: expected string, got boolean true (Kubernetes reads the unquoted on as the boolean true; write "true": Istio reads only "true" and "false")`,
			`6:20 spec.sessionAffinity | spec.sessionAffinity: expected string, got boolean true (Kubernetes reads the unquoted yes as the boolean true; quote it)`,
			`8:28 spec.ports[0].name | spec.ports[0].name: expected string, got boolean true (Kubernetes reads the unquoted y as the boolean true; quote it)`,
		},
	}, {
		name: "a number YAML does not keep as written, in a string field",
		yaml: `apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  selector: {version: 1.0, big: 1e3, hex: 0x10, plain: 7, float: 1.5}
  ports: [{port: 80}]
`,
		want: []string{
			`5:23 spec.selector.version | spec.selector.version: expected string, got integer 1 (written 1.0, which YAML reads as the number 1; quote it)`,
			`5:33 spec.selector.big | spec.selector.big: expected string, got integer 1000 (written 1e3, which YAML reads as the number 1000; quote it)`,
			`5:43 spec.selector.hex | spec.selector.hex: expected string, got integer 16 (written 0x10, which YAML reads as the number 16; quote it)`,
			`5:56 spec.selector.plain | spec.selector.plain: expected string, got integer 7`,
			`5:66 spec.selector.float | spec.selector.float: expected string, got number 1.5`,
		},
	}, {
		name: "valid objects of every version",
		yaml: `apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: {name: g, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["*.example.com"]
    tls: {mode: SIMPLE, credentialName: cert}
---
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: se}
spec:
  hosts: [api.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 443, name: tls, protocol: TLS}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ap}
spec:
  action: ALLOW
  rules:
  - from: [{source: {principals: ["cluster.local/ns/a/sa/b"]}}]
    to: [{operation: {methods: [GET], paths: ["/api/*"]}}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: pa}
spec:
  selector: {matchLabels: {app: a}}
  mtls: {mode: STRICT}
  portLevelMtls:
    8080: {mode: DISABLE}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  egress:
  - ports: [{port: 53, protocol: UDP}, {port: dns-tcp, protocol: TCP}]
`,
	}}
	v := NewValidator()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lint(t, v, tt.yaml)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestQuotedPaths checks paths through keys that are not identifiers; the
// loader rejects such objects earlier, so the node is built by hand.
func TestQuotedPaths(t *testing.T) {
	var n yaml.Node
	src := "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels:\n    app.kubernetes.io/name: [x]\n"
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	o := &manifest.Object{APIVersion: "v1", Kind: kinds.Service, Name: "s", Node: n.Content[0]}
	vs := NewValidator().Validate(o)
	want := `metadata.labels["app.kubernetes.io/name"]: expected string, got list`
	if len(vs) != 1 || vs[0].Msg != want || vs[0].Loc.Line != 6 || vs[0].Loc.Col != 5 {
		t.Fatalf("got %+v, want one violation at 6:5: %s", vs, want)
	}
}

func TestMultiDocumentLines(t *testing.T) {
	got := lint(t, NewValidator(), `# first
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a, namespace: shop}
spec:
  hosts: [a]
  htp: []
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls: {mode: strict}
`)
	want := []string{
		`11:3 spec.htp | unknown field "htp" in spec (did you mean "http"?)`,
		`17:16 spec.mtls.mode | spec.mtls.mode: "strict" is not one of DISABLE, PERMISSIVE, STRICT, UNSET (did you mean "STRICT"?)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: lol}\nspec:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	// The loader refuses such documents; the validator has its own bound
	// for objects built otherwise.
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &n); err != nil {
		t.Fatal(err)
	}
	o := &manifest.Object{APIVersion: "networking.istio.io/v1", Kind: kinds.VirtualService, Node: n.Content[0], KindLoc: manifest.Loc{Line: 2, Col: 7}}
	vs := NewValidator().Validate(o)
	if len(vs) != 1 || vs[0].Msg != errTooBig.Error() || vs[0].Loc.Line != 2 {
		t.Fatalf("got %+v, want one violation: %s", vs, errTooBig)
	}
}

func TestUncoveredKind(t *testing.T) {
	o := &manifest.Object{APIVersion: "v1", Kind: "LimitRange", Node: &yaml.Node{Kind: yaml.MappingNode}}
	if vs, err := NewValidator().Check(o); len(vs) != 0 || err != nil {
		t.Fatalf("got %v, %v; want nothing for a kind without schema", vs, err)
	}
	if Covered("", "*") || Covered("", "Service*") || Covered("apps/../", kinds.Deployment) || Covered("networking.example.com", kinds.NetworkPolicy) {
		t.Error("Covered accepts a glob")
	}
	if Covered("", "LimitRange") || !Covered("batch", kinds.CronJob) || !Covered(kinds.GroupIstioNetworking, kinds.EnvoyFilter) {
		t.Error("Covered is wrong")
	}
}

// TestCoverage pins the kinds and versions the embedded schemas cover.
func TestCoverage(t *testing.T) {
	want := map[string]string{
		"networking.istio.io DestinationRule":                 "v1 v1beta1 v1alpha3",
		"networking.istio.io EnvoyFilter":                     "v1alpha3",
		"networking.istio.io Gateway":                         "v1 v1beta1 v1alpha3",
		"networking.istio.io ProxyConfig":                     "v1beta1",
		"networking.istio.io ServiceEntry":                    "v1 v1beta1 v1alpha3",
		"networking.istio.io Sidecar":                         "v1 v1beta1 v1alpha3",
		"networking.istio.io VirtualService":                  "v1 v1beta1 v1alpha3",
		"networking.istio.io WorkloadEntry":                   "v1 v1beta1 v1alpha3",
		"networking.istio.io WorkloadGroup":                   "v1 v1beta1 v1alpha3",
		"security.istio.io AuthorizationPolicy":               "v1 v1beta1",
		"security.istio.io PeerAuthentication":                "v1 v1beta1",
		"security.istio.io RequestAuthentication":             "v1 v1beta1",
		"telemetry.istio.io Telemetry":                        "v1 v1alpha1",
		"extensions.istio.io WasmPlugin":                      "v1alpha1",
		"extensions.istio.io TrafficExtension":                "v1alpha1",
		" Namespace":                                          "v1",
		" Service":                                            "v1",
		" Pod":                                                "v1",
		"apps Deployment":                                     "v1",
		"apps StatefulSet":                                    "v1",
		"apps DaemonSet":                                      "v1",
		"apps ReplicaSet":                                     "v1",
		"batch Job":                                           "v1",
		"batch CronJob":                                       "v1",
		"networking.k8s.io NetworkPolicy":                     "v1",
		" Secret":                                             "v1",
		" ServiceAccount":                                     "v1",
		" ConfigMap":                                          "v1",
		" PodTemplate":                                        "v1",
		" ReplicationController":                              "v1",
		"networking.k8s.io Ingress":                           "v1",
		"networking.k8s.io IngressClass":                      "v1",
		"gateway.networking.k8s.io Gateway":                   "v1 v1beta1",
		"gateway.networking.k8s.io GatewayClass":              "v1 v1beta1",
		"gateway.networking.k8s.io HTTPRoute":                 "v1 v1beta1",
		"gateway.networking.k8s.io GRPCRoute":                 "v1",
		"gateway.networking.k8s.io TCPRoute":                  "v1 v1alpha2",
		"gateway.networking.k8s.io TLSRoute":                  "v1 v1alpha3 v1alpha2",
		"gateway.networking.k8s.io UDPRoute":                  "v1 v1alpha2",
		"gateway.networking.k8s.io ReferenceGrant":            "v1 v1beta1",
		"gateway.networking.k8s.io BackendTLSPolicy":          "v1 v1alpha3",
		"gateway.networking.k8s.io ListenerSet":               "v1",
		"flagger.app Canary":                                  "v1beta1",
		"argoproj.io Rollout":                                 "v1alpha1",
		"argoproj.io Experiment":                              "v1alpha1",
		"argoproj.io AnalysisTemplate":                        "v1alpha1",
		"argoproj.io ClusterAnalysisTemplate":                 "v1alpha1",
		"argoproj.io AnalysisRun":                             "v1alpha1",
		"policy.networking.k8s.io ClusterNetworkPolicy":       "v1beta1 v1alpha2",
		"policy.networking.k8s.io AdminNetworkPolicy":         "v1alpha1",
		"policy.networking.k8s.io BaselineAdminNetworkPolicy": "v1alpha1",
		// The webhook configurations of Istio's injector and validator.
		"admissionregistration.k8s.io MutatingWebhookConfiguration":   "v1",
		"admissionregistration.k8s.io ValidatingWebhookConfiguration": "v1",
	}
	for gk, vs := range want {
		g, k, _ := strings.Cut(gk, " ")
		if got := strings.Join(servedVersions(g, kinds.Kind(k)), " "); got != vs {
			t.Errorf("%s: versions %q, want %q", gk, got, vs)
		}
	}
	n := 0
	_ = fs.WalkDir(files, ".", func(p string, _ fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") {
			n++
		}
		return nil
	})
	if n != 83 {
		t.Errorf("%d embedded schemas, want 83 (33 Istio, 19 Gateway API, 3 Flagger, 5 Argo Rollouts, 2 ClusterNetworkPolicy, 1 AdminNetworkPolicy, 1 BaselineAdminNetworkPolicy, 19 Kubernetes)", n)
	}
}

// TestAllSchemasCompile compiles every embedded file, so that a broken
// schema fails here rather than in a user's run.
func TestAllSchemasCompile(t *testing.T) {
	v := NewValidator()
	err := fs.WalkDir(files, ".", func(p string, _ fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".json") {
			return err
		}
		if _, err := v.load(p); err != nil {
			t.Error(err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConcurrent shares one validator between goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	objs := load(t, benchInput(20))
	v := NewValidator()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, o := range objs {
				if vs := v.Validate(o); len(vs) != 0 {
					t.Errorf("%s: %v", o.Ref(), vs)
				}
			}
		}()
	}
	wg.Wait()
}

func TestClosest(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"weigth", "weight"}, {"hsots", "hosts"}, {"Host", "host"}, {"zzz", ""}, {"htp", "http"}, {"subsets", "subsets"},
	} {
		if got := closest(tt.in, []string{"weight", "hosts", "host", "http", "subsets"}); got != tt.want {
			t.Errorf("closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVersionOrder(t *testing.T) {
	in := []string{"v1alpha3", "v2", "v1", "v1beta1", "v1alpha1", "v1beta2"}
	want := "v2 v1 v1beta2 v1beta1 v1alpha3 v1alpha1"
	vs := append([]string(nil), in...)
	for i := range vs {
		for j := i + 1; j < len(vs); j++ {
			if versionLess(vs[i], vs[j]) {
				vs[i], vs[j] = vs[j], vs[i]
			}
		}
	}
	if got := strings.Join(vs, " "); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

package graph

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
)

// unreadOf loads text as a file and returns the text of its unread
// spans, and its ReadDigest.
func unreadOf(t *testing.T, text string) ([]string, [32]byte) {
	t.Helper()
	var spans []string
	var digest [32]byte
	loadText(t, text, func(f *manifest.File) {
		for _, sp := range UnreadSpans(f) {
			spans = append(spans, string(f.Data[sp.From:sp.To]))
		}
		digest = ReadDigest(f)
	})
	return spans, digest
}

// loadText loads text as a file, with its nodes, and gives it to read.
func loadText(t *testing.T, text string, read func(f *manifest.File)) {
	t.Helper()
	if errs := loadBytes(t, []byte(text), read); len(errs) > 0 {
		t.Fatalf("%v", errs)
	}
}

const unreadDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    proxy.istio.io/config: "image: x"
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: "example/web:1.2"
        command:
        - /web
        args:
        - --port=8080
        env:
        - name: MODE
          value: fast # a comment
        - name: FROM
          valueFrom:
            fieldRef: {fieldPath: metadata.name}
        ports:
        - containerPort: 8080
        resources:
          limits:
            cpu: 500m
          requests:
            memory: 64Mi
      initContainers:
      - name: istio-proxy
        image: auto
        args:
        - proxy
`

func TestUnreadSpans(t *testing.T) {
	spans, _ := unreadOf(t, unreadDeployment)
	want := []string{"3", `"example/web:1.2"`, "/web", "--port=8080", "fast # a comment", "500m", "64Mi"}
	if !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	for _, tc := range []struct {
		name, old, new string
		want           []string
	}{
		{"flow containers: the replicas could be Flagger's", "      containers:\n      - name: web\n        image: \"example/web:1.2\"\n", "      containers: [{name: web, image: x}]\n      unused:\n      - name: web\n        image: \"example/web:1.2\"\n", nil},
		{"Flagger's container", "example/web:1.2", "ghcr.io/fluxcd/flagger:1.36.1", nil},
		{"a proxy's image", "example/web:1.2", "docker.io/istio/proxyv2:1.24", []string{"3"}},
		{"a container named istio-proxy", "      - name: web\n", "      - name: istio-proxy\n", []string{"3"}},
		{"an anchored container", "      - name: web\n", "      - &c\n        name: web\n", nil},
		{"a suppression after a value", "value: fast # a comment", "value: fast # meshlint:disable MR001", []string{"3", `"example/web:1.2"`, "/web", "--port=8080", "500m", "64Mi"}},
		{"a value with an escape", `"example/web:1.2"`, `"example/web:1.2\t"`, []string{"3", "/web", "--port=8080", "fast # a comment", "500m", "64Mi"}},
		{"a plain value over two lines", "        - /web\n", "        - /web\n          --verbose\n", []string{"3", `"example/web:1.2"`, "--port=8080", "fast # a comment", "500m", "64Mi"}},
		{"a value that is not ASCII", "        - --port=8080\n", "        - --port=8080\n        - ünïcode\n", []string{"3", `"example/web:1.2"`, "/web", "--port=8080", "ünïcode", "fast # a comment", "500m", "64Mi"}},
		{"a DaemonSet has no replicas", "kind: Deployment", "kind: DaemonSet", []string{`"example/web:1.2"`, "/web", "--port=8080", "fast # a comment", "500m", "64Mi"}},
		{"an operator's workload", "apiVersion: apps/v1\nkind: Deployment", "apiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet", nil},
		{"a merge key", "        name: web\n", "        name: web\n", nil},
	} {
		text := strings.Replace(unreadDeployment, tc.old, tc.new, 1)
		if text == unreadDeployment && tc.old != tc.new {
			t.Fatalf("%s: %q is not in the deployment", tc.name, tc.old)
		}
		if tc.name == "a merge key" {
			text = strings.Replace(text, "      - name: web\n", "      - <<: {tty: true}\n        name: web\n", 1)
		}
		spans, _ := unreadOf(t, text)
		if !slices.Equal(spans, tc.want) {
			t.Errorf("%s: spans %q, want %q", tc.name, spans, tc.want)
		}
	}
	// The spans of a CRLF file leave the carriage return out.
	spans, _ = unreadOf(t, strings.ReplaceAll(unreadDeployment, "\n", "\r\n"))
	if !slices.Equal(spans, want) {
		t.Errorf("CRLF: spans %q, want %q", spans, want)
	}
	// A pod, and the job template of a CronJob.
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: p\n    image: p:1\n"
	if spans, _ := unreadOf(t, pod); !slices.Equal(spans, []string{"p:1"}) {
		t.Errorf("pod: spans %q", spans)
	}
	cron := "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: c\n            image: c:1\n"
	if spans, _ := unreadOf(t, cron); !slices.Equal(spans, []string{"'* * * * *'", "c:1"}) {
		t.Errorf("cronjob: spans %q", spans)
	}
}

func TestReadDigest(t *testing.T) {
	_, base := unreadOf(t, unreadDeployment)
	checkDigests(t, unreadDeployment, base, []digestCase{
		{"replicas: 3", "replicas: 12", true},
		{`"example/web:1.2"`, `example/web:1.10.3  # bumped`, true},
		{"--port=8080", "--port=9090 --verbose", true},
		{"cpu: 500m", "cpu: 2", true},
		{"containerPort: 8080", "containerPort: 8081", false},
		{"app: web", "app: webs", false},
		{"config: \"image: x\"", "config: \"image: y\"", false},
		{"image: auto", "image: auto2", false},
		{"example/web:1.2", "ghcr.io/fluxcd/flagger:1.36.1", false},
		{"replicas: 3", "replicas: 3 # meshlint:disable MR001", false},
		{"  replicas: 3\n", "  replicas: 3\n  paused: true\n", false},
	})
}

// unreadReaders are the files of the graph, the rules and what they
// use whose code reads a field or key UnreadValues leaves out of
// ReadDigest, with how many times, and why that is no read of an unread
// value. The loader (internal/manifest: kustomize's keys and origins),
// the settings (internal/config) and the decoders (internal/spec) are not
// scanned.
var unreadReaders = readers{
	"internal/graph/extras.go":             {3, "a Secret's keys (Keys, Has), and the values of secretValueKeys only (Value)"},
	"internal/graph/unread.go":             {64, "names the unread values"},
	"internal/graph/flagger.go":            {3, "whether a Canary has an analysis, and its match: canaryAnalysisValues leaves both read"},
	"rules/routing/flaggerignored.go":      {1, "MR156, a local rule"},
	"internal/graph/configmap.go":          {1, "a ConfigMap's CA certificate and Gateway overlay keys: configMapValues leaves them read"},
	"internal/graph/injectorconfig.go":     {2, "the injector's ConfigMaps: configMapValues leaves them whole"},
	"rules/validation/schema.go":           {2, "MR001, a local rule"},
	"internal/graph/ambient.go":            {4, "whether connectionPool.http, outlierDetection and a consistentHash's header, cookie or query parameter are there, and where: their keys stay in ReadDigest"},
	"rules/validation/destinationrule.go":  {11, "MR015, a local rule"},
	"rules/validation/duration.go":         {5, "MR002, a local rule"},
	"rules/validation/warnings.go":         {4, "MR016, a local rule"},
	"internal/graph/gatewaypods.go":        {1, "a proxy by its name or its proxyv2 image: unreadImage leaves both read"},
	"internal/graph/build.go":              {3, "Workload.Replicas, which MR159 alone reads, and only of Flagger; a proxy's image"},
	"internal/graph/rollout_experiment.go": {2, "an Argo Experiment template's replicas: not a workload UnreadValues reads"},
	"internal/graph/experiment.go":         {2, "an Argo Experiment template's replicas"},
	"rules/routing/flaggerflags.go":        {7, "Flagger's containers only (graph.FlaggerImage)"},
	"rules/routing/flaggersettings.go":     {2, "Flagger's containers only"},
	"rules/routing/flaggercompete.go":      {4, "Flagger's workloads only"},
	"rules/routing/argospec.go":            {21, "MR155, a local rule (an Argo Rollout's spec)"},
	"rules/workload/imageauto.go":          {2, "istio-proxy with image auto: unreadImage leaves it read"},
	"rules/workload/annotations.go":        {3, "the resources of an annotation, not a container's; an Argo Rollout's strategy"},
	"rules/validation/kubernetes.go":       {1, "MR027, a local rule: run again on a changed file"},
	"rules/validation/kubernetes_pod.go":   {17, "MR027, a local rule"},
	"rules/validation/kubernetes_more.go":  {16, "MR027, a local rule"},
	"rules/validation/cel.go":              {1, "a WasmPlugin's vmConfig env, local"},
	"rules/validation/wasmplugin.go":       {1, "a WasmPlugin's vmConfig env, local"},
	"rules/validation/workloadgroup.go":    {3, "a WorkloadGroup's probe command, local"},
	"rules/validation/ports.go":            {1, "MR003, a local rule (a tunnel's targetPort)"},
	"rules/netpol/defaultdenyallow.go":     {3, "networkProbes: whether a probe has an httpGet, tcpSocket or grpc key, which stays in ReadDigest"},
}

// unreadRead matches what reads a field or key of UnreadValues: a
// selector of the fields spec decodes them into, or a key in quotes.
var unreadRead = regexp.MustCompile(`\.StringData\b|\.(Image|Command|Args|Replicas|Env|Resources|ConnectionPool|OutlierDetection|LoadBalancer|Tunnel|ProxyProtocol)\b[^(]|\.Spec\.Analysis\b|"(image|replicas|command|args|env|resources|limits|requests|connectionPool|outlierDetection|loadBalancer|tunnel|proxyProtocol|data|binaryData|stringData|analysis|strategy|updateStrategy|minReadySeconds|revisionHistoryLimit|progressDeadlineSeconds|paused|podManagementPolicy|schedule|timeZone|concurrencyPolicy|suspend|successfulJobsHistoryLimit|failedJobsHistoryLimit|startingDeadlineSeconds|backoffLimit|ttlSecondsAfterFinished|activeDeadlineSeconds|completions|parallelism|terminationGracePeriodSeconds|priorityClassName|priority|tolerations|affinity|nodeSelector|topologySpreadConstraints|imagePullSecrets|volumes|runtimeClassName|schedulerName|enableServiceLinks|automountServiceAccountToken|volumeMounts|envFrom|lifecycle|imagePullPolicy|workingDir|terminationMessagePath|terminationMessagePolicy|stdin|stdinOnce|tty|livenessProbe|readinessProbe|startupProbe)"`)

// TestUnreadReaders fails when code of the graph or the rules starts or
// stops reading a field or key that UnreadValues leaves out of
// ReadDigest: check that it does not read an unread value (or change
// UnreadValues), then update unreadReaders. TestUnreadValues checks the
// same by the findings, on the inputs the repository has.
func TestUnreadReaders(t *testing.T) {
	unreadReaders.check(t, sourceMatches(t, unreadRead), "unreadReaders", "a field or key of graph.UnreadValues",
		"check that it reads no value UnreadValues leaves out of ReadDigest, or change UnreadValues")
}

// readers are the files whose code matches a tripwire's pattern, with
// how many times, and why that is no read of what the cache lets change.
type readers map[string]struct {
	n   int
	why string
}

// check fails for each file of got (sourceMatches) whose count is not
// that of readers, named name, and for each file of readers not in got;
// what is what the pattern matches, and do what to check first.
func (want readers) check(t *testing.T, got map[string]int, name, what, do string) {
	t.Helper()
	for file, n := range got {
		if w, ok := want[file]; !ok || w.n != n {
			t.Errorf("%s reads %s %d times, want %d: %s; then update %s", file, what, n, w.n, do, name)
		}
	}
	for file := range want {
		if _, ok := got[file]; !ok {
			t.Errorf("%s no longer reads %s: take it out of %s", file, what, name)
		}
	}
}

// TestReadDigestPassed checks the values of documents the loader passes
// over: every value but apiVersion and kind is cut out, unless the
// document shares nodes or writes them in flow style.
func TestReadDigestPassed(t *testing.T) {
	const release = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: shop
spec:
  interval: 5m
  chart:
    spec:
      chart: web
      version: 1.2.3
  values:
    replicaCount: 2
    hosts:
    - web.example.com
`
	spans, base := unreadOf(t, release)
	if want := []string{"web", "shop", "5m", "web", "1.2.3", "2", "web.example.com"}; !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	checkDigests(t, release, base, []digestCase{
		{"version: 1.2.3", "version: 1.10.0", true},
		{"replicaCount: 2", "replicaCount: 12 # more", true},
		{"kind: HelmRelease", "kind: HelmChart", false},
		{"apiVersion: helm.toolkit.fluxcd.io/v2", "apiVersion: helm.toolkit.fluxcd.io/v2beta2", false},
		{"    hosts:\n    - web.example.com\n", "    hosts: [web.example.com]\n", false},
		{"    replicaCount: 2\n", "    replicaCount: 2\n    extra: 1\n", false},
		{"      version: 1.2.3\n", "      version: &v 1.2.3\n", false},
	})
	// A List is read item by item: left whole.
	list := "apiVersion: v1\nkind: List\nitems:\n- apiVersion: policy/v1\n  kind: PodDisruptionBudget\n  metadata:\n    name: web\n"
	if spans, _ := unreadOf(t, list); len(spans) != 0 {
		t.Errorf("a List: spans %q", spans)
	}
}

// sourceMatches returns, for each Go file of the graph, the rules and
// what they use (not their tests, nor the loader, the settings, the
// decoders and the tree generator), how many times re matches in it.
func sourceMatches(t *testing.T, re *regexp.Regexp) map[string]int {
	t.Helper()
	got := map[string]int{}
	eachSource(t, func(rel string, b []byte) {
		if n := len(re.FindAllIndex(b, -1)); n > 0 {
			got[rel] = n
		}
	})
	return got
}

// eachSource calls read with each Go file sourceMatches reads, by its
// path in the repository.
func eachSource(t *testing.T, read func(rel string, b []byte)) {
	t.Helper()
	root := filepath.Join("..", "..")
	for _, top := range []string{"internal", "rules"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			switch {
			case d.IsDir() && (rel == "internal/manifest" || rel == "internal/config" || rel == "internal/spec" || rel == "internal/gentree" || d.Name() == "testdata"):
				return filepath.SkipDir
			case d.IsDir() || !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go"):
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			read(rel, b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

const unreadDestinationRule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
    connectionPool:
      http:
        http1MaxPendingRequests: 100
        idleTimeout: 30s
      tcp:
        maxConnections: 10
        tcpKeepalive:
          time: 7200s
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 10s
    loadBalancer:
      simple: LEAST_REQUEST
    portLevelSettings:
    - port:
        number: 9090
      loadBalancer:
        consistentHash:
          httpHeaderName: x-user
    - port:
        number: 9080
      connectionPool:
        tcp: {maxConnections: 5}
      outlierDetection:
        baseEjectionTime: 1m
  subsets:
  - name: v1
    labels:
      version: v1
    trafficPolicy:
      connectionPool:
        http:
          maxRetries: 3
`

// TestUnreadTrafficPolicy checks the DestinationRule values ReadDigest
// leaves out: the settings under connectionPool's http and tcp and under
// outlierDetection, in each traffic policy, but not what is in flow style,
// not the TLS mode, the load balancer, a port or a subset's labels.
func TestUnreadTrafficPolicy(t *testing.T) {
	spans, base := unreadOf(t, unreadDestinationRule)
	want := []string{"100", "30s", "10", "7200s", "5", "10s", "LEAST_REQUEST", "x-user", "1m", "3"}
	if !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	checkDigests(t, unreadDestinationRule, base, []digestCase{
		{"maxConnections: 10", "maxConnections: 1000", true},
		{"consecutive5xxErrors: 5", "consecutive5xxErrors: 7 # fewer", true},
		{"maxRetries: 3", "maxRetries: 4", true},
		{"mode: ISTIO_MUTUAL", "mode: DISABLE", false},
		{"simple: LEAST_REQUEST", "simple: ROUND_ROBIN", true},
		{"httpHeaderName: x-user", "httpHeaderName: x-session", true},
		{"        consistentHash:\n          httpHeaderName: x-user\n", "        consistentHash:\n          useSourceIp: true\n", false},
		{"number: 9080", "number: 9081", false},
		{"version: v1", "version: v2", false},
		{"tcp: {maxConnections: 5}", "tcp: {maxConnections: 6}", false},
		{"      http:\n        http1MaxPendingRequests: 100\n        idleTimeout: 30s\n", "      http: {}\n", false},
	})
}

const unreadConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
  namespace: shop
data:
  LOG_LEVEL: debug
  FEATURE_X: "true"
  ca.crt: not-a-certificate
  deployment: "spec: {}"
  app.yaml: |
    port: 8080
binaryData:
  logo.png: aGVsbG8=
`

// TestUnreadConfigMap checks the ConfigMap values ReadDigest leaves out:
// the single-line values of data and binaryData, but not those the graph
// reads (a CA certificate's keys, a Gateway's overlays), none of the
// injector's or Istio's own ConfigMaps, and never a key.
func TestUnreadConfigMap(t *testing.T) {
	spans, base := unreadOf(t, unreadConfigMap)
	if want := []string{"debug", `"true"`, "aGVsbG8="}; !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	checkDigests(t, unreadConfigMap, base, []digestCase{
		{"LOG_LEVEL: debug", "LOG_LEVEL: info", true},
		{`FEATURE_X: "true"`, `FEATURE_X: "false"`, true},
		{"logo.png: aGVsbG8=", "logo.png: d29ybGQh", true},
		{"LOG_LEVEL: debug", "LOG_LEVL: debug", false},
		{"ca.crt: not-a-certificate", "ca.crt: still-not", false},
		{`deployment: "spec: {}"`, `deployment: "spec: []"`, false},
		{"    port: 8080", "    port: 8081", false},
	})
	for _, name := range []string{"istio", "istio-1-24", "istio-sidecar-injector"} {
		if spans, _ := unreadOf(t, strings.Replace(unreadConfigMap, "name: web-settings", "name: "+name, 1)); len(spans) > 0 {
			t.Errorf("ConfigMap %s: spans %q, want none", name, spans)
		}
	}
}

const unreadCanary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: web
  namespace: shop
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  service:
    port: 9898
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
    match:
    - headers:
        x-canary:
          exact: insider
    metrics:
    - name: request-success-rate
      thresholdRange:
        min: 99
      interval: 1m
    webhooks:
    - name: load-test
      url: http://flagger-loadtester.test/
      timeout: 5s
`

// TestUnreadCanary checks the Canary values ReadDigest leaves out: those
// of spec.analysis but its match, and none of the rest of the Canary.
func TestUnreadCanary(t *testing.T) {
	spans, base := unreadOf(t, unreadCanary)
	want := []string{"1m", "5", "50", "10", "request-success-rate", "99", "1m", "load-test", "http://flagger-loadtester.test/", "5s"}
	if !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	checkDigests(t, unreadCanary, base, []digestCase{
		{"stepWeight: 10", "stepWeight: 20", true},
		{"min: 99", "min: 99.5 # stricter", true},
		{"exact: insider", "exact: outsider", false},
		{"port: 9898", "port: 9899", false},
		{"    threshold: 5\n", "    threshold: 5\n    iterations: 10\n", false},
		{"    interval: 1m\n    threshold: 5\n", "    interval: &i 1m\n    threshold: 5\n", false},
	})
}

const unreadRollout = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  strategy:
    rollingUpdate:
      maxSurge: 25%
  revisionHistoryLimit: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      terminationGracePeriodSeconds: 30
      nodeSelector:
        pool: general
      tolerations:
      - key: spot
        operator: Exists
      volumes:
      - name: cfg
        configMap:
          name: web-cfg
      containers:
      - name: web
        image: web:1
        imagePullPolicy: IfNotPresent
        ports:
        - containerPort: 8080
        volumeMounts:
        - name: cfg
          mountPath: /etc/web
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
          periodSeconds: 5
        livenessProbe:
          tcpSocket:
            port: 8080
          failureThreshold: 3
      - name: istio-proxy
        image: auto
        volumeMounts:
        - name: cfg
          mountPath: /etc/istio
`

// TestUnreadPodFields checks the fields of a workload, its pods and their
// containers that the graph does not read: how pods roll out, where they
// are scheduled, what they mount, how they are probed (but whether a
// probe goes over the network, by its keys); not the service account, the
// ports, nor anything of a proxy's container.
func TestUnreadPodFields(t *testing.T) {
	spans, base := unreadOf(t, unreadRollout)
	want := []string{"25%", "3", "30", "general", "spot", "Exists", "cfg", "web-cfg", "web:1", "IfNotPresent", "cfg", "/etc/web", "5", "8080", "3"}
	if !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	checkDigests(t, unreadRollout, base, []digestCase{
		{"maxSurge: 25%", "maxSurge: 50%", true},
		{"pool: general", "pool: gpu", true},
		{"mountPath: /etc/web", "mountPath: /srv/web", true},
		{"serviceAccountName: web", "serviceAccountName: api", false},
		{"periodSeconds: 5", "periodSeconds: 10", true},
		{"failureThreshold: 3", "failureThreshold: 5", true},
		{"            port: 8080", "            port: http", true},
		{"httpGet: {path: /ready, port: 8080}", "httpGet: {path: /healthz, port: 8080}", false},
		{"          tcpSocket:\n", "          grpc:\n", false},
		{"mountPath: /etc/istio", "mountPath: /srv/istio", false},
		{"        operator: Exists\n", "        operator: Exists\n        effect: NoSchedule\n", false},
	})
}

// annotationKey matches a string literal shaped as an annotation's key
// with a prefix: a domain, a slash, a name.
var annotationKey = regexp.MustCompile(`"((?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,})/[-A-Za-z0-9_.]*"`)

// annotationRead matches code that reads annotations other than by a key
// in quotes: by a key in a variable or constant, over all of them, or
// whole.
var annotationRead = regexp.MustCompile(`range [^\n{]*Annotations\b|Annotations\[[^"\]]|\(?[A-Za-z.]*Annotations[,)]|"annotations"`)

// notAnnotations are the literals of graph and rules code shaped as an
// annotation's key whose domain ReadAnnotation does not keep, and what
// they are instead.
var notAnnotations = map[string]string{
	`rules/validation/cel.go "example.com/keys"`:                                  "MR001's example of a CRD's CEL rule, a local rule",
	`internal/graph/release.go "helm.sh/chart"`:                                   "a label: ReleaseLabel",
	`internal/graph/unread.go "kubectl.kubernetes.io/restartedAt"`:                "ignoredAnnotations",
	`internal/graph/unread.go "kubectl.kubernetes.io/last-applied-configuration"`: "ignoredAnnotations",
	`internal/graph/unread.go "deployment.kubernetes.io/revision"`:                "ignoredAnnotations",
}

// checkLiteralKeys fails for each string literal of graph and rules code
// shaped as an annotation's or a label's key (annotationKey) that keep
// does not keep and that not, named name, does not list, what it may be;
// and for each entry of not that is no longer there.
func checkLiteralKeys(t *testing.T, keep func(string) bool, not map[string]string, name, what string) {
	t.Helper()
	keys := map[string]bool{}
	eachSource(t, func(rel string, b []byte) {
		for _, m := range annotationKey.FindAll(b, -1) {
			if !keep(strings.Trim(string(m), `"`)) {
				keys[rel+" "+string(m)] = true
			}
		}
	})
	for k := range keys {
		if _, ok := not[k]; !ok {
			t.Errorf("%s: %s, or say what it is in %s", k, what, name)
		}
	}
	for k := range not {
		if !keys[k] {
			t.Errorf("%s is no longer there: take it out of %s", k, name)
		}
	}
}

// notLabels are the literals of graph and rules code shaped as a label's
// key, of a domain ReadAnnotation keeps, that ReadLabel does not keep,
// and what they are.
var notLabels = map[string]string{
	`internal/graph/unread.go "app.kubernetes.io/version"`:    "unreadLabels",
	`internal/graph/unread.go "app.kubernetes.io/instance"`:   "unreadLabels",
	`internal/graph/unread.go "app.kubernetes.io/component"`:  "unreadLabels",
	`internal/graph/unread.go "app.kubernetes.io/part-of"`:    "unreadLabels",
	`internal/graph/unread.go "app.kubernetes.io/managed-by"`: "unreadLabels",
	`internal/graph/unread.go "app.kubernetes.io/created-by"`: "unreadLabels",
	`internal/graph/release.go "app.kubernetes.io/version"`:   "releaseLabels",
}

// annotationReaders are the files of the graph, the rules and what they
// use whose code reads annotations other than by a key in quotes (a key
// in a constant, all of them, the maps whole), with how many times, and
// why no value of an annotation ReadAnnotation leaves out reaches a
// finding of a graph rule through it.
var annotationReaders = readers{
	"internal/graph/annotations.go":        {5, "AnnotationSites: the annotation rules read Istio's keys (istioAnnotation)"},
	"internal/graph/authz.go":              {2, "istio.io/dry-run (dryRunAnnotation)"},
	"internal/graph/backendtls.go":         {1, "istio.io/ignore-policy-attachment"},
	"internal/graph/experiment.go":         {2, "writes Argo's keys on the objects of an Experiment"},
	"internal/graph/flagger.go":            {4, "copies the maps to the objects Flagger makes, which are read by key"},
	"internal/graph/injection.go":          {1, "podView: sidecar.istio.io/inject"},
	"internal/graph/prepare.go":            {2, "keeps the template's maps, read by key"},
	"internal/graph/rollout_experiment.go": {5, "merges the maps; samePods compares the values of the keys ReadAnnotation keeps, and of the others what the templates set"},
	"internal/graph/shared.go":             {2, "interns the maps"},
	"internal/graph/unread.go":             {2, "annotationValues; ignoredAnnotations"},
	"internal/suppress/directive.go":       {4, "meshlint.io/ignore, meshlint.io/ignore-reason, galley.istio.io/analyze-suppress"},
	"internal/suppress/fix.go":             {4, "removes meshlint.io/ignore and its reason"},
	"rules/gatewayapi/crdvalidation.go":    {1, "MR601's CRD validation, a local rule"},
	"rules/lintcache/lintcache.go":         {3, "keeps the objects' maps"},
	"rules/lintcache/record.go":            {3, "keeps the objects' maps"},
	"rules/lintcache/wire.go":              {4, "writes and reads the objects' maps"},
	"rules/routing/argospec.go":            {1, "MR155, a local rule"},
	"rules/routing/rolloutistio.go":        {1, "argo-rollouts.argoproj.io/managed-by-rollouts"},
	"rules/validation/annotations.go":      {5, "internal.istio.io keys, a local rule"},
	"rules/validation/authz.go":            {1, "a local rule"},
	"rules/validation/kubernetes.go":       {3, "MR027's size limits, a local rule"},
	"rules/validation/kubernetes_more.go":  {2, "MR027, a local rule"},
	"rules/workload/annotations.go":        {21, "Istio's keys (istioAnnotation); the fix moving them reads their entries and counts the others"},
	"rules/workload/annotationvalues.go":   {2, "the values of Istio's keys"},
	"rules/workload/crdversion.go":         {2, "gateway.networking.k8s.io/bundle-version, a local rule"},
}

// TestAnnotationReaders fails when graph or rules code starts to read an
// annotation of a domain ReadAnnotation does not keep, by a key in quotes,
// or reads annotations in a new place: check that no value ReadAnnotation
// leaves out reaches a graph rule's finding (or keep its domain), then
// update notAnnotations or annotationReaders. TestUnreadValues checks the
// same by the findings, on the inputs the repository has.
func TestAnnotationReaders(t *testing.T) {
	checkLiteralKeys(t, ReadAnnotation, notAnnotations, "notAnnotations",
		"an annotation of a domain ReadAnnotation leaves out of ReadDigest? Keep its domain")
	annotationReaders.check(t, sourceMatches(t, annotationRead), "annotationReaders", "annotations",
		"check that no value ReadAnnotation leaves out reaches a graph rule's finding")
}

func TestReadAnnotation(t *testing.T) {
	for key, want := range map[string]bool{
		"sidecar.istio.io/inject": true, "istio.io/rev": true, "kubernetes.io/ingress.class": true,
		"service.beta.kubernetes.io/load-balancer-source-ranges": true, "gateway.networking.k8s.io/bundle-version": true,
		"argo-rollouts.argoproj.io/managed-by-rollouts": true, "meshlint.io/ignore": true, "serving.knative.dev/service": true,
		"checksum/config": false, "prometheus.io/scrape": false, "team": false, "example.com/owner": false, "istio.io": false,
		"kubectl.kubernetes.io/restartedAt": false, "deployment.kubernetes.io/revision": false, "kubectl.kubernetes.io/default-container": true,
		"argocd.argoproj.io/sync-wave": false, "kustomize.toolkit.fluxcd.io/reconcile": false, "experiment.argoproj.io/name": true,
	} {
		if got := ReadAnnotation(key); got != want {
			t.Errorf("ReadAnnotation(%q) = %v, want %v", key, got, want)
		}
	}
}

const unreadAnnotations = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    owner: payments
    sidecar.istio.io/inject: "true"
    deployment.kubernetes.io/revision: "4"
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        checksum/config: 3f9a
        prometheus.io/port: "9090"
        proxy.istio.io/config: "holdApplicationUntilProxyStarts: true"
    spec:
      containers:
      - name: web
        image: web:1
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations:
    networking.istio.io/exportTo: "."
    note: routed by the mesh
spec:
  selector: {app: web}
  ports:
  - port: 80
`

// TestUnreadAnnotations checks the annotations of every object and of a
// pod template: the values of those of a domain the graph reads stay,
// and their keys.
func TestUnreadAnnotations(t *testing.T) {
	spans, base := unreadOf(t, unreadAnnotations)
	want := []string{"payments", `"4"`, "3f9a", `"9090"`, "web:1", "routed by the mesh"}
	if !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	checkDigests(t, unreadAnnotations, base, []digestCase{
		{"checksum/config: 3f9a", "checksum/config: 77c0", true},
		{`prometheus.io/port: "9090"`, "prometheus.io/port: 15020", true},
		{"owner: payments", "owner: checkout # since June", true},
		{"note: routed by the mesh", "note: ''", true},
		{`sidecar.istio.io/inject: "true"`, `sidecar.istio.io/inject: "false"`, false},
		{`revision: "4"`, `revision: "5"`, true},
		{`exportTo: "."`, `exportTo: "*"`, false},
		{"checksum/config: 3f9a", "checksum/secret: 3f9a", false},
		{"    owner: payments\n", "    owner: payments\n    team: web\n", false},
		{"      annotations:\n        checksum", "      annotations: &a\n        checksum", false},
	})
	// Flow style is left whole.
	flow := strings.Replace(unreadAnnotations, "    owner: payments\n    sidecar.istio.io/inject: \"true\"\n    deployment.kubernetes.io/revision: \"4\"\n", "    {owner: payments}\n", 1)
	if spans, _ := unreadOf(t, strings.Replace(flow, "  annotations:\n    {owner", "  annotations: {owner", 1)); slices.Contains(spans, "payments") {
		t.Errorf("an annotation in flow style was cut: %q", spans)
	}
}

// digestCase is an edit of a test input: old replaced by new, and whether
// ReadDigest stays the same.
type digestCase struct {
	old, new string
	same     bool
}

// checkDigests makes each edit of input, whose ReadDigest is base, and
// checks whether the digest stays; an edit whose old is not in the input
// fails the test, which would otherwise check nothing.
func checkDigests(t *testing.T, input string, base [32]byte, cases []digestCase) {
	t.Helper()
	for _, tc := range cases {
		text := strings.Replace(input, tc.old, tc.new, 1)
		if text == input {
			t.Fatalf("%q is not in the input", tc.old)
		}
		if _, got := unreadOf(t, text); (got == base) != tc.same {
			t.Errorf("%q -> %q: the same digest: %v, want %v", tc.old, tc.new, got == base, tc.same)
		}
	}
}

// labelRead matches what reads the labels of an object's own metadata:
// an object's map (o, obj, se, x.Obj), an AnnotationSite's, or the
// labels of a node.
var labelRead = regexp.MustCompile(`\.Obj\.Labels\b|\b(o|obj|se)\.Labels\b|[sS]ite\.Labels\b|"labels"`)

// labelReaders are the files of the graph, the rules and what they use
// whose code matches labelRead, with how many times, and why no value of
// a label ReadLabel leaves out, on an object whose labels are no pod's
// or namespace's (podOrNamespaceLabels), reaches a finding of a graph
// rule through it.
var labelReaders = readers{
	"internal/graph/ambient.go":            {3, "WaypointEnrolled: istio.io/use-waypoint"},
	"internal/graph/annotations.go":        {3, "AnnotationSites carry the maps; the rules read sidecar.istio.io/inject of them"},
	"internal/graph/build.go":              {2, "a Namespace's labels, and a Pod's as its pods'"},
	"internal/graph/experiment.go":         {1, "writes the labels of the ReplicaSets of an Experiment"},
	"internal/graph/flagger.go":            {6, "writes the labels of the objects Flagger makes, from the Canary's spec"},
	"internal/graph/gatewaypods.go":        {1, "the gateway port translation label (istio.io)"},
	"internal/graph/injectorconfig.go":     {1, "istio.io/rev"},
	"internal/graph/prepare.go":            {1, "keeps a pod template's labels: pods' labels"},
	"internal/graph/release.go":            {2, "ReleaseValues, NamesRelease: the release labels of pods, which ReleaseDigest keeps"},
	"internal/graph/rollout_experiment.go": {1, "samePods compares two workloads' pod labels"},
	"internal/graph/shared.go":             {2, "interns the maps"},
	"internal/graph/unread.go":             {1, "labelValues"},
	"internal/graph/webhooks.go":           {2, "istio.io/rev"},
	"rules/cross/common.go":                {2, "istio.io/use-waypoint, istio.io/ingress-use-waypoint"},
	"rules/gateway/ports.go":               {1, "the gateway port translation label (istio.io)"},
	"rules/gatewayapi/crdvalidation.go":    {1, "MR601's CRD validation, a local rule"},
	"rules/lintcache/lintcache.go":         {2, "keeps the objects' maps"},
	"rules/netpol/defaultdenyallow.go":     {1, "Services' istio.io/use-waypoint and istio.io/use-waypoint-namespace"},
	"rules/routing/argospec.go":            {4, "MR155, a local rule"},
	"rules/validation/envoyfilter.go":      {3, "a workloadSelector, a local rule"},
	"rules/validation/kubernetes.go":       {4, "MR027, a local rule"},
	"rules/validation/kubernetes_more.go":  {1, "MR027, a local rule"},
	"rules/validation/serviceentry.go":     {2, "a workloadSelector and istio.io/use-waypoint, a local rule"},
	"rules/validation/sidecar.go":          {1, "a workloadSelector, a local rule"},
	"rules/validation/warnings.go":         {2, "a workloadSelector, a local rule"},
	"rules/validation/workloadentry.go":    {1, "a WorkloadEntry's spec, a local rule"},
	"rules/workload/ambient.go":            {3, "WaypointEnrolled: istio.io/use-waypoint"},
	"rules/workload/annotations.go":        {1, "sidecar.istio.io/inject as a label"},
	"rules/workload/ports.go":              {2, "istioOwned: istio, release, gateway.istio.io/managed"},
	"rules/workload/targetrefignored.go":   {2, "unserved: istio.io/use-waypoint"},
	"rules/workload/uid.go":                {2, "istio, release"},
}

// TestLabelReaders fails when graph or rules code reads a label that
// ReadLabel leaves out, by a key in quotes, or reads an object's labels
// in a new place: check that no value ReadLabel leaves out of an object
// whose labels are no pod's or namespace's reaches a graph rule's
// finding (or have ReadLabel keep its key), then update labelReaders.
// TestUnreadLabelValues (rules/all) checks the same by the findings.
func TestLabelReaders(t *testing.T) {
	// The keys of no domain ReadAnnotation keeps are TestAnnotationReaders'.
	keep := func(key string) bool { return ReadLabel(key) || !ReadAnnotation(key) }
	checkLiteralKeys(t, keep, notLabels, "notLabels", "a label ReadLabel leaves out of ReadDigest? Take it out of unreadLabels")
	labelReaders.check(t, sourceMatches(t, labelRead), "labelReaders", "an object's labels",
		"check that no value ReadLabel leaves out reaches a graph rule's finding")
}

func TestReadLabel(t *testing.T) {
	for key, want := range map[string]bool{
		"app": true, "version": true, "chart": true, "istio.io/rev": true, "istio.io/use-waypoint": true,
		"gateway.istio.io/managed": true, "app.kubernetes.io/name": true, "kubernetes.io/metadata.name": true,
		"helm.sh/chart": false, "app.kubernetes.io/version": false, "app.kubernetes.io/managed-by": false, "example.com/team": false,
	} {
		if got := ReadLabel(key); got != want {
			t.Errorf("ReadLabel(%q) = %v, want %v", key, got, want)
		}
	}
}

const unreadLabelsInput = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  labels:
    app: web
    helm.sh/chart: web-1.2.3
    app.kubernetes.io/version: "1.2.3"
    istio.io/use-waypoint: waypoint
spec:
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    helm.sh/chart: web-1.2.3
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        helm.sh/chart: web-1.2.3
    spec:
      containers:
      - name: web
        image: web:1
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    team.example.com/owner: payments
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: shop
  labels:
    helm.sh/chart: web-1.2.3
spec:
  containers:
  - name: debug
    image: busybox
`

// TestUnreadLabels checks the labels of an object's own metadata: the
// values of those ReadLabel leaves out are cut out, but a pod
// template's, a Pod's and a Namespace's, which selectors read, of which
// only the release labels are cut out (TestReleaseLabels).
func TestUnreadLabels(t *testing.T) {
	spans, base := unreadOf(t, unreadLabelsInput)
	want := []string{"web-1.2.3", `"1.2.3"`, "web-1.2.3", "web-1.2.3", "web:1", "web-1.2.3", "busybox"}
	if !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	checkDigests(t, unreadLabelsInput, base, []digestCase{
		{"    helm.sh/chart: web-1.2.3\n    app.kubernetes.io/version: \"1.2.3\"", "    helm.sh/chart: web-1.10.0\n    app.kubernetes.io/version: \"1.10.0\"", true},
		{"  labels:\n    helm.sh/chart: web-1.2.3\nspec:\n  selector:\n    matchLabels", "  labels:\n    helm.sh/chart: web-2 # bumped\nspec:\n  selector:\n    matchLabels", true},
		{"    app: web\n    helm", "    app: api\n    helm", false},
		{"use-waypoint: waypoint", "use-waypoint: none", false},
		{"        helm.sh/chart: web-1.2.3", "        helm.sh/chart: web-1.2.4", true},
		{"        app: web\n        helm", "        app: api\n        helm", false},
		{"owner: payments", "owner: checkout", false},
		{"    helm.sh/chart: web-1.2.3\nspec:\n  containers", "    helm.sh/chart: web-1.2.4\nspec:\n  containers", true},
		{"    helm.sh/chart: web-1.2.3\n    app.kubernetes", "    helm.sh/release: web-1.2.3\n    app.kubernetes", false},
	})
}

// TestReleaseLabels checks the release labels of pods: ReadDigest leaves
// their values out, ReleaseDigest keeps them alone, and NamesRelease
// tells a file that names them elsewhere than as a label.
func TestReleaseLabels(t *testing.T) {
	digests := func(text string) Digest {
		var d Digest
		loadText(t, text, func(f *manifest.File) { d = Digests(f) })
		return d
	}
	base := digests(unreadLabelsInput)
	if base.NamesRelease || base.Release == [32]byte{} {
		t.Fatalf("the input: NamesRelease %v, Release %x", base.NamesRelease, base.Release)
	}
	for _, tc := range []struct {
		old, new             string
		read, release, names bool // the same Read and Release; NamesRelease
	}{
		{"        helm.sh/chart: web-1.2.3", "        helm.sh/chart: web-1.2.4", true, false, false},
		{"    helm.sh/chart: web-1.2.3\nspec:\n  containers", "    helm.sh/chart: web-1.2.4\nspec:\n  containers", true, false, false},
		{"        helm.sh/chart: web-1.2.3", "        helm.sh/chart: web-1.2.3 # pinned", true, false, false},
		{"    helm.sh/chart: web-1.2.3\n    app.kubernetes.io/version", "    helm.sh/chart: web-1.3.0\n    app.kubernetes.io/version", true, true, false},
		{"        helm.sh/chart: web-1.2.3", "        'helm.sh/chart': web-1.2.3", false, true, true},
		{"  selector:\n    app: web\n", "  selector:\n    app: web\n    helm.sh/chart: web-1.2.3\n", false, true, true},
		{"  name: web\n  namespace: shop\n  labels:\n    app: web", "  name: web # helm.sh/chart\n  namespace: shop\n  labels:\n    app: web", false, true, true},
		{"    matchLabels:\n      app: web\n", "    matchLabels:\n      app: web\n      app.kubernetes.io/version: x\n", false, true, true},
		{"        app: web\n        helm", "        app: web\n        app.kubernetes.io/version: \"2\"\n        helm", false, false, false},
	} {
		text := strings.Replace(unreadLabelsInput, tc.old, tc.new, 1)
		if text == unreadLabelsInput {
			t.Fatalf("%q is not in the input", tc.old)
		}
		d := digests(text)
		if (d.Read == base.Read) != tc.read || (d.Release == base.Release) != tc.release || d.NamesRelease != tc.names {
			t.Errorf("%q -> %q: the same Read %v, Release %v, NamesRelease %v; want %v, %v, %v",
				tc.old, tc.new, d.Read == base.Read, d.Release == base.Release, d.NamesRelease, tc.read, tc.release, tc.names)
		}
	}
	// No release label, no digest.
	if d := digests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    app: a\n"); d.Release != [32]byte{} || d.NamesRelease {
		t.Errorf("a Pod without release labels: %+v", d)
	}
}

// podLabelsRead matches what reads a map of labels whole, rather than by
// a key or through a selector's Matches: printing it, comparing it,
// copying it, ranging over it.
var podLabelsRead = regexp.MustCompile(`labels\.String\(|selectable\(|maps\.(Equal|Clone|Keys|Copy)\([^)\n]*Labels|range [^\n{]*\.Labels\b`)

// releaseReaders are the files of the graph, the rules and what they use
// whose code matches podLabelsRead, with how many times, and why no value
// of a release label of a pod (ReleaseLabel), which the cache lets change
// while no file names the label elsewhere, reaches a finding of a graph
// rule through it.
var releaseReaders = readers{
	"internal/graph/build.go":            {2, "a Namespace's labels; the labels an operator gives pods, merged"},
	"internal/graph/delegates.go":        {1, "a route's sourceLabels, a selector"},
	"internal/graph/experiment.go":       {1, "a selector's labels, with the hash added"},
	"internal/graph/flagger.go":          {2, "the labels of a Canary's spec.service"},
	"internal/graph/gatewaypods.go":      {1, "a Gateway's spec.infrastructure labels"},
	"internal/graph/selection.go":        {2, "the label index, which selectors look up"},
	"internal/netpol/endpoint.go":        {3, "meshlint reach only: a selector's labels, and two workloads of one name"},
	"rules/cross/common.go":              {1, "sources alike are asked once: those that differ in labels no selector names answer alike"},
	"rules/gateway/selector.go":          {3, "a Gateway's selector"},
	"rules/gatewayapi/attach.go":         {1, "a namespace's labels, which are not cut out"},
	"rules/gatewayapi/listenerset.go":    {1, "a namespace's labels, which are not cut out"},
	"rules/netpol/defaultdenyallow.go":   {7, "selectable leaves the release labels out; excludeIsolated reads keys only"},
	"rules/netpol/dns.go":                {1, "a selector's keys"},
	"rules/routing/argospec.go":          {1, "MR155, a local rule"},
	"rules/routing/drconflict.go":        {1, "two selectors"},
	"rules/routing/flaggerrewrite.go":    {1, "a selector"},
	"rules/routing/rolloutistio.go":      {1, "a Service's selector"},
	"rules/routing/servicenoworkload.go": {1, "a Service's selector"},
	"rules/routing/subsetnoworkload.go":  {1, "a subset's labels, a selector"},
	"rules/security/authzworkload.go":    {1, "a selector"},
	"rules/security/jwtclaims.go":        {1, "a Gateway's selector"},
	"rules/security/peerauth.go":         {1, "a selector"},
	"rules/validation/kubernetes.go":     {1, "MR027, a local rule"},
	"rules/workload/selectors.go":        {1, "a selector"},
}

// TestReleaseReaders fails when graph or rules code reads a map of labels
// whole in a new place: check that no value of a release label of a pod
// reaches a graph rule's finding through it (as selectable leaves them
// out), then update releaseReaders. TestUnreadReleaseValues (rules/all)
// checks the same by the findings.
func TestReleaseReaders(t *testing.T) {
	releaseReaders.check(t, sourceMatches(t, podLabelsRead), "releaseReaders", "a map of labels whole",
		"check that no value of a release label of a pod reaches a graph rule's finding")
}

const unreadSecret = `apiVersion: v1
kind: Secret
metadata:
  name: web
  namespace: shop
type: kubernetes.io/tls
data:
  tls.crt: Y2VydA==
  tls.key: a2V5
  password: aHVudGVyMg==
stringData:
  token: s3cr3t
  ca.crt: pem
`

// TestUnreadSecretValues checks a Secret: the values of its keys but a
// certificate's, its key's and a CA certificate's are cut out, and
// Secret.Value gives none of them.
func TestUnreadSecretValues(t *testing.T) {
	spans, base := unreadOf(t, unreadSecret)
	if want := []string{"aHVudGVyMg==", "s3cr3t"}; !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	checkDigests(t, unreadSecret, base, []digestCase{
		{"password: aHVudGVyMg==", "password: b3RoZXI=", true},
		{"token: s3cr3t", "token: rotated-token", true},
		{"tls.crt: Y2VydA==", "tls.crt: Y2VydDI=", false},
		{"ca.crt: pem", "ca.crt: other", false},
		{"password: aHVudGVyMg==", "passwd: aHVudGVyMg==", false},
		{"type: kubernetes.io/tls", "type: Opaque", false},
	})
	g := graphFrom(t, unreadSecret)
	s := g.FindSecret("shop", "web")
	if s == nil {
		t.Fatal("no Secret shop/web")
	}
	for key, want := range map[string]bool{"tls.crt": true, "tls.key": true, "ca.crt": true, "password": false, "token": false} {
		if _, ok := s.Value(key); ok != want {
			t.Errorf("Value(%q): ok %v, want %v", key, ok, want)
		}
		if !s.Has(key) {
			t.Errorf("Has(%q) is false", key)
		}
	}
}

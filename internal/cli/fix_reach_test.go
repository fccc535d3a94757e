package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestFixKeepsNamespaceCalls checks the promise of the default denies that
// MR401 and MR402 write, "--fix never cuts declared traffic", for the
// calls that most often have no route: a pod calling a Service of its own
// namespace. It runs --fix on a copy of examples/ and of the fixtures of
// MR401 and MR402, and asks the reach engine (internal/netpol, behind
// `meshlint reach`) whether each pod that could connect to a workload
// behind a Service of its namespace, on a port the Service targets, still
// can.
func TestFixKeepsNamespaceCalls(t *testing.T) {
	for name, files := range denyTrees(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ruletest.WriteTree(t, dir, files)
			before := namespaceCalls(t, dir)
			r := run(t, dir, "", "--no-config", "--fix", "--fail-on", "none", ".")
			if r.code != ExitClean {
				t.Fatalf("--fix: exit %d\n%s", r.code, r.stderr)
			}
			after := namespaceCalls(t, dir)
			for pair, ports := range before {
				if got := after[pair]; !got.ContainsSet(ports) {
					t.Errorf("%s: %s before --fix, %s after", pair, ports, got)
				}
			}
			if name == "examples" {
				// The audit's case: payments -> postgres is a plain
				// Service call, which no route names.
				pair := "payments/payments[Deployment] => payments/postgres[StatefulSet]"
				if !after[pair].Contains(netpol.TCP, 5432) {
					t.Errorf("%s: %s after --fix, want TCP 5432", pair, after[pair])
				}
				if !strings.Contains(r.stderr, "meshlint: applied ") {
					t.Errorf("--fix applied nothing:\n%s", r.stderr)
				}
			}
		})
	}
}

// denyTrees are the trees the default-deny fixes are checked on:
// examples/ and the fixtures of MR401 and MR402, by name.
func denyTrees(t *testing.T) map[string]map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	trees := map[string]map[string]string{"examples": copyTree(t, filepath.Join(root, "examples"))}
	err := ruletest.EachFixture(filepath.Join(root, "fixtures", "rules"), func(id, fixture string, files map[string][]byte) {
		if id != "MR401" && id != "MR402" {
			return
		}
		tree := map[string]string{}
		for name, data := range files {
			if strings.Contains(string(data), "# fixture:") {
				return // run with other settings
			}
			tree[name] = string(data)
		}
		trees["rules/"+id+"/"+fixture] = tree
	})
	if err != nil {
		t.Fatal(err)
	}
	return trees
}

// TestFixKeepsPolicyDeclaredCalls checks the default denies on the calls
// across namespaces that another NetworkPolicy declares (one that isolates
// the client for egress, or the destination for ingress, and allows the
// call): each Service call of the kind, on a port the Service targets,
// stays open after --fix. A policy whose rule names no port declares every
// port, and the calls on the ports that no Service targets stay open too:
// in scrapeTree, the monitoring namespace scrapes the metrics port of the
// payments pods, which their Service leaves out, and jobs calls ledger,
// whose policy admits jobs on every port.
func TestFixKeepsPolicyDeclaredCalls(t *testing.T) {
	trees := denyTrees(t)
	trees["scrape"] = scrapeTree()
	for name, files := range trees {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ruletest.WriteTree(t, dir, files)
			before := crossCalls(t, dir)
			r := run(t, dir, "", "--no-config", "--fix", "--fail-on", "none", ".")
			if r.code != ExitClean {
				t.Fatalf("--fix: exit %d\n%s", r.code, r.stderr)
			}
			after := crossCalls(t, dir)
			for pair, c := range before {
				if want := c.allowed.Intersect(c.declared).Intersect(c.target); !after[pair].allowed.ContainsSet(want) {
					t.Errorf("%s: %s before --fix, %s after", pair, want, after[pair].allowed)
				}
			}
			switch name {
			case "examples":
				if pair := "shop/productpage[Deployment] => payments/postgres[StatefulSet]"; !after[pair].allowed.Contains(netpol.TCP, 5432) {
					t.Errorf("%s: %s after --fix, want TCP 5432", pair, after[pair].allowed)
				}
			case "scrape":
				if !strings.Contains(r.stderr, "meshlint: applied ") {
					t.Errorf("--fix applied nothing:\n%s", r.stderr)
				}
				for _, pair := range []string{
					"monitoring/prometheus[Deployment] => payments/payments[Deployment]", // the egress policy's
					"jobs/cron[Deployment] => payments/ledger[Deployment]",               // the ingress policy's
				} {
					if got := after[pair].allowed; !got.Contains(netpol.TCP, 15020) || !got.IsAll() {
						t.Errorf("%s: %s after --fix, want every port, TCP 15020 included", pair, got)
					}
				}
			}
		})
	}
}

// scrapeTree has a monitoring namespace whose egress policy allows every
// namespace on every port, and a payments Deployment whose Service
// targets 8080 and not its metrics port 15020 (as the sidecar injector's
// merged metrics port is in no Service); and a ledger Deployment of
// payments whose policy admits namespace jobs on every port, its Service
// targeting 9000 alone.
func scrapeTree() map[string]string {
	return map[string]string{
		"monitoring.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus, namespace: monitoring}
spec:
  selector: {matchLabels: {app: prometheus}}
  template:
    metadata: {labels: {app: prometheus}}
    spec: {containers: [{name: prometheus, image: prometheus:1, ports: [{containerPort: 9090}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: scrape, namespace: monitoring}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}}]
`,
		"payments.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: payments, namespace: payments}
spec:
  selector: {matchLabels: {app: payments}}
  template:
    metadata: {labels: {app: payments}}
    spec: {containers: [{name: payments, image: payments:1, ports: [{containerPort: 8080}, {containerPort: 15020}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: payments, namespace: payments}
spec:
  selector: {app: payments}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ledger, namespace: payments}
spec:
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec: {containers: [{name: ledger, image: ledger:1, ports: [{containerPort: 9000}, {containerPort: 15020}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: payments}
spec:
  selector: {app: ledger}
  ports: [{port: 9000}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ledger, namespace: payments}
spec:
  podSelector: {matchLabels: {app: ledger}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: jobs}}}]
`,
		"jobs.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: cron, namespace: jobs}
spec:
  selector: {matchLabels: {app: cron}}
  template:
    metadata: {labels: {app: cron}}
    spec: {containers: [{name: cron, image: cron:1}]}
`,
	}
}

// crossCall is what the policies allow between two workloads of different
// namespaces, the destination behind a Service: target are the ports its
// Services target, and declared what the policies that isolate the client
// for egress or the destination for ingress allow between them beyond
// what they allow every address (a rule without peers names no client).
type crossCall struct {
	allowed, target, declared netpol.Set
}

// crossCalls returns the crossCalls of the tree in dir, keyed as reach
// names the pairs.
func crossCalls(t *testing.T, dir string) map[string]crossCall {
	t.Helper()
	_, g, errs := load([]string{dir}, manifest.Options{Namespace: "default", MaxFileSize: manifest.DefaultMaxFileSize}, config.DefaultMesh())
	for _, e := range errs {
		t.Logf("load: %v", e)
	}
	a := netpol.Analyze(g)
	ext := netpol.ExternalEndpoint(netpol.AllIPs)
	targets := map[*graph.Workload]netpol.Set{}
	for _, s := range g.Services {
		for _, dst := range s.Workloads {
			for _, sp := range s.Spec.Ports {
				proto, ok := netpol.ParseProtocol(sp.Protocol.V)
				if port := graph.TargetPort(sp, dst); ok && port > 0 {
					targets[dst] = targets[dst].Union(netpol.Port(proto, int(port)))
				}
			}
		}
	}
	out := map[string]crossCall{}
	for dst, target := range targets {
		for _, src := range g.Workloads {
			if src.Namespace() == dst.Namespace() {
				continue
			}
			from, to := netpol.WorkloadEndpoint(src), netpol.WorkloadEndpoint(dst)
			var declared netpol.Set
			if a.Isolated(src, netpol.Egress) {
				declared = a.EgressAllowed(from, to).Subtract(a.EgressAllowed(from, ext))
			}
			if a.Isolated(dst, netpol.Ingress) {
				declared = declared.Union(a.IngressAllowed(from, to).Subtract(a.IngressAllowed(ext, to)))
			}
			pair := netpol.WorkloadName(src) + " => " + netpol.WorkloadName(dst)
			out[pair] = crossCall{allowed: a.Allowed(from, to), target: target, declared: declared}
		}
	}
	return out
}

// namespaceCalls returns, for each pair of workloads of one namespace whose
// destination a Service of the namespace selects, what the policies of the
// tree in dir allow between them of the ports the Service targets, keyed
// as reach names them.
func namespaceCalls(t *testing.T, dir string) map[string]netpol.Set {
	t.Helper()
	_, g, errs := load([]string{dir}, manifest.Options{Namespace: "default", MaxFileSize: manifest.DefaultMaxFileSize}, config.DefaultMesh())
	for _, e := range errs {
		t.Logf("load: %v", e)
	}
	a := netpol.Analyze(g)
	out := map[string]netpol.Set{}
	for _, s := range g.Services {
		for _, dst := range s.Workloads {
			var target netpol.Set
			for _, sp := range s.Spec.Ports {
				proto, ok := netpol.ParseProtocol(sp.Protocol.V)
				if port := graph.TargetPort(sp, dst); ok && port > 0 {
					target = target.Union(netpol.Port(proto, int(port)))
				}
			}
			if len(s.Spec.Ports) == 0 {
				// A headless Service without ports (a StatefulSet's
				// governing Service): its pods are called on the ports
				// their containers declare, or on any when they declare
				// none.
				target = containerPorts(dst)
			}
			for _, src := range g.WorkloadsIn(s.Namespace()) {
				if src == dst {
					continue
				}
				pair := netpol.WorkloadName(src) + " => " + netpol.WorkloadName(dst)
				allowed := a.Allowed(netpol.WorkloadEndpoint(src), netpol.WorkloadEndpoint(dst)).Intersect(target)
				out[pair] = out[pair].Union(allowed)
			}
		}
	}
	return out
}

// containerPorts is the ports the containers of w declare, or every port
// when they declare none.
func containerPorts(w *graph.Workload) netpol.Set {
	if !w.DeclaresPorts() {
		return netpol.All()
	}
	var out netpol.Set
	for _, c := range w.Spec.Spec.Containers {
		for _, p := range c.Ports {
			if proto, ok := netpol.ParseProtocol(p.Protocol.V); ok && p.ContainerPort.V > 0 {
				out = out.Union(netpol.Port(proto, int(p.ContainerPort.V)))
			}
		}
	}
	return out
}

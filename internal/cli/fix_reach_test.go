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
	for name, files := range trees {
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

package netpol

import (
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/gentree"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// benchGraph builds the graph of a gentree tree: 20 namespaces of 100
// services, about 4,000 Deployments and 2,100 NetworkPolicies.
func benchGraph(b *testing.B, namespaces, services int) *graph.Graph {
	b.Helper()
	dir := b.TempDir()
	if _, err := gentree.Generate(dir, gentree.Options{Namespaces: namespaces, Services: services, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	res := manifest.Load([]string{dir}, manifest.Options{})
	if len(res.Errors) > 0 {
		b.Fatal(res.Errors[0])
	}
	return graph.Build(res.Objects, config.Mesh{})
}

// BenchmarkReach4000 times what `meshlint reach` does after loading:
// the analysis and the sorted list of every allowed connection, for about
// 4,000 workloads. Target: under 2 s on 2 cores.
//
//	go test -run '^$' -bench Reach4000 -benchtime 5x ./internal/netpol/
func BenchmarkReach4000(b *testing.B) {
	g := benchGraph(b, 20, 100)
	var n int
	for b.Loop() {
		n = len(Analyze(g).Connections(Filter{}))
	}
	b.ReportMetric(float64(len(g.Workloads)), "workloads")
	b.ReportMetric(float64(n), "connections")
}

// BenchmarkAllowed4000 times one pair query, as rules ask them.
func BenchmarkAllowed4000(b *testing.B) {
	g := benchGraph(b, 20, 100)
	a := Analyze(g)
	src, dst := WorkloadEndpoint(g.Workloads[100]), WorkloadEndpoint(g.Workloads[101])
	for b.Loop() {
		a.Allowed(src, dst)
	}
}

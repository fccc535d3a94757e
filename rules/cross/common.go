package cross

import (
	"fmt"
	"github.com/meshlint/meshlint/internal/labels"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/rules"
)

func inputs(ks ...kinds.Kind) []kinds.Kind { return append(ks, kinds.Workloads()...) }

// netpolInputs are the kinds the connectivity engine reads.
var netpolInputs = []kinds.Kind{kinds.NetworkPolicy, kinds.Namespace, kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy}

func name(w *graph.Workload) string { return w.Namespace() + "/" + w.Name() }

// names lists workloads as ns/name, the first few only, each once
// whatever the copies of it the input defines (MR017 reports them).
func names(p *rules.Pass, ws []*graph.Workload) string {
	ws = rules.Distinct(p, ws)
	var out []string
	for i, w := range ws {
		if i == 3 {
			out = append(out, fmt.Sprintf("and %d more", len(ws)-3))
			break
		}
		out = append(out, name(w))
	}
	return strings.Join(out, ", ")
}

// connection is the set holding one port of a backend target.
func connection(t graph.BackendTarget) (netpol.Set, bool) {
	proto, ok := netpol.ParseProtocol(t.Protocol)
	if !ok {
		return netpol.None(), false
	}
	return netpol.Port(proto, int(t.Port)), true
}

// reaches reports whether some workload of srcs may connect to dst on c.
func reaches(a *netpol.Analysis, srcs []*graph.Workload, dst *graph.Workload, c netpol.Set) bool {
	return reachesExcept(a, srcs, nil, dst, c)
}

// reachesExcept is reaches over the sources that are not in skip.
func reachesExcept(a *netpol.Analysis, srcs []*graph.Workload, skip map[*graph.Workload]bool, dst *graph.Workload, c netpol.Set) bool {
	// What a source may send depends only on its namespace and labels, so
	// sources alike are asked once; the destination's own namespace, where
	// an allowing source most often is, is asked first.
	tried := map[string]bool{}
	try := func(s *graph.Workload) bool {
		if s == dst || skip[s] {
			return false
		}
		key := s.Namespace() + "\x00" + labels.String(s.Labels)
		if tried[key] {
			return false
		}
		tried[key] = true
		return a.Allowed(netpol.WorkloadEndpoint(s), netpol.WorkloadEndpoint(dst)).ContainsSet(c)
	}
	for _, s := range srcs {
		if s.Namespace() == dst.Namespace() && try(s) {
			return true
		}
	}
	for _, s := range srcs {
		if s.Namespace() != dst.Namespace() && try(s) {
			return true
		}
	}
	return false
}

package cross

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/labels"

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
	return listNames(ws[:min(len(ws), 3)], len(ws))
}

// listNames names first, the first of n workloads, and says how many more
// there are.
func listNames(first []*graph.Workload, n int) string {
	var out []string
	for _, w := range first {
		out = append(out, name(w))
	}
	if n > len(first) {
		out = append(out, fmt.Sprintf("and %d more", n-len(first)))
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

// hbonePort is the port of ztunnel's HBONE listener in the network
// namespace of a pod in ambient mode.
const hbonePort = 15008

// proxyConnection is the connection an Istio proxy (a sidecar, a gateway,
// ztunnel) opens to backend target t, and its description for messages.
// A pod in ambient mode is reached tunnelled, on HBONE's port and not on
// its target port: istiod's endpoint builder (supportTunnel) programs
// HBONE for the pods ztunnel captures, and a NetworkPolicy sees that port
// (Istio's "Ambient and Kubernetes NetworkPolicy"). ztunnel carries TCP
// only: UDP and SCTP go to the target port.
func proxyConnection(g *graph.Graph, t graph.BackendTarget) (netpol.Set, string, bool) {
	if t.Protocol == "TCP" && g.Ambient(t.Workload) {
		return netpol.Port(netpol.TCP, hbonePort), fmt.Sprintf("TCP %d, HBONE: they are in ambient mode", hbonePort), true
	}
	return plainConnection(t)
}

// plainConnection is the connection to the target port of t, and its
// description for messages.
func plainConnection(t graph.BackendTarget) (netpol.Set, string, bool) {
	c, ok := connection(t)
	return c, fmt.Sprintf("%s %d", t.Protocol, t.Port), ok
}

// waypointEnrolled reports whether Service s uses a waypoint
// (istio.io/use-waypoint on it, else on its namespace). Traffic from
// ztunnel to it then reaches its pods from the waypoint's pods, which the
// route rules do not follow.
func waypointEnrolled(g *graph.Graph, s *graph.Service) bool {
	return s != nil && g.WaypointEnrolled(s.Namespace(), s.Obj.Labels)
}

// ingressUsesWaypoint reports whether a gateway sends the traffic for
// Service s to its waypoint: s uses one, and istio.io/ingress-use-waypoint
// on s, else on its namespace, reads as true to strconv.ParseBool
// (istiod's ingressUseWaypointFromLabels). Otherwise a gateway reaches the
// pods directly.
func ingressUsesWaypoint(g *graph.Graph, s *graph.Service) bool {
	if !waypointEnrolled(g, s) {
		return false
	}
	v, ok := s.Obj.Labels[ingressUseWaypointLabel]
	if n := g.Namespaces[s.Namespace()]; !ok && n != nil {
		v, ok = n.Labels[ingressUseWaypointLabel]
	}
	b, err := strconv.ParseBool(v)
	return ok && err == nil && b
}

const ingressUseWaypointLabel = "istio.io/ingress-use-waypoint"

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

package security

import (
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// PeerAuthNotStrict reports PeerAuthentication modes that accept plaintext.
var PeerAuthNotStrict = &rules.Rule{
	ID:      "MR301",
	Name:    "peerauth-not-strict",
	Summary: "peer authentication mode PERMISSIVE or DISABLE lets workloads accept plaintext",
	Fix:     "sets PERMISSIVE to STRICT when every workload of the scope has a sidecar",
	Doc: `A PeerAuthentication mode of ` + "`PERMISSIVE`" + ` makes the selected workloads accept plaintext as
well as mutual TLS, and ` + "`DISABLE`" + ` turns mutual TLS off: peers are neither authenticated nor
encrypted, and AuthorizationPolicies that match on principals or namespaces cannot hold for
plaintext requests. PERMISSIVE is Istio's default and the right setting while clients without
a sidecar are migrated, but it should not stay.

The rule reports every such mode value, at the level where it is written: mesh-wide (a
selector-less policy in the root namespace), namespace-wide, for the workloads of a selector,
and for one port (` + "`portLevelMtls`" + `). ` + "`UNSET`" + ` inherits from the level above and is not reported,
and neither is a policy with a selector in the root namespace, which Istio ignores.
Fix it with ` + "`mode: STRICT`" + ` once every client has a sidecar, or keep a narrow exception (one
workload, one port) and disable this finding for it.

` + "`meshlint --fix`" + ` changes PERMISSIVE to STRICT when the input holds at least one workload in
the policy's scope (the whole mesh, the namespace, or the selected workloads) and every one
of them has a sidecar (Istio's own istiod, ztunnel and CNI node agent aside, in the namespaces
its charts install them in: they get no sidecar and call no application port), and no
DestinationRule of the input sends them plaintext or TLS
without the mesh certificate (` + "`tls.mode`" + ` DISABLE or SIMPLE, which MR303 would then report).
Clients outside the input are not checked: make sure they have sidecars too. DISABLE is
left alone: it is usually set on purpose, for a workload that cannot take mutual TLS.`,
	Bad: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: PERMISSIVE
`,
	Good: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRICT
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.PeerAuthentication},
	Deps:     rules.DepINJ | rules.DepWIDE | rules.DepHOST | rules.DepDR,
	Run:      runPeerAuthNotStrict,
}

func runPeerAuthNotStrict(p *rules.Pass) error {
	for _, pa := range p.Graph.PeerAuthentications {
		if pa.HasSelector() && pa.Namespace() == p.Graph.Mesh.RootNamespace {
			// Istio ignores it (ComposePeerAuthentication): its modes
			// let no workload accept plaintext.
			continue
		}
		scope := paScope(p.Graph, pa)
		meshed := strictSafe(p, paWorkloads(p.Graph, pa))
		if m := pa.Spec.MTLS; m != nil {
			reportMode(p, pa, m.Mode, scope, meshed)
		}
		// Without a selector the API server rejects portLevelMtls; that is
		// schema validation's finding, not this rule's.
		if !pa.HasSelector() {
			continue
		}
		ports := make([]string, 0, len(pa.Spec.PortLevelMTLS))
		for port := range pa.Spec.PortLevelMTLS {
			ports = append(ports, port)
		}
		sort.Slice(ports, func(i, j int) bool { return portLess(ports[i], ports[j]) })
		for _, port := range ports {
			reportMode(p, pa, pa.Spec.PortLevelMTLS[port].Mode, fmt.Sprintf("port %s of %s", port, scope), meshed)
		}
	}
	return nil
}

// reportMode reports a mode that accepts plaintext. meshed tells whether
// every workload of the policy's scope has a sidecar and no DestinationRule
// sends them plaintext: then PERMISSIVE gets a fix to STRICT. DISABLE never does: it is set on purpose, usually for a
// workload that cannot take mTLS, and jumping to STRICT would cut it off.
func reportMode(p *rules.Pass, pa *graph.PeerAuthentication, mode spec.Str, scope string, meshed bool) {
	switch mode.V {
	case "PERMISSIVE":
		f := p.Reportf(pa.Obj, mode.Loc, "mTLS mode PERMISSIVE for %s: plaintext is accepted alongside mutual TLS; set STRICT once every client has a sidecar", scope)
		if meshed {
			f.Fixes = []rules.Fix{{
				Message: "Set the mode to STRICT: every workload of the scope has a sidecar",
				Edits:   []rules.Edit{rules.ReplaceValue(pa.Obj, mode.Loc, mode.V, "STRICT")},
			}}
		}
	case "DISABLE":
		p.Reportf(pa.Obj, mode.Loc, "mTLS mode DISABLE for %s: mutual TLS is off, so peers are neither authenticated nor encrypted; limit it to the workloads and ports that cannot take mTLS", scope)
	}
}

// paWorkloads returns the workloads of the input in a policy's scope: all
// of them for a mesh-wide policy, those of its namespace for a
// namespace-wide one, and the ones it selects otherwise (which its
// port-level modes apply to as well).
func paWorkloads(g *graph.Graph, pa *graph.PeerAuthentication) []*graph.Workload {
	switch {
	case pa.MeshWide:
		return g.Workloads
	case !pa.HasSelector():
		return g.WorkloadsIn(pa.Namespace())
	}
	var out []*graph.Workload
	for _, w := range g.WorkloadsIn(pa.Namespace()) {
		if labels.SubsetOf(pa.Spec.Selector.MatchLabels, w.Labels) {
			out = append(out, w)
		}
	}
	return out
}

// strictSafe reports whether mode STRICT is safe for the workloads ws of a
// policy's scope, as far as the input shows: there is at least one, every
// one has a sidecar (Istio's own components aside), and no DestinationRule
// sends them plaintext. MR301 and MR302 offer STRICT only then.
func strictSafe(p *rules.Pass, ws []*graph.Workload) bool {
	if !allMeshed(p.Graph, ws) {
		return false
	}
	plain := p.Memo(sentPlaintextKey{}, func() any { return sentPlaintext(p) }).(map[*graph.Workload]bool)
	return !anyIn(ws, plain)
}

// sentPlaintextKey memoizes sentPlaintext, which MR301 and MR302 need.
type sentPlaintextKey struct{}

// allMeshed reports whether there is at least one workload with a sidecar
// and every one has one, leaving out Istio's control plane and node agents
// (istioComponent): they never get a sidecar, and call no application
// port of the mesh, so STRICT cannot cut them off. Without that, an input
// that holds istio-system's manifests would never get the fix.
func allMeshed(g *graph.Graph, ws []*graph.Workload) bool {
	n := 0
	for _, w := range ws {
		switch {
		case istioComponent(g, w):
		case !w.Sidecar:
			return false
		default:
			n++
		}
	}
	return n > 0
}

// istioComponent reports whether w is istiod or ztunnel in the root
// namespace, or the CNI node agent there or in kube-system, by the labels
// Istio's charts give them.
func istioComponent(g *graph.Graph, w *graph.Workload) bool {
	root := w.Namespace() == g.Mesh.RootNamespace
	switch {
	case root && (w.Labels["app"] == "istiod" || w.Labels["app"] == "ztunnel"):
		return true
	case w.Labels["k8s-app"] == "istio-cni-node" && (root || w.Namespace() == "kube-system"):
		return true
	}
	return false
}

// sentPlaintext returns the workloads of the Services for whose host a
// DestinationRule of the input sets a client TLS mode of DISABLE or SIMPLE,
// anywhere in it: under STRICT those clients would be reset (MR303). It is
// coarser than MR303 on purpose: it only withholds a fix.
func sentPlaintext(p *rules.Pass) map[*graph.Workload]bool {
	lk, sites := p.Lookup(), allTLSSites(p)
	out := map[*graph.Workload]bool{}
	for i, dr := range p.Graph.DestinationRules {
		if !slices.ContainsFunc(sites[i], tlsSite.withoutMeshCert) {
			continue
		}
		for _, s := range lk.ServicesMatching(dr.Host) {
			for _, w := range s.Workloads {
				out[w] = true
			}
		}
	}
	return out
}

func anyIn(ws []*graph.Workload, set map[*graph.Workload]bool) bool {
	for _, w := range ws {
		if set[w] {
			return true
		}
	}
	return false
}

// paScope describes what a policy applies to.
func paScope(g *graph.Graph, pa *graph.PeerAuthentication) string {
	switch {
	case pa.MeshWide:
		return "the whole mesh (selector-less policy in root namespace " + g.Mesh.RootNamespace + ")"
	case !pa.HasSelector():
		return "namespace " + pa.Namespace()
	}
	return fmt.Sprintf("workloads matching %s in namespace %s", labels.String(pa.Spec.Selector.MatchLabels), pa.Namespace())
}

// portLess orders port keys numerically, non-numbers last.
func portLess(a, b string) bool {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	switch {
	case errA == nil && errB == nil:
		return x < y
	case errA == nil || errB == nil:
		return errA == nil
	}
	return a < b
}

package security

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// PeerAuthNotStrict reports PeerAuthentication modes that accept plaintext.
var PeerAuthNotStrict = &rules.Rule{
	ID:      "MR301",
	Name:    "peerauth-not-strict",
	Summary: "peer authentication mode PERMISSIVE or DISABLE lets workloads accept plaintext",
	Doc: `A PeerAuthentication mode of ` + "`PERMISSIVE`" + ` makes the selected workloads accept plaintext as
well as mutual TLS, and ` + "`DISABLE`" + ` turns mutual TLS off: peers are neither authenticated nor
encrypted, and AuthorizationPolicies that match on principals or namespaces cannot hold for
plaintext requests. PERMISSIVE is Istio's default and the right setting while clients without
a sidecar are migrated, but it should not stay.

The rule reports every such mode value, at the level where it is written: mesh-wide (a
selector-less policy in the root namespace), namespace-wide, for the workloads of a selector,
and for one port (` + "`portLevelMtls`" + `). ` + "`UNSET`" + ` inherits from the level above and is not reported.
Fix it with ` + "`mode: STRICT`" + ` once every client has a sidecar, or keep a narrow exception (one
workload, one port) and disable this finding for it.`,
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
	Run:      runPeerAuthNotStrict,
}

func runPeerAuthNotStrict(p *rules.Pass) error {
	for _, pa := range p.Graph.PeerAuthentications {
		scope := paScope(p.Graph, pa)
		if m := pa.Spec.MTLS; m != nil {
			reportMode(p, pa, m.Mode, scope)
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
			reportMode(p, pa, pa.Spec.PortLevelMTLS[port].Mode, fmt.Sprintf("port %s of %s", port, scope))
		}
	}
	return nil
}

func reportMode(p *rules.Pass, pa *graph.PeerAuthentication, mode spec.Str, scope string) {
	switch mode.V {
	case "PERMISSIVE":
		p.Reportf(pa.Obj, mode.Loc, "mTLS mode PERMISSIVE for %s: plaintext is accepted alongside mutual TLS", scope)
	case "DISABLE":
		p.Reportf(pa.Obj, mode.Loc, "mTLS mode DISABLE for %s: mutual TLS is off, so peers are neither authenticated nor encrypted", scope)
	}
}

// paScope describes what a policy applies to.
func paScope(g *graph.Graph, pa *graph.PeerAuthentication) string {
	switch {
	case pa.MeshWide:
		return "the whole mesh (selector-less policy in root namespace " + g.Mesh.RootNamespace + ")"
	case !pa.HasSelector():
		return "namespace " + pa.Namespace()
	}
	return fmt.Sprintf("workloads matching %s in namespace %s", matchLabels(pa.Spec.Selector.MatchLabels), pa.Namespace())
}

// matchLabels formats a label map as k=v pairs in key order.
func matchLabels(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + l[k]
	}
	return strings.Join(keys, ",")
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

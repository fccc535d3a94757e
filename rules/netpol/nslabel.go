package netpol

import (
	"fmt"
	"sort"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

const metadataName = "kubernetes.io/metadata.name"

// NamespaceLabelUnknown reports namespaceSelectors on a label that no
// Namespace of the input carries.
var NamespaceLabelUnknown = &rules.Rule{
	ID:      "MR407",
	Name:    "namespace-selector-label-unknown",
	Summary: "namespaceSelector matches a label no Namespace carries",
	Doc: `A ` + "`namespaceSelector`" + ` matches Namespace labels, not names. Old examples select
` + "`name: default`" + `, a label that Kubernetes never sets: a namespace carries
` + "`kubernetes.io/metadata.name: <name>`" + ` automatically, and other labels only when someone adds
them. A selector on a missing label matches no namespace, so the peer admits nothing and the
traffic it was written for is dropped.

The rule checks each ` + "`matchLabels`" + ` pair of a namespaceSelector against the labels of the
Namespaces of the input. It fires when no namespace carries the pair and the value names a
Namespace declared in the input (whose labels are then known): the message gives the exact
replacement, ` + "`kubernetes.io/metadata.name: <value>`" + `. Other values are reported only with the
closed-world setting, since the labelled namespace may be defined elsewhere; without any
Namespace object in the input the rule stays quiet.

A NetworkPolicy the API server refuses (MR001, MR027) is checked too, and the message says so:
the cluster does not hold it yet, but a selector on a missing label is a second mistake that
correcting the first would leave, and finding it only on the next run would cost a round
trip.`,
	Bad: `apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {name: web}}
`,
	Good: `apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.NetworkPolicy, kinds.Namespace},
	Deps:     rules.DepNS,
	Run:      runNamespaceLabelUnknown,
}

func runNamespaceLabelUnknown(p *rules.Pass) error {
	g := p.Graph
	declared := false
	for _, n := range g.Namespaces {
		if n.Declared() {
			declared = true
			break
		}
	}
	if !declared && !g.Mesh.ClosedWorld {
		return nil
	}
	for _, np := range g.NetworkPolicies {
		checkNamespaceSelectors(p, np.Meta, np.Spec, "")
	}
	// Each definition of a refused policy is checked, as each of an
	// accepted one is.
	for _, r := range g.RefusedNetworkPolicies {
		checkNamespaceSelectors(p, r.Meta, r.Spec, r.Why)
	}
	return nil
}

// checkNamespaceSelectors checks the peers of NetworkPolicy m, whose spec
// is s; refused is why the API server refuses it, or "".
func checkNamespaceSelectors(p *rules.Pass, m graph.Meta, s *spec.NetworkPolicy, refused string) {
	if s == nil {
		return
	}
	for _, d := range []struct {
		name  string
		rules []spec.NetworkPolicyRule
	}{{"ingress", s.Ingress}, {"egress", s.Egress}} {
		for i, r := range d.rules {
			for j, peer := range peers(r, d.name == "egress") {
				if peer.NamespaceSelector != nil {
					checkNamespaceSelector(p, m, fmt.Sprintf("%s[%d] peer %d", d.name, i, j), peer.NamespaceSelector, refused)
				}
			}
		}
	}
}

func checkNamespaceSelector(p *rules.Pass, np graph.Meta, where string, sel *spec.LabelSelector, refused string) {
	g := p.Graph
	// A refused policy's finding says so: it is what correcting the
	// refusal would leave.
	which, matches := "", "it matches no namespace"
	if refused != "" {
		which = fmt.Sprintf(", which the API server refuses (%s),", refused)
		matches = "it would match no namespace once the API server accepts the policy"
	}
	keys := make([]string, 0, len(sel.MatchLabels))
	for k := range sel.MatchLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := sel.MatchLabels[k]
		if k == metadataName || carried(g, k, v) {
			continue
		}
		if n := g.Namespaces[v]; n != nil && (n.Declared() || g.Mesh.ClosedWorld) {
			p.Reportf(np.Obj, sel.Loc, "namespaceSelector of NetworkPolicy %s/%s (%s)%s selects %s: %s, a label no Namespace of the input carries, so %s; to select namespace %s write %s: %s",
				np.Namespace(), np.Name(), where, which, k, v, matches, v, metadataName, v)
			continue
		}
		if g.Mesh.ClosedWorld {
			p.Reportf(np.Obj, sel.Loc, "namespaceSelector of NetworkPolicy %s/%s (%s)%s selects %s: %s, a label no Namespace of the input carries, so %s",
				np.Namespace(), np.Name(), where, which, k, v, matches)
		}
	}
}

// carried reports whether some namespace of g carries label k=v.
func carried(g *graph.Graph, k, v string) bool {
	for _, n := range g.Namespaces {
		if got, ok := n.Labels[k]; ok && got == v {
			return true
		}
	}
	return false
}

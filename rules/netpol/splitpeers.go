package netpol

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// SplitPeers reports a namespaceSelector-only peer followed by a
// podSelector-only peer, where one peer with both selectors was likely
// meant.
var SplitPeers = &rules.Rule{
	ID:      "MR408",
	Name:    "networkpolicy-peers-split",
	Summary: "namespaceSelector and podSelector in two peers are ORed, not ANDed",
	Doc: `In a ` + "`from`" + ` or ` + "`to`" + ` list each item is a peer, and peers add up (OR). One peer with both a
` + "`namespaceSelector`" + ` and a ` + "`podSelector`" + ` means "these pods in these namespaces" (AND). One
dash makes the difference:

` + "```yaml" + `
- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}
- podSelector: {matchLabels: {app: api}}      # two peers: all of web, OR app=api here
` + "```" + `

` + "```yaml" + `
- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}
  podSelector: {matchLabels: {app: api}}      # one peer: app=api pods of web
` + "```" + `

The first form admits every pod of the selected namespaces, and the lone podSelector only
matches pods of the policy's own namespace. The rule reports a namespaceSelector-only peer
directly followed by a podSelector-only peer, the shape of this mistake, as information with
the exact effective meaning. If the OR is what you want, silence it with a suppression comment or
write the podSelector peer first.`,
	Bad: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}
    - podSelector: {matchLabels: {app: api}}
`,
	Good: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}
      podSelector: {matchLabels: {app: api}}
`,
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.NetworkPolicy},
	Deps:     rules.DepNone,
	Run:      runSplitPeers,
}

func runSplitPeers(p *rules.Pass) error {
	for _, np := range p.Graph.NetworkPolicies {
		for _, d := range []direction{ingress, egress} {
			field, verb := "from", "admit"
			if d.Name == "egress" {
				field, verb = "to", "allow connections to"
			}
			for i, r := range d.Rules(np) {
				ps := peers(r, d.Name == "egress")
				for j := 0; j+1 < len(ps); j++ {
					a, b := ps[j], ps[j+1]
					if a.NamespaceSelector == nil || a.PodSelector != nil || a.IPBlock != nil ||
						b.PodSelector == nil || b.NamespaceSelector != nil || b.IPBlock != nil {
						continue
					}
					ns, pod := selectorString(a.NamespaceSelector), selectorString(b.PodSelector)
					p.Reportf(np.Obj, b.Loc, "%s[%d].%s[%d] and %s[%d] of NetworkPolicy %s/%s are two peers, ORed: they %s every pod of the namespaces matching %s, or the pods matching %s of namespace %s only; for the pods matching %s in the namespaces matching %s, write both selectors in one peer",
						d.Name, i, field, j, field, j+1, np.Namespace(), np.Name(), verb, ns, pod, np.Namespace(), pod, ns)
				}
			}
		}
	}
	return nil
}

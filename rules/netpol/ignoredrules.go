package netpol

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// RulesIgnored reports ingress or egress rules of a NetworkPolicy whose
// policyTypes leave their direction out.
var RulesIgnored = &rules.Rule{
	ID:      "MR404",
	Name:    "networkpolicy-rules-ignored",
	Summary: "ingress or egress rules ignored because policyTypes leaves their direction out",
	Doc: `When ` + "`policyTypes`" + ` is written, Kubernetes applies only the directions it lists: ` + "`egress`" + `
rules of a policy with ` + "`policyTypes: [Ingress]`" + ` are ignored, and so are ` + "`ingress`" + ` rules of a
policy with ` + "`policyTypes: [Egress]`" + `. The author meant them to do something, and the API server
accepts them silently. (Without ` + "`policyTypes`" + ` nothing is ignored: the list then defaults to
Ingress, plus Egress when egress rules exist.)

Add the direction to ` + "`policyTypes`" + `, or delete the rules. network-config-analyzer reports this as an
error ("A NetworkPolicy with egress field but no Egress in its policyTypes").`,
	Bad: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
`,
	Good: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.NetworkPolicy},
	Deps:     rules.DepNone,
	Run:      runRulesIgnored,
}

func runRulesIgnored(p *rules.Pass) error {
	for _, np := range p.Graph.NetworkPolicies {
		if len(np.Spec.PolicyTypes) == 0 {
			continue
		}
		var types []string
		for _, t := range np.Spec.PolicyTypes {
			types = append(types, t.V)
		}
		for _, d := range []direction{ingress, egress} {
			rs := d.Rules(np)
			if d.Isolates(np) || len(rs) == 0 {
				continue
			}
			n := "its rule is"
			if len(rs) > 1 {
				n = fmt.Sprintf("its %d rules are", len(rs))
			}
			p.Reportf(np.Obj, rs[0].Loc, "NetworkPolicy %s/%s has %s rules but policyTypes [%s] leaves %s out: %s ignored; add %s to policyTypes or remove them",
				np.Namespace(), np.Name(), d.Name, strings.Join(types, ", "), d.Type, n, d.Type)
		}
	}
	return nil
}

package meta

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// SuppressionInvalid reports suppression directives that carry no reason,
// name an unknown rule, are placed where they cover nothing, or suppressed
// nothing in this run.
//
// Suppressions are applied after every rule has run (internal/suppress), so
// this rule's Run cannot see which directive matched a finding: it reports
// nothing, and internal/suppress reports its findings under this Rule value
// when the rule is selected. The value still belongs in the registry, so
// that the rule is listed, documented, configurable and can be disabled like
// any other. rules/ruletest applies suppressions after every rule it tests,
// which is how the Bad and Good examples below are checked.
var SuppressionInvalid = &rules.Rule{
	ID:      "MR901",
	Name:    "suppression-invalid",
	Summary: "a suppression has no reason, names an unknown rule, or suppressed nothing",
	Fix:     "removes a directive's unused rules, or the directive, and corrects misspelt rule names",
	Doc: `A suppression hides a finding: the comment ` + "`# meshlint:ignore ID[,ID] reason`" + ` on a node or on the
lines directly above it (it covers the node and everything below it), or the annotations
` + "`meshlint.io/ignore: \"ID,ID\"`" + ` and ` + "`meshlint.io/ignore-reason`" + ` on the object. IDs may be rule IDs or names.

A suppression must say why the finding is acceptable, so that a reviewer can judge it and the
next reader need not rediscover it. One that suppressed nothing in this run is stale: the
problem was fixed, or the directive sits on the wrong node or names the wrong rule, so the
finding it was meant for is still reported. Remove it or move it. Only rules that ran are
checked, so ` + "`--disable`" + ` and ` + "`--enable`" + ` do not make directives look stale.

Istio's ` + "`galley.istio.io/analyze-suppress`" + ` annotation is honoured for rules with an equivalent IST
code. It has no reason field and may name checks that only istioctl has, so neither a missing
reason nor an unused code is reported; but a code written with a space after the comma is,
because istioctl does not trim it and so does not suppress it.

` + "`meshlint --fix`" + ` removes what suppressed nothing: the stale rules from a directive that names
others too, or else the whole directive (a comment on its own line with its line, a comment at
the end of a line from the spaces before it; an unrelated comment after the reason stays; the
annotation with its reason). It renames an unknown rule when exactly one rule is a close match:
a name in other case or at most 2 edits away (for names of 6 characters or more), or an ID
with two adjacent digits swapped after the first (` + "`MR120`" + ` for ` + "`MR102`" + `). It writes Galley codes
without the spaces. A missing reason is not fixed: only you know it. A stale directive is not
removed from a file in or below a directory with a kustomization (another overlay may use it).
There is no fix where the line does not hold the directive as read (the file changed), for
annotations under a YAML anchor, or for values written with escapes or on several lines.

See docs/suppressions.md for the forms and for baselines.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    # meshlint:ignore MR101
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 20
`,
	Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    # meshlint:ignore MR101 -- the 82/18 split is intended until v2 is load-tested
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 20
`,
	Severity: rules.Warning,
	Inputs: []kinds.Kind{
		kinds.Namespace, kinds.Service, kinds.Pod, kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet,
		kinds.ReplicaSet, kinds.Job, kinds.CronJob, kinds.Rollout, kinds.NetworkPolicy, kinds.Ingress,
		kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy, kinds.Route, kinds.Gateway,
		kinds.VirtualService, kinds.DestinationRule, kinds.ServiceEntry, kinds.Sidecar,
		kinds.PeerAuthentication, kinds.AuthorizationPolicy, kinds.RequestAuthentication,
	},
	Deps: rules.DepAll,
	Run:  func(*rules.Pass) error { return nil },
}

package cross

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
	rnetpol "github.com/meshlint/meshlint/rules/netpol"
)

// AuthzSourceBlocked reports AuthorizationPolicy sources that the
// NetworkPolicies keep from connecting at all.
var AuthzSourceBlocked = &rules.Rule{
	ID:      "MR504",
	Name:    "authz-source-blocked-by-networkpolicy",
	Summary: "authorization policy source namespace or principal cannot connect under the network policies",
	Doc: `An AuthorizationPolicy is checked by the proxy after the connection is made; the
NetworkPolicies decide before, at layer 4. A ` + "`source.namespaces`" + ` or ` + "`source.principals`" + ` entry whose
pods the NetworkPolicies never let connect to the policy's workloads can never match a
request: the entry is dead, and the access it grants (or denies) is not what happens. Either
the AuthorizationPolicy is stale or the NetworkPolicy forgot a client.

The rule checks each exact entry (no wildcard): a namespace ` + "`ns`" + `, a principal
` + "`<trust-domain>/ns/<ns>/sa/<sa>`" + `, or a service account (` + "`serviceAccounts`" + `: ` + "`ns/sa`" + `, or ` + "`sa`" + ` of the
policy's namespace). Its candidate sources are the workloads of the input in that
namespace (running as that service account, for a principal) and, for a namespace, any pod of
it. The entry is reported when none of them may open any connection to any workload the
policy selects. It is informational, and quiet when the input holds no candidate workload or
no selected workload, when the policy is attached by targetRef, when it is dry-run
(annotation ` + "`istio.io/dry-run: \"true\"`" + `), and for AUDIT and CUSTOM policies: none of them
grants or denies by its sources.`,
	Bad:      authzDeadExample(false),
	Good:     authzDeadExample(true),
	Severity: rules.Info,
	Inputs:   inputs(append([]kinds.Kind{kinds.AuthorizationPolicy}, netpolInputs...)...),
	Deps:     rules.DepWIDE | rules.DepPEER | rules.DepNP2 | rules.DepOrder,
	Run:      runAuthzSourceBlocked,
}

func authzDeadExample(good bool) string {
	from := `[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]`
	if good {
		from = `[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}}]`
	}
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: web}
spec:
  selector: {matchLabels: {app: frontend}}
  template:
    metadata: {labels: {app: frontend}}
    spec: {containers: [{name: frontend, image: frontend:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules:
  - from: [{source: {namespaces: [web]}}]
---
` + ingressPolicy("api", from)
}

func runAuthzSourceBlocked(p *rules.Pass) error {
	g := p.Graph
	bySA := saIndex{}
	for src := range g.AuthzSources() {
		// A dry-run policy grants and denies nothing (its rules are
		// shadow rules), so a source of it that cannot connect is no
		// access that differs from what happens.
		if src.Policy.DryRun() {
			continue
		}
		checkAuthzSource(p, bySA, src.Policy, src.Rule, src.Kind, src.Value, src.Namespace, src.ServiceAccount, src.Workloads)
	}
	return nil
}

// saIndex holds, by namespace, the namespace's workloads ordered by
// service account, and in graph order within one, so that each principal
// costs its workloads rather than its namespace's; filled a namespace at a
// time. One sorted copy of a namespace's list takes less memory than a
// map of lists, one per service account.
type saIndex map[string][]*graph.Workload

func (x saIndex) workloads(g *graph.Graph, ns, sa string) []*graph.Workload {
	if sa == "" {
		return g.WorkloadsIn(ns)
	}
	ws, ok := x[ns]
	if !ok {
		ws = slices.Clone(g.WorkloadsIn(ns))
		slices.SortStableFunc(ws, func(a, b *graph.Workload) int { return strings.Compare(a.ServiceAccount, b.ServiceAccount) })
		x[ns] = ws
	}
	lo, _ := slices.BinarySearchFunc(ws, sa, func(w *graph.Workload, sa string) int { return strings.Compare(w.ServiceAccount, sa) })
	hi := lo
	for hi < len(ws) && ws[hi].ServiceAccount == sa {
		hi++
	}
	if lo == hi {
		return nil
	}
	return ws[lo:hi:hi]
}

func checkAuthzSource(p *rules.Pass, bySA saIndex, ap *graph.AuthorizationPolicy, i int, kind string, v spec.Str, ns, sa string, dsts []*graph.Workload) {
	g := p.Graph
	if strings.Contains(ns, "*") || ns == "" {
		return
	}
	ws := bySA.workloads(g, ns, sa)
	if len(ws) == 0 {
		return
	}
	a := rnetpol.Analysis(p)
	// The sources are the workloads, and for a namespace any pod of it.
	reaches := func(s netpol.Endpoint) bool {
		for _, d := range dsts {
			if s.Workload == d || s.Workload != nil && graph.SameObject(s.Workload.Obj, d.Obj) {
				continue // a workload, or another definition of it, is not its own source
			}
			if !a.Allowed(s, netpol.WorkloadEndpoint(d)).IsEmpty() {
				return true
			}
		}
		return false
	}
	for _, w := range ws {
		if reaches(netpol.WorkloadEndpoint(w)) {
			return
		}
	}
	if sa == "" && reaches(netpol.AnyPodIn(ns)) {
		return
	}
	who := fmt.Sprintf("no pod of namespace %s (%s of the input checked)", ns, names(p, ws))
	if sa != "" {
		who = fmt.Sprintf("no pod of namespace %s running as service account %s (%s of the input)", ns, sa, names(p, ws))
	}
	f := p.Reportf(ap.Obj, v.Loc, "source %s %q in rules[%d] of AuthorizationPolicy %s/%s can never match: the NetworkPolicies let %s connect to the workloads it selects (%s)",
		kind, v.V, i, ap.Namespace(), ap.Name(), who, names(p, dsts))
	relatePolicies(f, a, dsts, netpol.Ingress)
}

package routing

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// DestinationRuleConflict reports DestinationRules that Istio merges and
// whose settings collide in the merge.
var DestinationRuleConflict = &rules.Rule{
	ID:      "MR131",
	Name:    "destination-rule-conflict",
	Summary: "destination rules for the same host collide when Istio merges them, so a subset or traffic policy is dropped",
	Doc: `Istio merges the DestinationRules of one namespace that name the same host (with the same
` + "`exportTo`" + ` and no ` + "`workloadSelector`" + `): subsets are pooled and the top-level traffic policy of the
oldest rule is kept. When two of them define the same subset name, or both set a top-level
` + "`trafficPolicy`" + `, one of the two is silently dropped — the oldest by creation time wins, which the
manifests do not tell, so every rule involved is reported.

DestinationRules whose hosts only overlap (` + "`*.shop.svc.cluster.local`" + ` and
` + "`reviews.shop.svc.cluster.local`" + `) are not merged: the most specific host wins for each service,
and rules in different namespaces are chosen by the client's lookup order. Kiali (KIA0201)
reports these overlaps as conflicts; meshlint does not, since Istio never combines them.

Merge the rules into one, or rename the duplicate subset.`,
	Bad:      canarySubsetExample("v1"),
	Good:     canarySubsetExample("v1-canary"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.DestinationRule},
	Related:  []string{"KIA0201"},
	Deps:     rules.DepNone,
	Run:      runDestinationRuleConflict,
}

// canarySubsetExample is two DestinationRules for reviews, the second
// with its canary subset named name: the examples of MR131.
func canarySubsetExample(name string) string {
	return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews-canary
  namespace: shop
spec:
  host: reviews
  subsets:
  - name: ` + name + `
    labels: {version: v1, track: canary}
`
}

func runDestinationRuleConflict(p *rules.Pass) error {
	// The rules sorted by group, rather than grouped in a map: the rule
	// reads every DestinationRule of the input, and a group of two is
	// rare. Each group of several is then checked in the order of its
	// first rule.
	type member struct {
		group drGroup
		dr    *graph.DestinationRule
		at    int
	}
	members := make([]member, 0, len(p.Graph.DestinationRules))
	for i, dr := range p.Graph.DestinationRules {
		if k, ok := drGroupOf(dr); ok {
			members = append(members, member{k, dr, i})
		}
	}
	slices.SortFunc(members, func(a, b member) int {
		if c := cmp.Or(strings.Compare(a.group.ns, b.group.ns), strings.Compare(a.group.host, b.group.host), strings.Compare(a.group.exportTo, b.group.exportTo)); c != 0 {
			return c
		}
		return cmp.Compare(a.at, b.at)
	})
	// The members of a group are sorted by position: the first is the
	// group's first rule.
	type group struct {
		at  int
		drs []*graph.DestinationRule
	}
	var groups []group
	for len(members) > 0 {
		end := 1
		for end < len(members) && members[end].group == members[0].group {
			end++
		}
		if end > 1 {
			g := group{at: members[0].at, drs: make([]*graph.DestinationRule, end)}
			for i, m := range members[:end] {
				g.drs[i] = m.dr
			}
			// The definitions of one DestinationRule are one rule, which
			// merges with no other.
			if len(graph.Distinct(g.drs)) > 1 {
				groups = append(groups, g)
			}
		}
		members = members[end:]
	}
	slices.SortFunc(groups, func(a, b group) int { return cmp.Compare(a.at, b.at) })
	for _, grp := range groups {
		drs := grp.drs
		// Subsets defined by more than one rule.
		bySubset := map[string][]*graph.DestinationRule{}
		for _, dr := range drs {
			for _, ss := range dr.Spec.Subsets {
				bySubset[ss.Name.V] = append(bySubset[ss.Name.V], dr)
			}
		}
		for _, dr := range drs {
			for _, ss := range dr.Spec.Subsets {
				// Two definitions of one DestinationRule are one rule,
				// which MR017 reports.
				if others := graph.Distinct(bySubset[ss.Name.V]); len(others) > 1 {
					p.Reportf(dr.Obj, ss.Name.Loc, "subset %q of host %s is also defined by %s: Istio merges these rules and keeps only the oldest definition of the subset", ss.Name.V, dr.Host, others2(others, dr))
				}
			}
		}
		var withTP []*graph.DestinationRule
		for _, dr := range drs {
			if dr.Spec.TrafficPolicy != nil {
				withTP = append(withTP, dr)
			}
		}
		if distinct := graph.Distinct(withTP); len(distinct) > 1 {
			for _, dr := range withTP {
				p.Reportf(dr.Obj, dr.Spec.Host.Loc, "the trafficPolicy for host %s is also set by %s: Istio merges these rules and keeps only the oldest rule's trafficPolicy", dr.Host, others2(distinct, dr))
			}
		}
	}
	return nil
}

// drGroup is what the DestinationRules that Istio merges share: namespace,
// host in lower case and exportTo (in sorted order).
type drGroup struct {
	ns, host, exportTo string
}

// drGroupOf returns the group of dr, and false for a rule that is merged
// with no other: one with a workload selector or without a host. The
// common group keys, whose exportTo has at most one entry, cost no
// allocation.
func drGroupOf(dr *graph.DestinationRule) (drGroup, bool) {
	if dr.Spec.WorkloadSelector != nil || dr.Host == "" {
		return drGroup{}, false
	}
	exp := dr.ExportTo
	if len(exp) > 1 {
		exp = append([]string(nil), exp...)
		sort.Strings(exp)
	}
	return drGroup{dr.Namespace(), strings.ToLower(dr.Host), strings.Join(exp, ",")}, true
}

// others2 names the DestinationRules of drs other than self (or another
// definition of self).
func others2(drs []*graph.DestinationRule, self *graph.DestinationRule) string {
	var out []string
	for _, d := range drs {
		if !graph.SameObject(d.Obj, self.Obj) {
			out = append(out, "DestinationRule "+d.Namespace()+"/"+d.Name())
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

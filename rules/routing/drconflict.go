package routing

import (
	"cmp"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// DestinationRuleConflict reports DestinationRules that Istio merges and
// whose settings collide in the merge.
var DestinationRuleConflict = &rules.Rule{
	ID:      "MR131",
	Name:    "destination-rule-conflict",
	Summary: "destination rules for the same host collide when Istio merges them, or when it keeps them apart for the same proxies, so a subset or traffic policy is dropped",
	Doc: `Istio merges the DestinationRules of one namespace that name the same host and have the same
` + "`exportTo`" + ` (as written: no ` + "`exportTo`" + ` and ` + "`[\"*\"]`" + ` are not the same), or where the newer rule's
` + "`exportTo`" + ` widens the older one's (a non-empty one); and rules with equal ` + "`workloadSelector`" + ` labels. Subsets are
pooled and the top-level traffic policy of the oldest rule is kept. When two of them define the
same subset name, or both set a top-level ` + "`trafficPolicy`" + `, one of the two is silently dropped —
the oldest by creation time wins, which the manifests do not tell, so every rule involved is
reported.

Rules without a ` + "`workloadSelector`" + ` for one host that Istio keeps apart are worse when some
proxies see both (both in their own namespace, or both exported to another): such a proxy uses
only one of them, the newer, and the subsets and traffic policy of the other do nothing there
(routes to its subsets fail with 503). Each of the two is reported, with the namespaces whose
proxies see both.

DestinationRules whose hosts only overlap (` + "`*.shop.svc.cluster.local`" + ` and
` + "`reviews.shop.svc.cluster.local`" + `) are not merged: the most specific host wins for each service,
and rules in different namespaces are chosen by the client's lookup order. Kiali (KIA0201)
reports these overlaps as conflicts; meshlint does not, since Istio never combines them.

Merge the rules into one, give them the same ` + "`exportTo`" + `, or rename the duplicate subset.`,
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
	// The rules sorted by namespace and host, rather than grouped in a map:
	// the rule reads every DestinationRule of the input, and two rules for
	// one host are rare. Each bucket of several is then checked in the
	// order of its first rule.
	type member struct {
		key drKey
		dr  *graph.DestinationRule
		at  int
	}
	members := make([]member, 0, len(p.Graph.DestinationRules))
	for i, dr := range p.Graph.DestinationRules {
		if dr.Host != "" {
			members = append(members, member{drKey{dr.Namespace(), strings.ToLower(dr.Host)}, dr, i})
		}
	}
	slices.SortFunc(members, func(a, b member) int {
		if c := cmp.Or(strings.Compare(a.key.ns, b.key.ns), strings.Compare(a.key.host, b.key.host)); c != 0 {
			return c
		}
		return cmp.Compare(a.at, b.at)
	})
	// The members of a bucket are sorted by position: the first is the
	// bucket's first rule.
	type bucket struct {
		at  int
		drs []*graph.DestinationRule
	}
	var buckets []bucket
	for len(members) > 0 {
		end := 1
		for end < len(members) && members[end].key == members[0].key {
			end++
		}
		if end > 1 {
			b := bucket{at: members[0].at, drs: make([]*graph.DestinationRule, end)}
			for i, m := range members[:end] {
				b.drs[i] = m.dr
			}
			// The definitions of one DestinationRule are one rule, which
			// merges with no other.
			if len(graph.Distinct(b.drs)) > 1 {
				buckets = append(buckets, b)
			}
		}
		members = members[end:]
	}
	slices.SortFunc(buckets, func(a, b bucket) int { return cmp.Compare(a.at, b.at) })
	for _, b := range buckets {
		for _, grp := range mergeGroups(b.drs) {
			reportMergeConflicts(p, grp)
		}
		reportKeptApart(p, b.drs, p.Graph.Mesh.RootNamespace)
	}
	return nil
}

// drKey is what the DestinationRules that Istio may merge share: namespace
// and host in lower case.
type drKey struct{ ns, host string }

// mergeGroups splits rules of one namespace and host into the groups Istio
// merges (mergeDestinationRule, with EnableEnhancedDestinationRuleMerge on
// by default): rules without a workloadSelector whose exportTo, as written,
// are the same set, or where one rule's non-empty exportTo is part of the
// other's, which Istio merges when the narrower rule is the older; and rules
// whose workloadSelectors are equal (Istio makes their exportTo "." alike).
// An empty exportTo and ["*"] are different sets: never merged. Groups of
// one rule (or of the definitions of one) are left out.
func mergeGroups(drs []*graph.DestinationRule) [][]*graph.DestinationRule {
	parent := make([]int, len(drs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range drs {
		for j := i + 1; j < len(drs); j++ {
			if merges(drs[i], drs[j]) {
				parent[find(j)] = find(i)
			}
		}
	}
	var out [][]*graph.DestinationRule
	for i := range drs {
		if find(i) != i {
			continue
		}
		var grp []*graph.DestinationRule
		for j := range drs {
			if find(j) == i {
				grp = append(grp, drs[j])
			}
		}
		if len(graph.Distinct(grp)) > 1 {
			out = append(out, grp)
		}
	}
	return out
}

// merges reports whether Istio merges two rules of one namespace and host,
// in some order of creation.
func merges(a, b *graph.DestinationRule) bool {
	as, bs := a.Spec.WorkloadSelector, b.Spec.WorkloadSelector
	switch {
	case as != nil && bs != nil:
		return maps.Equal(as.MatchLabels, bs.MatchLabels)
	case as != nil || bs != nil:
		return false
	}
	ea, eb := exportSet(a), exportSet(b)
	return maps.Equal(ea, eb) || len(ea) > 0 && subsetOf(ea, eb) || len(eb) > 0 && subsetOf(eb, ea)
}

// exportSet is a rule's exportTo as written, as Istio's mergeDestinationRule
// compares it: the mesh default does not fill an empty one.
func exportSet(dr *graph.DestinationRule) map[string]bool {
	set := make(map[string]bool, len(dr.Spec.ExportTo))
	for _, e := range dr.Spec.ExportTo {
		set[e.V] = true
	}
	return set
}

func subsetOf(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// reportMergeConflicts reports the subsets and top-level traffic policies
// that rules Istio merges both define.
func reportMergeConflicts(p *rules.Pass, drs []*graph.DestinationRule) {
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
			if others := graph.Distinct(mergingWith(dr, bySubset[ss.Name.V])); len(others) > 1 {
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
	for _, dr := range withTP {
		if distinct := graph.Distinct(mergingWith(dr, withTP)); len(distinct) > 1 {
			p.Reportf(dr.Obj, dr.Spec.Host.Loc, "the trafficPolicy for host %s is also set by %s: Istio merges these rules and keeps only the oldest rule's trafficPolicy", dr.Host, others2(distinct, dr))
		}
	}
}

// mergingWith returns the rules of drs that Istio merges with dr (merges),
// and dr's own definitions: two rules that each widen a third one are in
// one group of mergeGroups, but merged into that one, not with each other.
func mergingWith(dr *graph.DestinationRule, drs []*graph.DestinationRule) []*graph.DestinationRule {
	var out []*graph.DestinationRule
	for _, o := range drs {
		if graph.SameObject(o.Obj, dr.Obj) || merges(dr, o) {
			out = append(out, o)
		}
	}
	return out
}

// reportKeptApart reports the rules without a workloadSelector, of one
// namespace and host, that Istio keeps apart (merges returns false) while
// some proxies see both: Istio's SidecarScope.DestinationRule gives such a
// proxy one rule for the host, the last without a selector, which is the
// newer, so the other's subsets and traffic policy do nothing there.
func reportKeptApart(p *rules.Pass, drs []*graph.DestinationRule, root string) {
	for _, dr := range drs {
		if dr.Spec.WorkloadSelector != nil {
			continue
		}
		for _, o := range drs {
			if o.Spec.WorkloadSelector != nil || graph.SameObject(o.Obj, dr.Obj) || merges(dr, o) {
				continue
			}
			who, ok := sharedAudience(dr, o, root)
			if !ok {
				continue
			}
			p.Reportf(dr.Obj, dr.Spec.Host.Loc, "host %s is also the host of DestinationRule %s/%s, which has %s where this rule has %s: Istio merges two rules for a host only when one's exportTo is the other's or a part of it, so it keeps these apart, and proxies of %s, which see both, use only one of them (the newer): the other's subsets and trafficPolicy do nothing there",
				dr.Host, o.Namespace(), o.Name(), exportPhrase(o), exportPhrase(dr), who).
				Relate(o.Obj, o.Spec.Host.Loc, "the other DestinationRule for the host")
		}
	}
}

// exportPhrase writes a rule's exportTo as written, for messages.
func exportPhrase(dr *graph.DestinationRule) string {
	if len(dr.Spec.ExportTo) == 0 {
		return "no exportTo"
	}
	return "exportTo [" + strings.Join(spec.Values(dr.Spec.ExportTo), ", ") + "]"
}

// sharedAudience names the namespaces whose proxies Istio's lookup
// (Graph.DestinationRulesFor) offers both rules a and b of one namespace,
// and reports whether there are any. In their own namespace, both are
// offered when both are visible there; the root namespace's own proxies
// take its rules exported to it alone first, then its exported ones, so
// there both must be of the same kind. Other namespaces see both when
// both are exported (not to their namespace alone) to them: every
// namespace for an empty list or "*", else the namespaces both name.
func sharedAudience(a, b *graph.DestinationRule, root string) (string, bool) {
	ns := a.Namespace()
	var names []string
	own := graph.Visible(a.ExportTo, ns, ns) && graph.Visible(b.ExportTo, ns, ns)
	if ns == root {
		pa, pb := exportedAlone(a.ExportTo, ns), exportedAlone(b.ExportTo, ns)
		own = pa && pb || !pa && !pb && exportedLiterally(a.ExportTo, ns) && exportedLiterally(b.ExportTo, ns)
	}
	if own {
		names = append(names, ns)
	}
	if exportedAlone(a.ExportTo, ns) || exportedAlone(b.ExportTo, ns) {
		return namespacesOrNone(names)
	}
	everyA, everyB := everyNamespace(a.ExportTo), everyNamespace(b.ExportTo)
	if everyA && everyB {
		if own {
			return "every namespace", true
		}
		return "every namespace but " + ns, true
	}
	for _, e := range a.ExportTo {
		if e == "." || e == "~" || e == "*" || e == ns || slices.Contains(names, e) {
			continue
		}
		if everyB || slices.Contains(b.ExportTo, e) {
			names = append(names, e)
		}
	}
	if everyA {
		for _, e := range b.ExportTo {
			if e != "." && e != "~" && e != ns && !slices.Contains(names, e) {
				names = append(names, e)
			}
		}
	}
	return namespacesOrNone(names)
}

func namespacesOrNone(names []string) (string, bool) {
	if len(names) == 0 {
		return "", false
	}
	return namespacesPhrase(names), true
}

// exportedAlone reports whether a rule of namespace ns is exported to ns
// alone, which keeps it out of the rules Istio offers other namespaces.
func exportedAlone(exportTo []string, ns string) bool {
	return len(exportTo) == 1 && (exportTo[0] == "." || exportTo[0] == ns)
}

// everyNamespace reports whether an exportTo list exports to every
// namespace.
func everyNamespace(exportTo []string) bool {
	return len(exportTo) == 0 || slices.Contains(exportTo, "*")
}

// exportedLiterally reports whether Istio's check of an exported rule
// (getExportedDestinationRuleFromNamespace) passes for namespace ns: "."
// does not count there.
func exportedLiterally(exportTo []string, ns string) bool {
	return everyNamespace(exportTo) || slices.Contains(exportTo, ns)
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

package routing

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/rules"
)

// SubsetUndefined reports route destinations whose subset no DestinationRule
// that the routing proxies use defines.
var SubsetUndefined = &rules.Rule{
	ID:      "MR103",
	Name:    "route-subset-undefined",
	Summary: "route targets a subset that no DestinationRule the client uses defines",
	Fix:     "replaces a misspelt subset with the one defined subset it most likely means",
	Doc: `A destination subset is a cluster that only exists when a DestinationRule for the host defines
it. When no DestinationRule the client proxy uses defines the subset, Envoy has no such cluster
and every request on the route fails with 503 (response flag NR, "no route").

Being exported is not enough. For a client, Istio takes the DestinationRule for a host from the
client's own namespace first, then from the service's namespace, then from the root namespace
(istio-system by default), and uses the first namespace that has one visible to the client. A
DestinationRule in any other namespace does nothing for that client, even when it names the host
by its full name and is exported everywhere; and a DestinationRule in the client's namespace
that lacks the subset hides one in the service's namespace that has it. So does one with a
` + "`workloadSelector`" + `: the workloads it selects use it, and the other proxies of the namespace use
the namespace's rule without a selector for the host, or none at all. Proxies of the root
namespace, such as an ingress gateway in istio-system, first take the root namespace's rules
exported to it alone, then the service's namespace, and only then the root namespace's other
rules: a mesh-wide rule for ` + "`*.local`" + ` there does not hide a service's subsets from them. A
VirtualService is checked from its own namespace, and for gateway routes from the gateway
proxies' namespaces (a delegate VirtualService, also from those of the VirtualServices that
delegate to it, whose proxies apply its routes); it is reported when the subset is defined for
none of them.

Fix the subset name, add the subset to the DestinationRule that the client uses, or move the
DestinationRule into the service's namespace and export it to the clients.

A route is often deployed apart from the DestinationRule of the service it sends to. Unless the
closed-world setting is on, the rule stays quiet when the input holds no DestinationRule for the
host and does not describe the host's namespace: no Service or ServiceEntry of it (for an
external host, no ServiceEntry at all) and, for a host of the VirtualService's own namespace, no
DestinationRule there either.

When exactly one subset that those DestinationRules define for the host is a close match (the
same name in another case, or, for names of 6 or more characters, at most 2 edits away), the
message asks whether it was meant and ` + "`meshlint --fix`" + ` writes it instead (not for a subset
written under a YAML anchor, which may go with another host where an alias or merge key reads
it, nor in a VirtualService that Flagger rewrites, nor when the route would then list the same
destination twice, which MR130 reports: a route of ` + "`v1`" + ` and ` + "`V1`" + ` more likely misspells
another subset).`,
	Bad: subsetUndefinedExample(""),
	Good: subsetUndefinedExample(`  - name: canary
    labels: {version: v2}
`),
	Severity: rules.Error,
	Inputs: []kinds.Kind{
		kinds.VirtualService, kinds.DestinationRule, kinds.Service, kinds.ServiceEntry,
		kinds.Gateway, kinds.Pod, kinds.Deployment,
	},
	Related: []string{"IST0101", "KIA1107"},
	Deps:    rules.DepHOST | rules.DepDR | rules.DepGW | rules.DepREV | rules.DepPRES,
	Run:     runSubsetUndefined,
}

// subsetUndefinedExample is a route to subset canary of reviews, and a
// DestinationRule with subset v1 followed by more: the examples of MR103.
func subsetUndefinedExample(more string) string {
	return reviewsRouteExample(90, "{host: reviews, subset: canary}", 10) + `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
` + more
}

func runSubsetUndefined(p *rules.Pass) error {
	g := p.Graph
	dests := allDestinations(p)
	lk := p.Lookup()
	var rws []destRewrite
	ds := g.Delegations()
	for i, vs := range g.VirtualServices {
		client := vs.Namespace()
		clients := g.ProxyNamespaces(vs, ds)
		if !slices.Contains(clients, client) {
			clients = append(clients, client)
		}
		for _, ref := range dests[i] {
			name := ref.Dest.Subset.V
			if name == "" || ref.Dest.Host.V == "" {
				continue
			}
			fqdn := g.FQDN(ref.Dest.Host.V, client)
			if subsetDefined(lk, fqdn, name, clients) || !subsetsDescribed(g, fqdn, client) {
				continue
			}
			// Two definitions of one DestinationRule are one rule
			// (MR017 reports them): named once, and not ignored.
			used := graph.Distinct(lk.DestinationRulesFor(fqdn, client))
			var msg string
			if len(used) > 0 {
				msg = fmt.Sprintf("subset %q of host %q is not defined by DestinationRule %s (%s)", name, fqdn, drNames(used), usedSubsets(used))
			} else {
				msg = fmt.Sprintf("subset %q of host %q is not defined: no DestinationRule for the host applies to clients in namespace %s, so they see no subsets of it", name, fqdn, client)
			}
			var ignored []*graph.DestinationRule
			for _, dr := range graph.Distinct(g.DestinationRulesNaming(fqdn)) {
				if _, s := graph.Subset([]*graph.DestinationRule{dr}, name); s != nil && !slices.ContainsFunc(used, func(u *graph.DestinationRule) bool { return graph.SameObject(u.Obj, dr.Obj) }) {
					ignored = append(ignored, dr)
				}
			}
			// The message explains the first: a rule of a namespace Istio
			// searches, in its order, then by name, not whichever the
			// input lists first.
			sortIgnored(ignored, lookupChain(g, fqdn, client).order)
			if len(ignored) > 0 {
				msg += fmt.Sprintf("; DestinationRule %s/%s defines it, but %s", ignored[0].Namespace(), ignored[0].Name(), whyIgnored(g, ignored[0], fqdn, client, used))
			}
			// A subset that another DestinationRule defines was more likely
			// meant for that one than misspelt.
			match, ok := "", false
			if len(ignored) == 0 {
				if match, ok = suggest.Closest(name, definedSubsets(lk, fqdn, clients)); ok {
					msg += fmt.Sprintf("; did you mean %q?", match)
				}
			}
			f := p.Reportf(vs.Obj, ref.Dest.Subset.Loc, "%s", msg)
			// An anchored subset may go with another host where an alias or
			// merge key reads it.
			if ok && rules.Rewritable(g, vs.Obj, ref.Dest.Subset.Loc) {
				to := destKeyOf(g, client, ref.Dest)
				to.subset = match
				rws = append(rws, destRewrite{vs: vs, ref: ref, to: to, f: f, fix: rules.Fix{
					Message: fmt.Sprintf("Change the subset to %s", match),
					Edits:   []rules.Edit{rules.ReplaceValue(vs.Obj, ref.Dest.Subset.Loc, name, match)},
				}})
			}
			for _, dr := range used {
				f.Relate(dr.Obj, dr.Obj.NameLoc, "the DestinationRule clients in namespace %s use for %s", client, fqdn)
			}
			for _, dr := range ignored {
				f.Relate(dr.Obj, dr.Obj.NameLoc, "defines subset %q but does not apply to clients in namespace %s", name, client)
			}
		}
	}
	setRewriteFixes(g, rws)
	return nil
}

// subsetDefined reports whether a proxy in one of the namespaces has the
// subset through the DestinationRules Istio's lookup picks for it: those
// with a workloadSelector among them give it to the proxies they select.
func subsetDefined(lk *graph.Lookup, fqdn, name string, clients []string) bool {
	for _, c := range clients {
		if _, s := graph.Subset(lk.DestinationRulesFor(fqdn, c), name); s != nil {
			return true
		}
	}
	return false
}

// subsetsDescribed reports whether the input is taken to hold the
// DestinationRules that could define subsets of fqdn for a VirtualService
// of namespace client: under the closed-world setting, when some
// DestinationRule names the host, when the input describes the host's
// namespace as MR112 reads it (a Service or ServiceEntry of it; for an
// external host, any ServiceEntry), or when the host is of the client's
// own namespace and that namespace has DestinationRules in the input. A
// route is often deployed apart from the service it sends to, and a
// partial tree or an example that shows only the route says nothing about
// the subsets another team defines. DestinationRules of another namespace
// than the client's are not counted: the rule would then depend on what
// other namespaces hold (rules.DepPRES).
func subsetsDescribed(g *graph.Graph, fqdn, client string) bool {
	if len(g.DestinationRulesNaming(fqdn)) > 0 || g.HostDescribed(fqdn) {
		return true
	}
	return g.ServiceNamespace(fqdn) == client && g.HasKind(kinds.DestinationRule, client)
}

// definedSubsets lists the subsets that subsetDefined accepts for the host
// from the namespaces.
func definedSubsets(lk *graph.Lookup, fqdn string, clients []string) []string {
	var out []string
	for _, c := range clients {
		for _, dr := range lk.DestinationRulesFor(fqdn, c) {
			for _, s := range dr.Spec.Subsets {
				out = append(out, s.Name.V)
			}
		}
	}
	return out
}

// sortIgnored orders DestinationRules by the position of their namespace
// in order (those of other namespaces last), then by namespace and name.
func sortIgnored(drs []*graph.DestinationRule, order []string) {
	rank := func(dr *graph.DestinationRule) int {
		if i := slices.Index(order, dr.Namespace()); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(drs, func(a, b *graph.DestinationRule) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a.Namespace(), b.Namespace()), strings.Compare(a.Name(), b.Name()))
	})
}

// whyIgnored explains why dr, which defines the subset, does nothing for
// clients in namespace client.
func whyIgnored(g *graph.Graph, dr *graph.DestinationRule, fqdn, client string, used []*graph.DestinationRule) string {
	chain := lookupChain(g, fqdn, client)
	switch {
	case dr.Spec.WorkloadSelector != nil && dr.Namespace() != client:
		return fmt.Sprintf("its workloadSelector limits it to workloads of namespace %s", dr.Namespace())
	case !slices.Contains(chain.order, dr.Namespace()):
		return fmt.Sprintf("Istio looks up a client's DestinationRules only in %s, so it does nothing for clients in namespace %s", chain, client)
	case !graph.Visible(dr.ExportTo, dr.Namespace(), client):
		return fmt.Sprintf("its exportTo [%s] hides it from namespace %s", strings.Join(dr.ExportTo, ", "), client)
	case len(used) > 0:
		why := fmt.Sprintf("Istio searches %s in this order and uses only the first DestinationRule it finds, %s", chain, drNames(used))
		// Istio's SidecarScope.DestinationRule gives a proxy the rule that
		// selects it, else the one without a selector: with none, the
		// workloads the selectors leave out get no rule at all.
		if !slices.ContainsFunc(used, func(u *graph.DestinationRule) bool { return u.Spec.WorkloadSelector == nil }) {
			why += fmt.Sprintf(", which only the workloads its workloadSelector selects use: the other workloads of namespace %s get no DestinationRule for the host", client)
		}
		return why
	}
	return "it does not apply to this host" // not reached: a visible rule in the chain would be used
}

// chain is the ordered list of namespaces Istio searches for a client's
// DestinationRules, with the role of each.
type chain struct {
	order []string
	roles map[string][]string
	// rootFirst is set for a client in the root namespace whose service is
	// elsewhere: Istio tries the root namespace's private rules, then the
	// service's namespace, then the root namespace's exported rules
	// (Graph.DestinationRulesFor).
	rootFirst bool
}

func lookupChain(g *graph.Graph, fqdn, client string) chain {
	c := chain{roles: map[string][]string{}}
	root, svcNS := g.Mesh.RootNamespace, g.ServiceNamespace(fqdn)
	if client == root && svcNS != "" && svcNS != root {
		c.rootFirst = true
		c.order = []string{root, svcNS}
		return c
	}
	for _, r := range []struct{ ns, role string }{
		{client, "client's"}, {svcNS, "service's"}, {root, "root"},
	} {
		if r.ns == "" {
			continue
		}
		if _, ok := c.roles[r.ns]; !ok {
			c.order = append(c.order, r.ns)
		}
		c.roles[r.ns] = append(c.roles[r.ns], r.role)
	}
	return c
}

// String renders the chain as "namespaces shop (client's), backend
// (service's) and istio-system (root)".
func (c chain) String() string {
	if c.rootFirst {
		return fmt.Sprintf("namespaces %[1]s (client's, rules exported to it alone), %[2]s (service's) and %[1]s (root, other rules)", c.order[0], c.order[1])
	}
	parts := make([]string, len(c.order))
	for i, ns := range c.order {
		parts[i] = fmt.Sprintf("%s (%s)", ns, strings.Join(c.roles[ns], " and "))
	}
	if len(parts) == 1 {
		return "namespace " + parts[0]
	}
	return "namespaces " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// usedSubsets says which subsets the DestinationRules define, in the order
// written, each once and at most 8: "its subsets: v1, v2", or "it has no
// subsets".
func usedSubsets(drs []*graph.DestinationRule) string {
	var names []string
	for _, dr := range drs {
		for _, s := range dr.Spec.Subsets {
			if s.Name.V != "" && !slices.Contains(names, s.Name.V) {
				names = append(names, s.Name.V)
			}
		}
	}
	const most = 8
	if len(names) > most {
		names = append(names[:most], fmt.Sprintf("and %d more", len(names)-most))
	}
	switch {
	case len(drs) == 1:
		return subsetList(names)
	case len(names) == 0:
		return "they have no subsets"
	}
	return "their subsets: " + strings.Join(names, ", ")
}

// drNames names DestinationRules as "ns/name", joined with "or".
func drNames(drs []*graph.DestinationRule) string {
	names := make([]string, len(drs))
	for i, dr := range drs {
		names[i] = dr.Namespace() + "/" + dr.Name()
	}
	return strings.Join(names, " or ")
}

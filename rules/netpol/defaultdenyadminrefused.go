package netpol

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// An admin policy that the API server refuses is no deny (the cluster
// never holds it), but one that would deny a namespace everything once
// corrected is most likely the cluster-wide deny meant: MR401 and MR402
// name it, as they name a refused NetworkPolicy deny-all, so that it is
// corrected rather than replaced by a NetworkPolicy in every namespace.
//
// What the correction is cannot be known (a peer with two fields may be
// meant as either), so the reading is the narrowest one: the policy
// counts only when every field its subject sets selects every pod of the
// namespace, and its Deny rules without ports, each peer read as the
// intersection of the fields it sets, reach every pod of the cluster (and
// for egress every IPv4 address, and IPv6 when it counts).

// adminView is what the three admin kinds share, for that judgment.
type adminView struct {
	cnp             bool
	subject         spec.AdminSubject
	ingress, egress []adminRuleView
}

type adminRuleView struct {
	action string
	peers  []spec.AdminPeer
	// ported is set when the rule names ports or protocols: it then
	// denies part of the traffic only.
	ported bool
}

// refusedAdminViewsKey memoizes refusedAdminViews.
type refusedAdminViewsKey struct{}

type refusedAdmin struct {
	r *graph.Refusal
	v adminView
}

// refusedAdminViews reads the admin policies the graph refused: one per
// kind and name, its first definition (two definitions of one policy are
// one, MR017), in input order.
func refusedAdminViews(p *rules.Pass) []refusedAdmin {
	return p.Memo(refusedAdminViewsKey{}, func() any {
		var out []refusedAdmin
		seen := map[string]bool{}
		for _, r := range p.Graph.RefusedAdminPolicies {
			key := string(r.Obj.Kind) + "/" + r.Name()
			if seen[key] {
				continue
			}
			seen[key] = true
			if v, ok := adminViewOf(r); ok {
				out = append(out, refusedAdmin{r, v})
			}
		}
		return out
	}).([]refusedAdmin)
}

func adminViewOf(r *graph.Refusal) (adminView, bool) {
	var v adminView
	switch s := r.Admin.(type) {
	case *spec.AdminNetworkPolicy:
		v.subject, v.ingress, v.egress = s.Subject, anpRuleViews(s.Ingress), anpEgressViews(s.Egress)
	case *spec.BaselineAdminNetworkPolicy:
		v.subject, v.ingress, v.egress = s.Subject, anpRuleViews(s.Ingress), anpEgressViews(s.Egress)
	case *spec.ClusterNetworkPolicy:
		v.cnp, v.subject = true, s.Subject
		for _, x := range s.Ingress {
			v.ingress = append(v.ingress, adminRuleView{x.Action.V, x.From, len(x.Protocols) > 0})
		}
		for _, x := range s.Egress {
			v.egress = append(v.egress, adminRuleView{x.Action.V, x.To, len(x.Protocols) > 0})
		}
	default:
		return v, false
	}
	return v, true
}

func anpRuleViews(rs []spec.AdminIngress) []adminRuleView {
	var out []adminRuleView
	for _, x := range rs {
		out = append(out, adminRuleView{x.Action.V, x.From, len(x.Ports) > 0})
	}
	return out
}

func anpEgressViews(rs []spec.AdminEgress) []adminRuleView {
	var out []adminRuleView
	for _, x := range rs {
		out = append(out, adminRuleView{x.Action.V, x.To, len(x.Ports) > 0})
	}
	return out
}

// reach is what a peer or a set of rules covers.
type reach struct{ pods, v4, v6 bool }

func (a reach) and(b reach) reach { return reach{a.pods && b.pods, a.v4 && b.v4, a.v6 && b.v6} }
func (a reach) or(b reach) reach  { return reach{a.pods || b.pods, a.v4 || b.v4, a.v6 || b.v6} }

// emptySelector reports whether s is set and selects everything.
func emptySelector(s *spec.LabelSelector) bool {
	return s != nil && graph.Selector(s).Empty()
}

// podsAll reports whether a pods selector selects every pod of every
// namespace. A ClusterNetworkPolicy may leave namespaceSelector out,
// which selects every namespace; the v1alpha1 kinds require it, and one
// left out may be meant as the subject's namespace only.
func podsAll(p *spec.NamespacedPod, cnp bool) bool {
	return emptySelector(p.PodSelector) && (emptySelector(p.NamespaceSelector) || cnp && p.NamespaceSelector == nil)
}

// peerReach is what peer p covers read narrowly: the intersection of what
// each of its fields covers, nothing when it sets none. Ingress peers
// have namespaces and pods only (the schema prunes the others). A network
// 0.0.0.0/0 holds every pod's address too (the engine reads it so);
// nodes and domainNames cover no whole set.
func peerReach(p spec.AdminPeer, egress, cnp bool) reach {
	var fields []reach
	if p.Namespaces != nil {
		fields = append(fields, reach{pods: emptySelector(p.Namespaces)})
	}
	if p.Pods != nil {
		fields = append(fields, reach{pods: podsAll(p.Pods, cnp)})
	}
	if egress {
		if len(p.Networks) > 0 {
			var r reach
			for _, n := range p.Networks {
				switch strings.TrimSpace(n.V) {
				case "0.0.0.0/0":
					r.pods, r.v4 = true, true
				case "::/0":
					r.v6 = true
				}
			}
			fields = append(fields, r)
		}
		if p.Nodes != nil || len(p.DomainNames) > 0 {
			fields = append(fields, reach{})
		}
	}
	if len(fields) == 0 {
		return reach{}
	}
	out := reach{true, true, true}
	for _, f := range fields {
		out = out.and(f)
	}
	return out
}

// subjectHolds reports whether every field the subject sets selects
// every pod of the namespace labelled l (and it sets one).
func subjectHolds(s spec.AdminSubject, l map[string]string, cnp bool) bool {
	if s.Namespaces == nil && s.Pods == nil {
		return false
	}
	if s.Namespaces != nil && !graph.Selector(s.Namespaces).Matches(l) {
		return false
	}
	if p := s.Pods; p != nil {
		nsOK := p.NamespaceSelector != nil && graph.Selector(p.NamespaceSelector).Matches(l) || cnp && p.NamespaceSelector == nil
		if !nsOK || !emptySelector(p.PodSelector) {
			return false
		}
	}
	return true
}

// deniesAllOnceCorrected reports whether the refused admin policy v would
// deny every pod of the namespace labelled l everything in direction d,
// as unisolated.closed reads it, read narrowly; v6 tells whether IPv6
// addresses count for egress. An action is read regardless of case.
func (v adminView) deniesAllOnceCorrected(l map[string]string, d direction, v6 bool) bool {
	if !subjectHolds(v.subject, l, v.cnp) {
		return false
	}
	rs, eg := v.ingress, false
	if d.Name == "egress" {
		rs, eg = v.egress, true
	}
	var got reach
	for _, r := range rs {
		if r.ported || !strings.EqualFold(r.action, "Deny") {
			continue
		}
		for _, p := range r.peers {
			got = got.or(peerReach(p, eg, v.cnp))
		}
	}
	if !eg {
		return got.pods
	}
	return got.pods && got.v4 && (got.v6 || !v6)
}

// refusedAdminDenies returns the refused admin policies that would deny
// the pods of namespace ns everything in direction d once corrected.
func refusedAdminDenies(p *rules.Pass, ns string, d direction) []*graph.Refusal {
	views := refusedAdminViews(p)
	if len(views) == 0 {
		return nil
	}
	l := map[string]string{graph.NamespaceNameLabel: ns}
	if n := p.Graph.Namespaces[ns]; n != nil && n.Labels != nil {
		l = n.Labels
	}
	v6 := d.Name == "egress" && namesIPv6(p, ns)
	var out []*graph.Refusal
	for _, x := range views {
		if x.v.deniesAllOnceCorrected(l, d, v6) {
			out = append(out, x.r)
		}
	}
	return out
}

// refusedAdminNote is the clause of the message naming refused admin
// policy r as the deny of namespace ns.
func refusedAdminNote(r *graph.Refusal, ns string, d direction) string {
	what := fmt.Sprintf("ingress from every pod of the cluster to the pods of %s", ns)
	if d.Name == "egress" {
		what = fmt.Sprintf("egress from the pods of %s to every pod and address", ns)
	}
	return fmt.Sprintf("%s %s would deny %s, but the API server refuses it (%s): correct it rather than add a NetworkPolicy", r.Obj.Kind, r.Name(), what, r.Why)
}

package netpol

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// A namespace whose deny-all the API server refuses has a deny already, in
// the user's mind and in the manifests: a second one beside it would leave
// two once the first is corrected. So MR401 and MR402 correct the refused
// one in place when what the API server refuses is a spelling, and offer no
// fix otherwise, leaving the correction to the user.

// refusedDenies returns the NetworkPolicies of namespace ns that the API
// server refuses but that would be its default deny for direction d once
// their spelling is corrected (deniesOnceCorrected): one per name, its
// first definition, as two definitions of one policy are one (MR017).
func refusedDenies(g *graph.Graph, ns string, d direction) []*graph.Refusal {
	var out []*graph.Refusal
	named := map[string]bool{}
	for _, r := range g.RefusedNetworkPolicies {
		if r.Namespace() == ns && !named[r.Name()] && deniesOnceCorrected(r.Spec, d) {
			named[r.Name()] = true
			out = append(out, r)
		}
	}
	return out
}

// spelling is a value of a refused NetworkPolicy that the API server
// refuses for its case alone, and the value it accepts.
type spelling struct {
	loc            manifest.Loc
	old, new, what string
}

// spellings returns the values of s that Kubernetes' ValidateNetworkPolicySpec
// refuses as "Unsupported value" for their case alone: a policyTypes value
// other than Ingress and Egress (validation compares them exactly), and a
// port protocol other than TCP, UDP and SCTP (ValidateNetworkPolicyPort).
func spellings(s *spec.NetworkPolicy) []spelling {
	var out []spelling
	for i, t := range s.PolicyTypes {
		for _, c := range []string{"Ingress", "Egress"} {
			if t.V != c && strings.EqualFold(t.V, c) {
				out = append(out, spelling{t.Loc, t.V, c, fmt.Sprintf("policyTypes[%d] %q to %q", i, t.V, c)})
			}
		}
	}
	for _, d := range []struct {
		name  string
		rules []spec.NetworkPolicyRule
	}{{"ingress", s.Ingress}, {"egress", s.Egress}} {
		for i, r := range d.rules {
			for j, p := range r.Ports {
				v := p.Protocol.V
				switch u := strings.ToUpper(v); {
				case !p.Protocol.Set || u == v:
				case u == "TCP", u == "UDP", u == "SCTP":
					out = append(out, spelling{p.Protocol.Loc, v, u, fmt.Sprintf("%s[%d].ports[%d] protocol %q to %q", d.name, i, j, v, u)})
				}
			}
		}
	}
	return out
}

// correction is the in-place fix of a refused NetworkPolicy: the edits of
// each of its definitions, and what they change, for the message.
type correction struct {
	edits []rules.Edit
	what  []string
}

// correct returns the correction of the refused NetworkPolicy name of
// namespace ns, in each of its refused definitions. ok is false when one
// of them has no spelling to correct, or would still be refused once
// corrected (its other values are refused for more than their case), or
// its YAML can no longer be read.
func correct(g *graph.Graph, ns, name string) (correction, bool) {
	var c correction
	for _, r := range g.RefusedNetworkPolicies {
		if r.Namespace() != ns || r.Name() != name {
			continue
		}
		sp := spellings(r.Spec)
		if len(sp) == 0 || !acceptedOnceCorrected(r, sp) {
			return correction{}, false
		}
		for _, s := range sp {
			c.edits = append(c.edits, rules.ReplaceValue(r.Obj, s.loc, s.old, s.new))
			c.what = appendNew(c.what, s.what)
		}
	}
	return c, len(c.edits) > 0
}

// acceptedOnceCorrected reports whether refused NetworkPolicy r, with
// its spellings sp corrected, is one the API server accepts: every
// problem the graph refused it for (Refusal.Problems, from
// kubevalid.NetworkPolicy under the release's gates) is one of those
// values. Correcting a value's case raises no new problem.
func acceptedOnceCorrected(r *graph.Refusal, sp []spelling) bool {
	for _, p := range r.Problems {
		if !slices.ContainsFunc(sp, func(s spelling) bool { return s.loc == p.At }) {
			return false
		}
	}
	return len(r.Problems) > 0
}

// correctionFix returns the fix of MR401 or MR402 (direction d) for
// namespace ns, whose deny for d the API server refuses (rs, from
// refusedDenies): the correction of the first of rs whose refusal is a
// spelling, with a new file next to object at holding the allows that
// the deny's own fix would write, for each direction the corrected
// policy denies that no other policy denies already, so that the
// correction cuts none of the declared traffic. There is none when no
// refusal is a spelling, or when the deny's own fix would be withheld
// for one of those directions (planDeny).
func correctionFix(p *rules.Pass, ns string, at *manifest.Object, d direction, nps []*graph.NetworkPolicy, rs []*graph.Refusal) (rules.Fix, bool) {
	var r *graph.Refusal
	var c correction
	for _, x := range rs {
		if cx, ok := correct(p.Graph, ns, x.Name()); ok {
			r, c = x, cx
			break
		}
	}
	if r == nil {
		return rules.Fix{}, false
	}
	// Both rules' fixes correct the same values, and write the same
	// files when the policy denies both directions: the fix machinery
	// makes identical edits and files once.
	var dirs []string
	fix := rules.Fix{Edits: c.edits}
	var tail string
	for _, dir := range []direction{ingress, egress} {
		if dir.Name != d.Name && (!deniesOnceCorrected(r.Spec, dir) || slices.ContainsFunc(nps, func(np *graph.NetworkPolicy) bool { return isDefaultDeny(np, dir) })) {
			continue
		}
		pl, ok := planDeny(p, ns, at, dir, nps, "allow-declared-"+dir.Name, r.Name())
		if !ok {
			return rules.Fix{}, false
		}
		dirs = append(dirs, dir.Name)
		if content := allowsYAML(p, ns, r.Name(), dir, nps, pl); content != "" {
			fix.NewFiles = append(fix.NewFiles, rules.NewFile{Path: pl.path, Content: content})
			tail += fmt.Sprintf("; create %s with allows for the %s traffic the manifests declare", pl.path, dir.Name)
		}
		tail += "; " + stillCut(dir) + pl.notes()
	}
	fix.Message = fmt.Sprintf("Correct %s in NetworkPolicy %s/%s, which the API server then accepts as the default deny for %s of namespace %s, rather than add another",
		wording.List(c.what), ns, r.Name(), strings.Join(dirs, " and "), ns) + tail
	return fix, true
}

// allowsYAML renders the allows that come with refused deny name of
// direction d once corrected: defaultDenyYAML without the deny, or ""
// when there are none.
func allowsYAML(p *rules.Pass, ns, name string, d direction, nps []*graph.NetworkPolicy, pl denyPlan) string {
	var body strings.Builder
	if d.Name == "egress" {
		writeEgressBasics(&body, p.Graph, ns, pl.explicit, nps, pl.dns)
	}
	writeAllowPolicies(&body, pl.allows, ns, pl.explicit, d, func(peer peerSpec) bool {
		return len(hostOnlyPeer(p, ns, peer.specPeer(ns))) > 0
	})
	if body.Len() == 0 {
		return ""
	}
	rule := "MR401"
	if d.Name == "egress" {
		rule = "MR402"
	}
	var b strings.Builder
	b.WriteString(wrapComment(fmt.Sprintf("Allows for NetworkPolicy %s, the default deny for %s of namespace %s that meshlint --fix (%s) corrected: they keep open the traffic the manifests declare.", name, d.Name, ns, rule)))
	if pl.note != "" {
		b.WriteString(wrapComment(strings.ToUpper(pl.note[:1]) + pl.note[1:] + "."))
	}
	b.WriteString(body.String())
	return b.String()
}

// refusedNamed reports whether namespace ns has a NetworkPolicy name that
// the API server refuses: a fix that writes a policy of that name would
// leave two definitions of it once the refused one is corrected, the
// second replacing the first.
func refusedNamed(g *graph.Graph, ns, name string) bool {
	return slices.ContainsFunc(g.RefusedNetworkPolicies, func(r *graph.Refusal) bool { return r.Namespace() == ns && r.Name() == name })
}

// isolatesOnceCorrected reports whether a refused NetworkPolicy's spec
// would select the pods labelled l for direction d once its spelling is
// corrected: its podSelector matches them, and it lists d among its
// policyTypes regardless of case (when it lists none, Ingress, and Egress
// when it has egress rules, as SetDefaults_NetworkPolicy sets them).
func isolatesOnceCorrected(s *spec.NetworkPolicy, l map[string]string, d direction) bool {
	if s == nil || !graph.Selector(s.PodSelector).Matches(l) {
		return false
	}
	if len(s.PolicyTypes) == 0 {
		return d.Name == "ingress" || len(s.Egress) > 0
	}
	return slices.ContainsFunc(s.PolicyTypes, func(t spec.Str) bool { return strings.EqualFold(t.V, d.Type) })
}

// refusedSelecting returns the NetworkPolicies of w's namespace that the
// API server refuses but that would select w for direction d once
// corrected (isolatesOnceCorrected): one per name, its canonical
// definition (graph.CompareDefinitions), sorted by name, so that the
// messages do not depend on the order of the input.
func refusedSelecting(g *graph.Graph, w *graph.Workload, d direction) []*graph.Refusal {
	byName := map[string]*graph.Refusal{}
	for _, r := range g.RefusedNetworkPolicies {
		if r.Namespace() != w.Namespace() || !isolatesOnceCorrected(r.Spec, w.Labels, d) {
			continue
		}
		if c := byName[r.Name()]; c == nil || graph.CompareDefinitions(r.Obj, c.Obj) < 0 {
			byName[r.Name()] = r
		}
	}
	out := slices.Collect(maps.Values(byName))
	slices.SortFunc(out, func(a, b *graph.Refusal) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

// refusedDNSAllows returns those of refusedSelecting for egress that have
// a rule open to port 53 (no ports, port 53 or a range holding it, or
// CoreDNS's port names dns and dns-tcp): most likely the DNS allow meant.
func refusedDNSAllows(g *graph.Graph, w *graph.Workload) []*graph.Refusal {
	return slices.DeleteFunc(refusedSelecting(g, w, egress), func(r *graph.Refusal) bool { return !slices.ContainsFunc(r.Spec.Egress, opensDNS) })
}

// opensDNS reports whether egress rule r is open to port 53, whatever its
// peers and protocols.
func opensDNS(r spec.NetworkPolicyRule) bool {
	if len(r.Ports) == 0 {
		return true
	}
	return slices.ContainsFunc(r.Ports, func(p spec.NetworkPolicyPort) bool {
		switch {
		case !p.Port.Set:
			return true
		case p.Port.IsStr:
			return p.Port.Str == "dns" || p.Port.Str == "dns-tcp"
		case p.EndPort.Set:
			return p.Port.Int <= 53 && 53 <= p.EndPort.V
		}
		return p.Port.Int == 53
	})
}

package gateway

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/rules"
)

// GatewayRefUnresolved reports VirtualService gateway references that name
// no Gateway of the input.
var GatewayRefUnresolved = &rules.Rule{
	ID:      "MR201",
	Name:    "gateway-ref-unresolved",
	Summary: "gateway reference of a VirtualService names no Gateway",
	Fix:     "rewrites the reference to the one Gateway it most likely means: same name in another namespace, or a close name",
	Doc: `A VirtualService applies at the gateways listed in its ` + "`gateways`" + ` field (and a match
clause can narrow a route to some of them). Istio resolves each entry as ` + "`name`" + ` (a Gateway of the
VirtualService's namespace), ` + "`namespace/name`" + `, ` + "`./name`" + ` or the deprecated
` + "`name.namespace`" + ` form, and silently ignores an entry that names no Gateway: the routes
are never programmed and requests get 404 at the ingress. ` + "`mesh`" + ` is the reserved name of the
sidecars and is always valid.

The usual mistake is a Gateway that lives in another namespace (often ` + "`istio-system`" + `)
referenced without its namespace. The message says so when a Gateway of that name exists
elsewhere. Fix the entry to ` + "`namespace/name`" + ` of an existing Gateway, or define the Gateway.
When exactly one Gateway of that name exists in another namespace, ` + "`meshlint --fix`" + ` rewrites
the entry to its ` + "`namespace/name`" + `. Otherwise, when exactly one Gateway of the namespace the
entry resolves in has a close name (the same name in another case, or, for names of 6 or more
characters, at most 2 edits away), the message asks whether it was meant and ` + "`meshlint --fix`" + `
writes it instead, in the form of the entry: ` + "`ns/name`" + ` and ` + "`./name`" + ` keep their prefix,
and a legacy ` + "`name.namespace`" + ` becomes ` + "`namespace/name`" + `. A name that differs from
the match only in ` + "`ingress`" + ` for ` + "`egress`" + ` is not taken for a typo, and an entry written
under a YAML anchor, which aliases may read elsewhere, or in a VirtualService that Flagger
rewrites is not rewritten.

A manifest folder seldom holds every Gateway of the cluster. The rule therefore only reports a
reference into a namespace for which the input holds at least one Gateway, or whose name
matches a Gateway of another namespace; in other cases it stays quiet, since the Gateway may
simply be deployed from elsewhere. With the closed-world setting every unresolved reference
is reported. The legacy ` + "`name.namespace`" + ` form is resolved as Istio does, not looked up
literally as istioctl analyze does.`,
	Bad:      storefrontExample("shop.example.com", "shop.example.com", "publik"),
	Good:     storefrontExample("shop.example.com", "shop.example.com", "public"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Gateway},
	Related:  []string{"IST0101", "KIA1102"},
	Deps:     rules.DepREF | rules.DepPRES,
	Run:      runGatewayRefUnresolved,
}

func runGatewayRefUnresolved(p *rules.Pass) error {
	for _, vs := range p.Graph.VirtualServices {
		eachGatewayRef(p.Graph, vs, func(ref graph.GatewayRef, prefix string) {
			checkGatewayRef(p, vs, ref, prefix)
		})
	}
	return nil
}

// eachGatewayRef calls fn for every gateway reference of vs, in the places
// Istio resolves them (ResolveVirtualServiceShortnames): spec.gateways and
// the gateways of the http, tcp and tls match clauses. prefix locates a
// match clause ("http[0].match[1]: ") and is empty for spec.gateways.
func eachGatewayRef(g *graph.Graph, vs *graph.VirtualService, fn func(ref graph.GatewayRef, prefix string)) {
	for _, ref := range vs.Gateways {
		fn(ref, "")
	}
	matches := func(names []spec.Str, section string, i, j int) {
		for _, s := range names {
			fn(g.ResolveGateway(s, vs.Namespace()), fmt.Sprintf("%s[%d].match[%d]: ", section, i, j))
		}
	}
	for i, r := range vs.Spec.HTTP {
		for j, m := range r.Match {
			matches(m.Gateways, "http", i, j)
		}
	}
	for i, r := range vs.Spec.TCP {
		for j, m := range r.Match {
			matches(m.Gateways, "tcp", i, j)
		}
	}
	for i, r := range vs.Spec.TLS {
		for j, m := range r.Match {
			matches(m.Gateways, "tls", i, j)
		}
	}
}

func checkGatewayRef(p *rules.Pass, vs *graph.VirtualService, ref graph.GatewayRef, prefix string) {
	if ref.Mesh || ref.Gateway != nil || graph.GeneratedGateway(ref.Name) {
		return
	}
	var elsewhere []*graph.Gateway
	// Two definitions of one Gateway are one Gateway (MR017 reports
	// them): one candidate, which the fix may take.
	for _, gw := range graph.Distinct(p.Graph.GatewaysNamed(ref.Name)) {
		if gw.Namespace() != ref.Namespace {
			elsewhere = append(elsewhere, gw)
		}
	}
	// Absence is only evidence when we see the namespace's Gateways, or a
	// Gateway of that name somewhere else.
	if !p.Graph.Mesh.ClosedWorld && !p.Graph.HasKind(kinds.Gateway, ref.Namespace) && len(elsewhere) == 0 {
		return
	}
	key := ref.Namespace + "/" + ref.Name
	var b strings.Builder
	fmt.Fprintf(&b, "%sgateway %q", prefix, ref.Written.V)
	switch {
	case ref.Legacy:
		fmt.Fprintf(&b, " (legacy name.namespace form, read as %s)", key)
	case ref.Written.V != key:
		fmt.Fprintf(&b, " (%s)", key)
	}
	b.WriteString(" matches no Gateway")
	match := "" // a Gateway of ref.Namespace the entry most likely meant
	switch {
	case len(elsewhere) > 0:
		gw := elsewhere[0]
		fmt.Fprintf(&b, "; a Gateway %q exists in namespace %s: write %q", gw.Name(), gw.Namespace(), gw.Namespace()+"/"+gw.Name())
	default:
		names := gatewayNames(p.Graph, ref.Namespace)
		if m, ok := suggest.Closest(ref.Name, names); ok {
			match = m
			fmt.Fprintf(&b, "; did you mean %q?", gatewayRefAs(ref, match))
		} else if len(names) > 0 {
			fmt.Fprintf(&b, "; Gateways of namespace %s: %s", ref.Namespace, strings.Join(names, ", "))
		} else {
			fmt.Fprintf(&b, " (the input holds no Gateway in namespace %s)", ref.Namespace)
		}
	}
	f := p.Reportf(vs.Obj, ref.Written.Loc, "%s", b.String())
	for _, gw := range elsewhere {
		f.Relate(gw.Obj, gw.Obj.NameLoc, "Gateway %s/%s", gw.Namespace(), gw.Name())
	}
	// Only one candidate makes the rewrite safe to apply unseen.
	if len(elsewhere) == 1 && ref.Written.Loc.Line > 0 {
		key := elsewhere[0].Namespace() + "/" + elsewhere[0].Name()
		f.Fixes = []rules.Fix{{
			Message: fmt.Sprintf("Refer to the Gateway as %s", key),
			Edits:   []rules.Edit{rules.ReplaceValue(vs.Obj, ref.Written.Loc, ref.Written.V, key)},
		}}
	}
	if match != "" && rules.Rewritable(p.Graph, vs.Obj, ref.Written.Loc) {
		to := gatewayRefAs(ref, match)
		f.Fixes = []rules.Fix{{
			Message: fmt.Sprintf("Refer to the Gateway as %s", to),
			Edits:   []rules.Edit{rules.ReplaceValue(vs.Obj, ref.Written.Loc, ref.Written.V, to)},
		}}
	}
}

// gatewayRefAs writes a reference to Gateway name of ref's namespace in the
// form of ref: a bare name stays bare, "ns/" and "./" are kept, and the
// legacy "name.namespace" form becomes "namespace/name", as MR230 would
// rewrite it.
func gatewayRefAs(ref graph.GatewayRef, name string) string {
	switch {
	case ref.Legacy:
		return ref.Namespace + "/" + name
	case strings.Contains(ref.Written.V, "/"):
		prefix, _, _ := strings.Cut(ref.Written.V, "/")
		return prefix + "/" + name
	}
	return name
}

// gatewayNames lists the names of the Gateways of a namespace, sorted.
func gatewayNames(g *graph.Graph, ns string) []string {
	var out []string
	for _, gw := range g.Gateways {
		if gw.Namespace() == ns {
			out = append(out, gw.Name())
		}
	}
	sort.Strings(out)
	// A name met twice is two definitions of one Gateway.
	return slices.Compact(out)
}

package gateway

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// VSHostNotInGateway reports VirtualServices bound to a Gateway that serves
// none of their hosts, and hosts that no bound Gateway serves.
var VSHostNotInGateway = &rules.Rule{
	ID:      "MR202",
	Name:    "vs-host-not-in-gateway",
	Summary: "host of a VirtualService is not served by the Gateway it binds to",
	Doc: `A Gateway only takes the routes of a bound VirtualService for the hosts that one of its
servers admits. A server host is ` + "`namespace/host`" + `: ` + "`./host`" + ` admits VirtualServices of the
Gateway's own namespace, ` + "`*/host`" + ` and a plain ` + "`host`" + ` admit every namespace, and any other
namespace part admits that namespace only. The host part matches the VirtualService host as
Istio does: ` + "`*`" + ` matches everything and ` + "`*.example.com`" + ` matches names under example.com on a
label boundary (not example.com itself, nor badexample.com). Short VirtualService hosts are
expanded to ` + "`name.namespace.svc.cluster.local`" + ` first. Names are compared with their case, as
Istio compares them: validation accepts upper-case letters, and ` + "`Shop.example.com`" + ` does not
match ` + "`shop.example.com`" + `.

When no host of the VirtualService is admitted, the Gateway ignores the VirtualService
entirely and requests get 404 (istioctl analyze reports this as IST0132); the finding is at the
` + "`gateways`" + ` entry. When some hosts are served and others are not by any bound Gateway, the
finding is at each host that is served nowhere: its routes are dead at the ingress. Hosts of a
VirtualService that is also bound to ` + "`mesh`" + ` are served by the sidecars and are not reported.

A Gateway also ignores a bound VirtualService that is not exported to the namespace of its
gateway pods: Istio looks the VirtualServices of a Gateway up from there. A VirtualService of
an application namespace with ` + "`exportTo: [.]`" + ` (or under a mesh-wide
` + "`defaultVirtualServiceExportTo: [.]`" + `) never reaches an ingress gateway of ` + "`istio-system`" + `. When the
input holds no pods of the Gateway, its own namespace stands for theirs. Add the gateway pods'
namespace to ` + "`exportTo`" + `.

Fix the host, add it to a server of the Gateway, or widen the server host's namespace part
(for example from ` + "`./shop.example.com`" + ` to ` + "`*/shop.example.com`" + ` or to the VirtualService's namespace).

The apex host that Flagger adds to the VirtualService it creates for a Canary is not judged: Flagger
adds it whatever the Canary says, and only the mesh binding serves it.`,
	Bad:      storefrontExample("shop.example.com", "store.example.com", "public"),
	Good:     storefrontExample("shop.example.com, store.example.com", "store.example.com", "public"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Gateway},
	Related:  []string{"IST0132"},
	Deps:     rules.DepGW | rules.DepREF,
	Run:      runVSHostNotInGateway,
}

func runVSHostNotInGateway(p *rules.Pass) error {
	for _, vs := range p.Graph.VirtualServices {
		if len(vs.Hosts) == 0 {
			continue
		}
		served := make([]bool, len(vs.Hosts))
		var (
			bound     []*graph.Gateway
			anyServed bool
			// open is true when a binding we cannot inspect (mesh, or a
			// gateway that is not in the input) may serve any host.
			open bool
		)
		for _, ref := range vs.Gateways {
			gw := ref.Gateway
			if ref.Mesh || gw == nil {
				open = true
				continue
			}
			if hiddenFromGateway(p, vs, ref) {
				continue // the Gateway does not see it: no host is served there
			}
			bound = append(bound, gw)
			matched := false
			for i, h := range vs.Hosts {
				if gw.AdmitsHost(vs.Namespace(), h) {
					served[i], matched, anyServed = true, true, true
				}
			}
			if matched {
				continue
			}
			var written []string
			for _, h := range vs.Spec.Hosts {
				written = append(written, h.V)
			}
			msg := fmt.Sprintf("gateway %s serves none of the hosts of this VirtualService (%s): its server hosts are %s",
				gwName(ref), strings.Join(written, ", "), serverHosts(gw))
			if note := namespaceNote(gw, vs, vs.Hosts); note != "" {
				msg += "; " + note
			} else if note := caseNote(gw, vs.Namespace(), vs.Hosts); note != "" {
				msg += "; " + note
			}
			p.Reportf(vs.Obj, ref.Written.Loc, "%s", msg).
				Relate(gw.Obj, gw.Obj.NameLoc, "Gateway %s/%s", gw.Namespace(), gw.Name())
		}
		// A partly served VirtualService: report the hosts served nowhere.
		// When nothing is served, the findings above already say so.
		if open || !anyServed {
			continue
		}
		for i, h := range vs.Hosts {
			if served[i] {
				continue
			}
			written := vs.Spec.Hosts[i]
			if c := p.Graph.GeneratedBy(vs.Obj); c != nil {
				if apex, _, _ := c.ServiceNames(); written.V == apex {
					continue
				}
			}
			what := fmt.Sprintf("%q", written.V)
			if h != written.V {
				what += " (" + h + ")"
			}
			var names []string
			for _, gw := range bound {
				names = append(names, gw.Namespace()+"/"+gw.Name())
			}
			by := "gateway " + names[0]
			if len(names) > 1 {
				by = "any of the gateways " + strings.Join(names, ", ")
			}
			msg := fmt.Sprintf("host %s is not served by %s, so its routes never apply there", what, by)
			for _, gw := range bound {
				note := namespaceNote(gw, vs, []string{h})
				if note == "" {
					note = caseNote(gw, vs.Namespace(), []string{h})
				}
				if note != "" {
					msg += "; " + note
					break
				}
			}
			p.Reportf(vs.Obj, written.Loc, "%s", msg)
		}
	}
	return nil
}

// hiddenFromGateway reports a VirtualService whose exportTo hides it from
// the namespace of the gateway pods of the Gateway ref binds, and returns
// true when it is hidden from all of them. Istio looks up the
// VirtualServices of a Gateway from the gateway proxy's namespace
// (PushContext.VirtualServicesForGateway); without the pods in the input,
// the Gateway's own namespace stands for theirs, as the API reference
// says.
func hiddenFromGateway(p *rules.Pass, vs *graph.VirtualService, ref graph.GatewayRef) bool {
	gw := ref.Gateway
	namespaces, whose := gw.LookupNamespaces(), "the gateway pods"
	if len(gw.Workloads) == 0 {
		whose = "the Gateway (the input holds none of its pods)"
	}
	var hidden []string
	for _, ns := range namespaces {
		if !graph.Visible(vs.ExportTo, vs.Namespace(), ns) {
			hidden = append(hidden, ns)
		}
	}
	if len(hidden) == 0 {
		return false
	}
	what := fmt.Sprintf("exportTo (%s)", strings.Join(vs.ExportTo, ", "))
	if len(vs.Spec.ExportTo) == 0 {
		what = fmt.Sprintf("the mesh's defaultVirtualServiceExportTo (%s), which applies as it sets no exportTo,", strings.Join(vs.ExportTo, ", "))
	}
	label := "namespace " + hidden[0]
	if len(hidden) > 1 {
		label = "namespaces " + strings.Join(hidden, ", ")
	}
	p.Reportf(vs.Obj, ref.Written.Loc, "gateway %s never sees this VirtualService: its %s does not export it to %s of %s, so its routes are not programmed there",
		gwName(ref), what, label, whose).
		Relate(gw.Obj, gw.Obj.NameLoc, "Gateway %s/%s", gw.Namespace(), gw.Name())
	return len(hidden) == len(namespaces)
}

// caseNote explains a server host of gw that would admit one of hosts of a
// VirtualService of namespace ns but for case.
func caseNote(gw *graph.Gateway, ns string, hosts []string) string {
	for _, s := range gw.Spec.Servers {
		for _, sh := range s.Hosts {
			sc := host.ParseScoped(sh.V, gw.Namespace())
			if sc.Namespace != "*" && sc.Namespace != ns {
				continue
			}
			for _, h := range hosts {
				if sc.Host != h && strings.EqualFold(sc.Host, h) {
					return fmt.Sprintf("server host %q and %q differ in case only, and Istio compares host names with their case", sh.V, h)
				}
			}
		}
	}
	return ""
}

// namespaceNote explains a server host that matches one of hosts but
// admits another namespace only, the mistake that is hardest to see.
func namespaceNote(gw *graph.Gateway, vs *graph.VirtualService, hosts []string) string {
	for _, s := range gw.Spec.Servers {
		for _, sh := range s.Hosts {
			sc := host.ParseScoped(sh.V, gw.Namespace())
			if sc.Namespace == "*" || sc.Namespace == vs.Namespace() {
				continue
			}
			for _, h := range hosts {
				if host.Matches(sc.Host, h) {
					return fmt.Sprintf("server host %q admits VirtualServices of namespace %s only, not of %s", sh.V, sc.Namespace, vs.Namespace())
				}
			}
		}
	}
	return ""
}

// serverHosts lists a gateway's server hosts as written, quoted, at most
// five of them.
func serverHosts(gw *graph.Gateway) string {
	var out []string
	n := 0
	for _, s := range gw.Spec.Servers {
		for _, sh := range s.Hosts {
			if n++; n <= 5 {
				out = append(out, fmt.Sprintf("%q", sh.V))
			}
		}
	}
	switch {
	case n == 0:
		return "none"
	case n > 5:
		out = append(out, fmt.Sprintf("and %d more", n-5))
	}
	return strings.Join(out, ", ")
}

// gwName shows a gateway reference as written, with the namespace/name it
// resolves to when that differs.
func gwName(ref graph.GatewayRef) string {
	key := ref.Namespace + "/" + ref.Name
	if ref.Written.V == key {
		return fmt.Sprintf("%q", key)
	}
	return fmt.Sprintf("%q (%s)", ref.Written.V, key)
}

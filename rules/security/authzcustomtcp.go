package security

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// AuthzCustomHTTPProviderOnTCP reports CUSTOM AuthorizationPolicies whose
// HTTP-only external authorizer Istio leaves out of TCP filter chains.
var AuthzCustomHTTPProviderOnTCP = &rules.Rule{
	ID:      "MR357",
	Name:    "authz-custom-http-provider-on-tcp",
	Summary: "custom authorization policy with an HTTP external authorizer covers ports that Istio serves as TCP, where it checks nothing",
	Doc: `An AuthorizationPolicy with ` + "`action: CUSTOM`" + ` sends what its rules match to the external
authorizer its ` + "`provider`" + ` names. An ` + "`envoyExtAuthzHttp`" + ` provider only has an HTTP filter: on a
port that Istio serves as TCP, istiod's authz builder (` + "`buildTCP`" + `, pilot/pkg/security/authz/builder)
finds no TCP filter for it and skips the policy ("ignored CUSTOM action with HTTP provider on TCP
filter chain"). Connections to that port never reach the authorizer: the policy guards nothing
there, and whatever the ALLOW and DENY policies of the workload let in gets through. An
` + "`envoyExtAuthzGrpc`" + ` provider has a TCP filter too, and checks connections.

The rule reports a CUSTOM policy whose provider is an ` + "`envoyExtAuthzHttp`" + ` entry of MeshConfig
` + "`extensionProviders`" + ` when one of the ports its rules cover (their ` + "`to.operation.ports`" + ` and
` + "`destination.port`" + ` conditions, else every port) on a workload it selects is served as TCP. A port
is TCP as for authz-http-fields-on-tcp (MR355): named ` + "`tcp`" + `, ` + "`tls`" + `, ` + "`https`" + `, ` + "`mongo`" + `, ` + "`mysql`" + ` or
` + "`redis`" + ` by a Service that selects the workload, or one of the well-known ports, or so declared by
the ingress listener of a Sidecar that selects it. It is an error when every port the policy
covers is TCP, where it was meant to guard those ports, and a warning when it covers HTTP ports
too.

A port without a protocol (a Service port whose name or ` + "`appProtocol`" + ` gives none Istio knows, a
Sidecar ingress listener without one, a port that the pod declares and nothing names) is sniffed:
its inbound listener has an HTTP filter chain and a TCP one (` + "`getFilterChainMatchOptions`" + `,
pilot/pkg/networking/core/filterchain_options.go). The connections Istio does not detect as HTTP
take the TCP chain, where the policy is skipped: non-HTTP ones, and with mTLS any connection whose
client sidecar did not mark it as HTTP (the ` + "`istio-http`" + ` ALPN), whatever it carries. A policy
that covers no TCP port but a sniffed one is a warning, since it still checks what is detected as
HTTP; declare the port HTTP (a name ` + "`http-<suffix>`" + `, ` + "`appProtocol: http`" + `, or the listener's
protocol).

Only workloads with a sidecar are judged, gateway pods are left out (their listeners follow the
Gateway servers), and so are workloads that take CUSTOM policies of several providers, for which
istiod programs deny rules instead (authz-custom-provider-unknown, MR315). The rule needs the
mesh's providers, from the MeshConfig given with ` + "`--mesh-config`" + ` (or ` + "`mesh-config`" + ` in
.meshlint.yaml). A CUSTOM policy with the ` + "`istio.io/dry-run`" + ` annotation is left out: the webhook
rejects it (` + "`checkDryRunAnnotation`" + ` allows the annotation on ALLOW and DENY only), as
authz-invalid (MR010) reports.

Use an ` + "`envoyExtAuthzGrpc`" + ` provider for the TCP ports, or guard them with ALLOW or DENY policies on
connection-level fields (` + "`principals`" + `, ` + "`namespaces`" + `, ` + "`ipBlocks`" + `), and scope the CUSTOM rules to
the HTTP ports with ` + "`to.operation.ports`" + `.`,
	Bad: authzCustomTCPExample(`  provider: {name: ext-authz-http}
`),
	Good: authzCustomTCPExample(`  provider: {name: ext-authz-grpc}
`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy, kinds.Service, kinds.Sidecar, kinds.Deployment, kinds.Pod},
	Deps:     rules.DepINJ | rules.DepROOT | rules.DepWIDE,
	Run:      runAuthzCustomHTTPProviderOnTCP,
}

// authzCustomTCPExample is a CUSTOM policy for the MySQL database of
// shop, served on a TCP port, with the provider given: the examples of
// MR357.
func authzCustomTCPExample(provider string) string {
	return "# fixture: providers=ext-authz-http:envoy_ext_authz_http,ext-authz-grpc:envoy_ext_authz_grpc\n" +
		mysqlShopWorkload + `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: CUSTOM
` + provider + `  rules: [{}]
`
}

// customAccepted reports whether ap is a CUSTOM policy with a provider
// that the webhook accepts as far as MR357 cares: checkDryRunAnnotation
// (pkg/config/validation/validation.go) rejects the istio.io/dry-run
// annotation, whatever its value, on any action but ALLOW and DENY.
func customAccepted(ap *graph.AuthorizationPolicy) bool {
	_, dry := ap.Obj.Annotations["istio.io/dry-run"]
	return ap.Spec.Action.V == "CUSTOM" && ap.Spec.Provider != nil && !dry
}

func runAuthzCustomHTTPProviderOnTCP(p *rules.Pass) error {
	g := p.Graph
	m := g.Mesh
	if !m.ProvidersKnown {
		return nil
	}
	selected := authorizationWorkloads(p)
	// The providers of the CUSTOM policies of each workload: with more
	// than one, buildTCP programs deny rules in their place (MR315's
	// finding), not the ignored filter.
	providers := map[*graph.Workload]map[string]bool{}
	for i, ap := range g.AuthorizationPolicies {
		if !customAccepted(ap) || ap.Spec.Provider.Name.V == "" || !selected[i].ok {
			continue
		}
		for _, w := range selected[i].ws {
			if providers[w] == nil {
				providers[w] = map[string]bool{}
			}
			providers[w][ap.Spec.Provider.Name.V] = true
		}
	}
	lk := p.Lookup()
	ports := map[*graph.Workload]inboundPorts{}
	for i, ap := range g.AuthorizationPolicies {
		if !customAccepted(ap) || !selected[i].ok {
			continue
		}
		name := ap.Spec.Provider.Name
		if pr, ok := m.Provider(name.V, false); !ok || pr.Type != "envoy_ext_authz_http" {
			continue
		}
		var rps []tcpRulePorts
		for ri := range ap.Spec.Rules {
			if rp := portsOf(&ap.Spec.Rules[ri]); rp.ok {
				rps = append(rps, rp)
			}
		}
		covers := func(n int64) bool {
			return slices.ContainsFunc(rps, func(rp tcpRulePorts) bool { return rp.applies(n) })
		}
		var ws []*graph.Workload
		for _, w := range rules.Distinct(p, selected[i].ws) {
			if w.Sidecar && !w.MayRunGatewayProxy() && len(providers[w]) == 1 {
				ws = append(ws, w)
			}
		}
		slices.SortFunc(ws, func(a, b *graph.Workload) int {
			return strings.Compare(a.Namespace()+"/"+a.Name(), b.Namespace()+"/"+b.Name())
		})
		allTCP := true
		var at *graph.Workload
		var atPort tcpPort
		var atN int64
		for _, w := range ws {
			in, ok := ports[w]
			if !ok {
				in = workloadInboundPorts(p, w, lk.ServicesSelecting(w))
				ports[w] = in
			}
			if in.unknown {
				allTCP = false
			}
			for _, n := range sortedTCPPorts(in) {
				if covers(n) && at == nil {
					at, atPort, atN = w, in.tcp[n], n
				}
			}
			for n := range in.other {
				if covers(n) {
					allTCP = false
				}
			}
		}
		if at == nil {
			reportSniffedPort(p, ap, ws, ports, lk, covers)
			continue
		}
		effect := "the policy guards nothing there"
		if !allTCP {
			effect = "the policy guards only the HTTP ports it covers"
		}
		f := p.Reportf(ap.Obj, name.Loc, "provider %q of this CUSTOM policy is an HTTP external authorizer (envoyExtAuthzHttp), which has no TCP filter: Istio ignores the policy on TCP filter chains, so connections to port %d of workload %s/%s, served as TCP (%s), never reach the authorizer and %s; use an envoyExtAuthzGrpc provider, or guard the TCP ports with ALLOW or DENY policies",
			name.V, atN, at.Namespace(), at.Name(), atPort.source(), effect)
		atPort.relate(f)
		if !allTCP {
			f.AtMost(rules.Warning)
		}
	}
	return nil
}

// httpListenerProtocols are the protocols of Istio's protocol.Parse that
// ModelProtocolToListenerProtocol serves as HTTP alone: a port of these
// gets no TCP filter chain.
var httpListenerProtocols = map[string]bool{
	"http": true, "http2": true, "grpc": true, "grpc-web": true, "http_proxy": true,
}

// sniffedPort is a port of a workload whose protocol Istio sniffs, with
// what declares it without a protocol: a Service port, an ingress
// listener of a Sidecar, or a container port.
type sniffedPort struct {
	what string
	obj  *manifest.Object
	loc  manifest.Loc
}

// sniffedPortOf tells whether port n, which the sidecar of w serves but
// not as TCP, is sniffed, and what declares it. The inbound listener
// gives a port of unknown protocol (ListenerProtocolAuto) an HTTP filter
// chain and a TCP one (getFilterChainMatchOptions,
// pilot/pkg/networking/core/filterchain_options.go), and so do the
// passthrough chains that take the ports no Service or ingress listener
// declares.
func sniffedPortOf(p *rules.Pass, w *graph.Workload, svcs []*graph.Service, n int64) (sniffedPort, bool) {
	if sc := sidecarOf(p.Graph, w); sc != nil && len(sc.Spec.Ingress) > 0 {
		for _, il := range sc.Spec.Ingress {
			pt := il.Port
			if pt == nil || pt.Number.V != n || strings.EqualFold(pt.Protocol.V, "UDP") {
				continue
			}
			// The first listener of a port wins, as in workloadInboundPorts.
			if httpListenerProtocols[strings.ToLower(pt.Protocol.V)] {
				return sniffedPort{}, false
			}
			return sniffedPort{fmt.Sprintf("Sidecar %s/%s ingress port %d, without a protocol", sc.Namespace(), sc.Name(), n), sc.Obj, pt.Number.Loc}, true
		}
		// No listener: the passthrough chains take the port.
		return sniffedPort{fmt.Sprintf("port %d, which no ingress listener of Sidecar %s/%s declares", n, sc.Namespace(), sc.Name()), sc.Obj, sc.Obj.KindLoc}, true
	}
	var first *sniffedPort
	for _, s := range svcs {
		for _, sp := range s.Spec.Ports {
			if strings.EqualFold(sp.Protocol.V, "UDP") || graph.TargetPort(sp, w) != n {
				continue
			}
			if httpListenerProtocols[graph.PortProtocol(sp)] {
				return sniffedPort{}, false
			}
			if first == nil {
				first = &sniffedPort{fmt.Sprintf("Service %s/%s port %s, without a protocol", s.Namespace(), s.Name(), portLabel(sp)), s.Obj, sp.Loc}
			}
		}
	}
	if first != nil {
		return *first, true
	}
	for c := range w.ServingContainers() {
		for _, cp := range c.Ports {
			if cp.ContainerPort.V == n && !strings.EqualFold(cp.Protocol.V, "UDP") {
				return sniffedPort{fmt.Sprintf("container port %d, which no Service names", n), w.Obj, cp.ContainerPort.Loc}, true
			}
		}
	}
	return sniffedPort{}, false
}

// reportSniffedPort reports a CUSTOM policy of an HTTP provider that
// covers no TCP port but a sniffed one: the connections Istio does not
// detect as HTTP take the TCP filter chain, where buildTCP skips the
// policy. In STRICT mode that includes HTTP requests a client's sidecar
// sent as TCP (inboundStrictFilterChainMatchOptions matches the HTTP
// chain on the client's istio-http ALPN only). The policy still checks
// what is detected as HTTP, and a name fixes it: a warning.
func reportSniffedPort(p *rules.Pass, ap *graph.AuthorizationPolicy, ws []*graph.Workload, ports map[*graph.Workload]inboundPorts, lk *graph.Lookup, covers func(int64) bool) {
	for _, w := range ws {
		in := ports[w]
		ns := make([]int64, 0, len(in.other))
		for n := range in.other {
			if covers(n) {
				ns = append(ns, n)
			}
		}
		slices.Sort(ns)
		for _, n := range ns {
			sp, ok := sniffedPortOf(p, w, lk.ServicesSelecting(w), n)
			if !ok {
				continue
			}
			name := ap.Spec.Provider.Name
			f := p.Reportf(ap.Obj, name.Loc, "provider %q of this CUSTOM policy is an HTTP external authorizer (envoyExtAuthzHttp), which has no TCP filter: port %d of workload %s/%s has no declared protocol (%s), so Istio sniffs it, and the connections it does not detect as HTTP (non-HTTP ones, or mTLS connections that the client's sidecar opened as TCP) take a TCP filter chain where it ignores the policy: they never reach the authorizer; declare the port HTTP (a name http-<suffix>, appProtocol: http, or the protocol of a Sidecar ingress listener), or use an envoyExtAuthzGrpc provider",
				name.V, n, w.Namespace(), w.Name(), sp.what)
			f.Relate(sp.obj, sp.loc, "port without a protocol, sniffed")
			f.AtMost(rules.Warning)
			return
		}
	}
}

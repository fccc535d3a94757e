package security

import (
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
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
the ingress listener of a Sidecar that selects it; sniffed ports may carry HTTP and do not count.
It is an error when every port the policy covers is TCP, where it was meant to guard those
ports, and a warning when it covers HTTP ports too.

Only workloads with a sidecar are judged, gateway pods are left out (their listeners follow the
Gateway servers), and so are workloads that take CUSTOM policies of several providers, for which
istiod programs deny rules instead (authz-custom-provider-unknown, MR315). The rule needs the
mesh's providers, from the MeshConfig given with ` + "`--mesh-config`" + ` (or ` + "`mesh-config`" + ` in
.meshlint.yaml). A dry-run policy is reported as a warning.

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

func runAuthzCustomHTTPProviderOnTCP(p *rules.Pass) error {
	g := p.Graph
	m := g.Mesh
	if !m.ProvidersKnown {
		return nil
	}
	selected := authorizationWorkloads(p)
	// The providers of the CUSTOM policies of each workload, dry-run ones
	// included: buildTCP takes both, and with more than one programs deny
	// rules in their place (MR315's finding), not the ignored filter.
	providers := map[*graph.Workload]map[string]bool{}
	for i, ap := range g.AuthorizationPolicies {
		if ap.Spec.Action.V != "CUSTOM" || ap.Spec.Provider == nil || ap.Spec.Provider.Name.V == "" || !selected[i].ok {
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
		if ap.Spec.Action.V != "CUSTOM" || ap.Spec.Provider == nil || !selected[i].ok {
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
			continue
		}
		_, dry := dryRunWords(ap, "", "")
		effect := "the policy guards nothing there"
		if !allTCP {
			effect = "the policy guards only the HTTP ports it covers"
		}
		f := p.Reportf(ap.Obj, name.Loc, "provider %q of this CUSTOM policy is an HTTP external authorizer (envoyExtAuthzHttp), which has no TCP filter: Istio ignores the policy on TCP filter chains, so connections to port %d of workload %s/%s, served as TCP (%s), never reach the authorizer and %s; use an envoyExtAuthzGrpc provider, or guard the TCP ports with ALLOW or DENY policies%s",
			name.V, atN, at.Namespace(), at.Name(), atPort.source(), effect, dry)
		atPort.relate(f)
		if !allTCP || ap.DryRun() {
			f.AtMost(rules.Warning)
		}
	}
	return nil
}

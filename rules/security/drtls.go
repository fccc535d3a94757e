package security

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// DRTLSConflictsStrict reports DestinationRule TLS modes that a STRICT
// server rejects.
var DRTLSConflictsStrict = &rules.Rule{
	ID:      "MR303",
	Name:    "dr-tls-conflicts-strict",
	Summary: "client TLS mode DISABLE or SIMPLE towards workloads that require STRICT mTLS",
	Doc: `A DestinationRule's ` + "`tls.mode`" + ` decides what the client sidecar sends. With ` + "`DISABLE`" + ` it
sends plaintext, and with ` + "`SIMPLE`" + ` it originates TLS without the mesh client certificate.
A server whose PeerAuthentication mode is STRICT accepts Istio mutual TLS only, so it resets
both: clients see ` + "`503 UC`" + ` or "connection reset by peer". A ` + "`tls`" + ` block without a mode means
DISABLE as well. Leaving ` + "`tls`" + ` out lets Istio's auto mTLS pick mutual TLS on its own.

The rule follows Istio's precedence on the client side (a subset's port-level setting, then the
subset's, then the DestinationRule's port-level setting, then its top-level one; a port-level
setting replaces the whole policy for its port, so one without ` + "`tls`" + ` leaves that port to auto
mTLS whatever the policy's ` + "`tls`" + ` says), maps each
Service port to the workload's target port (named target ports included), and takes the
server's mode from PeerAuthentication precedence (workload port, workload, namespace, mesh).
It reports a mode value only when the Service is in the input and one of its workloads with a
sidecar is STRICT on that port, and only for a DestinationRule that Istio would really use for
the host (not one shadowed by a more specific host or by lookup order). The finding is at the
mode value and points to the PeerAuthentication mode that makes the server STRICT.

Fix it with ` + "`mode: ISTIO_MUTUAL`" + `, or remove the ` + "`tls`" + ` block; if the server must accept
plaintext, make its PeerAuthentication PERMISSIVE for that port instead.`,
	Bad:      drTLSExample("DISABLE"),
	Good:     drTLSExample("ISTIO_MUTUAL"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.DestinationRule, kinds.PeerAuthentication, kinds.Service, kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.Pod},
	Related:  []string{"KIA0207", "KIA0208"},
	Deps:     rules.DepNS | rules.DepINJ | rules.DepROOT | rules.DepHOST | rules.DepTGT | rules.DepDR | rules.DepOrder,
	Run:      runDRTLSConflictsStrict,
}

// drTLSExample is a STRICT Service, shop/reviews, and a DestinationRule
// that sets client TLS mode towards it: the examples of MR303.
func drTLSExample(mode string) string {
	return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls: {mode: STRICT}
---
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
spec:
  selector: {app: reviews}
  ports:
  - {name: http, port: 9080}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews
  namespace: shop
spec:
  selector:
    matchLabels: {app: reviews}
  template:
    metadata:
      labels: {app: reviews, sidecar.istio.io/inject: "true"}
    spec:
      containers:
      - name: reviews
        image: reviews:1
        ports: [{containerPort: 9080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews
  trafficPolicy:
    tls: {mode: ` + mode + `}
`
}

// tlsSite is one place of a DestinationRule that sets a client TLS mode,
// with the traffic it governs.
type tlsSite struct {
	tls *spec.ClientTLS
	// subset limits the site to the subset's workloads; nil for all.
	subset *spec.Subset
	// setting is the index of a port-level setting, -1 for a policy's
	// general setting.
	setting int
	// port is the service port of a port-level setting, 0 for a policy's
	// general setting, which then governs the ports not in skip.
	port int64
	skip map[int64]bool
}

// where prefixes the message: "", `subset "v1": `,
// "portLevelSettings[0] (port 9080): "... It is built on demand because
// rules list the sites of every DestinationRule and report few.
func (s tlsSite) where() string {
	prefix := ""
	if s.subset != nil {
		prefix = fmt.Sprintf("subset %q: ", s.subset.Name.V)
	}
	if s.setting >= 0 {
		return fmt.Sprintf("%sportLevelSettings[%d] (port %d): ", prefix, s.setting, s.port)
	}
	return prefix
}

// mode is the effective mode: a tls block without mode is DISABLE, the
// proto's zero value.
func (s tlsSite) mode() string {
	if !s.tls.Mode.Set {
		return "DISABLE"
	}
	return s.tls.Mode.V
}

func (s tlsSite) loc() spec.Loc {
	if !s.tls.Mode.Set {
		return s.tls.Loc
	}
	return s.tls.Mode.Loc
}

// conflict is one STRICT server port a site's mode breaks.
type conflict struct {
	svc      *graph.Service
	port     spec.ServicePort
	target   int64
	workload *graph.Workload
	mtls     graph.MTLS
}

func runDRTLSConflictsStrict(p *rules.Pass) error {
	g := p.Graph
	eachSiteServices(p, tlsSite.withoutMeshCert, func(dr *graph.DestinationRule, site tlsSite, svcs []*graph.Service) {
		var found []conflict
		hosts := map[string]bool{}
		for _, s := range svcs {
			if c, ok := siteConflict(g, site, s); ok {
				found = append(found, c)
				hosts[s.Host] = true
			}
		}
		if len(found) > 0 {
			reportConflict(p, dr, site, found[0], len(hosts)-1)
		}
	})
	return nil
}

// withoutMeshCert reports whether the site's mode sends no mesh client
// certificate (DISABLE or SIMPLE): a server that requires mutual TLS
// (STRICT) resets its connections.
func (s tlsSite) withoutMeshCert() bool {
	m := s.mode()
	return m == "DISABLE" || m == "SIMPLE"
}

// eachSiteServices calls f for each site of each DestinationRule that keep
// accepts, with the Services Istio really uses the rule for (drServices),
// listed only for the rules that have such a site.
func eachSiteServices(p *rules.Pass, keep func(tlsSite) bool, f func(dr *graph.DestinationRule, site tlsSite, svcs []*graph.Service)) {
	lk, sites := p.Lookup(), allTLSSites(p)
	for i, dr := range p.Graph.DestinationRules {
		var svcs []*graph.Service
		listed := false
		for _, site := range sites[i] {
			if !keep(site) {
				continue
			}
			if !listed {
				svcs, listed = drServices(lk, dr), true
			}
			f(dr, site, svcs)
		}
	}
}

type sitesKey struct{}

// allTLSSites returns tlsSites of every DestinationRule, in the order of
// Graph.DestinationRules, listed once per run for the rules that read them.
// Do not modify it.
func allTLSSites(p *rules.Pass) [][]tlsSite {
	return p.Memo(sitesKey{}, func() any {
		out := make([][]tlsSite, len(p.Graph.DestinationRules))
		for i, dr := range p.Graph.DestinationRules {
			out[i] = tlsSites(dr)
		}
		return out
	}).([][]tlsSite)
}

// tlsSites lists the TLS settings of a DestinationRule in Istio's order of
// precedence within each policy.
func tlsSites(dr *graph.DestinationRule) []tlsSite {
	var out []tlsSite
	add := func(tp *spec.TrafficPolicy, subset *spec.Subset) {
		if tp == nil {
			return
		}
		var skip map[int64]bool
		for i, pl := range tp.PortLevelSettings {
			if pl.Port == nil {
				continue
			}
			// A port-level setting replaces the whole policy for its port
			// and inherits nothing (Istio's GetPortLevelTrafficPolicy):
			// without tls of its own, the port is left to auto mTLS
			// whatever the policy's tls says.
			if skip == nil {
				skip = map[int64]bool{}
			}
			skip[pl.Port.Number.V] = true
			if pl.TLS != nil {
				out = append(out, tlsSite{tls: pl.TLS, subset: subset, setting: i, port: pl.Port.Number.V})
			}
		}
		if tp.TLS != nil {
			out = append(out, tlsSite{tls: tp.TLS, subset: subset, setting: -1, skip: skip})
		}
	}
	add(dr.Spec.TrafficPolicy, nil)
	for i := range dr.Spec.Subsets {
		ss := &dr.Spec.Subsets[i]
		add(ss.TrafficPolicy, ss)
	}
	return out
}

// drServices lists, sorted by host, the Services with workloads whose host
// dr matches and for which Istio really uses dr.
func drServices(lk *graph.Lookup, dr *graph.DestinationRule) []*graph.Service {
	var svcs []*graph.Service
	for _, s := range lk.ServicesMatching(dr.Host) {
		if len(s.Workloads) > 0 && inUse(lk, dr, s.Host) {
			svcs = append(svcs, s)
		}
	}
	slices.SortStableFunc(svcs, func(a, b *graph.Service) int { return strings.Compare(a.Host, b.Host) })
	return svcs
}

// servicePorts returns the ports of s, or a single zero port for a headless
// Service without ports: the workload as a whole.
func servicePorts(s *graph.Service) []spec.ServicePort {
	if len(s.Spec.Ports) == 0 {
		return []spec.ServicePort{{}}
	}
	return s.Spec.Ports
}

// governsPort reports whether the site governs service port sp.
func (s tlsSite) governsPort(sp spec.ServicePort) bool {
	if s.port != 0 {
		return sp.Port.V == s.port
	}
	return !s.skip[sp.Port.V]
}

// governsWorkload reports whether the site's subset, if any, selects w.
func (s tlsSite) governsWorkload(w *graph.Workload) bool {
	return s.subset == nil || labels.SubsetOf(s.subset.Labels, w.Labels)
}

// servers yields the ports of service svc that the site governs, each with
// every workload of svc that it governs, ports first.
func (s tlsSite) servers(svc *graph.Service) iter.Seq2[spec.ServicePort, *graph.Workload] {
	return func(yield func(spec.ServicePort, *graph.Workload) bool) {
		for _, sp := range servicePorts(svc) {
			if !s.governsPort(sp) {
				continue
			}
			for _, w := range svc.Workloads {
				if s.governsWorkload(w) && !yield(sp, w) {
					return
				}
			}
		}
	}
}

// serverMTLS returns the target port of service port sp on workload w (0
// for the zero port of a Service without ports: the workload as a whole)
// and the effective mTLS of w there.
func serverMTLS(g *graph.Graph, sp spec.ServicePort, w *graph.Workload) (int64, graph.MTLS) {
	target := int64(0)
	if sp.Port.Set {
		target = graph.TargetPort(sp, w)
	}
	return target, g.EffectiveMTLS(w, target)
}

// inUse reports whether Istio picks dr for host h for some client: a more
// specific host, or a rule found earlier in the lookup order, shadows it.
// A rule with a workloadSelector applies to the workloads it selects.
func inUse(lk *graph.Lookup, dr *graph.DestinationRule, h string) bool {
	return dr.Spec.WorkloadSelector != nil || lk.DestinationRuleUsed(dr, h)
}

// siteConflict finds the first workload port of service s, governed by the
// site, that requires STRICT mTLS.
func siteConflict(g *graph.Graph, site tlsSite, s *graph.Service) (conflict, bool) {
	for sp, w := range site.servers(s) {
		if !w.Sidecar {
			continue
		}
		if target, m := serverMTLS(g, sp, w); m.Mode == "STRICT" {
			return conflict{svc: s, port: sp, target: target, workload: w, mtls: m}, true
		}
	}
	return conflict{}, false
}

func reportConflict(p *rules.Pass, dr *graph.DestinationRule, site tlsSite, c conflict, more int) {
	var sends string
	switch {
	case !site.tls.Mode.Set:
		sends = "tls without a mode means DISABLE and sends plaintext"
	case site.mode() == "DISABLE":
		sends = "tls mode DISABLE sends plaintext"
	default:
		sends = "tls mode SIMPLE originates TLS without the mesh client certificate"
	}
	to := c.svc.Host
	if c.port.Port.Set {
		to += fmt.Sprintf(" port %d", c.port.Port.V)
		if c.target != 0 && c.target != c.port.Port.V {
			to += fmt.Sprintf(" (target port %d)", c.target)
		}
	}
	if more > 0 {
		to += " (and " + wording.Count(more, "more host", "more hosts") + ")"
	}
	w := c.workload
	f := p.Reportf(dr.Obj, site.loc(), "%s%s to %s, but %s %s/%s requires mutual TLS (STRICT): the connection is reset (503)",
		site.where(), sends, to, w.Obj.Kind, w.Namespace(), w.Name())
	if pa := c.mtls.Policy; pa != nil {
		f.Relate(pa.Obj, c.mtls.Loc, "STRICT set by PeerAuthentication %s/%s", pa.Namespace(), pa.Name())
	}
}

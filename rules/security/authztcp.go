package security

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// AuthzHTTPFieldsOnTCP reports AuthorizationPolicy rules whose HTTP-only
// fields Istio drops on the TCP ports they apply to.
var AuthzHTTPFieldsOnTCP = &rules.Rule{
	ID:      "MR355",
	Name:    "authz-http-fields-on-tcp",
	Summary: "authorization rule uses HTTP-only fields on ports that Istio serves as TCP",
	Doc: `On a port that Istio serves as TCP, the authorization filter sees connections, not requests: it
cannot read ` + "`hosts`" + `, ` + "`methods`" + `, ` + "`paths`" + ` (and their ` + "`not`" + ` forms), ` + "`requestPrincipals`" + `,
` + "`notRequestPrincipals`" + `, or the ` + "`when`" + ` keys ` + "`request.headers[...]`" + `, ` + "`request.auth.principal`" + `,
` + "`request.auth.audiences`" + `, ` + "`request.auth.presenter`" + ` and ` + "`request.auth.claims[...]`" + `. In istiod's
authorization model (pilot/pkg/security/authz/model), the generators of these fields fail with
"is HTTP only" on the TCP filter chain, and ` + "`checkError`" + ` decides what follows:

- an **ALLOW** rule with such a field is dropped whole from the TCP filter chain: it never matches
  there, and the connections it was meant to let in are refused unless another rule allows them
  (warning);
- a **DENY** rule loses the field and denies more: with nothing left but ports, it denies every
  connection on the port, as the API reference warns for its own ` + "`methods`" + ` example (error); with
  other conditions left (a source namespace, an IP block), every connection that they match,
  whatever the path, method or token (warning).

AUDIT rules widen the same way, which only logs more, and CUSTOM rules send more connections to
the external authorizer, which decides: neither is reported.

A port is TCP when a Service that selects the workload names it ` + "`tcp`" + `, ` + "`tls`" + `, ` + "`https`" + `, ` + "`mongo`" + `, ` + "`mysql`" + `
or ` + "`redis`" + ` (as ` + "`<protocol>[-<suffix>]`" + ` or by ` + "`appProtocol`" + `), or it is 25, 53, 3306 or 27017 with
neither: a sidecar's inbound listener serves these without HTTP (TLS and HTTPS pass through to the
application). When the workload's Sidecar (one of its namespace that selects it, else the
namespace's default, else the root namespace's) has ` + "`ingress`" + ` listeners, istiod builds the inbound
listeners from them instead of the Services: a port is TCP when its listener's protocol is one of
those, and the Service ports without a listener are sniffed. Ports without a protocol are sniffed
and may carry HTTP: they never count as TCP, and neither do ports the pod declares that no Service
names; ports that the sidecar does not capture
(` + "`traffic.sidecar.istio.io/includeInboundPorts`" + `, ` + "`excludeInboundPorts`" + `) see no policy at all. An ALLOW rule is reported when every port
it applies to (its ` + "`to.operation.ports`" + ` and ` + "`destination.port`" + ` conditions, else every port of
the selected workloads) is TCP, so a rule that serves an HTTP port of the same workloads is left
alone; or when one of its ` + "`to`" + ` entries allows a TCP port without HTTP-only fields, and another
entry's HTTP-only field makes Istio drop the rule on that port too. A DENY rule is reported when
it applies to a TCP port, whatever the other ports, since the connections on that port are
denied (the message names one such port). Only workloads with a sidecar are judged (ztunnel and waypoints decide otherwise), and
gateway pods are left out (their listeners follow the Gateway servers, not the Service ports).
A dry-run policy (` + "`istio.io/dry-run`" + `) is reported as what it would do, as a warning.

Scope the rule to the HTTP ports with ` + "`to.operation.ports`" + `, or split it: one rule with the
HTTP-only fields for the HTTP ports, one with the connection-level fields (` + "`principals`" + `,
` + "`namespaces`" + `, ` + "`ipBlocks`" + `, ` + "`ports`" + `) for the TCP ones.`,
	Bad: authzTCPExample(`  - to:
    - operation: {methods: [GET]}
`),
	Good: authzTCPExample(`  - from:
    - source: {principals: [cluster.local/ns/shop/sa/orders]}
`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy, kinds.Service, kinds.Sidecar, kinds.Deployment, kinds.Pod},
	Deps:     rules.DepINJ | rules.DepROOT | rules.DepWIDE,
	Run:      runAuthzHTTPFieldsOnTCP,
}

// authzTCPExample is an ALLOW policy with rules for the MySQL database of
// shop, served on a TCP port: the examples of MR355.
func authzTCPExample(rules string) string {
	return mysqlShopWorkload + `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: ALLOW
  rules:
` + rules
}

// tcpListenerProtocols are the protocols of Istio's protocol.Parse that
// ModelProtocolToListenerProtocol (pilot/pkg/networking) serves as TCP.
var tcpListenerProtocols = map[string]bool{
	"tcp": true, "tls": true, "https": true, "mongo": true, "mysql": true, "redis": true,
}

// servedAsTCP reports whether a sidecar serves Service port p as TCP:
// the protocol Istio reads from it (graph.PortProtocol, ConvertProtocol)
// is one ModelProtocolToListenerProtocol serves as TCP.
func servedAsTCP(p spec.ServicePort) bool {
	return tcpListenerProtocols[graph.PortProtocol(p)]
}

// tcpPort is a port of a workload that its sidecar serves as TCP, with the
// Service port that says so, or the ingress listener of its Sidecar.
type tcpPort struct {
	svc     *graph.Service
	port    spec.ServicePort
	sidecar *graph.Sidecar
	ingress *spec.Port
}

// source names what makes the port TCP, for messages.
func (tp tcpPort) source() string {
	if tp.sidecar != nil {
		return fmt.Sprintf("Sidecar %s/%s ingress port %d (%s)", tp.sidecar.Namespace(), tp.sidecar.Name(), tp.ingress.Number.V, tp.ingress.Protocol.V)
	}
	return fmt.Sprintf("Service %s/%s port %s", tp.svc.Namespace(), tp.svc.Name(), portLabel(tp.port))
}

// relate points finding f at what makes the port TCP.
func (tp tcpPort) relate(f *rules.Finding) {
	if tp.sidecar != nil {
		loc := tp.ingress.Protocol.Loc
		if loc.IsZero() {
			loc = tp.ingress.Number.Loc
		}
		f.Relate(tp.sidecar.Obj, loc, "port served as TCP")
		return
	}
	f.Relate(tp.svc.Obj, tp.port.Loc, "port served as TCP")
}

// inboundPorts are the ports a workload's sidecar serves.
type inboundPorts struct {
	// tcp maps the port numbers that every Service naming them serves as
	// TCP to the first such Service port; other maps the rest (HTTP,
	// sniffed, or declared by a container only).
	tcp   map[int64]tcpPort
	other map[int64]bool
	// unknown is true when a port's number cannot be told (a named
	// targetPort the pod does not declare), or the workload shows none.
	unknown bool
}

// workloadInboundPorts collects the ports of w's pods that its sidecar
// intercepts: the targetPorts of the Services that select it and the
// ports its containers declare, less those the interception annotations
// leave out. When the Sidecar of w has ingress listeners, istiod builds
// the inbound listeners from them alone (buildInboundChainConfigs, with
// PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE off by default):
// their ports take the protocol the listener names, the first listener of
// a port wins, and the Service ports without one reach the passthrough
// filter chains, which sniff the protocol like an unnamed port.
func workloadInboundPorts(p *rules.Pass, w *graph.Workload, svcs []*graph.Service) inboundPorts {
	in := inboundPorts{tcp: map[int64]tcpPort{}, other: map[int64]bool{}}
	captured := inboundCapture(w)
	sc := sidecarOf(p.Graph, w)
	byIngress := sc != nil && len(sc.Spec.Ingress) > 0
	if byIngress {
		for _, il := range sc.Spec.Ingress {
			pt := il.Port
			if pt == nil || pt.Number.V == 0 || strings.EqualFold(pt.Protocol.V, "UDP") {
				continue
			}
			n := pt.Number.V
			if _, ok := in.tcp[n]; ok || in.other[n] || !captured(n) {
				continue
			}
			// protocol.Parse reads the name whole, case aside; a name it
			// does not know is sniffed.
			if tcpListenerProtocols[strings.ToLower(pt.Protocol.V)] {
				in.tcp[n] = tcpPort{sidecar: sc, ingress: pt}
			} else {
				in.other[n] = true
			}
		}
	}
	for _, s := range svcs {
		for _, sp := range s.Spec.Ports {
			if strings.EqualFold(sp.Protocol.V, "UDP") {
				continue
			}
			n := graph.TargetPort(sp, w)
			if n == 0 {
				in.unknown = true
				continue
			}
			if !captured(n) {
				continue
			}
			if byIngress {
				// A port no ingress listener declares goes to the
				// passthrough chains, which sniff it.
				if _, ok := in.tcp[n]; !ok {
					in.other[n] = true
				}
				continue
			}
			if !servedAsTCP(sp) {
				in.other[n] = true
				delete(in.tcp, n)
				continue
			}
			if _, ok := in.tcp[n]; !ok && !in.other[n] {
				in.tcp[n] = tcpPort{svc: s, port: sp}
			}
		}
	}
	for c := range w.ServingContainers() {
		if c.Name.V == "istio-proxy" {
			continue
		}
		for _, cp := range c.Ports {
			n := cp.ContainerPort.V
			if _, ok := in.tcp[n]; ok || !captured(n) || strings.EqualFold(cp.Protocol.V, "UDP") {
				continue
			}
			in.other[n] = true
		}
	}
	if len(in.tcp) == 0 && len(in.other) == 0 {
		in.unknown = true
	}
	return in
}

// inboundCapture reads the sidecar's inbound interception annotations
// (traffic.sidecar.istio.io/includeInboundPorts, excludeInboundPorts): a
// port they leave out reaches the application without passing the
// sidecar's filters, whose authorization then never applies.
func inboundCapture(w *graph.Workload) func(int64) bool {
	ann := w.Spec.Metadata.Annotations
	list := func(key string) (map[int64]bool, bool) {
		v, ok := ann[key]
		if !ok || strings.TrimSpace(v) == "*" {
			return nil, false
		}
		out := map[int64]bool{}
		for f := range strings.SplitSeq(v, ",") {
			if n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
				out[n] = true
			}
		}
		return out, true
	}
	include, onlyIncluded := list("traffic.sidecar.istio.io/includeInboundPorts")
	exclude, _ := list("traffic.sidecar.istio.io/excludeInboundPorts")
	return func(n int64) bool {
		return (!onlyIncluded || include[n]) && !exclude[n]
	}
}

// sidecarOf returns the Sidecar whose configuration w's sidecar takes, as
// doGetSidecarScope (pilot/pkg/model/push_context.go) picks it: one of
// w's namespace whose workloadSelector w's labels match, else the one of
// its namespace without a workloadSelector, else the one of the root
// namespace without one; nil when there is none. Istio orders Sidecars of
// one kind by creation time, which the input does not tell: the first by
// name stands for it (two Sidecars for one workload are reported by
// MR702 and MR703).
func sidecarOf(g *graph.Graph, w *graph.Workload) *graph.Sidecar {
	var selecting, plain, root *graph.Sidecar
	first := func(cur, sc *graph.Sidecar) *graph.Sidecar {
		if cur == nil || sc.Name() < cur.Name() {
			return sc
		}
		return cur
	}
	for _, sc := range g.Sidecars {
		ws := sc.Spec.WorkloadSelector
		switch {
		case sc.Namespace() == w.Namespace() && ws != nil:
			if labels.SubsetOf(ws.Labels, w.Labels) {
				selecting = first(selecting, sc)
			}
		case sc.Namespace() == w.Namespace():
			plain = first(plain, sc)
		case sc.Namespace() == g.Mesh.RootNamespace && ws == nil:
			root = first(root, sc)
		}
	}
	return cmp.Or(selecting, plain, root)
}

// httpOnlyField is one HTTP-only field or condition of a policy rule.
type httpOnlyField struct {
	path string
	loc  manifest.Loc
	// to is the index of the to entry that holds it, -1 for a from entry
	// or a when condition.
	to int
}

// httpOnlyFields lists the HTTP-only fields of a rule, in spec order:
// those whose generators in istiod's authz model return "is HTTP only"
// for the TCP filter chain.
func httpOnlyFields(i int, r *spec.AuthzRule) []httpOnlyField {
	var out []httpOnlyField
	add := func(to int, path string, vs []spec.Str) {
		if len(vs) > 0 {
			out = append(out, httpOnlyField{path, vs[0].Loc, to})
		}
	}
	for j, f := range r.From {
		if s := f.Source; s != nil {
			at := fmt.Sprintf("rules[%d].from[%d].source.", i, j)
			add(-1, at+"requestPrincipals", s.RequestPrincipals)
			add(-1, at+"notRequestPrincipals", s.NotRequestPrincipals)
		}
	}
	for j, t := range r.To {
		if o := t.Operation; o != nil {
			at := fmt.Sprintf("rules[%d].to[%d].operation.", i, j)
			add(j, at+"hosts", o.Hosts)
			add(j, at+"notHosts", o.NotHosts)
			add(j, at+"methods", o.Methods)
			add(j, at+"notMethods", o.NotMethods)
			add(j, at+"paths", o.Paths)
			add(j, at+"notPaths", o.NotPaths)
		}
	}
	for j, c := range r.When {
		if httpOnlyKey(c.Key.V) {
			at := fmt.Sprintf("rules[%d].when[%d] (%s)", i, j, c.Key.V)
			add(-1, at, c.Values)
			add(-1, at, c.NotValues)
		}
	}
	return out
}

func httpOnlyKey(k string) bool {
	switch k {
	case "request.auth.principal", "request.auth.audiences", "request.auth.presenter":
		return true
	}
	return strings.HasPrefix(k, "request.headers") || strings.HasPrefix(k, "request.auth.claims")
}

// tcpRulePorts tells which destination ports a rule applies to, from its
// to entries' ports and notPorts and its destination.port conditions. ok
// is false when a port value is no number: istiod rejects the rule.
type tcpRulePorts struct {
	r  *spec.AuthzRule
	ok bool
	// explicit lists the only ports the rule can apply to, when its
	// ports or conditions name them.
	explicit []int64
}

func portsOf(r *spec.AuthzRule) tcpRulePorts {
	rp := tcpRulePorts{r: r, ok: true}
	parse := func(vs []spec.Str) []int64 {
		var out []int64
		for _, v := range vs {
			n, err := strconv.ParseInt(v.V, 10, 64)
			if err != nil {
				rp.ok = false
			}
			out = append(out, n)
		}
		return out
	}
	var fromTo []int64
	everyEntryNamesPorts := len(r.To) > 0
	for _, t := range r.To {
		if t.Operation == nil || len(t.Operation.Ports) == 0 {
			everyEntryNamesPorts = false
		}
		if t.Operation != nil {
			fromTo = append(fromTo, parse(t.Operation.Ports)...)
			parse(t.Operation.NotPorts)
		}
	}
	var fromWhen []int64
	whenNamesPorts := false
	for _, c := range r.When {
		if c.Key.V == "destination.port" {
			if len(c.Values) > 0 {
				whenNamesPorts = true
				fromWhen = append(fromWhen, parse(c.Values)...)
			}
			parse(c.NotValues)
		}
	}
	switch {
	case whenNamesPorts:
		rp.explicit = fromWhen
	case everyEntryNamesPorts:
		rp.explicit = fromTo
	}
	slices.Sort(rp.explicit)
	rp.explicit = slices.Compact(rp.explicit)
	return rp
}

// entryApplies reports whether to entry j of the rule applies to port n.
func entryApplies(t *spec.AuthzOperation, n int64) bool {
	if t == nil {
		return true
	}
	return (len(t.Ports) == 0 || hasPort(t.Ports, n)) && !hasPort(t.NotPorts, n)
}

// whenApplies reports whether the destination.port conditions of the
// rule hold for port n.
func (rp tcpRulePorts) whenApplies(n int64) bool {
	for _, c := range rp.r.When {
		if c.Key.V != "destination.port" {
			continue
		}
		if len(c.Values) > 0 && !hasPort(c.Values, n) || hasPort(c.NotValues, n) {
			return false
		}
	}
	return true
}

// applies reports whether the rule applies to port n.
func (rp tcpRulePorts) applies(n int64) bool {
	if !rp.whenApplies(n) {
		return false
	}
	if len(rp.r.To) == 0 {
		return true
	}
	for _, t := range rp.r.To {
		if entryApplies(t.Operation, n) {
			return true
		}
	}
	return false
}

func hasPort(vs []spec.Str, n int64) bool {
	s := strconv.FormatInt(n, 10)
	for _, v := range vs {
		if v.V == s {
			return true
		}
	}
	return false
}

// sidecarPorts is a workload a policy applies to and the ports its sidecar
// serves.
type sidecarPorts struct {
	w  *graph.Workload
	in inboundPorts
}

func runAuthzHTTPFieldsOnTCP(p *rules.Pass) error {
	g := p.Graph
	selected := authorizationWorkloads(p)
	lk := p.Lookup()
	ports := map[*graph.Workload]inboundPorts{}
	for i, ap := range g.AuthorizationPolicies {
		action := ap.Spec.Action.V
		if action != "" && action != "ALLOW" && action != "DENY" {
			continue
		}
		if !selected[i].ok || !hasHTTPOnlyField(ap) {
			continue
		}
		// Workloads in name order, so that the one a message names does
		// not depend on the input's order.
		var ws []sidecarPorts
		for _, w := range rules.Distinct(p, selected[i].ws) {
			if !w.Sidecar || w.MayRunGatewayProxy() {
				continue
			}
			in, ok := ports[w]
			if !ok {
				in = workloadInboundPorts(p, w, lk.ServicesSelecting(w))
				ports[w] = in
			}
			ws = append(ws, sidecarPorts{w, in})
		}
		// Only a TCP port is reported on: most policies select HTTP
		// workloads, and need not be read further.
		if !slices.ContainsFunc(ws, func(sp sidecarPorts) bool { return len(sp.in.tcp) > 0 }) {
			continue
		}
		slices.SortFunc(ws, func(a, b sidecarPorts) int {
			return strings.Compare(a.w.Namespace()+"/"+a.w.Name(), b.w.Namespace()+"/"+b.w.Name())
		})
		for ri := range ap.Spec.Rules {
			r := &ap.Spec.Rules[ri]
			fields := httpOnlyFields(ri, r)
			if len(fields) == 0 {
				continue
			}
			rp := portsOf(r)
			if !rp.ok {
				continue
			}
			if action == "DENY" {
				reportWidenedDeny(p, ap, r, fields, rp, ws)
			} else {
				reportDroppedAllow(p, ap, r, fields, rp, ws)
			}
		}
	}
	return nil
}

func hasHTTPOnlyField(ap *graph.AuthorizationPolicy) bool {
	for _, r := range ap.Spec.Rules {
		for _, f := range r.From {
			if s := f.Source; s != nil && (len(s.RequestPrincipals) > 0 || len(s.NotRequestPrincipals) > 0) {
				return true
			}
		}
		for _, t := range r.To {
			if o := t.Operation; o != nil && len(o.Hosts)+len(o.NotHosts)+len(o.Methods)+len(o.NotMethods)+len(o.Paths)+len(o.NotPaths) > 0 {
				return true
			}
		}
		for _, c := range r.When {
			if httpOnlyKey(c.Key.V) && len(c.Values)+len(c.NotValues) > 0 {
				return true
			}
		}
	}
	return false
}

// sortedTCPPorts returns the TCP ports of in in increasing order.
func sortedTCPPorts(in inboundPorts) []int64 {
	out := make([]int64, 0, len(in.tcp))
	for n := range in.tcp {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// dryRunWords returns the verbs of a message about ap, conditional for a
// dry-run policy, and the note that says why.
func dryRunWords(ap *graph.AuthorizationPolicy, verb, would string) (string, string) {
	if ap.DryRun() {
		return would, " (dry-run: the policy decides nothing until istio.io/dry-run is removed)"
	}
	return verb, ""
}

// reportDroppedAllow reports an ALLOW rule that Istio drops on every port
// it applies to, or on a TCP port that one of its entries allows without
// HTTP-only fields.
func reportDroppedAllow(p *rules.Pass, ap *graph.AuthorizationPolicy, r *spec.AuthzRule, fields []httpOnlyField, rp tcpRulePorts, ws []sidecarPorts) {
	first := fields[0]
	// The ports the rule applies to, on each workload: all TCP?
	allTCP, seen := true, false
	// The first TCP port, of the first workload by name, names them in
	// the message.
	var at *graph.Workload
	var atPort tcpPort
	var atN int64
	for _, sp := range ws {
		var candidates []int64
		if rp.explicit != nil {
			for _, n := range rp.explicit {
				if _, ok := sp.in.tcp[n]; ok || sp.in.other[n] {
					candidates = append(candidates, n)
				}
			}
			if len(candidates) == 0 && sp.in.unknown {
				allTCP = false
			}
		} else {
			if sp.in.unknown {
				allTCP = false
			}
			candidates = sortedTCPPorts(sp.in)
			for n := range sp.in.other {
				candidates = append(candidates, n)
			}
		}
		for _, n := range candidates {
			if !rp.applies(n) {
				continue
			}
			seen = true
			tp, ok := sp.in.tcp[n]
			if !ok {
				allTCP = false
				continue
			}
			if at == nil {
				at, atPort, atN = sp.w, tp, n
			}
		}
	}
	matches, _ := dryRunWords(ap, "never matches", "would never match")
	allows, _ := dryRunWords(ap, "never allows", "would never allow")
	refused, dry := dryRunWords(ap, "are refused", "would be refused")
	if allTCP && seen && at != nil {
		f := p.Reportf(ap.Obj, first.loc, "%s is HTTP-only, but every port this ALLOW rule applies to is served as TCP (port %d of workload %s/%s: %s): Istio drops the rule on TCP filter chains, so it %s, and the connections it means to allow %s unless another rule allows them; scope it to HTTP ports, or allow TCP traffic with principals, namespaces, ipBlocks or ports%s",
			first.path, atN, at.Namespace(), at.Name(), atPort.source(), matches, refused, dry)
		atPort.relate(f)
		f.AtMost(rules.Warning)
		return
	}
	// An entry without HTTP-only fields that allows a TCP port, in a rule
	// whose source and conditions need none: the HTTP-only field of
	// another entry makes Istio drop the whole rule there too.
	for _, fl := range fields {
		if fl.to < 0 {
			return
		}
	}
	bad := map[int]bool{}
	for _, fl := range fields {
		bad[fl.to] = true
	}
	for j, t := range r.To {
		if bad[j] {
			continue
		}
		for _, sp := range ws {
			for _, n := range sortedTCPPorts(sp.in) {
				if !entryApplies(t.Operation, n) || !rp.whenApplies(n) {
					continue
				}
				tp := sp.in.tcp[n]
				f := p.Reportf(ap.Obj, first.loc, "%s is HTTP-only, and Istio drops the whole ALLOW rule on TCP filter chains, so its to[%d] entry %s TCP port %d of workload %s/%s (%s): the connections %s unless another rule allows them; move the entry to a rule of its own%s",
					first.path, j, allows, n, sp.w.Namespace(), sp.w.Name(), tp.source(), refused, dry)
				tp.relate(f)
				f.AtMost(rules.Warning)
				return
			}
		}
	}
}

// reportWidenedDeny reports a DENY rule on the first TCP port it applies
// to where an HTTP-only field widens it: error when nothing but ports is
// left of it there.
func reportWidenedDeny(p *rules.Pass, ap *graph.AuthorizationPolicy, r *spec.AuthzRule, fields []httpOnlyField, rp tcpRulePorts, ws []sidecarPorts) {
	var best *httpOnlyField
	var bestW *graph.Workload
	var bestN int64
	bestAll := false
	for _, sp := range ws {
		for _, n := range sortedTCPPorts(sp.in) {
			if !rp.applies(n) {
				continue
			}
			fl := widening(r, fields, n)
			if fl == nil {
				continue
			}
			all := deniesAll(r)
			if best == nil || all && !bestAll {
				best, bestW, bestN, bestAll = fl, sp.w, n, all
			}
		}
		if bestAll {
			break
		}
	}
	if best == nil {
		return
	}
	tp := tcpPortOf(bestW, bestN, ws)
	denies, dry := dryRunWords(ap, "denies", "would deny")
	effect := "every connection on that port that its remaining conditions match, whatever the HTTP-only field asked for"
	if bestAll {
		effect = "every connection on that port"
	}
	f := p.Reportf(ap.Obj, best.loc, "%s is HTTP-only, and port %d of workload %s/%s is served as TCP (%s): Istio drops the field there, so this DENY rule %s %s; scope the rule to HTTP ports with to.operation.ports%s",
		best.path, bestN, bestW.Namespace(), bestW.Name(), tp.source(), denies, effect, dry)
	tp.relate(f)
	if !bestAll || ap.DryRun() {
		f.AtMost(rules.Warning)
	}
}

func tcpPortOf(w *graph.Workload, n int64, ws []sidecarPorts) tcpPort {
	for _, sp := range ws {
		if sp.w == w {
			return sp.in.tcp[n]
		}
	}
	return tcpPort{}
}

// widening returns the first HTTP-only field that Istio drops from the
// rule on port n: one of a source or a condition, or of a to entry that
// applies to n.
func widening(r *spec.AuthzRule, fields []httpOnlyField, n int64) *httpOnlyField {
	for i, fl := range fields {
		if fl.to < 0 || entryApplies(r.To[fl.to].Operation, n) {
			return &fields[i]
		}
	}
	return nil
}

// deniesAll reports whether, once its HTTP-only fields are dropped, the
// rule matches every connection on a port it applies to: some source
// entry (or none) keeps no condition, and no other condition than
// destination.port is left.
func deniesAll(r *spec.AuthzRule) bool {
	for _, c := range r.When {
		if c.Key.V != "destination.port" && !httpOnlyKey(c.Key.V) {
			return false
		}
	}
	anySource := len(r.From) == 0
	for _, f := range r.From {
		s := f.Source
		if s == nil || len(s.Principals)+len(s.NotPrincipals)+len(s.Namespaces)+len(s.NotNamespaces)+
			len(s.ServiceAccounts)+len(s.NotServiceAccounts)+len(s.TrustDomains)+len(s.NotTrustDomains)+
			len(s.IPBlocks)+len(s.NotIPBlocks)+len(s.RemoteIPBlocks)+len(s.NotRemoteIPBlocks) == 0 {
			anySource = true
		}
	}
	// The operations keep only their ports on a TCP chain, and the rule
	// applies to n: one of them matches every connection there.
	return anySource
}

// portLabel names a Service port for messages: its name, else its number.
func portLabel(sp spec.ServicePort) string {
	if sp.Name.V != "" {
		return fmt.Sprintf("%d (%s)", sp.Port.V, sp.Name.V)
	}
	return strconv.FormatInt(sp.Port.V, 10)
}

package validation

import (
	"iter"
	"time"

	"github.com/meshlint/meshlint/internal/duration"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// InvalidDuration reports durations that Istio's webhook rejects.
var InvalidDuration = &rules.Rule{
	ID:      "MR002",
	Name:    "invalid-duration",
	Summary: "a duration is malformed, shorter than 1ms or not a whole number of milliseconds",
	Doc: `Istio's validation webhook checks every duration of a VirtualService (route ` + "`timeout`" + `,
` + "`retries.perTryTimeout`" + `, ` + "`fault.delay.fixedDelay`" + `, ` + "`corsPolicy.maxAge`" + `), of a DestinationRule
traffic policy (connection pool timeouts and keepalives, HTTP/2 keepalives, outlier detection
intervals, warmup durations, at the top level, per subset and per port), of a Sidecar's connection
pools and of a RequestAuthentication JWT rule (` + "`timeout`" + `). Flagger
copies a Canary's ` + "`spec.service.timeout`" + `, ` + "`retries.perTryTimeout`" + ` and ` + "`corsPolicy.maxAge`" + ` into each HTTP
route of the VirtualService it generates, which Istio then rejects; they are checked when Flagger
uses its Istio router and the service is not TCP. A duration
must parse (a number with a unit: ` + "`2s`" + `, ` + "`250ms`" + `, ` + "`1m30s`" + `), be at least 1ms and be a whole number
of milliseconds; ` + "`corsPolicy.maxAge`" + ` must be whole seconds. The CRDs' CEL rules refuse durations
under 1ms too, but the schema types them as strings, so a wrong value passes
` + "`kubectl apply --dry-run=client`" + `.

One zero value has a meaning and is accepted: a TCP ` + "`idleTimeout: 0s`" + ` disables the idle timeout. A
route ` + "`timeout: 0s`" + ` is refused like any duration under 1ms: a route has no timeout unless one is
set, so remove the field instead.

Fix the value, for example ` + "`1.5ms`" + ` to ` + "`2ms`" + `, or ` + "`5 s`" + ` to ` + "`5s`" + `.`,
	Bad:      reviewsTimeout("5sec"),
	Good:     reviewsTimeout("5s"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.DestinationRule, kinds.Sidecar, kinds.RequestAuthentication, kinds.Canary},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runInvalidDuration,
}

// reviewsTimeout is VirtualService shop/reviews, whose route has the
// timeout: the examples of MR002.
func reviewsTimeout(timeout string) string {
	return reviewsVirtualService(`  http:
  - timeout: ` + timeout + `
    route:
    - destination: {host: reviews}
`)
}

// durationCheck says how a field is validated.
type durationCheck int

const (
	durStrict       durationCheck = iota // ≥1ms, whole ms
	durZeroOK                            // 0 allowed, else strict
	durWholeSecond                       // ≥1s... whole seconds (CORS maxAge)
	durRouteTimeout                      // strict, and a 0 is explained
)

func runInvalidDuration(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.VirtualService, kinds.DestinationRule, kinds.Sidecar) {
		s := specOf(o)
		switch o.Kind {
		case kinds.VirtualService:
			for r := range s.get("http").items() {
				checkDuration(p, o, r.get("timeout"), durRouteTimeout)
				checkDuration(p, o, r.get("retries").get("perTryTimeout"), durStrict)
				checkDuration(p, o, r.get("retries").get("backoff"), durStrict)
				checkDuration(p, o, r.get("fault").get("delay").get("fixedDelay"), durStrict)
				checkDuration(p, o, r.get("corsPolicy").get("maxAge"), durWholeSecond)
			}
		case kinds.DestinationRule:
			for tp := range trafficPolicies(s) {
				checkTrafficPolicyDurations(p, o, tp)
			}
		case kinds.Sidecar:
			checkConnectionPoolDurations(p, o, s.get("inboundConnectionPool"))
			for in := range s.get("ingress").items() {
				checkConnectionPoolDurations(p, o, in.get("connectionPool"))
			}
		}
	}
	// Flagger's HTTPRetry has no backoff: only perTryTimeout reaches Istio.
	for o, svc := range canaryHTTPServices(p) {
		checkDuration(p, o, svc.get("timeout"), durRouteTimeout)
		checkDuration(p, o, svc.get("retries").get("perTryTimeout"), durStrict)
		checkDuration(p, o, svc.get("corsPolicy").get("maxAge"), durWholeSecond)
	}
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.RequestAuthentication) {
		for r := range specOf(o).get("jwtRules").items() {
			checkDuration(p, o, r.get("timeout"), durStrict)
		}
	}
	return nil
}

// trafficPolicies yields a DestinationRule's traffic policies: top level,
// per subset, and their port-level settings.
func trafficPolicies(s node) iter.Seq[node] {
	// The walk is in functions of their own rather than in this closure,
	// which would then be too large to inline (see node.entries).
	return func(yield func(node) bool) { yieldTrafficPolicies(s, yield) }
}

func yieldTrafficPolicies(s node, yield func(node) bool) {
	if !yieldTrafficPolicy(s.get("trafficPolicy"), yield) {
		return
	}
	for ss := range s.get("subsets").items() {
		if !yieldTrafficPolicy(ss.get("trafficPolicy"), yield) {
			return
		}
	}
}

// yieldTrafficPolicy yields tp, when it is a mapping, and its port-level
// settings; it reports whether to go on.
func yieldTrafficPolicy(tp node, yield func(node) bool) bool {
	if !tp.isMap() {
		return true
	}
	if !yield(tp) {
		return false
	}
	for pl := range tp.get("portLevelSettings").items() {
		if !yield(pl) {
			return false
		}
	}
	return true
}

func checkTrafficPolicyDurations(p *rules.Pass, o *manifest.Object, tp node) {
	checkConnectionPoolDurations(p, o, tp.get("connectionPool"))
	od := tp.get("outlierDetection")
	checkDuration(p, o, od.get("interval"), durStrict)
	checkDuration(p, o, od.get("baseEjectionTime"), durStrict)
	checkDuration(p, o, tp.get("loadBalancer").get("warmup").get("duration"), durStrict)
	checkDuration(p, o, tp.get("loadBalancer").get("warmupDurationSecs"), durStrict)
}

func checkConnectionPoolDurations(p *rules.Pass, o *manifest.Object, cp node) {
	tcp := cp.get("tcp")
	checkDuration(p, o, tcp.get("connectTimeout"), durStrict)
	checkDuration(p, o, tcp.get("maxConnectionDuration"), durStrict)
	checkDuration(p, o, tcp.get("idleTimeout"), durZeroOK)
	checkDuration(p, o, tcp.get("tcpKeepalive").get("time"), durStrict)
	checkDuration(p, o, tcp.get("tcpKeepalive").get("interval"), durStrict)
	http := cp.get("http")
	checkDuration(p, o, http.get("idleTimeout"), durStrict)
	checkDuration(p, o, http.get("http2KeepAlive").get("interval"), durStrict)
	checkDuration(p, o, http.get("http2KeepAlive").get("timeout"), durStrict)
}

func checkDuration(p *rules.Pass, o *manifest.Object, x node, c durationCheck) {
	s, ok := x.str()
	if !ok {
		return
	}
	d, err := duration.Parse(s)
	if err != nil {
		p.Reportf(o, x.loc(), "%s %q is not a duration (write a number with a unit, such as 2s or 250ms): Istio rejects %s", x.where(), s, rejectedObject(o))
		return
	}
	switch {
	case c == durZeroOK && d == 0:
		return
	case c == durRouteTimeout && d == 0:
		// Istio's ValidateDuration and the CRD's CEL rule refuse it:
		// only a TCP idle timeout of 0 is let through.
		p.Reportf(o, x.loc(), "%s %q: a route timeout must be at least 1ms, and a route has no timeout unless one is set: remove the field to have none; Istio rejects %s", x.where(), s, rejectedObject(o))
		return
	case c == durWholeSecond:
		if d < time.Second || d%time.Second != 0 {
			p.Reportf(o, x.loc(), "%s %s must be a whole number of seconds: Istio rejects %s", x.where(), s, rejectedObject(o))
		}
		return
	}
	if err := duration.Validate(d); err != nil {
		p.Reportf(o, x.loc(), "%s %q: %v; Istio rejects %s", x.where(), s, err, rejectedObject(o))
	}
}

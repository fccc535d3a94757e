package routing

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/duration"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// RetriesExceedTimeout reports retry policies whose retries cannot all run
// within the route timeout.
var RetriesExceedTimeout = &rules.Rule{
	ID:      "MR106",
	Name:    "retries-exceed-timeout",
	Summary: "retry attempts times the per-try timeout do not fit in the route timeout",
	Doc: `An http route's ` + "`timeout`" + ` bounds the whole request, every retry included, while
` + "`retries.perTryTimeout`" + ` bounds each try. ` + "`retries.attempts`" + ` is the number of retries
after the first try, so when tries time out, retry k starts after k × perTryTimeout. Once
attempts × perTryTimeout reaches the route timeout, the last retries can never start: the route
timeout ends the request first and the client gets a 504 although retries were left. The
configuration promises more resilience than it gives, and usually hides a wrong unit or a
timeout that was changed without the retries.

Make attempts × perTryTimeout less than the route timeout: lower the attempts or the
perTryTimeout, or raise the timeout. Retries of fast failures (connect-failure, 503) are not
bounded by perTryTimeout and can still run; the rule is about tries that time out. Without a
route timeout (the default) or without a perTryTimeout, there is nothing to compare and the rule
is quiet.

Envoy retries a try that times out only when ` + "`retryOn`" + ` includes ` + "`5xx`" + `, ` + "`gateway-error`" + ` or
` + "`reset`" + `. Istio's default ` + "`retryOn`" + `, used when the policy sets none
(` + "`connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes`" + `), has none of
them: then no try that times out is retried at all, the request ends with 504 at the first
perTryTimeout, and the message says so.`,
	Bad:      perTryTimeoutExample("5s"),
	Good:     perTryTimeoutExample("2s"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Deps:     rules.DepNone,
	Run:      runRetriesExceedTimeout,
}

// perTryTimeoutExample is a route with timeout 10s and 3 attempts of
// perTryTimeout each, retried when they time out: the examples of MR106.
func perTryTimeoutExample(perTryTimeout string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
  namespace: shop
spec:
  hosts: [ratings]
  http:
  - route:
    - destination: {host: ratings}
    timeout: 10s
    retries:
      attempts: 3
      perTryTimeout: ` + perTryTimeout + `
      retryOn: gateway-error,connect-failure,refused-stream
`
}

func runRetriesExceedTimeout(p *rules.Pass) error {
	for _, vs := range p.Graph.VirtualServices {
		for i, r := range vs.Spec.HTTP {
			rt := r.Retries
			if rt == nil || !rt.Attempts.Set || rt.Attempts.V <= 0 || !rt.PerTryTimeout.Set || !r.Timeout.Set {
				continue
			}
			// Invalid durations are schema errors, not this rule's business;
			// a zero timeout disables the route timeout.
			perTry, err := duration.Parse(rt.PerTryTimeout.V)
			if err != nil || perTry == 0 {
				continue
			}
			timeout, err := duration.Parse(r.Timeout.V)
			if err != nil || timeout == 0 {
				continue
			}
			attempts := rt.Attempts.V
			// Retry k starts k × perTry after the request when tries time
			// out; it runs only if that is before the route timeout.
			fit := int64((timeout - 1) / perTry)
			if attempts <= fit {
				continue
			}
			at := rt.Attempts.Loc
			// The ways out: a shorter perTryTimeout (absent when no 1ns
			// value fits), fewer attempts (absent when none fits) and a
			// longer timeout (absent when attempts × perTryTimeout
			// overflows).
			var fixes []string
			if d := maxPerTry(timeout, attempts); d > 0 {
				fixes = append(fixes, "lower perTryTimeout to "+duration.Format(d))
			}
			if fit > 0 {
				fixes = append(fixes, fmt.Sprintf("lower attempts to %d", fit))
			}
			total, verb := "more than 290 years", "exceeds"
			if attempts <= int64(math.MaxInt64/perTry) {
				d := time.Duration(attempts) * perTry
				total = duration.Format(d)
				if d == timeout {
					verb = "reaches"
				}
				fixes = append(fixes, "raise the timeout above "+total)
			}
			if perTry >= timeout {
				f := p.Reportf(vs.Obj, rt.PerTryTimeout.Loc, "http[%d] perTryTimeout %s is not shorter than the route timeout %s: a try that times out takes the whole request, so none of the %d retries can start; %s",
					i, duration.Format(perTry), duration.Format(timeout), attempts, orList(fixes))
				f.Relate(vs.Obj, r.Timeout.Loc, "the route timeout")
				continue
			}
			if on, ok := retriesTimeouts(rt.RetryOn); !ok {
				f := p.Reportf(vs.Obj, at, "http[%d] %d attempts × perTryTimeout %s = %s %s the route timeout %s, but no try that times out is retried: %s has none of 5xx, gateway-error and reset, so such a try ends the request with 504; add gateway-error to retryOn, then %s",
					i, attempts, duration.Format(perTry), total, verb, duration.Format(timeout), on, orList(fixes))
				f.Relate(vs.Obj, r.Timeout.Loc, "the route timeout")
				continue
			}
			f := p.Reportf(vs.Obj, at, "http[%d] %d attempts × perTryTimeout %s = %s %s the route timeout %s: when tries time out, at most %d of the %d retries can start; %s",
				i, attempts, duration.Format(perTry), total, verb, duration.Format(timeout), fit, attempts, orList(fixes))
			f.Relate(vs.Obj, r.Timeout.Loc, "the route timeout")
		}
	}
	return nil
}

// maxPerTry returns a round perTryTimeout (two significant digits, whole
// milliseconds, as Istio requires) with which all the attempts start
// before the route timeout: attempts × perTryTimeout must stay below the
// timeout, so the exact bound timeout / attempts is excluded. It returns 0
// when not even 1ms fits.
func maxPerTry(timeout time.Duration, attempts int64) time.Duration {
	d := (timeout - 1) / time.Duration(attempts)
	unit := time.Millisecond
	if d < unit {
		return 0
	}
	for unit*100 <= d {
		unit *= 10
	}
	return d - d%unit
}

// defaultRetryOn is the retryOn Istio gives a retry policy that sets none
// (pilot's route/retry package).
const defaultRetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"

// retriesTimeouts reports whether Envoy retries a try that hit its
// perTryTimeout under the retryOn written (Istio's default when unset):
// Envoy counts it as a reset, which only the reset, 5xx and gateway-error
// policies retry. It also returns retryOn described for messages.
func retriesTimeouts(retryOn spec.Str) (string, bool) {
	on := strings.TrimSpace(retryOn.V)
	what := fmt.Sprintf("retryOn %q", on)
	if on == "" {
		on, what = defaultRetryOn, "Istio's default retryOn ("+defaultRetryOn+")"
	}
	for _, p := range strings.Split(on, ",") {
		switch strings.TrimSpace(p) {
		case "5xx", "gateway-error", "reset":
			return what, true
		}
	}
	return what, false
}

// orList joins the ways out of a finding as a sentence does: "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

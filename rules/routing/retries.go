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
perTryTimeout, and the message says so.

A delegate VirtualService's routes are checked as Istio merges them into the route that
delegates to them: a delegate route without a ` + "`timeout`" + ` takes the root route's, one without
` + "`retries`" + ` the root route's retry policy. The finding is on the delegate's route, with the root's
value related; a delegate route that sets neither is the root route's own case.`,
	Bad:      perTryTimeoutExample("5s"),
	Good:     perTryTimeoutExample("2s"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Deps:     rules.DepREF | rules.DepREV,
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
			msg, onPerTry, ok := retriesProblem(r.Retries, r.Timeout)
			if !ok {
				continue
			}
			at := r.Retries.Attempts.Loc
			if onPerTry {
				at = r.Retries.PerTryTimeout.Loc
			}
			p.Reportf(vs.Obj, at, "http[%d] %s", i, msg).Relate(vs.Obj, r.Timeout.Loc, "the route timeout")
		}
	}
	mergedRetries(p)
	return nil
}

// mergedRetries checks the delegate routes as Istio merges them into the
// routes that delegate to them (mergeHTTPRoute): a delegate route without
// a timeout takes the root route's, one without retries the root's retry
// policy. The finding is on the delegate's route, whose own value meets
// the inherited one, with the root's value related, since the two are
// often written by different teams. A delegate route that inherits both
// is left to the root route's own check, which sees the same values.
func mergedRetries(p *rules.Pass) {
	for _, d := range p.Graph.Delegations() {
		root := d.Root.Spec.HTTP[d.Route]
		if !root.Timeout.Set && root.Retries == nil {
			continue
		}
		for k, dr := range d.Delegate.Spec.HTTP {
			ownTimeout, ownRetries := dr.Timeout.Set, dr.Retries != nil
			if dr.Delegate != nil || ownTimeout == ownRetries {
				continue // nothing inherited, or nothing of its own
			}
			if j, _ := p.Graph.MergeConflict(d, k); j >= 0 {
				continue // the merge drops the route (MR107 says so)
			}
			rootLabel := fmt.Sprintf("%s of VirtualService %s/%s", routeLabel("http", d.Route, root.Name), d.Root.Namespace(), d.Root.Name())
			timeout, retries := dr.Timeout, dr.Retries
			if ownTimeout {
				retries = root.Retries
			} else {
				timeout = root.Timeout
			}
			msg, onPerTry, ok := retriesProblem(retries, timeout)
			if !ok {
				continue
			}
			label := routeLabel("http", k, dr.Name)
			if ownTimeout {
				at := retries.Attempts.Loc
				if onPerTry {
					at = retries.PerTryTimeout.Loc
				}
				p.Reportf(d.Delegate.Obj, dr.Timeout.Loc, "%s, merged into %s, has no retries of its own and takes that route's: %s", label, rootLabel, msg).
					Relate(d.Root.Obj, at, "the retries of the route that delegates")
				continue
			}
			at := dr.Retries.Attempts.Loc
			if onPerTry {
				at = dr.Retries.PerTryTimeout.Loc
			}
			p.Reportf(d.Delegate.Obj, at, "%s, merged into %s, has no timeout of its own and takes that route's: %s", label, rootLabel, msg).
				Relate(d.Root.Obj, root.Timeout.Loc, "the route timeout of the route that delegates")
		}
	}
}

// retriesProblem checks a retry policy against the route timeout and
// returns the message without the route's
// label, and whether it is about the perTryTimeout rather than the
// attempts. ok is false when the retries fit, or when there is nothing to
// compare.
func retriesProblem(rt *spec.Retries, timeoutStr spec.Str) (msg string, onPerTry, ok bool) {
	if rt == nil || !rt.Attempts.Set || rt.Attempts.V <= 0 || !rt.PerTryTimeout.Set || !timeoutStr.Set {
		return "", false, false
	}
	// Invalid durations are schema errors, not this rule's business;
	// a zero timeout disables the route timeout.
	perTry, err := duration.Parse(rt.PerTryTimeout.V)
	if err != nil || perTry == 0 {
		return "", false, false
	}
	timeout, err := duration.Parse(timeoutStr.V)
	if err != nil || timeout == 0 {
		return "", false, false
	}
	attempts := rt.Attempts.V
	// Retry k starts k × perTry after the request when tries time
	// out; it runs only if that is before the route timeout.
	fit := int64((timeout - 1) / perTry)
	if attempts <= fit {
		return "", false, false
	}
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
		return fmt.Sprintf("perTryTimeout %s is not shorter than the route timeout %s: a try that times out takes the whole request, so none of the %d retries can start; %s",
			duration.Format(perTry), duration.Format(timeout), attempts, orList(fixes)), true, true
	}
	if on, ok := retriesTimeouts(rt.RetryOn); !ok {
		return fmt.Sprintf("%d attempts × perTryTimeout %s = %s %s the route timeout %s, but no try that times out is retried: %s has none of 5xx, gateway-error and reset, so such a try ends the request with 504; add gateway-error to retryOn, then %s",
			attempts, duration.Format(perTry), total, verb, duration.Format(timeout), on, orList(fixes)), false, true
	}
	return fmt.Sprintf("%d attempts × perTryTimeout %s = %s %s the route timeout %s: when tries time out, at most %d of the %d retries can start; %s",
		attempts, duration.Format(perTry), total, verb, duration.Format(timeout), fit, attempts, orList(fixes)), false, true
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

package validation

import (
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// RetryInvalid reports HTTP retry policies that Istio's webhook rejects.
var RetryInvalid = &rules.Rule{
	ID:      "MR018",
	Name:    "http-retry-invalid",
	Summary: "an HTTP retry policy has negative attempts, settings while attempts is 0, or an unknown retryOn condition",
	Doc: `Istio's validation webhook checks the ` + "`retries`" + ` of each HTTP route of a VirtualService
(validateHTTPRetry) and rejects the VirtualService when:

- ` + "`attempts`" + ` is negative;
- ` + "`attempts`" + ` is 0, which disables retries, while ` + "`perTryTimeout`" + `, ` + "`retryOn`" + ` or
  ` + "`retryRemoteLocalities`" + ` is set. An absent ` + "`attempts`" + ` is 0 too: a ` + "`retries`" + ` block written with
  only a ` + "`retryOn`" + ` or a ` + "`perTryTimeout`" + ` is refused, not given a default number of attempts;
- an item of the comma-separated ` + "`retryOn`" + ` is neither an HTTP status code nor one of Envoy's
  retry conditions (` + "`5xx`" + `, ` + "`gateway-error`" + `, ` + "`reset`" + `, ` + "`reset-before-request`" + `,
  ` + "`connect-failure`" + `, ` + "`retriable-4xx`" + `, ` + "`refused-stream`" + `, ` + "`retriable-status-codes`" + `,
  ` + "`retriable-headers`" + `, ` + "`envoy-ratelimited`" + `, ` + "`http3-post-connect-failure`" + ` and the gRPC ones
  ` + "`cancelled`" + `, ` + "`deadline-exceeded`" + `, ` + "`internal`" + `, ` + "`resource-exhausted`" + `, ` + "`unavailable`" + `).
  Items are compared as written: ` + "`5xx, reset`" + ` has an item ` + "` reset`" + ` with a space, which is
  refused, and so is the empty item of a trailing comma.

Flagger copies a Canary's ` + "`spec.service.retries`" + ` (` + "`attempts`" + `, always written, ` + "`perTryTimeout`" + `
and ` + "`retryOn`" + `) into each HTTP route of the VirtualService it generates, which Istio then
rejects: they are checked when Flagger uses its Istio router and the service is not TCP, and
reported at the Canary.

The schema only says "integer" and "string", so these pass ` + "`kubectl apply --dry-run=client`" + `
and are refused by the webhook. The durations of a retry policy are MR002's.

Set ` + "`attempts`" + ` to the number of retries you mean, or remove the ` + "`retries`" + ` block to disable
them; write ` + "`retryOn`" + ` without spaces, as in ` + "`5xx,connect-failure`" + `.`,
	Bad: ratingsRetries(`      retryOn: 5xx,connect-failure
      perTryTimeout: 2s
`),
	Good: ratingsRetries(`      attempts: 3
      retryOn: 5xx,connect-failure
      perTryTimeout: 2s
`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Canary},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runRetryInvalid,
}

// ratingsRetries is VirtualService shop/ratings, whose route retries with
// the settings (lines indented as the fields of retries): the examples
// of MR018.
func ratingsRetries(retries string) string {
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
    retries:
` + retries
}

func runRetryInvalid(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.VirtualService) {
		for r := range specOf(o).get("http").items() {
			checkRetry(p, o, r, []string{"perTryTimeout", "retryOn", "retryRemoteLocalities"})
		}
	}
	// Flagger's HTTPRetry has no retryRemoteLocalities: it never reaches
	// Istio.
	for o, svc := range canaryHTTPServices(p) {
		checkRetry(p, o, svc, []string{"perTryTimeout", "retryOn"})
	}
	return nil
}

// checkRetry checks the retries of owner (an HTTP route, or a Canary's
// service) as validateHTTPRetry does; settings are the fields that count
// as a retry policy when attempts is 0.
func checkRetry(p *rules.Pass, o *manifest.Object, owner node, settings []string) {
	rt := owner.get("retries")
	if !rt.isMap() {
		return
	}
	at := rt.get("attempts")
	attempts, isInt := at.int()
	switch {
	case at.ok() && !isInt:
		// A wrong type is MR001's.
	case attempts < 0:
		p.Reportf(o, at.loc(), "%s %d is negative: Istio rejects %s", at.where(), attempts, rejectedObject(o))
	case attempts == 0:
		// An absent or null attempts is 0 for Istio.
		var set []string
		for _, f := range settings {
			// A wrong type is MR001's, and an empty retryOn is none.
			x := rt.get(f)
			if f == "retryRemoteLocalities" {
				if _, ok := x.boolean(); !ok {
					continue
				}
			} else if s, ok := x.str(); !ok || f == "retryOn" && s == "" {
				continue
			}
			set = append(set, f)
		}
		if len(set) == 0 {
			break
		}
		what, loc := at.where()+" is 0, which disables retries", at.loc()
		if !isInt {
			what, loc = rt.where()+" has no attempts, which means 0 and disables retries", owner.keyLoc("retries")
		}
		verb := "is"
		if len(set) > 1 {
			verb = "are"
		}
		p.Reportf(o, loc, "%s, but %s %s set: Istio rejects %s (retry policy configured when attempts are set to 0); set attempts to the number of retries, or remove retries",
			what, strings.Join(set, " and "), verb, rejectedObject(o))
	}
	on := rt.get("retryOn")
	s, ok := on.str()
	if !ok || s == "" {
		return
	}
	for policy := range strings.SplitSeq(s, ",") {
		if validRetryOn(policy) {
			continue
		}
		hint := ""
		switch t := strings.TrimSpace(policy); {
		case t == "":
			hint = " (an empty item: remove the extra comma)"
		case t != policy && validRetryOn(t):
			hint = " (Istio does not trim spaces: write the list without them)"
		default:
			hint = " (neither an HTTP status code nor an Envoy retry condition)"
		}
		p.Reportf(o, on.loc(), "%s: %q is not a valid retryOn policy%s; Istio rejects %s", on.where(), policy, hint, rejectedObject(o))
	}
}

// validRetryOn reports whether Istio accepts a retryOn item: an HTTP
// status code that Go's net/http names (http.StatusText), read with
// strconv.Atoi as Istio does, or a condition of supportedRetryOnPolicies.
func validRetryOn(policy string) bool {
	if i, ok := atoi(policy); ok && httpStatusCodes[i] {
		return true
	}
	return retryOnPolicies[policy]
}

// retryOnPolicies is Istio's supportedRetryOnPolicies
// (pkg/config/validation/validation.go): Envoy's x-envoy-retry-on and
// x-envoy-retry-grpc-on conditions.
var retryOnPolicies = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range []string{
		"5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx",
		"refused-stream", "retriable-status-codes", "retriable-headers", "envoy-ratelimited",
		"http3-post-connect-failure",
		"cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
	} {
		m[p] = true
	}
	return m
}()

// httpStatusCodes are the codes for which Go 1.26's http.StatusText is not
// empty (net/http may not be imported here).
var httpStatusCodes = func() map[int]bool {
	m := map[int]bool{}
	for _, c := range []int{
		100, 101, 102, 103,
		200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
		300, 301, 302, 303, 304, 305, 307, 308,
		400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418,
		421, 422, 423, 424, 425, 426, 428, 429, 431, 451,
		500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
	} {
		m[c] = true
	}
	return m
}()

package reporter

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/topology"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/gatewayapi"
)

// drawnEdges lists the edges of an HTML page as "class from -> to: title",
// their ends named by the labels of the nodes they join, sorted.
func drawnEdges(page string) []string {
	rects := rectsByLabel(page)
	var got []string
	for _, m := range regexp.MustCompile(`<path class="([^"]*)" d="M(\d+) (\d+)C[^"]* (\d+) (\d+)"(?:/>|><title>([^<]*)</title></path>)`).FindAllStringSubmatch(page, -1) {
		at := func(x, y string) string {
			xi, _ := strconv.Atoi(x)
			yi, _ := strconv.Atoi(y)
			for name, r := range rects {
				if (xi == r[0] || xi == r[0]+nodeWidth || xi == r[0]-delegateBulge) && yi >= r[1] && yi <= r[1]+nodeHeight+mirrorDrop {
					return name
				}
			}
			return "?"
		}
		e := m[1] + " " + at(m[2], m[3]) + " -> " + at(m[4], m[5])
		if m[6] != "" {
			e += ": " + m[6]
		}
		got = append(got, e)
	}
	slices.Sort(got)
	return got
}

// TestHTMLNoTrafficDrawn lints a mesh whose configuration writes traffic
// that never flows and draws it: a mirror of 0 percent and a subset that
// only a destination of weight 0 names (dotted, with why); a Gateway API
// route that no listener of one of its two Gateways admits (MR605: that
// Gateway's edge is dotted, the other's not), backends in another
// namespace that no ReferenceGrant permits (MR604: the backend's and the
// mirror's edges dotted, but not those of a route whose mesh parents
// still send to it), and a Gateway Istio does not accept (MR624: drawn
// serving nothing, without edges).
func TestHTMLNoTrafficDrawn(t *testing.T) {
	const src = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: pooled, namespace: infra}
spec:
  gatewayClassName: istio
  addresses: [{type: IPAddress, value: 203.0.113.10}, {value: 203.0.113.11}]
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes: {namespaces: {from: All}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: local, namespace: shop}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: storefront, namespace: shop}
spec:
  parentRefs:
  - {name: public, namespace: infra}
  - {name: local}
  rules:
  - backendRefs: [{name: web, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: checkout, namespace: shop}
spec:
  parentRefs:
  - {name: local}
  - {name: pooled, namespace: infra}
  rules:
  - filters:
    - type: RequestMirror
      requestMirror:
        backendRef: {name: audit, namespace: billing, port: 80}
    backendRefs:
    - {name: cart, port: 80}
    - {name: payments, namespace: billing, port: 80}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: mixed, namespace: shop}
spec:
  parentRefs:
  - {name: local}
  - {group: "", kind: Service, name: cart}
  rules:
  - backendRefs: [{name: payments, namespace: billing, port: 80}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-route, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 100
    - destination: {host: reviews, subset: v2}
      weight: 0
    mirror: {host: shadow}
    mirrorPercentage: {value: 0}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`
	yaml := src
	for _, s := range []string{"shop/web", "shop/cart", "shop/reviews", "shop/shadow", "billing/payments", "billing/audit"} {
		ns, name, _ := strings.Cut(s, "/")
		yaml += "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec: {ports: [{port: 80}]}\n"
	}
	file := filepath.Join(t.TempDir(), "mesh.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	res := rules.Lint(rules.LintOptions{Paths: []string{file}, Load: manifest.Options{Namespace: "default"},
		Rules: []*rules.Rule{gatewayapi.RouteNotAdmitted, gatewayapi.ReferenceNotGranted, gatewayapi.GatewayAddressUnsupported}})
	if len(res.Load.Errors) > 0 {
		t.Fatal(res.Load.Errors[0])
	}
	r := emptyReport()
	r.Findings = res.Findings
	r.Topology = topology.Of(res.Graph)
	page := string(write(t, "html", r, Options{}))

	const (
		notAdmitted = "no listener of the Gateway admits the route, which is not attached there (Accepted: False, NotAllowedByListeners) (MR605 gatewayapi-route-not-admitted)"
		notGranted  = "no ReferenceGrant permits the reference to another namespace (RefNotPermitted): "
	)
	want := []string{
		"edge idle infra/public -> shop/storefront: " + notAdmitted,
		"edge idle shop/checkout -> billing/payments: " + notGranted + "its share of requests gets HTTP 500 (MR604 gatewayapi-reference-not-granted)",
		"edge idle shop/reviews -> v2 (shop/reviews): every destination that names the subset gets no traffic (weight 0 beside other destinations: no traffic)",
		"edge mirror idle shop/checkout -> billing/audit: " + notGranted + "nothing is mirrored (MR604 gatewayapi-reference-not-granted)",
		"edge mirror idle shop/reviews-route -> shop/shadow: mirrorPercentage 0: mirrors no request",
		"edge shop/checkout -> shop/cart",
		"edge shop/local -> shop/checkout",
		"edge shop/local -> shop/mixed",
		"edge shop/local -> shop/storefront",
		"edge shop/mixed -> billing/payments",
		"edge shop/reviews -> v1 (shop/reviews)",
		"edge shop/reviews-route -> shop/reviews",
		"edge shop/storefront -> shop/web",
	}
	if got := drawnEdges(page); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	g := regexp.MustCompile(`(?s)<g class="node[^"]*"[^>]*><title>[^<]*</title><rect[^>]*/><text x="\d+" y="\d+">infra/pooled</text>.*?</g>\n`).FindString(page)
	if !strings.Contains(g, " unserved") || !strings.Contains(g, "\nserves nothing: Istio does not accept it and programs nothing for it (MR624 gatewayapi-address-unsupported)\n") {
		t.Errorf("the Gateway Istio does not accept is not drawn serving nothing, with why:\n%s", g)
	}
}

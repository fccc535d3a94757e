package gatewayapi

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

const (
	typoDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: podinfo, namespace: test}
spec:
  selector:
    matchLabels: {app: podinfo}
  template:
    metadata:
      labels: {app: podinfo}
    spec:
      containers:
      - name: podinfod
        image: ghcr.io/stefanprodan/podinfo:6.7.1
        ports:
        - {name: http, containerPort: 9898}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public-gw, namespace: test}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
`
	typoCanary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: podinfo, namespace: test}
spec:
  provider: gatewayapi:v1
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service:
    port: 9898
    gatewayRefs:
    - name: publik-gw
  analysis: {interval: 1m, threshold: 5, stepWeight: 10}
`
	typoServices = `apiVersion: v1
kind: Service
metadata: {name: payments, namespace: billing}
spec:
  selector: {app: payments}
  ports: [{name: http, port: 8080}]
`
	typoRoute = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: checkout, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
  - backendRefs: [{name: paymnts, namespace: billing, port: 8080}]
`
)

// takenOverRoute returns the HTTPRoute that the Canary of typoCanary takes
// over, with a scalar of its own at the line and column where the Canary
// writes the name of its gatewayRef: the position the finding has, in the
// route's file.
func takenOverRoute(t *testing.T) string {
	canary := typoDeployment + typoCanary
	i := strings.Index(canary, "publik-gw")
	line := strings.Count(canary[:i], "\n") + 1
	col := i - strings.LastIndex(canary[:i], "\n")
	route := `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
spec:
  parentRefs: [{name: public-gw}]
  rules:
  - backendRefs: [{name: podinfo-primary, port: 9898}]
metadata:
  name: podinfo
  namespace: test
  labels:
`
	n := strings.Count(route, "\n")
	if n >= line || col < 9 {
		t.Fatalf("the gatewayRef is at %d:%d", line, col)
	}
	route += strings.Repeat("#\n", line-1-n)
	return route + "    x:" + strings.Repeat(" ", col-7) + "publik-gw\n"
}

func typoGrant(to string) string {
	return `---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: shop, namespace: billing}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [` + to + `]
`
}

// TestTypoFixes checks the cases where a reference gets "did you mean" but
// no fix (the golden fixtures/fix/gatewayapi-typo.txtar holds the others):
// text Flagger writes for an object the input does not hold, a
// ReferenceGrant that permits the misspelt name only, a GatewayClass
// unknown in a closed world without GatewayClasses.
func TestTypoFixes(t *testing.T) {
	closed := config.DefaultMesh()
	closed.ClosedWorld = true
	for _, tt := range []struct {
		name  string
		rule  *rules.Rule
		files map[string]string
		mesh  *config.Mesh
		// fix is the new text of the fix, "" for none.
		fix string
	}{{
		name:  "Flagger's HTTPRoute",
		rule:  ParentRefUnresolved,
		files: map[string]string{"test/canary.yaml": typoDeployment + typoCanary},
	}, {
		name:  "an HTTPRoute Flagger takes over",
		rule:  ParentRefUnresolved,
		files: map[string]string{"test/canary.yaml": typoDeployment + typoCanary, "test/route.yaml": takenOverRoute(t)},
	}, {
		name:  "a grant to every Service",
		rule:  BackendRefUnresolved,
		files: map[string]string{"billing/svc.yaml": typoServices + typoGrant(`{group: "", kind: Service}`), "shop/route.yaml": typoRoute},
		fix:   "payments",
	}, {
		name:  "a grant to the Service",
		rule:  BackendRefUnresolved,
		files: map[string]string{"billing/svc.yaml": typoServices + typoGrant(`{group: "", kind: Service, name: payments}`), "shop/route.yaml": typoRoute},
		fix:   "payments",
	}, {
		name:  "a grant to the misspelt name only",
		rule:  BackendRefUnresolved,
		files: map[string]string{"billing/svc.yaml": typoServices + typoGrant(`{group: "", kind: Service, name: paymnts}`), "shop/route.yaml": typoRoute},
	}, {
		name:  "a grant for another route kind",
		rule:  BackendRefUnresolved,
		files: map[string]string{"billing/svc.yaml": strings.Replace(typoServices+typoGrant(`{group: "", kind: Service}`), "kind: HTTPRoute", "kind: GRPCRoute", 1), "shop/route.yaml": typoRoute},
	}, {
		name: "a backend port the Service lacks",
		rule: BackendRefUnresolved,
		files: map[string]string{"billing/svc.yaml": typoServices + typoGrant(`{group: "", kind: Service}`),
			"shop/route.yaml": strings.Replace(typoRoute, "port: 8080", "port: 9090", 1)},
	}, {
		name: "a Service parent without the port its sectionName names",
		rule: ParentRefUnresolved,
		files: map[string]string{"shop/route.yaml": `apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: shop}
spec:
  selector: {app: ratings}
  ports: [{name: http, port: 9080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ratings, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: ratngs, sectionName: grpc}]
`},
	}, {
		name: "a class in a closed world without GatewayClasses",
		rule: GatewayClassUnknown,
		mesh: &closed,
		files: map[string]string{"edge/gw.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: edge}
spec:
  gatewayClassName: istio-waypont
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
`},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			mesh := config.DefaultMesh()
			if tt.mesh != nil {
				mesh = *tt.mesh
			}
			fs := ruletest.LintTree(t, tt.files, "", mesh, tt.rule)
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1: %v", len(fs), fs)
			}
			if !strings.Contains(fs[0].Message, "; did you mean ") {
				t.Errorf("message %q suggests nothing", fs[0].Message)
			}
			got := ""
			if fx := fs[0].Fixes; len(fx) > 0 {
				if len(fx) != 1 || len(fx[0].Edits) != 1 {
					t.Fatalf("fixes %+v", fx)
				}
				got = fx[0].Edits[0].NewText
			}
			if got != tt.fix {
				t.Errorf("fix writes %q, want %q", got, tt.fix)
			}
		})
	}
}

// TestBuiltinClasses checks that the classes MR612 suggests as istiod's
// are those the graph takes as istiod's.
func TestBuiltinClasses(t *testing.T) {
	for _, c := range builtinClasses {
		if !graph.BuiltinGatewayClass(c) {
			t.Errorf("%s is not a built-in GatewayClass", c)
		}
	}
}

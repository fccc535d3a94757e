package schema

import (
	"fmt"
	"strings"
	"testing"
)

// benchInput returns n groups of ten valid objects: a Namespace, Service,
// Deployment, NetworkPolicy, VirtualService, DestinationRule, Gateway,
// PeerAuthentication, AuthorizationPolicy and ServiceEntry.
func benchInput(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `apiVersion: v1
kind: Namespace
metadata:
  name: ns%[1]d
  labels: {istio-injection: enabled}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: ns%[1]d}
spec:
  selector: {app: app}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: ns%[1]d}
spec:
  replicas: 2
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app, version: v1}}
    spec:
      containers:
      - name: app
        image: example/app:1.0
        ports: [{name: http, containerPort: 8080}]
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 1, memory: 256Mi}}
        readinessProbe: {httpGet: {path: /ready, port: http}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: app, namespace: ns%[1]d}
spec:
  podSelector: {matchLabels: {app: app}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-system}}}], ports: [{port: 8080}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: app, namespace: ns%[1]d}
spec:
  hosts: [app]
  gateways: [mesh, istio-system/gw]
  http:
  - match: [{uri: {prefix: /api}}]
    timeout: 5s
    retries: {attempts: 3, perTryTimeout: 2s}
    route:
    - destination: {host: app, subset: v1}
      weight: 90
    - destination: {host: app, subset: v2}
      weight: 10
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: app, namespace: ns%[1]d}
spec:
  host: app
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
    connectionPool: {tcp: {maxConnections: 100}}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: {name: gw, namespace: ns%[1]d}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: ns%[1]d}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: app, namespace: ns%[1]d}
spec:
  selector: {matchLabels: {app: app}}
  rules: [{from: [{source: {namespaces: [ns%[1]d]}}], to: [{operation: {methods: [GET]}}]}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: ns%[1]d}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
`, i)
	}
	return b.String()
}

// BenchmarkValidate validates 1,000 objects (ten kinds) with a warm
// validator, the steady state of a run; BenchmarkValidateCold includes
// compiling the ten schemas on first use.
func BenchmarkValidate(b *testing.B) {
	objs := load(b, benchInput(100))
	v := NewValidator()
	for _, o := range objs {
		v.Validate(o)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, o := range objs {
			if vs := v.Validate(o); len(vs) != 0 {
				b.Fatal(vs)
			}
		}
	}
	b.ReportMetric(float64(len(objs)), "objects/op")
}

func BenchmarkValidateCold(b *testing.B) {
	objs := load(b, benchInput(100))
	b.ResetTimer()
	for b.Loop() {
		v := NewValidator()
		for _, o := range objs {
			if vs := v.Validate(o); len(vs) != 0 {
				b.Fatal(vs)
			}
		}
	}
	b.ReportMetric(float64(len(objs)), "objects/op")
}

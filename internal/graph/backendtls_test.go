package graph

import (
	"testing"
	"time"
)

const backendTLSInput = `apiVersion: v1
kind: Service
metadata: {name: payments, namespace: shop}
spec:
  ports: [{name: https, port: 443}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: bank, namespace: shop}
spec:
  hosts: [api.bank.example]
  ports: [{number: 443, name: https, protocol: HTTPS}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata:
  name: payments
  namespace: shop
  creationTimestamp: 2025-06-01T10:00:00Z
spec:
  targetRefs:
  - group: ""
    kind: Service
    name: payments
    sectionName: https
  - {group: networking.istio.io, kind: ServiceEntry, name: bank, sectionName: ""}
  - {group: "", kind: Service, name: bank}
  validation:
    caCertificateRefs:
    - {group: "", kind: ConfigMap, name: shop-ca}
    - {kind: Secret, name: other}
    wellKnownCACertificates: System
    hostname: payments.example.com
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata:
  name: ignored
  namespace: shop
  creationTimestamp: null
  annotations: {istio.io/ignore-policy-attachment: "True"}
spec:
  targetRefs: [{group: "", kind: Service, name: payments}]
  validation: {wellKnownCACertificates: System, hostname: x.example.com}
`

// TestBackendTLSPolicies checks what the graph keeps of BackendTLSPolicies,
// from the nodes and from what Prepare kept for the cache: the resolved
// targets, the references with their positions, and the creation time.
func TestBackendTLSPolicies(t *testing.T) {
	bothLoads(t, backendTLSInput, func(prepared bool, g *Graph) {
		if len(g.BackendTLSPolicies) != 2 {
			t.Fatalf("prepared=%v: %d policies, want 2", prepared, len(g.BackendTLSPolicies))
		}
		p, ignored := g.BackendTLSPolicies[0], g.BackendTLSPolicies[1]
		if want := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC); !p.Created.Equal(want) {
			t.Errorf("prepared=%v: created %v, want %v", prepared, p.Created, want)
		}
		if p.Ignored || !ignored.Ignored || !ignored.Created.IsZero() {
			t.Errorf("prepared=%v: ignored %v and %v, created %v", prepared, p.Ignored, ignored.Ignored, ignored.Created)
		}
		if len(p.Targets) != 3 {
			t.Fatalf("prepared=%v: %d targets, want 3", prepared, len(p.Targets))
		}
		svc, se, missing := p.Targets[0], p.Targets[1], p.Targets[2]
		if svc.Service == nil || svc.Service.Name() != "payments" || svc.SectionName != "https" {
			t.Errorf("prepared=%v: target 0 resolved to %v, section %q", prepared, svc.Service, svc.SectionName)
		}
		if names, ok := svc.PortNames("https"); !ok || len(names) != 1 {
			t.Errorf("prepared=%v: ports %v, %v", prepared, names, ok)
		}
		if line := svc.Spec.SectionName.Loc.Line; line != 25 {
			t.Errorf("prepared=%v: sectionName at line %d, want 25", prepared, line)
		}
		if se.ServiceEntry == nil || se.Service != nil || se.SectionName != "" {
			t.Errorf("prepared=%v: target 1 resolved to %v, %v, section %q", prepared, se.ServiceEntry, se.Service, se.SectionName)
		}
		if missing.Service != nil || missing.ServiceEntry != nil {
			t.Errorf("prepared=%v: Service bank resolved", prepared)
		}
		refs := p.CACertificateRefs
		if len(refs) != 2 || refs[0].GroupKind != gkConfigMapCA || refs[0].Namespace != "shop" || refs[0].Name != "shop-ca" {
			t.Fatalf("prepared=%v: caCertificateRefs %+v", prepared, refs)
		}
		if refs[0].NameLoc.Line != 30 || refs[1].Group != "" || refs[1].Kind != "Secret" {
			t.Errorf("prepared=%v: caCertificateRefs %+v, %+v", prepared, refs[0], refs[1])
		}
		v := p.Validation()
		if v.WellKnownCACertificates.Loc.Line != 32 || v.Hostname.Loc.Line != 33 {
			t.Errorf("prepared=%v: wellKnownCACertificates at line %d, hostname at %d", prepared, v.WellKnownCACertificates.Loc.Line, v.Hostname.Loc.Line)
		}
	})
}

var gkConfigMapCA = GroupKind{Group: "", Kind: "ConfigMap"}

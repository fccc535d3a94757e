package graph

import "testing"

// TestVirtualServiceNamespaceName holds the cases of Argo Rollouts v1.10.2's
// TestGetVirtualServiceNamespaceName (utils/istio/istio_test.go), and what
// the same code makes of an empty reference and of a Kubernetes-style FQDN.
func TestVirtualServiceNamespaceName(t *testing.T) {
	for _, c := range []struct {
		in, ns, name string
	}{
		{"virtualservice", "", "virtualservice"},
		{"virtualservice.istio", "istio", "virtualservice"},
		{"virtualservice.example.istio", "istio", "virtualservice.example"},
		{"my.virtual.service.istio", "istio", "my.virtual.service"},
		{"test.namespace.cluster.local", "namespace", "test"},
		{"", "", ""},
		{"web.shop.svc.cluster.local", "svc", "web.shop"},
	} {
		if ns, name := VirtualServiceNamespaceName(c.in); ns != c.ns || name != c.name {
			t.Errorf("VirtualServiceNamespaceName(%q) = %q, %q; want %q, %q", c.in, ns, name, c.ns, c.name)
		}
	}
}

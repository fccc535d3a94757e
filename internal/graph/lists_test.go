package graph

import (
	"slices"
	"testing"
	"unsafe"

	"github.com/meshlint/meshlint/internal/host"
)

const sharedListsInput = `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: reviews-v1, namespace: shop}
spec:
  selector: {app: reviews, version: v1}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v1, namespace: shop, labels: {app: reviews, version: v1}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v2, namespace: shop, labels: {app: reviews, version: v2}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ratings, namespace: shop, labels: {app: ratings, version: v1}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: v1, namespace: shop}
spec:
  podSelector: {matchLabels: {version: v1}}
`

// TestFQDNSharesServiceHosts checks that Graph.FQDN expands as host.FQDN
// does, and gives back the Host of the Service a short name names rather
// than a string of its own.
func TestFQDNSharesServiceHosts(t *testing.T) {
	g := graphFrom(t, sharedListsInput)
	for _, h := range []string{"reviews", "details", "reviews.shop", "reviews.shop.svc.cluster.local", "*", "", "fe80::1", "a:b", "*.example.com"} {
		if got, want := g.FQDN(h, "shop"), host.FQDN(h, "shop", g.Mesh.ClusterDomain); got != want {
			t.Errorf("FQDN(%q) = %q, want %q", h, got, want)
		}
	}
	s := g.Services[0]
	if got := g.FQDN("reviews", "shop"); unsafe.StringData(got) != unsafe.StringData(s.Host) {
		t.Errorf("FQDN(reviews) = %q does not share the Service's Host %q", got, s.Host)
	}
}

// TestSelectedListsAreSafe checks the lists that share the graph's own:
// what SelectWorkloads returns, a NetworkPolicy's Workloads and
// ServicesSelecting are right, and have no room past their end, so that
// appending to them copies them rather than writing into the graph's.
func TestSelectedListsAreSafe(t *testing.T) {
	g := graphFrom(t, sharedListsInput)
	names := func(ws []*Workload) []string {
		var out []string
		for _, w := range ws {
			out = append(out, w.Name())
		}
		return out
	}
	for _, tc := range []struct {
		sel  map[string]string
		want []string
	}{
		{map[string]string{"app": "reviews"}, []string{"reviews-v1", "reviews-v2"}},
		{map[string]string{"version": "v1"}, []string{"reviews-v1", "ratings"}},
		{map[string]string{"app": "reviews", "version": "v2"}, []string{"reviews-v2"}},
		{map[string]string{"app": "details"}, nil},
		{nil, []string{"reviews-v1", "reviews-v2", "ratings"}},
	} {
		got := g.SelectWorkloads("shop", tc.sel)
		if !slices.Equal(names(got), tc.want) {
			t.Errorf("SelectWorkloads(%v) = %v, want %v", tc.sel, names(got), tc.want)
		}
		if cap(got) != len(got) {
			t.Errorf("SelectWorkloads(%v) has room for %d: appending would write into the graph's list", tc.sel, cap(got))
		}
	}
	np := g.NetworkPolicies[0]
	if got, want := names(np.Workloads), []string{"reviews-v1", "ratings"}; !slices.Equal(got, want) {
		t.Errorf("NetworkPolicy v1 selects %v, want %v", got, want)
	}
	if cap(np.Workloads) != len(np.Workloads) {
		t.Errorf("NetworkPolicy v1's workloads have room for %d: appending would write into the graph's list", cap(np.Workloads))
	}
	lk := NewLookup(g)
	for _, w := range g.Workloads {
		var want []string
		for _, s := range g.Services {
			if slices.Contains(s.Workloads, w) {
				want = append(want, s.Name())
			}
		}
		got := lk.ServicesSelecting(w)
		var gotNames []string
		for _, s := range got {
			gotNames = append(gotNames, s.Name())
		}
		if !slices.Equal(gotNames, want) {
			t.Errorf("ServicesSelecting(%s) = %v, want %v", w.Name(), gotNames, want)
		}
		if cap(got) != len(got) {
			t.Errorf("ServicesSelecting(%s) has room for %d: appending would write into the index", w.Name(), cap(got))
		}
	}
}

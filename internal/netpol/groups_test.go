package netpol

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/labels"
)

// TestGroups checks what rules rely on when they ask once per group: the
// workloads of a group get the same answers, and SourceGroups yields the
// group of every workload that may reach a destination.
func TestGroups(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 13))
		docs := randomWorld(r)
		a, g := analyze(t, docs)
		ws := g.Workloads
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d: "+format+"\n%s", append(append([]any{seed}, args...), docs)...)
		}
		for _, w := range ws {
			if grp := a.Group(w); grp < 0 || grp >= a.Groups() {
				fail("%s: group %d of %d", w.Obj.Ref(), grp, a.Groups())
			}
		}
		for i, w1 := range ws {
			for _, w2 := range ws[i+1:] {
				if a.Group(w1) != a.Group(w2) {
					continue
				}
				for d := range 2 {
					if a.Isolated(w1, Direction(d)) != a.Isolated(w2, Direction(d)) || !slices.Equal(a.Policies(w1, Direction(d)), a.Policies(w2, Direction(d))) {
						fail("%s and %s: one group, different %s policies", w1.Obj.Ref(), w2.Obj.Ref(), Direction(d))
					}
				}
				for _, x := range ws {
					if x == w1 || x == w2 {
						continue
					}
					e1, e2, ex := WorkloadEndpoint(w1), WorkloadEndpoint(w2), WorkloadEndpoint(x)
					if !a.Allowed(e1, ex).Equal(a.Allowed(e2, ex)) || !a.Allowed(ex, e1).Equal(a.Allowed(ex, e2)) {
						fail("%s and %s: one group, different connections with %s", w1.Obj.Ref(), w2.Obj.Ref(), x.Obj.Ref())
					}
				}
			}
		}
		for _, dst := range ws {
			var got []int
			for grp := range a.SourceGroups(dst) {
				if slices.Contains(got, grp) {
					fail("SourceGroups(%s) yields %d twice", dst.Obj.Ref(), grp)
				}
				got = append(got, grp)
			}
			for _, src := range ws {
				if src == dst || a.Allowed(WorkloadEndpoint(src), WorkloadEndpoint(dst)).IsEmpty() {
					continue
				}
				if !slices.Contains(got, a.Group(src)) {
					fail("SourceGroups(%s) = %v misses group %d of %s, which reaches it", dst.Obj.Ref(), got, a.Group(src), src.Obj.Ref())
				}
			}
			// Stopping early stops.
			for range a.SourceGroups(dst) {
				break
			}
		}
		outside := &graph.Workload{}
		if a.Group(outside) != -1 {
			fail("a workload outside the graph has group %d", a.Group(outside))
		}
		for range a.SourceGroups(outside) {
			fail("SourceGroups yields for a workload outside the graph")
		}
	}
}

// TestAnalyzePolicyAlone checks that leaving the workloads out changes no
// answer about described pods and external addresses.
func TestAnalyzePolicyAlone(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 17))
		docs := randomWorld(r)
		_, g := analyze(t, docs)
		var eps []Endpoint
		eps = append(eps, AnyPod(), AnyPodIn("elsewhere"), IngressController(), ExternalEndpoint(AllIPs))
		for _, ns := range g.NamespaceNames() {
			eps = append(eps, AnyPodIn(ns))
		}
		for _, w := range g.Workloads {
			eps = append(eps, PodEndpoint(podOf(w)))
		}
		for _, np := range g.NetworkPolicies {
			full, alone := AnalyzePolicy(g, np), AnalyzePolicyAlone(g, np)
			if len(alone.Workloads()) != 0 {
				t.Fatalf("seed %d: AnalyzePolicyAlone lists workloads", seed)
			}
			all := eps
			for _, x := range full.ExternalSources() {
				all = append(all, ExternalEndpoint(x))
			}
			for _, x := range full.ExternalDestinations() {
				all = append(all, ExternalEndpoint(x))
			}
			for _, src := range all {
				for _, dst := range all {
					for _, f := range []func(*Analysis, Endpoint, Endpoint) Set{(*Analysis).Allowed, (*Analysis).EgressAllowed, (*Analysis).IngressAllowed} {
						if w, got := f(full, src, dst), f(alone, src, dst); !w.Equal(got) {
							t.Fatalf("seed %d: policy %s, %s => %s: alone %s, with the workloads %s\n%s", seed, np.Name(), src, dst, got, w, docs)
						}
					}
				}
			}
			if !slices.Equal(full.ExternalSources(), alone.ExternalSources()) || !slices.Equal(full.ExternalDestinations(), alone.ExternalDestinations()) {
				t.Fatalf("seed %d: policy %s: external ranges differ", seed, np.Name())
			}
		}
	}
}

func TestAppendSelectorKey(t *testing.T) {
	sels := []labels.Selector{
		{},
		{MatchLabels: map[string]string{"app": "web"}},
		{MatchLabels: map[string]string{"app": "web", "tier": "x"}},
		{Exprs: []labels.Requirement{{Key: "app", Op: labels.In, Values: []string{"b", "a"}}}},
		{MatchLabels: map[string]string{"app": "web"}, Exprs: []labels.Requirement{{Key: "tier", Op: labels.Exists}}},
	}
	for _, s := range sels {
		if got, want := string(appendSelectorKey([]byte("x"), s)), "x"+selectorKey(s); got != want {
			t.Errorf("appendSelectorKey(%v) = %q, want %q", s, got, want)
		}
	}
}

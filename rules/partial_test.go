package rules

import (
	"fmt"
	"slices"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
)

// TestPlanPartial checks which graph rules a change lets run on the
// partitions it reached alone: those whose kinds Dep.Reaches tells, unless
// the change reached what those kinds read in every partition.
func TestPlanPartial(t *testing.T) {
	obj := func(file, group string, kind kinds.Kind, ns, name string) *manifest.Object {
		return &manifest.Object{File: file, Group: group, Kind: kind, Namespace: ns, Name: name}
	}
	nsObj := func(name string) *manifest.Object { return obj("ns.yaml", kinds.GroupCore, kinds.Namespace, "", name) }
	app := obj("a/app.yaml", kinds.GroupCore, kinds.Service, "a", "web")
	other := obj("b/app.yaml", kinds.GroupCore, kinds.Service, "b", "web")
	root := obj("root/pa.yaml", "security.istio.io", kinds.PeerAuthentication, "istio-system", "default")
	injector := obj("root/inject.yaml", kinds.GroupCore, kinds.ConfigMap, "istio-system", kinds.InjectorConfigMapName)
	class := obj("cluster.yaml", "gateway.networking.k8s.io", kinds.GatewayClass, "", "istio")
	webhook := obj("webhook.yaml", kinds.GroupAdmissionRegistration, kinds.MutatingWebhookConfiguration, "", "istio-sidecar-injector")
	base := []*manifest.Object{nsObj("a"), nsObj("b"), nsObj("istio-system"), app, other, root, injector, class}

	rs := map[string]*Rule{}
	for name, d := range map[string]Dep{"none": DepNone, "order": DepOrder, "cls": DepCLS, "root": DepROOT, "inj": DepINJ | DepOrder,
		"ns": DepNS, "host": DepHOST, "time": DepNone | DepTime, "all": DepAll} {
		rs[name] = &Rule{ID: name, Deps: d}
	}
	global := slices.Collect(func(yield func(*Rule) bool) {
		for _, name := range []string{"none", "order", "cls", "root", "inj", "ns", "host", "time", "all"} {
			if !yield(rs[name]) {
				return
			}
		}
	})

	for _, c := range []struct {
		name    string
		objs    []*manifest.Object // this run's, base when nil
		gone    []*manifest.Object
		changed []string
		dirty   []string
		rerun   []string // nil: no plan
	}{
		{name: "a Service of namespace a", changed: []string{"a/app.yaml"}, gone: []*manifest.Object{app},
			dirty: []string{"a"}, rerun: []string{"none", "order", "cls", "root", "inj", "ns"}},
		{name: "a file that went", objs: []*manifest.Object{nsObj("a"), nsObj("b"), nsObj("istio-system"), other, root, injector, class},
			gone: []*manifest.Object{app}, dirty: []string{"a"}, rerun: []string{"none", "order", "cls", "root", "inj", "ns"}},
		{name: "a cluster object", changed: []string{"cluster.yaml"}, gone: []*manifest.Object{class},
			dirty: []string{ClusterPartition}, rerun: []string{"none", "order", "root", "inj", "ns"}},
		{name: "an injector webhook", objs: append(slices.Clone(base), webhook), changed: []string{"webhook.yaml"},
			dirty: []string{ClusterPartition}, rerun: []string{"none", "order", "root", "ns"}},
		{name: "the root namespace", changed: []string{"root/pa.yaml"}, gone: []*manifest.Object{root},
			dirty: []string{"istio-system"}, rerun: []string{"none", "order", "cls", "inj", "ns"}},
		{name: "the injector's ConfigMap", changed: []string{"root/inject.yaml"}, gone: []*manifest.Object{injector},
			dirty: []string{"istio-system"}, rerun: []string{"none", "order", "cls", "ns"}},
		{name: "a Namespace object", changed: []string{"ns.yaml"}, gone: []*manifest.Object{nsObj("a"), nsObj("b"), nsObj("istio-system")},
			dirty: []string{"a", "b", "istio-system"}, rerun: []string{"none", "order", "cls", "inj"}},
		{name: "an undeclared namespace", objs: append(slices.Clone(base), obj("c/app.yaml", kinds.GroupCore, kinds.Service, "c", "web")),
			changed: []string{"a/app.yaml"}, gone: []*manifest.Object{app},
			dirty: []string{"a"}, rerun: []string{"none", "order", "cls", "root", "inj"}},
		{name: "a namespace that is not declared any more", objs: []*manifest.Object{nsObj("b"), nsObj("istio-system"), other, root, injector, class},
			gone: []*manifest.Object{app}, dirty: []string{"a"}, rerun: []string{"none", "order", "cls", "root", "inj"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			objs := c.objs
			if objs == nil {
				objs = base
			}
			prev := &Previous{Gone: c.gone, Changed: map[string]bool{}}
			for _, f := range c.changed {
				prev.Changed[f] = true
			}
			// The last run found something about a and b with every rule.
			for _, r := range global {
				prev.Findings = append(prev.Findings, &Finding{Rule: r, Object: other})
			}
			p := planPartial(prev, objs, global, config.DefaultMesh())
			if p == nil {
				t.Fatalf("no plan, want %v rerun on %v", c.rerun, c.dirty)
			}
			var dirty, rerun, whole, kept []string
			for part := range p.dirty {
				dirty = append(dirty, part)
			}
			slices.Sort(dirty)
			for _, r := range p.rules {
				rerun = append(rerun, r.ID)
			}
			for _, r := range p.whole {
				whole = append(whole, r.ID)
			}
			for _, f := range p.kept {
				kept = append(kept, f.Rule.ID)
			}
			if !slices.Equal(dirty, c.dirty) || !slices.Equal(rerun, c.rerun) {
				t.Errorf("rerun %v on %q, want %v on %q", rerun, dirty, c.rerun, c.dirty)
			}
			if len(rerun)+len(whole) != len(global) || slices.Contains(whole, "none") == slices.Contains(rerun, "none") {
				t.Errorf("rerun %v, whole %v: not every rule once", rerun, whole)
			}
			// What the rerun rules found about b is kept, unless b was
			// reached.
			want := rerun
			if slices.Contains(c.dirty, "b") {
				want = nil
			}
			if !slices.Equal(kept, want) {
				t.Errorf("kept the findings about b of %v, want %v", kept, want)
			}
		})
	}

	// A finding of a rule that could rerun, about no object, cannot be
	// told to hold.
	prev := &Previous{Gone: []*manifest.Object{app}, Changed: map[string]bool{"a/app.yaml": true},
		Findings: []*Finding{{Rule: rs["none"]}}}
	if p := planPartial(prev, base, global, config.DefaultMesh()); p != nil {
		t.Errorf("a finding about no object: a plan to rerun %d rules, want none", len(p.rules))
	}

	// In a large input, a change that reached more than a quarter of the
	// objects runs whole; one that reached less runs on its partitions.
	for _, c := range []struct {
		inA  int
		plan bool
	}{{minPartialObjects / 4, true}, {minPartialObjects/4 + 1, false}} {
		objs := slices.Clone(base)
		for i := range minPartialObjects {
			ns := "b"
			if i < c.inA {
				ns = "a"
			}
			objs = append(objs, obj(ns+"/many.yaml", kinds.GroupCore, kinds.Service, ns, fmt.Sprint("s", i)))
		}
		prev := &Previous{Gone: []*manifest.Object{app}, Changed: map[string]bool{"a/app.yaml": true}}
		if p := planPartial(prev, objs, global, config.DefaultMesh()); (p != nil) != c.plan {
			t.Errorf("%d objects of %d in the partition reached: a plan %v, want %v", c.inA+2, len(objs), p != nil, c.plan)
		}
	}
}

package graph

import (
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/spec"
)

// Ambient reports whether the pods of w are captured by Istio's ambient
// mode, as istio-cni's chart enrols them (ambient.enablementSelectors,
// which util.CompiledEnablementSelectors.Matches applies): a pod labelled
// istio.io/dataplane-mode=ambient in any namespace, or a pod of a
// namespace labelled so whose own label is anything but "none" (NotIn
// [none]). istio-cni skips the namespaces of its excludeNamespaces
// (kube-system by default), host-network pods and pods with a sidecar.
// A pod whose istio-cni annotation ambient.istio.io/redirection=enabled
// shows it captured is too.
func (g *Graph) Ambient(w *Workload) bool {
	if w.Sidecar || cniExcludedNamespace(w.Namespace()) {
		return false
	}
	if w.Spec != nil && w.Spec.Spec.HostNetwork.V {
		// No redirection can be set up in a network namespace the pod
		// does not own.
		return false
	}
	v, ok := w.Labels["istio.io/dataplane-mode"]
	switch {
	case ok && v == "none":
		return false
	case v == "ambient":
		return true
	}
	// istio-cni marks the pods it has captured: a Pod dumped from a
	// cluster shows it whatever enrolled it.
	if w.Spec != nil && w.Spec.Metadata.Annotations["ambient.istio.io/redirection"] == "enabled" {
		return true
	}
	return g.AmbientNamespace(w.Namespace())
}

// AmbientNamespace reports whether namespace ns enrols its pods in ambient
// mode: it is labelled istio.io/dataplane-mode=ambient and istio-cni does
// not exclude it.
func (g *Graph) AmbientNamespace(ns string) bool {
	n := g.Namespaces[ns]
	return n != nil && n.Labels["istio.io/dataplane-mode"] == "ambient" && !cniExcludedNamespace(ns)
}

// cniExcludedNamespace reports whether istio-cni leaves the pods of
// namespace ns alone: its chart's excludeNamespaces default, which the
// node agent applies to ambient enrolment too (nodeagent/informers.go),
// whatever the labels.
func cniExcludedNamespace(ns string) bool { return ns == "kube-system" }

// InMesh reports whether the pods of w are part of the mesh: they get a
// sidecar (injected or explicit) or are captured by ambient mode. Unlike
// istioctl analyze, injection by a revision label (istio.io/rev) counts.
func (g *Graph) InMesh(w *Workload) bool { return w.Sidecar || g.Ambient(w) }

// SelectWorkloads returns the workloads whose pod labels include every
// label of sel, in namespace ns ("" for every namespace). An empty sel
// selects every workload, as an absent Istio workload selector does. The
// result may share the graph's lists: the caller must not modify it.
func (g *Graph) SelectWorkloads(ns string, sel map[string]string) []*Workload {
	return keepWorkloads(g.candidates(ns, sel), func(w *Workload) bool { return labels.SubsetOf(sel, w.Labels) })
}

// keepWorkloads returns the workloads of pool, a list of the graph, for
// which keep holds, in order. Most selectors keep every candidate (the
// workloads that carry their rarest label): pool itself is returned then,
// capped so that appending to it copies it, rather than a copy of it.
func keepWorkloads(pool []*Workload, keep func(*Workload) bool) []*Workload {
	n := 0
	for n < len(pool) && keep(pool[n]) {
		n++
	}
	switch {
	case n == 0 && len(pool) == 0:
		return nil
	case n == len(pool):
		return pool[:n:n]
	}
	var out []*Workload
	if n > 0 {
		out = append(out, pool[:n]...)
	}
	for _, w := range pool[n+1:] {
		if keep(w) {
			out = append(out, w)
		}
	}
	return out
}

// candidates returns the workloads of namespace ns ("" for all) that carry
// the rarest label pair of sel, a superset of those sel selects, so that
// matching a selector costs its matches rather than the namespace's size.
func (g *Graph) candidates(ns string, sel map[string]string) []*Workload {
	pool := g.Workloads
	if ns != "" {
		pool = g.workloadsByNS[ns]
	}
	if g.byLabel == nil {
		return pool // not indexed yet: early in Build
	}
	for k, v := range sel {
		bucket := g.byLabel.workloads(labelKey{ns, k, v})
		if len(bucket) < len(pool) {
			pool = bucket
		}
	}
	return pool
}

type labelKey struct{ ns, key, value string }

// labelIndex lists the workloads that carry each label pair, per
// namespace and for the whole input ("" for ns), in graph order: those of
// key k are all[start[i]:start[i+1]] for i = ids[k].
type labelIndex struct {
	ids   map[labelKey]int32
	start []int32
	all   []*Workload
}

func (x *labelIndex) workloads(k labelKey) []*Workload {
	i, ok := x.ids[k]
	if !ok {
		return nil
	}
	lo, hi := x.start[i], x.start[i+1]
	return x.all[lo:hi:hi]
}

// indexLabels fills byLabel. The lists are counted first and share one
// array: grown a workload at a time, the lists of the labels that most
// workloads carry would allocate several times their size.
func (g *Graph) indexLabels() {
	x := &labelIndex{ids: map[labelKey]int32{}}
	n := 0
	for _, w := range g.Workloads {
		n += 2 * len(w.Labels)
	}
	// met holds the list of each pair of each workload, in the order
	// met, for placing the workloads without looking them up again.
	met := make([]int32, 0, n)
	var counts []int32
	for _, w := range g.Workloads {
		for k, v := range w.Labels {
			for _, ns := range [...]string{w.Namespace(), ""} {
				key := labelKey{ns, k, v}
				id, ok := x.ids[key]
				if !ok {
					id = int32(len(counts)) //nolint:gosec // G115: one list per label pair in memory, far fewer than 2^31
					x.ids[key] = id
					counts = append(counts, 0)
				}
				counts[id]++
				met = append(met, id)
			}
		}
	}
	x.start = make([]int32, len(counts)+1)
	for i, c := range counts {
		x.start[i+1] = x.start[i] + c
	}
	x.all = make([]*Workload, n)
	next := counts // each list's next free place, from its start
	copy(next, x.start)
	i := 0
	for _, w := range g.Workloads {
		for range 2 * len(w.Labels) {
			id := met[i]
			x.all[next[id]] = w
			next[id]++
			i++
		}
	}
	g.byLabel = x
}

// WorkloadsKnown reports whether the input describes the workloads of
// namespace ns ("" for the whole cluster): it holds at least one of them,
// or the closed-world setting says it holds all. Rules that fire because a
// selector picks no workload stay quiet otherwise.
func (g *Graph) WorkloadsKnown(ns string) bool {
	if g.Mesh.ClosedWorld {
		return true
	}
	if ns == "" {
		return len(g.Workloads) > 0
	}
	return len(g.workloadsByNS[ns]) > 0
}

// HostsKnown reports whether the input describes the hosts of namespace ns:
// it holds a Service or ServiceEntry there, or the closed-world setting
// says it holds all. Rules that fire because a host resolves to nothing
// stay quiet otherwise.
func (g *Graph) HostsKnown(ns string) bool {
	if g.Mesh.ClosedWorld {
		return true
	}
	for _, s := range g.Services {
		// The Services Flagger and Argo Rollouts create are only those
		// of their Canaries and Experiments, not a description of the
		// namespace's.
		if s.Namespace() == ns && Origin(s.Obj) == s.Obj {
			return true
		}
	}
	for _, se := range g.ServiceEntries {
		if se.Namespace() == ns {
			return true
		}
	}
	return false
}

// ExplicitProxy reports whether the pod template declares the istio-proxy
// container itself, as gateway deployments do (application pods get it
// from the injector), or as a native sidecar, an init container with
// restartPolicy Always, where Istio's injection template puts it with
// native sidecars and istioctl kube-inject writes it.
func (w *Workload) ExplicitProxy() bool {
	return w.proxyContainer() != nil
}

// proxyContainer returns the pod template's istio-proxy container, among
// its containers or its native sidecars, or nil. An istio-proxy init
// container that runs to completion is no proxy.
func (w *Workload) proxyContainer() *spec.Container {
	for c := range w.ServingContainers() {
		if c.Name.V == "istio-proxy" {
			return c
		}
	}
	return nil
}

package rules

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
)

// ClusterPartition names the partition of the cluster objects among
// namespaces, whose names are never empty.
const ClusterPartition = ""

// Partition returns the partition of o (docs/incremental.md, section 1):
// the namespace of a namespaced object, the name of a Namespace object
// (its labels are its namespace's own), ClusterPartition for the other
// cluster objects. An object a controller would create is in the
// partition of the object it comes from: each graph derives its own.
func Partition(o *manifest.Object) string {
	o = graph.Origin(o)
	if isNamespace(o) {
		return o.Name
	}
	return o.Namespace
}

func isNamespace(o *manifest.Object) bool {
	return o.Kind == kinds.Namespace && o.Group == kinds.GroupCore
}

// injectionSetup reports whether o configures sidecar injection for every
// namespace (DepINJ).
func injectionSetup(o *manifest.Object) bool {
	return kinds.InjectorConfigMap(o.Group, o.Kind, o.Name) ||
		o.Kind == kinds.MutatingWebhookConfiguration && o.Group == kinds.GroupAdmissionRegistration
}

// Reaches reports whether object o, outside the partitions a graph is
// built for, is among what the kinds d reach from them: the cluster
// objects for DepCLS, the objects of the root namespace (root) for
// DepROOT, the injector ConfigMaps and webhooks for DepINJ, every
// Namespace object for DepNS. Only these kinds are told: the others need
// what docs/incremental.md calls summaries.
func (d Dep) Reaches(o *manifest.Object, root string) bool {
	switch {
	case kinds.InjectorConfigMap(o.Group, o.Kind, o.Name):
		return d&DepINJ != 0
	case isNamespace(o):
		return d&DepNS != 0 || d&DepROOT != 0 && o.Name == root
	case o.Namespace == "":
		return d&DepCLS != 0 || injectionSetup(o) && d&DepINJ != 0
	}
	return o.Namespace == root && d&DepROOT != 0
}

// Reached is the kinds Reaches can tell, with the properties a run over
// some partitions keeps: input order, which a graph of the objects in
// input order keeps within each namespace.
const Reached = DepNone | DepNS | DepCLS | DepROOT | DepINJ | DepOrder

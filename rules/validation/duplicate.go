package validation

import (
	"hash/maphash"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// DuplicateObject reports objects that the input defines more than once.
var DuplicateObject = &rules.Rule{
	ID:      "MR017",
	Name:    "duplicate-object",
	Summary: "the input defines the same object twice: same API group, kind, namespace and name",
	Doc: `Two documents that name the same object (the same API group, whatever the version, kind,
namespace and name) are one object in the cluster. ` + "`kubectl apply`" + ` applies both and keeps the
last one it reads, silently dropping what only the other says; ` + "`kustomize build`" + `, and so
Flux, refuses the whole build ("may not add resource with an already registered id"); Argo CD
warns that the resource appears twice, and which copy wins depends on the order. meshlint's
other rules check what each copy says, so their findings may be about the copy that does not
run; but they take the copies for one object, which conflicts with no copy of itself and is
counted and named once.

The rule reports each copy after the first at its name, with a note at the first. It stays
quiet on the copies that come from the very same line of the same file: one kustomize base
built by two overlays given in one run. Those are usually two environments; lint each in a run
of its own, since meshlint reads its input as the configuration of one cluster.

Keep one copy, or give each its own name or namespace.`,
	Bad:      reviewsVS("v1", "2s") + "---\n" + reviewsVS("v1beta1", "5s"),
	Good:     reviewsVS("v1", "5s"),
	Severity: rules.Warning,
	Inputs: []kinds.Kind{
		kinds.Namespace, kinds.Service, kinds.Pod,
		kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.ReplicaSet, kinds.Job, kinds.CronJob,
		kinds.NetworkPolicy,
		kinds.Gateway, kinds.VirtualService, kinds.DestinationRule, kinds.ServiceEntry, kinds.Sidecar,
		kinds.PeerAuthentication, kinds.AuthorizationPolicy, kinds.RequestAuthentication,
		kinds.K8sGateway, kinds.HTTPRoute,
	},
	Deps: rules.DepOrder,
	Run:  runDuplicateObject,
}

func reviewsVS(version, timeout string) string {
	return reviewsVirtualServiceOf(version, `  http:
  - route:
    - destination: {host: reviews}
    timeout: `+timeout+`
`)
}

func runDuplicateObject(p *rules.Pass) error {
	// The objects are indexed by a hash of their identity (graph.IDOf,
	// by which the other rules take the copies for one object): a map of
	// tens of thousands of identities (four strings each) costs more, in
	// allocation and collection, than the rest of the rule. Identities
	// whose hashes collide go to the small map of the others.
	objs := p.Graph.Objects
	seed := maphash.MakeSeed()
	byHash := make(map[uint64]int32, len(objs))
	var others map[graph.ObjectID]*manifest.Object
	for i, o := range objs {
		if o.Kind == "" || o.Name == "" {
			continue // the loader has reported it
		}
		id := graph.IDOf(o)
		h := maphash.Comparable(seed, id)
		j, ok := byHash[h]
		if !ok {
			byHash[h] = int32(i)
			continue
		}
		f := objs[j]
		if fid := graph.IDOf(f); fid != id {
			if others == nil {
				others = map[graph.ObjectID]*manifest.Object{}
			}
			if f, ok = others[id]; !ok {
				others[id] = o
				continue
			}
		}
		at, fat := o.Pos(o.NameLoc), f.Pos(f.NameLoc)
		if at.File == fat.File && at.Line == fat.Line && at.Col == fat.Col {
			continue // one source built twice
		}
		p.Reportf(o, o.NameLoc, "%s %s is defined twice (first at %s:%d): kubectl apply keeps the copy it reads last, "+
			"and kustomize and Flux refuse to build", kindName(o), objectName(o), fat.File, fat.Line).
			Relate(f, f.NameLoc, "the first definition")
	}
	return nil
}

func objectName(o *manifest.Object) string {
	if o.Namespace == "" || kinds.ClusterScoped(o.Group, o.Kind) || o.Kind == kinds.Namespace {
		return o.Name
	}
	return o.Namespace + "/" + o.Name
}

// kindName is o's kind, with its group when another group has a kind of
// that name.
func kindName(o *manifest.Object) string {
	if o.Group != "" && kinds.Shared(o.Group, o.Kind) {
		return string(o.Kind) + "." + o.Group
	}
	return kinds.Qualified(o.Group, o.Kind)
}

package security

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// MeshNotStrict reports meshes without a mesh-wide STRICT PeerAuthentication
// whose workloads fall back to the mesh level.
var MeshNotStrict = &rules.Rule{
	ID:      "MR302",
	Name:    "mesh-not-strict",
	Summary: "no mesh-wide STRICT mTLS, so workloads without a policy of their own accept plaintext",
	Doc: `Istio's default mTLS mode is PERMISSIVE: a sidecar accepts plaintext from anyone unless a
PeerAuthentication says otherwise. The one policy that closes this for the whole mesh is a
selector-less PeerAuthentication with ` + "`mode: STRICT`" + ` in the root namespace (` + "`istio-system`" + ` by
default). Without it, every namespace that has no namespace-wide policy of its own, and
every namespace added later, accepts plaintext.

The rule reports once, when there is no mesh-wide STRICT policy and some workloads with a
sidecar fall back to the mesh level (neither a namespace-wide nor a workload policy of theirs
sets a mode). Gateway pods are left out: PeerAuthentication does not govern their listeners.
The finding is at the mesh-wide policy when there is one, else at the first such namespace
(its Namespace object, or its first workload), and the message lists every namespace
concerned. Namespaces that set PERMISSIVE or DISABLE themselves are MR301's findings.

The input must show the root namespace (any object in it), or the closed-world setting must
be on: a mesh-wide policy is usually installed with Istio itself, outside the application's
manifests. Fix it with:

` + "```yaml" + `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
` + "```",
	Bad: `apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: shop
spec:
  selector:
    matchLabels: {app: storefront}
  template:
    metadata:
      labels: {app: storefront}
    spec:
      containers:
      - name: app
        image: storefront:1
`,
	Good: `apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: shop
spec:
  selector:
    matchLabels: {app: storefront}
  template:
    metadata:
      labels: {app: storefront}
    spec:
      containers:
      - name: app
        image: storefront:1
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.PeerAuthentication, kinds.Namespace, kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.Pod, kinds.Gateway},
	Run:      runMeshNotStrict,
}

func runMeshNotStrict(p *rules.Pass) error {
	g := p.Graph
	root := g.Mesh.RootNamespace
	mesh := meshWidePA(g)
	if mesh != nil && mesh.Spec.MTLS != nil && mesh.Spec.MTLS.Mode.V == "STRICT" {
		return nil
	}
	if _, seen := g.Namespaces[root]; !seen && !g.Mesh.ClosedWorld {
		return nil
	}
	gateways := map[*graph.Workload]bool{}
	for _, gw := range g.Gateways {
		for _, w := range gw.Workloads {
			gateways[w] = true
		}
	}
	// Workloads whose mode falls back to the mesh level, by namespace.
	open := map[string][]*graph.Workload{}
	for _, w := range g.Workloads {
		if !w.Sidecar || gateways[w] {
			continue
		}
		m := g.EffectiveMTLS(w, 0)
		if m.Mode != "STRICT" && (m.Policy == nil || m.Policy.MeshWide) {
			open[w.Namespace()] = append(open[w.Namespace()], w)
		}
	}
	if len(open) == 0 {
		return nil
	}
	names := make([]string, 0, len(open))
	for ns := range open {
		names = append(names, ns)
	}
	sort.Strings(names)
	first := names[0]

	mode := "PERMISSIVE, Istio's default"
	if m := g.NamespaceMTLS(root); m.Policy != nil && m.Policy.MeshWide {
		mode = m.Mode
	}
	var list []string
	count := 0
	for _, ns := range names {
		list = append(list, fmt.Sprintf("%s (%d)", ns, len(open[ns])))
		count += len(open[ns])
	}
	in := "namespace"
	if len(list) > 1 {
		in = "namespaces"
	}
	msg := fmt.Sprintf("no mesh-wide STRICT PeerAuthentication in root namespace %s: the mTLS mode of %s with a sidecar falls back to %s, so plaintext is accepted, in %s %s",
		root, wording.Count(count, "workload", "workloads"), mode, in, strings.Join(list, ", "))

	var f *rules.Finding
	switch {
	case mesh != nil && mesh.Spec.MTLS != nil && mesh.Spec.MTLS.Mode.Set:
		f = p.Reportf(mesh.Obj, mesh.Spec.MTLS.Mode.Loc, "%s", msg)
	case mesh != nil:
		f = p.Reportf(mesh.Obj, mesh.Obj.NameLoc, "%s", msg)
	default:
		at := open[first][0].Obj
		if ns := g.Namespaces[first]; ns != nil && ns.Declared() {
			at = ns.Obj
		}
		f = p.Reportf(at, at.NameLoc, "%s", msg)
	}
	w := open[first][0]
	f.Relate(w.Obj, w.Obj.NameLoc, "%s %s/%s has a sidecar and falls back to the mesh-wide mode", w.Obj.Kind, w.Namespace(), w.Name())
	return nil
}

// meshWidePA returns the selector-less policy of the root namespace that
// Istio applies mesh-wide, or nil.
func meshWidePA(g *graph.Graph) *graph.PeerAuthentication {
	for _, pa := range g.PeerAuthenticationsIn(g.Mesh.RootNamespace) {
		if !pa.HasSelector() {
			return pa
		}
	}
	return nil
}

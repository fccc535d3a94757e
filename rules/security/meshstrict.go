package security

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
	"k8s.io/apimachinery/pkg/api/validate/content"
)

// MeshNotStrict reports meshes without a mesh-wide STRICT PeerAuthentication
// whose workloads fall back to the mesh level.
var MeshNotStrict = &rules.Rule{
	ID:      "MR302",
	Name:    "mesh-not-strict",
	Summary: "no mesh-wide STRICT mTLS, so workloads without a policy of their own accept plaintext",
	Fix:     "creates a mesh-wide STRICT PeerAuthentication when every workload has a sidecar",
	Doc: `Istio's default mTLS mode is PERMISSIVE: a sidecar accepts plaintext from anyone unless a
PeerAuthentication says otherwise. The one policy that closes this for the whole mesh is a
selector-less PeerAuthentication with ` + "`mode: STRICT`" + ` in the root namespace (` + "`istio-system`" + ` by
default). Without it, every namespace that has no namespace-wide policy of its own, and
every namespace added later, accepts plaintext.

The rule reports once, when there is no mesh-wide STRICT policy and some workloads with a
sidecar or in ambient mode (ztunnel applies PeerAuthentication too) fall back to the mesh level
(neither a namespace-wide nor a workload policy of theirs sets a mode). Gateway pods are left out: PeerAuthentication does not govern their listeners.
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
` + "```" + `

` + "`meshlint --fix`" + ` writes this policy to a new file, ` + "`mesh-mtls-strict.yaml`" + `, next to the root
namespace's objects in the input (its Namespace object, or else its first object; when the
input holds none, in the one directory that holds every file of the input, and with files in
several directories there is no fix). It does so only when there is no mesh-wide policy at all
(a PERMISSIVE one is MR301's to fix) and no PeerAuthentication ` + "`default`" + ` in the root namespace
(the new one would replace it), for input that is not standard input and a valid root
namespace name, and when STRICT is safe as far as the input shows, as MR301's fix requires:
the input holds at least one workload, every workload has a sidecar (Istio's own components
aside), and no DestinationRule
sends one of them plaintext. Clients outside the input are not checked: make sure they have
sidecars too.`,
	Bad: meshStrictExample(""),
	Good: meshStrictExample(`apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
---
`),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.PeerAuthentication, kinds.Namespace, kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.Pod, kinds.Gateway, kinds.DestinationRule, kinds.Service},
	Deps:     rules.DepINJ | rules.DepROOT | rules.DepWIDE | rules.DepHOST | rules.DepDR | rules.DepGW | rules.DepOrder,
	Run:      runMeshNotStrict,
}

// meshStrictExample is an injected namespace, shop, and the mesh-wide
// PeerAuthentication meshPolicy, if any: the examples of MR302.
func meshStrictExample(meshPolicy string) string {
	return `apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
---
` + meshPolicy + `apiVersion: v1
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
`
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
	// Two definitions of one workload are one workload, counted once.
	open := map[string][]*graph.Workload{}
	ambient := false
	for _, w := range rules.Distinct(p, g.Workloads) {
		// ztunnel applies PeerAuthentication to ambient workloads as a
		// sidecar does to its own.
		if !w.Sidecar && !g.Ambient(w) || gateways[w] {
			continue
		}
		if !w.Sidecar {
			ambient = true
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

	mode, fix := "PERMISSIVE (Istio's default)", "add a PeerAuthentication with mode STRICT and no selector to namespace "+root
	if m := g.NamespaceMTLS(root); m.Policy != nil && m.Policy.MeshWide {
		mode = m.Mode
	}
	if mesh != nil {
		fix = fmt.Sprintf("set the mode of PeerAuthentication %s/%s to STRICT", mesh.Namespace(), mesh.Name())
	}
	var list []string
	count := 0
	for _, ns := range names {
		list = append(list, fmt.Sprintf("%s (%d)", ns, len(open[ns])))
		count += len(open[ns])
	}
	if len(list) == 1 {
		list[0] = first
	}
	meshed := "with a sidecar"
	if ambient {
		meshed = "with a sidecar or in ambient mode"
	}
	msg := fmt.Sprintf("no mesh-wide STRICT PeerAuthentication in root namespace %s, so %s %s in %s %s %s and %s plaintext; %s",
		root, wording.Count(count, "workload", "workloads"), meshed, wording.Plural(len(list), "namespace", "namespaces"), wording.List(list),
		wording.Plural(count, "falls back to "+mode, "fall back to "+mode), wording.Plural(count, "accepts", "accept"), fix)

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
	has := "has a sidecar"
	if !w.Sidecar {
		has = "is in ambient mode"
	}
	f.Relate(w.Obj, w.Obj.NameLoc, "%s %s/%s %s and falls back to the mesh-wide mode", w.Obj.Kind, w.Namespace(), w.Name(), has)
	// A mesh-wide policy that is not STRICT is MR301's to fix, when it says
	// PERMISSIVE; one that sets no mode is left to the user.
	if mesh == nil {
		if fix, ok := meshStrictFix(p); ok {
			f.Fixes = []rules.Fix{fix}
		}
	}
	return nil
}

// meshStrictFile is the name of the file MR302's fix creates.
const meshStrictFile = "mesh-mtls-strict.yaml"

// meshStrictFix returns the fix that creates the mesh-wide STRICT policy,
// PeerAuthentication default of the root namespace, in a new file next to
// the root namespace's objects: the directory of its Namespace object, or
// else of its first object. When the input holds none (the closed-world
// setting), the file goes to the directory that holds every object of the
// input, if there is one such directory; with files in several, there is
// no telling where the root namespace's manifests belong, and no fix.
//
// The fix is offered only when STRICT is safe for every workload of the
// input, as MR301's fix of a mesh-wide policy is; not for input read from
// standard input, nor for a root namespace name that is not valid, nor
// when the root namespace has a PeerAuthentication named default already
// (with a selector: applying the new one would replace it).
func meshStrictFix(p *rules.Pass) (rules.Fix, bool) {
	g := p.Graph
	root := g.Mesh.RootNamespace
	if len(content.IsDNS1123Label(root)) > 0 || !strictSafe(p, g.Workloads) {
		return rules.Fix{}, false
	}
	for _, pa := range g.PeerAuthenticationsIn(root) {
		if pa.Name() == "default" {
			return rules.Fix{}, false
		}
	}
	dir, ok := meshStrictDir(g, root)
	if !ok {
		return rules.Fix{}, false
	}
	path := filepath.Join(dir, meshStrictFile)
	return rules.Fix{
		Message: fmt.Sprintf("Create %s with a mesh-wide STRICT PeerAuthentication in namespace %s: every workload of the input has a sidecar", path, root),
		NewFiles: []rules.NewFile{{Path: path, Content: fmt.Sprintf(`# Mesh-wide mutual TLS, written by meshlint --fix (MR302): the sidecars of every
# namespace accept mutual TLS only, unless a policy of their own says otherwise.
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: %s
spec:
  mtls:
    mode: STRICT
`, root)}},
	}, true
}

// meshStrictDir returns the directory of MR302's new file: that of the
// root namespace's Namespace object, or of its first object, or else the
// one directory that holds every object of the input.
func meshStrictDir(g *graph.Graph, root string) (string, bool) {
	var at *manifest.Object
	if ns := g.Namespaces[root]; ns != nil && ns.Declared() {
		at = ns.Obj
	}
	for _, o := range g.Objects {
		if at != nil {
			break
		}
		if o.Namespace == root {
			at = o
		}
	}
	if at != nil {
		return filepath.Dir(at.File), at.File != manifest.StdinName
	}
	if len(g.Objects) == 0 || g.Objects[0].File == manifest.StdinName {
		return "", false
	}
	dir := filepath.Dir(g.Objects[0].File)
	for _, o := range g.Objects {
		if filepath.Dir(o.File) != dir {
			return "", false
		}
	}
	return dir, true
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

package netpol

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// The fix of MR401 and MR402 is a new file next to the namespace's other
// manifests, holding the missing default deny: default-deny-ingress.yaml or
// default-deny-egress.yaml. When both are missing, the two rules write one
// file each. The egress file also allows DNS, and istiod when the
// namespace runs sidecars: the rule's documentation says every pod needs
// them, and a deny without them would stop the namespace at once.

// dnsLabel is what Kubernetes accepts as a namespace name; other names get
// no fix (schema validation reports them).
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// defaultDenyFix returns the fix that creates the default deny of direction
// d for namespace ns, next to object at (the Namespace object, or the
// namespace's first workload or policy). There is none when at was read from
// standard input, when ns is not a valid name, or when a NetworkPolicy of
// the name the fix would use already exists in the namespace: applying the
// new one would replace it.
func defaultDenyFix(g *graph.Graph, ns string, at *manifest.Object, d direction, nps []*graph.NetworkPolicy) (rules.Fix, bool) {
	name := "default-deny-" + d.Name
	if at.File == manifest.StdinName || !dnsLabel.MatchString(ns) {
		return rules.Fix{}, false
	}
	for _, np := range nps {
		if np.Name() == name {
			return rules.Fix{}, false
		}
	}
	dir := filepath.Dir(at.File)
	file := name + ".yaml"
	if sharesDir(g, dir, ns) {
		file = name + "-" + ns + ".yaml"
	}
	path := filepath.Join(dir, file)
	// Objects that set no namespace take the run's default: so does the
	// new policy, when the object it is written next to sets none.
	explicit := at.Kind == kinds.Namespace || at.NamespaceSet
	return rules.Fix{
		Message:  fmt.Sprintf("Create %s with a default-deny %s NetworkPolicy for namespace %s", path, d.Name, ns),
		NewFiles: []rules.NewFile{{Path: path, Content: defaultDenyYAML(g, ns, explicit, d)}},
	}, true
}

// sharesDir reports whether objects of another namespace than ns, among
// those the default-deny rules look at, live in directory dir: then the
// file name carries the namespace, so that the fixes of two namespaces do
// not write the same file.
func sharesDir(g *graph.Graph, dir, ns string) bool {
	var objs []*manifest.Object
	for _, w := range g.Workloads {
		objs = append(objs, w.Obj)
	}
	for _, np := range g.NetworkPolicies {
		objs = append(objs, np.Obj)
	}
	for _, n := range g.Namespaces {
		if n.Declared() {
			objs = append(objs, n.Obj)
		}
	}
	for _, o := range objs {
		if o.Namespace != ns && filepath.Dir(o.File) == dir {
			return true
		}
	}
	return false
}

// defaultDenyYAML renders the new file. ns is a DNS label, so it needs no
// quoting.
func defaultDenyYAML(g *graph.Graph, ns string, explicit bool, d direction) string {
	var b strings.Builder
	meta := func(name string) {
		fmt.Fprintf(&b, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: %s\n", name)
		if explicit {
			fmt.Fprintf(&b, "  namespace: %s\n", ns)
		}
	}
	rule := "MR401"
	if d.Name == "egress" {
		rule = "MR402"
	}
	fmt.Fprintf(&b, "# Default deny for %s, written by meshlint --fix (%s): every pod of namespace\n", d.Name, rule)
	fmt.Fprintf(&b, "# %s is isolated for %s, and other NetworkPolicies allow what each workload needs.\n", ns, d.Name)
	meta("default-deny-" + d.Name)
	fmt.Fprintf(&b, "spec:\n  podSelector: {}\n  policyTypes: [%s]\n", d.Type)
	if d.Name != "egress" {
		return b.String()
	}
	b.WriteString("---\n# Every pod needs DNS once egress is denied.\n")
	meta("allow-dns-egress")
	b.WriteString(`spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: kube-system}
      podSelector:
        matchLabels: {k8s-app: kube-dns}
    ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
`)
	if !sidecars(g, ns) || !dnsLabel.MatchString(g.Mesh.RootNamespace) {
		return b.String()
	}
	b.WriteString("---\n# Sidecars get their configuration and certificates from istiod.\n")
	meta("allow-istiod-egress")
	fmt.Fprintf(&b, `spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: %s}
      podSelector:
        matchLabels: {app: istiod}
    ports:
    - {protocol: TCP, port: 15012}
`, g.Mesh.RootNamespace)
	return b.String()
}

// sidecars reports whether a workload of namespace ns has a sidecar.
func sidecars(g *graph.Graph, ns string) bool {
	for _, w := range g.WorkloadsIn(ns) {
		if w.Sidecar {
			return true
		}
	}
	return false
}

package routing

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
)

// hostHint explains why a host written as written in a config of namespace
// own (expanded to fqdn) resolves to nothing from the namespaces from: a
// registry entry hidden by exportTo, or a Service the short or
// "name.namespace" form probably meant.
func hostHint(g *graph.Graph, written, fqdn, own string, from []string) string {
	if g.HostDefined(fqdn) {
		return fmt.Sprintf(" (it exists, but its exportTo hides it from %s)", namespacesPhrase(from))
	}
	// "reviews.shop" is not expanded by Istio, though Kubernetes DNS would
	// resolve it.
	if parts := strings.Split(written, "."); len(parts) == 2 {
		full := written + ".svc." + g.Mesh.ClusterDomain
		for _, ns := range from {
			if len(g.LookupHost(full, ns)) > 0 {
				return fmt.Sprintf("; Istio does not expand %q: write %q", written, full)
			}
		}
	}
	if !strings.Contains(written, ".") {
		var other []string
		for _, s := range g.Services {
			if s.Name() == written && s.Namespace() != own {
				other = append(other, s.Host)
			}
		}
		if len(other) > 0 {
			return fmt.Sprintf("; a short name means a Service of namespace %s: did you mean %q?", own, other[0])
		}
	}
	return ""
}

// namespacesPhrase names a list of namespaces for messages.
func namespacesPhrase(nss []string) string {
	if len(nss) == 1 {
		return "namespace " + nss[0]
	}
	return "namespaces " + strings.Join(nss, ", ")
}

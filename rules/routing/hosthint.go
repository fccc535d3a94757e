package routing

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
)

// hostHint explains why a host written as written (expanded to fqdn) in
// namespace from resolves to nothing: a registry entry hidden by exportTo,
// or a Service the short or "name.namespace" form probably meant.
func hostHint(g *graph.Graph, written, fqdn, from string) string {
	if g.HostDefined(fqdn) {
		return fmt.Sprintf(" (it exists, but its exportTo hides it from namespace %s)", from)
	}
	// "reviews.shop" is not expanded by Istio, though Kubernetes DNS would
	// resolve it.
	if parts := strings.Split(written, "."); len(parts) == 2 {
		full := written + ".svc." + g.Mesh.ClusterDomain
		if len(g.LookupHost(full, from)) > 0 {
			return fmt.Sprintf("; Istio does not expand %q: write %q", written, full)
		}
	}
	if !strings.Contains(written, ".") {
		var other []string
		for _, s := range g.Services {
			if s.Name() == written && s.Namespace() != from {
				other = append(other, s.Host)
			}
		}
		if len(other) > 0 {
			return fmt.Sprintf("; a short name means a Service of namespace %s: did you mean %q?", from, other[0])
		}
	}
	return ""
}

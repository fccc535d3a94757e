package workload

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// ApplicationUID1337 reports pods that run as the proxy's user ID.
var ApplicationUID1337 = &rules.Rule{
	ID:      "MR716",
	Name:    "application-uid-1337",
	Summary: "application container runs as user or group ID 1337, the sidecar proxy's",
	Doc: `The sidecar's iptables rules let the traffic of user ID 1337 and of group ID 1337 (the proxy's)
bypass the proxy, so that the proxy's own connections are not redirected to itself (istio-iptables
matches both ` + "`--uid-owner`" + ` and ` + "`--gid-owner`" + `). An application container running as user 1337, or
with group 1337, bypasses the mesh the same way: its outbound traffic gets no mTLS, no routing
and no policy.

Run the application as another user and group. A pod-level ` + "`runAsUser: 1337`" + ` or
` + "`runAsGroup: 1337`" + ` is reported when some application container inherits it, not when each sets
its own. Pod templates labelled
` + "`istio`" + ` or ` + "`release: istio`" + ` (Istio's own components) and the ` + "`istio-proxy`" + ` container are
skipped.`,
	Bad:      webRunAsUser("1337"),
	Good:     webRunAsUser("1000"),
	Severity: rules.Warning,
	Inputs:   kinds.Workloads(),
	Related:  []string{"IST0144"},
	Deps:     rules.DepNone,
	Run:      runApplicationUID1337,
}

// webRunAsUser is Deployment shop/web, whose pods run as user uid: the
// examples of MR716.
func webRunAsUser(uid string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsUser: ` + uid + `}
      containers: [{name: web, image: web}]
`
}

func runApplicationUID1337(p *rules.Pass) error {
	for _, w := range p.Graph.Workloads {
		if graph.Origin(w.Obj) != w.Obj {
			// Flagger's primary or an experiment step's pods: the pod
			// spec is the target's or the Rollout's, reported there.
			continue
		}
		if _, ok := w.Obj.Labels["istio"]; ok || w.Obj.Labels["release"] == "istio" {
			continue
		}
		if _, ok := w.Labels["istio"]; ok {
			continue
		}
		ps := w.Spec.Spec
		for _, id := range proxyIDs {
			if sc := ps.SecurityContext; sc != nil && id.is1337(sc) && inherits(ps, id) {
				p.Reportf(w.Obj, id.field(sc).Loc, "the pods of %s %s/%s run as %s ID 1337, the proxy's: their traffic bypasses the sidecar; run them as another %s", w.KindName(), w.Namespace(), w.Name(), id.name, id.name)
			}
		}
		for _, cs := range [...][]spec.Container{ps.InitContainers, ps.Containers} {
			for i := range cs {
				c := &cs[i]
				if skippedContainer(c.Name.V) {
					continue
				}
				for _, id := range proxyIDs {
					if sc := c.SecurityContext; sc != nil && id.is1337(sc) {
						p.Reportf(w.Obj, id.field(sc).Loc, "container %q of %s %s/%s runs as %s ID 1337, the proxy's: its traffic bypasses the sidecar; run it as another %s", c.Name.V, w.KindName(), w.Namespace(), w.Name(), id.name, id.name)
					}
				}
			}
		}
	}
	return nil
}

// proxyID is a process ID that istio-iptables lets bypass capture, and
// its field of a security context.
type proxyID struct {
	name  string
	field func(*spec.SecurityContext) *spec.Int
}

// proxyIDs are the user and the group of the proxy: istio-iptables
// returns the traffic of both (--uid-owner, --gid-owner) before the
// redirect (capture/run.go), and the injector gives the proxy 1337 as both.
var proxyIDs = [...]proxyID{
	{"user", func(sc *spec.SecurityContext) *spec.Int { return &sc.RunAsUser }},
	{"group", func(sc *spec.SecurityContext) *spec.Int { return &sc.RunAsGroup }},
}

func (id proxyID) is1337(sc *spec.SecurityContext) bool {
	f := id.field(sc)
	return f.Set && f.V == 1337
}

// inherits reports whether an application container of the pod runs with
// the pod's ID id: a container's own runAsUser (runAsGroup) takes
// precedence over the pod's, and the injector gives its containers their
// own.
func inherits(ps spec.PodSpec, id proxyID) bool {
	for _, cs := range [...][]spec.Container{ps.InitContainers, ps.Containers} {
		for i := range cs {
			c := &cs[i]
			if skippedContainer(c.Name.V) {
				continue
			}
			if sc := c.SecurityContext; sc == nil || !id.field(sc).Set {
				return true
			}
		}
	}
	return false
}

// skippedContainer reports whether the rule leaves a container alone:
// Istio's own, which run as 1337 by design.
func skippedContainer(name string) bool {
	return name == "istio-proxy" || name == "istio-operator"
}

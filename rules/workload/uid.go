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
	Summary: "application container runs as user ID 1337, the sidecar proxy's",
	Doc: `The sidecar's iptables rules let the traffic of user ID 1337 (the proxy's) bypass the proxy, so
that the proxy's own connections are not redirected to itself. An application container running
as 1337 bypasses the mesh the same way: its outbound traffic gets no mTLS, no routing and no
policy.

Run the application as another user. A pod-level ` + "`runAsUser: 1337`" + ` is reported when some
application container inherits it, not when each sets its own. Pod templates labelled
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
		if sc := ps.SecurityContext; sc != nil && sc.RunAsUser.Set && sc.RunAsUser.V == 1337 && inheritsUser(ps) {
			p.Reportf(w.Obj, sc.RunAsUser.Loc, "the pods of %s %s/%s run as user ID 1337, the proxy's: their traffic bypasses the sidecar; run them as another user", w.KindName(), w.Namespace(), w.Name())
		}
		for _, cs := range [...][]spec.Container{ps.InitContainers, ps.Containers} {
			for i := range cs {
				c := &cs[i]
				if skippedContainer(c.Name.V) {
					continue
				}
				if sc := c.SecurityContext; sc != nil && sc.RunAsUser.Set && sc.RunAsUser.V == 1337 {
					p.Reportf(w.Obj, sc.RunAsUser.Loc, "container %q of %s %s/%s runs as user ID 1337, the proxy's: its traffic bypasses the sidecar; run it as another user", c.Name.V, w.KindName(), w.Namespace(), w.Name())
				}
			}
		}
	}
	return nil
}

// inheritsUser reports whether an application container of the pod runs
// as the pod's user: a container's own runAsUser takes precedence over the
// pod's (PodSecurityContext.RunAsUser), and the injector gives its
// containers their own.
func inheritsUser(ps spec.PodSpec) bool {
	for _, cs := range [...][]spec.Container{ps.InitContainers, ps.Containers} {
		for i := range cs {
			c := &cs[i]
			if skippedContainer(c.Name.V) {
				continue
			}
			if sc := c.SecurityContext; sc == nil || !sc.RunAsUser.Set {
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

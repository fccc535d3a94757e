package routing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
	"k8s.io/apimachinery/pkg/util/validation"
)

// TargetPortUnresolved reports named Service target ports that the selected
// pods do not declare.
var TargetPortUnresolved = &rules.Rule{
	ID:      "MR150",
	Name:    "service-target-port-unresolved",
	Summary: "a Service's named targetPort is not declared by the pods it selects, so they get no endpoint",
	Doc: `A Service port with a named ` + "`targetPort`" + ` (` + "`targetPort: http`" + `) is resolved, pod by pod, against
the container ports that carry that name and the Service port's protocol (TCP when unset, on
both sides). A pod without such a port gets no endpoint for the Service port: when no
selected pod declares it, the Service has no endpoints on that port and clients (and the
sidecars' outbound clusters) get 503 "no healthy upstream".

The rule matches the Service selector against the pod-template labels of the workloads in the
input (Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, Pods, Argo Rollouts) of the
Service's namespace, and stays quiet when none is in the input.

It differs from Kiali's KIA0701 in two ways. Kiali matches the selector against the Deployment's
own ` + "`metadata.labels`" + `, which the Service never looks at, and in every namespace; meshlint uses
the pod-template labels, as Kubernetes does. And Kiali also reports a numeric targetPort that
no container declares; meshlint does not, because container ports are informational for
numeric target ports: traffic reaches the port whether it is declared or not. A
` + "`targetPort`" + ` that is no valid port name (a quoted ` + "`\"8080\"`" + `, which has no letter) is MR027's: the API
server refuses the Service, and no container port could carry that name.

Fix the container port's name, or use the number as the targetPort.`,
	Bad:      targetPortExample("http"),
	Good:     targetPortExample("web"),
	Severity: rules.Error,
	Inputs:   append([]kinds.Kind{kinds.Service}, kinds.Workloads()...),
	Related:  []string{"KIA0701"},
	Deps:     rules.DepOrder,
	Run:      runTargetPortUnresolved,
}

// targetPortExample is Service shop/web with targetPort, and its
// Deployment, whose container port is named web: the examples of MR150.
func targetPortExample(targetPort string) string {
	return `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: ` + targetPort + `}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:1
        ports:
        - {name: web, containerPort: 8080}
`
}

func runTargetPortUnresolved(p *rules.Pass) error {
	for _, s := range p.Graph.Services {
		if len(s.Workloads) == 0 {
			continue
		}
		for _, sp := range s.Spec.Ports {
			// A name the API server refuses (a quoted "8080", capitals)
			// is MR027's: no container port can carry it either.
			if !sp.TargetPort.IsStr || len(validation.IsValidPortName(sp.TargetPort.Str)) > 0 {
				continue
			}
			var lacking []*graph.Workload
			served := false
			for _, w := range s.Workloads {
				if _, ok := w.ContainerPort(sp.TargetPort.Str, sp.Protocol.V); ok {
					served = true
				} else {
					lacking = append(lacking, w)
				}
			}
			if len(lacking) == 0 {
				continue
			}
			// Two definitions of one workload are one workload, which
			// MR017 reports: named once, and lacking the port when either
			// lacks it, since either may be the one that runs; the
			// Service has no endpoint when none declares it.
			lacking = graph.Distinct(lacking)
			missing := make([]string, len(lacking))
			for i, w := range lacking {
				missing[i] = string(w.Obj.Kind) + " " + w.Name()
			}
			// A pod may already have a port of that name, of another
			// protocol: naming one would not help (a name is unique in
			// the pod), the protocols must agree.
			fix := fmt.Sprintf("name their container port %q or use its number", sp.TargetPort.Str)
			if served {
				fix = fmt.Sprintf("give them a container port named %q", sp.TargetPort.Str)
			}
			if others := otherProtocols(lacking, sp.TargetPort.Str); len(others) > 0 {
				proto := sp.Protocol.V
				if proto == "" {
					proto = "TCP"
				}
				fix = fmt.Sprintf("their container port %q is %s, and a named targetPort resolves only to a container port of the Service port's protocol, %s: make the protocols agree, or target a %s container port of another name", sp.TargetPort.Str, strings.Join(others, " or "), proto, proto)
			}
			if !served {
				p.Reportf(s.Obj, sp.TargetPort.Loc, "targetPort %q of port %d matches no container port of the selected pods (%s): the Service has no endpoints on this port; %s", sp.TargetPort.Str, sp.Port.V, wording.List(missing), fix)
				continue
			}
			p.Reportf(s.Obj, sp.TargetPort.Loc, "targetPort %q of port %d is not declared by %s: those pods get no endpoint on this port; %s", sp.TargetPort.Str, sp.Port.V, wording.List(missing), fix)
		}
	}
	return nil
}

// otherProtocols returns the protocols (uppercase, sorted) of the container
// ports called name of workloads ws, when each of ws has one: those ports
// exist but, of another protocol than the Service port's, do not resolve
// its named targetPort (ContainerPort). It returns nil when a workload has
// no port of that name at all, where naming one is the fix.
func otherProtocols(ws []*graph.Workload, name string) []string {
	var out []string
	for _, w := range ws {
		found := false
		for c := range w.ServingContainers() {
			for _, cp := range c.Ports {
				if cp.Name.V != name {
					continue
				}
				found = true
				proto := strings.ToUpper(cp.Protocol.V)
				if proto == "" {
					proto = "TCP"
				}
				if !slices.Contains(out, proto) {
					out = append(out, proto)
				}
			}
		}
		if !found {
			return nil
		}
	}
	slices.Sort(out)
	return out
}

package routing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// FlaggerRewritesInput reports objects of the input that Flagger takes over
// for a Canary and rewrites.
var FlaggerRewritesInput = &rules.Rule{
	ID:      "MR154",
	Name:    "flagger-rewrites-input",
	Summary: "an object of the input has the name of one Flagger creates for a Canary, and Flagger rewrites it",
	Doc: `For a Canary of a Deployment or DaemonSet, Flagger creates the Services ` + "`<apex>`" + `,
` + "`<apex>-primary`" + ` and ` + "`<apex>-canary`" + ` (the apex is ` + "`spec.service.name`" + `, or the target's name), and,
for the Istio provider, the DestinationRules ` + "`<apex>-primary`" + ` and ` + "`<apex>-canary`" + ` and the
VirtualService ` + "`<apex>`" + `, or, for a Gateway API provider, the HTTPRoute ` + "`<apex>`" + `. When an
object of that kind and name is already in the Canary's namespace, Flagger does not create it:
it takes it over. It sets a Service's selector and ports to its own, and replaces the whole
spec of a DestinationRule, VirtualService or HTTPRoute with the one it derives from the
Canary's ` + "`spec.service`" + `. What the manifest says is then not what runs, and a GitOps tool that
applies it (Flux, Argo CD) and Flagger undo each other's changes at every reconciliation:
routing flips between the two versions, and the tool resets the weights Flagger shifts
during an analysis.

The rule reports such an object at its name, with a note at the Canary:
- a Service whose selector or ports differ from Flagger's (compared as Flagger does, in any
  order, with the protocol and target port the API server fills in);
- a DestinationRule whose spec differs from Flagger's: another host string, subsets,
  ` + "`exportTo`" + `, a workload selector, or another traffic policy than the Canary's (the TLS
  settings are compared; of the load balancer, connection pool and outlier detection
  settings, meshlint compares only whether they are set);
- always, a VirtualService or HTTPRoute, whose weights Flagger changes during each analysis.

meshlint checks the objects as Flagger leaves them. Remove the object from the manifests and
set what it said through the Canary (` + "`spec.service`" + `: ports, ` + "`trafficPolicy`" + `, ` + "`hosts`" + `,
` + "`gateways`" + `, ` + "`gatewayRefs`" + `, ` + "`match`" + `, ` + "`retries`" + `, ` + "`timeout`" + `, and the
` + "`apex`" + `, ` + "`primary`" + ` and ` + "`canary`" + ` metadata), or give it another name.`,
	Bad: flaggerRewriteExample(`---
apiVersion: v1
kind: Service
metadata:
  name: podinfo
  namespace: test
spec:
  selector: {app: podinfo}
  ports:
  - {name: http, port: 80, targetPort: 9898}
`),
	Good:     flaggerRewriteExample(""),
	Severity: rules.Warning,
	Inputs: []kinds.Kind{kinds.Canary, kinds.Deployment, kinds.DaemonSet, kinds.Service, kinds.DestinationRule,
		kinds.VirtualService, kinds.HTTPRoute},
	Deps: rules.DepNone,
	Run:  runFlaggerRewritesInput,
}

func flaggerRewriteExample(extra string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: test
spec:
  selector:
    matchLabels: {app: podinfo}
  template:
    metadata:
      labels: {app: podinfo}
    spec:
      containers:
      - name: podinfod
        image: ghcr.io/stefanprodan/podinfo:6.5.0
        ports:
        - {name: http, containerPort: 9898}
---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service:
    port: 80
    targetPort: 9898
  analysis: {interval: 1m, threshold: 5, maxWeight: 50, stepWeight: 10}
` + extra
}

func runFlaggerRewritesInput(p *rules.Pass) error {
	for _, c := range p.Graph.Canaries {
		for _, r := range c.Rewrites {
			what := flaggerRewrite(c, r)
			if what == "" {
				continue
			}
			p.Reportf(r.Obj, r.Obj.NameLoc, "%s is taken over by Flagger for Canary %s/%s, which %s: "+
				"the manifest is not what runs, and a GitOps tool applying it and Flagger undo each other's changes",
				r.Obj.Ref(), c.Namespace(), c.Name(), what).
				Relate(c.Obj, c.Obj.NameLoc, "the Canary whose Flagger takes it over")
		}
	}
	return nil
}

// flaggerRewrite says what Flagger changes in r, or "" when it changes
// nothing.
func flaggerRewrite(c *graph.Canary, r *graph.Rewrite) string {
	_, primary, canary := c.ServiceNames()
	switch written := r.Written.(type) {
	case *spec.Service:
		flagger := r.Flagger.(*spec.Service)
		var what []string
		if a, b := selectorText(flagger.Selector), selectorText(written.Selector); a != b {
			what = append(what, fmt.Sprintf("sets its selector to %s (written: %s)", a, b))
		}
		if a, b := servicePortsText(flagger.Ports), servicePortsText(written.Ports); a != b {
			what = append(what, fmt.Sprintf("sets its ports to %s (written: %s)", a, b))
		}
		return strings.Join(what, " and ")
	case *spec.DestinationRule:
		if spec.Equal(written, r.Flagger) {
			return ""
		}
		var dropped []string
		for _, f := range []struct {
			name string
			set  bool
		}{{"subsets", len(written.Subsets) > 0}, {"exportTo", len(written.ExportTo) > 0}, {"workloadSelector", written.WorkloadSelector != nil}} {
			if f.set {
				dropped = append(dropped, f.name)
			}
		}
		what := fmt.Sprintf("replaces its spec with host %s and the Canary's spec.service.trafficPolicy", r.Flagger.(*spec.DestinationRule).Host.V)
		if len(dropped) > 0 {
			what += ", dropping its " + strings.Join(dropped, ", ")
		}
		return what
	case *spec.VirtualService, *spec.GatewayRoute:
		return fmt.Sprintf("replaces its spec with routes to %s and %s, and shifts their weights during each analysis", primary, canary)
	}
	return ""
}

// selectorText is sel as "k=v,k=v", or "none".
func selectorText(sel map[string]string) string {
	if len(sel) == 0 {
		return "none"
	}
	return labels.String(sel)
}

// servicePortsText describes ports as Flagger compares them with its own:
// in the order of their numbers, with the protocol (TCP) and target port
// (the port) that the API server sets when they are left out.
func servicePortsText(ports []spec.ServicePort) string {
	if len(ports) == 0 {
		return "none"
	}
	sorted := slices.Clone(ports)
	slices.SortStableFunc(sorted, func(a, b spec.ServicePort) int { return int(a.Port.V - b.Port.V) })
	var out []string
	for _, p := range sorted {
		protocol := p.Protocol.V
		if protocol == "" {
			protocol = "TCP"
		}
		target := p.TargetPort.String()
		if !p.TargetPort.Set {
			target = fmt.Sprint(p.Port.V)
		}
		s := fmt.Sprintf("%d/%s->%s", p.Port.V, protocol, target)
		if p.Name.V != "" {
			s = p.Name.V + " " + s
		}
		if p.AppProtocol.V != "" {
			s += " (" + p.AppProtocol.V + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

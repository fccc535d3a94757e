package workload

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

func istioOwned(o map[string]string) bool {
	_, istio := o["istio"]
	_, managed := o["gateway.istio.io/managed"]
	return istio || o["release"] == "istio" || managed
}

// PortProtocolUnknown reports Service ports whose protocol Istio cannot
// read.
var PortProtocolUnknown = &rules.Rule{
	ID:      "MR712",
	Name:    "service-port-protocol-unknown",
	Summary: "service port name and appProtocol do not tell Istio the protocol",
	Doc: `Istio reads a Service port's protocol from ` + "`appProtocol`" + `, or else from the port name:
` + "`<protocol>[-<suffix>]`" + ` with protocol one of http, http2, https, grpc, grpc-web, tls, tcp, udp,
mongo, mysql, redis (read the same way from ` + "`appProtocol`" + `). Ports 25, 53, 3306 and 27017 are
TCP when neither gives a protocol. Otherwise it sniffs the protocol from the first bytes of each
connection, which adds latency, fails for server-first protocols (MySQL, SMTP...) and loses HTTP
features when the detection guesses TCP.

Name the port ` + "`http-web`" + `, ` + "`grpc`" + `, ` + "`tcp-db`" + `... or set ` + "`appProtocol`" + `. Services of Istio's own
installation are skipped.`,
	Bad: `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: web, port: 9080}]
`,
	Good: `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http-web, port: 9080}]
`,
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.Service},
	Related:  []string{"IST0118", "KIA0601", "KIA0602"},
	Deps:     rules.DepNone,
	Run:      runPortProtocolUnknown,
}

// portNameFix is MR712's advice for a port whose name tells no protocol.
const portNameFix = "name the port http-…, grpc-… or tcp-…, or set appProtocol"

func runPortProtocolUnknown(p *rules.Pass) error {
	for _, s := range p.Graph.Services {
		if istioOwned(s.Obj.Labels) || strings.EqualFold(s.Spec.Type.V, "ExternalName") {
			continue
		}
		for i, port := range s.Spec.Ports {
			if graph.PortProtocol(port) != "" || strings.EqualFold(port.Protocol.V, "SCTP") {
				continue
			}
			at, why, fix := port.Name.Loc, fmt.Sprintf("is named %q", port.Name.V), portNameFix
			switch {
			case port.AppProtocol.V != "":
				at, why, fix = port.AppProtocol.Loc, fmt.Sprintf("has appProtocol %q, which Istio does not know", port.AppProtocol.V), "set appProtocol to http, http2, grpc, tcp or another protocol Istio knows"
			case !port.Name.Set:
				at, why = port.Loc, "has no name and no appProtocol"
			}
			p.Reportf(s.Obj, at, "ports[%d] (%d) of Service %s/%s %s, so Istio cannot tell its protocol and sniffs it from the traffic; %s",
				i, port.Port.V, s.Namespace(), s.Name(), why, fix)
		}
	}
	return nil
}

// ExternalNamePortName reports ExternalName Service ports whose protocol
// Istio cannot read.
var ExternalNamePortName = &rules.Rule{
	ID:      "MR713",
	Name:    "externalname-port-name",
	Summary: "port of an ExternalName service has no protocol Istio can use",
	Doc: `Traffic to an ExternalName Service leaves the mesh, so Istio cannot sniff its protocol: it needs
the protocol from the port's ` + "`appProtocol`" + ` or name (` + "`http-`" + `, ` + "`https-`" + `, ` + "`tls-`" + `...). A port without
one, or named just ` + "`tcp`" + `, is forwarded as opaque TCP, so HTTP routing, retries and TLS
origination do not apply.

Name the port after its protocol, or set ` + "`appProtocol`" + `.`,
	Bad: `apiVersion: v1
kind: Service
metadata: {name: payments, namespace: shop}
spec:
  type: ExternalName
  externalName: api.payments.example.com
  ports: [{name: api, port: 443}]
`,
	Good: `apiVersion: v1
kind: Service
metadata: {name: payments, namespace: shop}
spec:
  type: ExternalName
  externalName: api.payments.example.com
  ports: [{name: https-api, port: 443}]
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.Service},
	Related:  []string{"IST0150"},
	Deps:     rules.DepNone,
	Run:      runExternalNamePortName,
}

func runExternalNamePortName(p *rules.Pass) error {
	for _, s := range p.Graph.Services {
		if istioOwned(s.Obj.Labels) || !strings.EqualFold(s.Spec.Type.V, "ExternalName") {
			continue
		}
		for i, port := range s.Spec.Ports {
			if graph.PortProtocol(port) != "" && !strings.EqualFold(port.Name.V, "tcp") {
				continue
			}
			at := port.Name.Loc
			if at.IsZero() {
				at = port.Loc
			}
			p.Reportf(s.Obj, at, "ports[%d] (%d) of ExternalName Service %s/%s has name %q, which gives Istio no protocol to use: traffic is forwarded as opaque TCP",
				i, port.Port.V, s.Namespace(), s.Name(), port.Name.V)
		}
	}
	return nil
}

// dnsDeployment is Deployment shop/dns, with a sidecar, and the separator
// of the next document: the examples of MR714 give it Services.
const dnsDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: dns, namespace: shop}
spec:
  selector: {matchLabels: {app: dns}}
  template:
    metadata: {labels: {app: dns, sidecar.istio.io/inject: "true"}}
    spec:
      containers: [{name: dns, image: coredns}]
---
`

// ServiceProtocolConflict reports a workload whose Services give one port
// number different protocols.
var ServiceProtocolConflict = &rules.Rule{
	ID:      "MR714",
	Name:    "workload-service-protocol-conflict",
	Summary: "services of a workload use the same port number with different protocols",
	Doc: `When several Services select the same pods and expose the same port number with different
` + "`protocol`" + ` values (TCP and UDP, say), the sidecar builds one inbound listener for the port and the
protocols collide. An unset protocol is TCP.

Use different port numbers, or one Service.`,
	Bad: dnsDeployment + `apiVersion: v1
kind: Service
metadata: {name: dns-tcp, namespace: shop}
spec:
  selector: {app: dns}
  ports: [{name: tcp-dns, port: 53}]
---
apiVersion: v1
kind: Service
metadata: {name: dns-udp, namespace: shop}
spec:
  selector: {app: dns}
  ports: [{name: udp-dns, port: 53, protocol: UDP}]
`,
	Good: dnsDeployment + `apiVersion: v1
kind: Service
metadata: {name: dns, namespace: shop}
spec:
  selector: {app: dns}
  ports: [{name: tcp-dns, port: 53}]
`,
	Severity: rules.Warning,
	Inputs:   withPods(kinds.Service, kinds.Namespace),
	Related:  []string{"IST0116"},
	Deps:     rules.DepINJ,
	Run:      runServiceProtocolConflict,
}

func runServiceProtocolConflict(p *rules.Pass) error {
	reportPortClashes(p, "port %d is %s, but the sidecar builds one inbound listener per port, so the protocols collide; use different port numbers or one Service", func(_ *graph.Workload, port spec.ServicePort) (int64, string, bool) {
		proto := strings.ToUpper(port.Protocol.V)
		if proto == "" {
			proto = "TCP"
		}
		return port.Port.V, proto, true
	})
	return nil
}

// reportPortClashes groups the ports of the Services of each in-mesh
// workload by the number key returns, then by the value it returns (ports
// for which it returns false are skipped), and reports each number with
// several values; format takes the number and the description of them.
func reportPortClashes(p *rules.Pass, format string, key func(*graph.Workload, spec.ServicePort) (int64, string, bool)) {
	g := p.Graph
	lk := p.Lookup()
	for _, w := range g.Workloads {
		// Two definitions of one Service are one Service, which MR017
		// reports.
		svcs := rules.Distinct(p, lk.ServicesSelecting(w))
		if countPorts(svcs) < 2 || !g.InMesh(w) {
			continue // a clash takes two ports
		}
		groups := map[int64]map[string][]string{}
		for _, s := range svcs {
			for _, port := range s.Spec.Ports {
				n, v, ok := key(w, port)
				if !ok {
					continue
				}
				if groups[n] == nil {
					groups[n] = map[string][]string{}
				}
				groups[n][v] = append(groups[n][v], s.Name())
			}
		}
		for _, n := range sortedPorts(groups) {
			if len(groups[n]) < 2 {
				continue
			}
			p.Reportf(w.Obj, w.Obj.NameLoc, "%s %s/%s: "+format, w.KindName(), w.Namespace(), w.Name(), n, describe(groups[n]))
		}
	}
}

func countPorts(svcs []*graph.Service) int {
	n := 0
	for _, s := range svcs {
		n += len(s.Spec.Ports)
	}
	return n
}

// ServicePortConflict reports a container port reached through several
// Service port numbers.
var ServicePortConflict = &rules.Rule{
	ID:      "MR715",
	Name:    "workload-service-port-conflict",
	Summary: "services of a workload map different port numbers to the same target port",
	Doc: `The sidecar builds its inbound configuration per target port. When the Services of a workload map
several Service port numbers (80 and 8080, say) to the same ` + "`targetPort`" + `, Istio picks the
settings (protocol, name) of one of them for the pod's port, and traffic arriving through the
other may be handled with the wrong protocol.

Expose each target port through one Service port number.`,
	Bad: webService + `---
apiVersion: v1
kind: Service
metadata: {name: web-grpc, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: grpc, port: 9090, targetPort: 8080}]
`,
	Good:     webService,
	Severity: rules.Warning,
	Inputs:   withPods(kinds.Service, kinds.Namespace),
	Related:  []string{"IST0137"},
	Deps:     rules.DepINJ,
	Run:      runServicePortConflict,
}

// webService is Deployment shop/web, with a sidecar and the container
// port http (8080), and Service shop/web, which exposes that port as 80:
// the examples of MR715.
const webService = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, sidecar.istio.io/inject: "true"}}
    spec:
      containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`

func runServicePortConflict(p *rules.Pass) error {
	reportPortClashes(p, "target port %d is reached from service ports %s, but Istio handles the pod's port with the protocol and name of only one of them; expose the target port through one Service port number", func(w *graph.Workload, port spec.ServicePort) (int64, string, bool) {
		t := graph.TargetPort(port, w)
		return t, fmt.Sprint(port.Port.V), t != 0
	})
	return nil
}

func sortedPorts[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// describe renders {value: [services]} as "A (Service x), B (Service y)".
func describe(m map[string][]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s (Service %s)", k, strings.Join(m[k], ", ")))
	}
	return wording.List(parts)
}

package gatewayapi

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// BackendPortUnknown reports Service backendRefs without a port, or with a
// port the Service does not expose.
var BackendPortUnknown = &rules.Rule{
	ID:      "MR603",
	Name:    "gatewayapi-backend-port-unknown",
	Summary: "backendRef of a Gateway API route has no port, or a port its Service does not expose",
	Doc: `A backendRef to a Service must say which Service port to send to: the ` + "`port`" + ` field is the
Service's ` + "`port`" + ` (not its ` + "`targetPort`" + `, nor a container port). The API server rejects a route whose
Service backendRef has no port ("Must have port for Service reference"). A port the Service does
not expose makes the backend invalid: its share of requests gets HTTP 500 (connections are
refused for TCP and TLS routes).

The rule checks backendRefs and RequestMirror backends of kind Service (the default when
` + "`group`" + ` and ` + "`kind`" + ` are left out); the port of a Service that is not in the input cannot be
checked, but a missing port always is. Write the Service port number, as listed in the Service's
` + "`spec.ports`" + `.`,
	Bad:      storefrontExample("{name: http, port: 80, targetPort: 8080}", "storefront", "8080"),
	Good:     storefrontExample("{name: http, port: 80, targetPort: 8080}", "storefront", "80"),
	Severity: rules.Error,
	Inputs:   inputs(kinds.Service),
	Deps:     rules.DepREF,
	Run:      runBackendPortUnknown,
}

func runBackendPortUnknown(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		for _, b := range allBackends(r) {
			if !b.IsService() || b.Name == "" {
				continue
			}
			if !b.Port.Set {
				p.Reportf(r.Obj, b.NameLoc, "%s has no port: a Service backendRef needs the Service port, and the API server rejects the %s without it", backendWhat(b), r.Kind())
				continue
			}
			s := b.Service
			if s == nil {
				continue
			}
			var ports []string
			found := false
			for _, sp := range s.Spec.Ports {
				ports = append(ports, fmt.Sprint(sp.Port.V))
				if sp.Port.V == b.Port.V {
					found = true
				}
			}
			if found {
				continue
			}
			msg := fmt.Sprintf("port %d of %s is not a port of the Service, whose ports are %s", b.Port.V, backendWhat(b), strings.Join(ports, ", "))
			for _, sp := range s.Spec.Ports {
				if !sp.TargetPort.IsStr && sp.TargetPort.Int == b.Port.V {
					msg += fmt.Sprintf(" (%d is the targetPort of port %d: a backendRef names the Service port)", b.Port.V, sp.Port.V)
					break
				}
			}
			p.Reportf(r.Obj, b.Port.Loc, "%s", msg).Relate(s.Obj, s.Obj.NameLoc, "Service %s/%s", s.Namespace(), s.Name())
		}
	}
	return nil
}

package graph

import (
	"strings"

	"github.com/meshlint/meshlint/internal/spec"
)

// knownProtocols are the protocols Istio's protocol.Parse accepts in a
// port name prefix or appProtocol (case-insensitive).
var knownProtocols = map[string]bool{
	"tcp": true, "udp": true, "grpc": true, "grpc-web": true, "http": true, "http_proxy": true,
	"http2": true, "https": true, "tls": true, "mongo": true, "redis": true, "mysql": true,
}

// wellKnownTCPPorts are the ports Istio treats as TCP whatever their name.
var wellKnownTCPPorts = map[int64]bool{25: true, 53: true, 3306: true, 27017: true}

// PortProtocol returns the protocol Istio reads from a Service port, in
// lower case, or "" when it cannot tell (Istio then sniffs the protocol),
// as ConvertProtocol (pkg/config/kube/conversion.go) does: appProtocol,
// when set, stands for the name, prefix and all, and the well-known ports
// are TCP whenever neither gives a protocol.
func PortProtocol(p spec.ServicePort) string {
	if strings.EqualFold(p.Protocol.V, "UDP") {
		return "udp"
	}
	name := p.Name.V
	if a := p.AppProtocol.V; a != "" {
		name = a
		switch a {
		case "kubernetes.io/h2c":
			return "http2"
		case "kubernetes.io/ws":
			return "http"
		case "kubernetes.io/wss":
			return "https"
		}
	}
	name = strings.ToLower(name)
	prefix, _, _ := strings.Cut(name, "-")
	if strings.HasPrefix(name, "grpc-web") {
		prefix = "grpc-web"
	}
	if knownProtocols[prefix] {
		return prefix
	}
	if wellKnownTCPPorts[p.Port.V] {
		return "tcp"
	}
	return ""
}

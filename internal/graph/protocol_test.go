package graph

import (
	"testing"

	"github.com/meshlint/meshlint/internal/spec"
)

// TestPortProtocol holds PortProtocol to the cases of Istio's
// TestConvertProtocol (pkg/config/kube/conversion_test.go), "" standing
// for protocol.Unsupported.
func TestPortProtocol(t *testing.T) {
	port := func(n int64, name, proto, app string) spec.ServicePort {
		var p spec.ServicePort
		p.Port.V, p.Name.V, p.Protocol.V, p.AppProtocol.V = n, name, proto, app
		return p
	}
	for _, tc := range []struct {
		what string
		p    spec.ServicePort
		want string
	}{
		{"resolves empty", port(0, "", "", ""), ""},
		{"resolves from protocol directly", port(0, "", "UDP", ""), "udp"},
		{"resolves from port name", port(0, "http-something", "", ""), "http"},
		{"prefers appProto over portName", port(0, "http-something", "", "https"), "https"},
		{"resolves from appProto", port(0, "something-httpx", "", "https"), "https"},
		{"resolves grpc-web", port(0, "grpc-web-x", "", ""), "grpc-web"},
		{"makes sure grpc-web is not resolved incorrectly", port(0, "grpcweb-x", "", ""), ""},
		{"resolves based on known ports", port(3306, "random-name", "", ""), "tcp"},
		{"standard app protocol", port(3306, "random-name", "", "kubernetes.io/h2c"), "http2"},
		{"case-insensitive name", port(80, "HTTP-web", "", ""), "http"},
		{"websocket over TLS", port(443, "", "", "kubernetes.io/wss"), "https"},
	} {
		if got := PortProtocol(tc.p); got != tc.want {
			t.Errorf("%s: PortProtocol = %q, want %q", tc.what, got, tc.want)
		}
	}
}

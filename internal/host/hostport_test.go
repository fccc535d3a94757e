package host

import (
	"net"
	"testing"
)

// TestSplitHostPort holds SplitHostPort to net.SplitHostPort: the same
// host and port, and an error for the same inputs.
func TestSplitHostPort(t *testing.T) {
	for _, in := range []string{
		"istiod.istio-system.svc:15012", "10.0.0.1:8125", "[fd00::1]:15012", ":15012", "127.0.0.1:",
		"istiod.istio-system.svc", "fd00::1:15012", "[fd00::1:15012", "a]b:1", "[a]:[1]", "[::1]", "",
	} {
		h, p, err := SplitHostPort(in)
		wh, wp, werr := net.SplitHostPort(in)
		if h != wh || p != wp || (err == nil) != (werr == nil) {
			t.Errorf("SplitHostPort(%q) = %q, %q, %v; net.SplitHostPort gives %q, %q, %v", in, h, p, err, wh, wp, werr)
		}
	}
}

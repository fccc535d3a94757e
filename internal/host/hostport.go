package host

import (
	"errors"
	"strings"
)

// SplitHostPort is net.SplitHostPort, which Istio's validation calls on
// addresses (ValidateProxyAddress, the Sidecar's defaultEndpoint), written
// out because meshlint never imports package net (it opens no connection:
// see .golangci.yml). An IPv6 host is bracketed.
func SplitHostPort(s string) (host, port string, err error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", "", errors.New("missing port")
	}
	host, port = s[:i], s[i+1:]
	if h, ok := strings.CutPrefix(host, "["); ok {
		if !strings.HasSuffix(h, "]") {
			return "", "", errors.New("missing ']' in address")
		}
		host = strings.TrimSuffix(h, "]")
	} else if strings.Contains(host, ":") {
		return "", "", errors.New("too many colons in address")
	}
	if strings.ContainsAny(host, "[]") || strings.ContainsAny(port, "[]") {
		return "", "", errors.New("unexpected bracket in address")
	}
	return host, port, nil
}

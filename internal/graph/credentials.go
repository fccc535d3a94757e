package graph

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"time"
)

// WorkloadNamespaces returns the namespaces of the pods a Gateway's
// selector picks in the input, sorted by first appearance. Istio reads a
// server's credentialName Secret from the gateway pod's namespace.
func (gw *Gateway) WorkloadNamespaces() []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range gw.Workloads {
		if !seen[w.Namespace()] {
			seen[w.Namespace()] = true
			out = append(out, w.Namespace())
		}
	}
	return out
}

// CredentialRef is a Gateway server's credentialName, resolved.
type CredentialRef struct {
	// Namespace and Name identify the Secret.
	Namespace, Name string
	// Skip is true for forms meshlint does not resolve (SDS URLs such as
	// "kubernetes-gateway://ns/name" or "sds://...").
	Skip bool
}

// ResolveCredential resolves a credentialName as Istio does for a gateway
// pod of namespace podNS: "name" is a Secret of the pod's namespace and
// "ns/name" a Secret of namespace ns.
func ResolveCredential(credentialName, podNS string) CredentialRef {
	if strings.Contains(credentialName, "://") {
		return CredentialRef{Skip: true}
	}
	if ns, name, ok := strings.Cut(credentialName, "/"); ok {
		return CredentialRef{Namespace: ns, Name: name}
	}
	return CredentialRef{Namespace: podNS, Name: credentialName}
}

// CheckTLSCredential reports why Istio cannot serve the Secret as a TLS
// server certificate: it reads "tls.crt" and "tls.key", or else "cert" and
// "key", and rejects certificates that do not parse, or that have expired
// or are not valid yet at now (as pilot's ValidateCertificate). It returns "" for a usable Secret. The message never quotes the
// Secret's data.
func (s *Secret) CheckTLSCredential(now time.Time) string {
	certKey, keyKey := "", ""
	switch {
	case s.Has("tls.crt") && s.Has("tls.key"):
		certKey, keyKey = "tls.crt", "tls.key"
	case s.Has("cert") && s.Has("key"):
		certKey, keyKey = "cert", "key"
	default:
		return fmt.Sprintf("it has neither tls.crt and tls.key nor cert and key (keys: %s)", keyList(s.Keys()))
	}
	certPEM, ok := s.Value(certKey)
	if !ok || len(certPEM) == 0 {
		return fmt.Sprintf("%s is empty or not valid base64", certKey)
	}
	if keyPEM, ok := s.Value(keyKey); !ok || len(keyPEM) == 0 {
		return fmt.Sprintf("%s is empty or not valid base64", keyKey)
	}
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return fmt.Sprintf("%s holds no PEM certificate", certKey)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fmt.Sprintf("the certificate in %s does not parse", certKey)
	}
	if now.After(cert.NotAfter) {
		return fmt.Sprintf("the certificate in %s expired on %s", certKey, cert.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Before(cert.NotBefore) {
		return fmt.Sprintf("the certificate in %s is not valid before %s", certKey, cert.NotBefore.UTC().Format(time.DateOnly))
	}
	return ""
}

func keyList(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

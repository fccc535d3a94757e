package graph

import (
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
	// Foreign is true when Namespace is not the gateway pod's: istiod
	// never gives a gateway such a Secret, whatever the RBAC
	// (filterAuthorizedResources in pilot/pkg/xds/sds.go only serves a
	// "kubernetes://" Secret of the proxy's own namespace).
	Foreign bool
}

// ResolveCredential resolves a credentialName as Istio does for a gateway
// pod of namespace podNS (credentials.ParseResourceName): "name" is a
// Secret of the pod's namespace and "ns/name" a Secret of namespace ns,
// with or without the "kubernetes://" prefix Istio adds itself.
func ResolveCredential(credentialName, podNS string) CredentialRef {
	credentialName = strings.TrimPrefix(credentialName, "kubernetes://")
	if strings.Contains(credentialName, "://") {
		return CredentialRef{Skip: true}
	}
	if ns, name, ok := strings.Cut(credentialName, "/"); ok {
		return CredentialRef{Namespace: ns, Name: name, Foreign: ns != podNS}
	}
	return CredentialRef{Namespace: podNS, Name: credentialName}
}

// CAKey returns the key Istio reads a CA certificate from in the Secret,
// as ExtractRoot (pilot/pkg/credentials/kube) picks it: "cacert" when it
// holds data, else "ca.crt". problem says why neither can be read.
func (s *Secret) CAKey() (key, problem string) {
	for _, k := range caKeys {
		if s.hasData(k) {
			return k, ""
		}
	}
	for _, k := range caKeys {
		if s.Has(k) {
			return "", k + " is empty or not valid base64"
		}
	}
	return "", fmt.Sprintf("it has neither cacert nor ca.crt (keys: %s)", keyList(s.Keys()))
}

// CheckTLSCredential reports why Istio cannot serve the Secret as a TLS
// server certificate: it reads the key pair servedKeys picks, and the
// certificate and its private key must load (keyPair). A certificate
// that has expired or is not valid yet at now is reported too, although
// pilot's ValidateCertificate only logs it and Envoy serves it:
// ServedCertificate tells the two apart. It returns "" for a usable
// Secret. The message never quotes the Secret's data.
func (s *Secret) CheckTLSCredential(now time.Time) string {
	cert, problem := s.keyPair()
	if problem != "" {
		return problem
	}
	certKey, _ := s.servedKeys()
	if now.After(cert.NotAfter) {
		return fmt.Sprintf("the certificate in %s expired on %s", certKey, cert.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Before(cert.NotBefore) {
		return fmt.Sprintf("the certificate in %s is not valid before %s", certKey, cert.NotBefore.UTC().Format(time.DateOnly))
	}
	return ""
}

// servedKeys picks the key of the certificate, as ExtractCertInfo
// (pilot/pkg/credentials/kube) picks the pair: "cert" when it and "key"
// both hold data, else "tls.crt" when it and "tls.key" both do. problem
// says why neither pair can be read.
func (s *Secret) servedKeys() (certKey, problem string) {
	pairs := [][2]string{{"cert", "key"}, {"tls.crt", "tls.key"}}
	for _, p := range pairs {
		if s.hasData(p[0]) && s.hasData(p[1]) {
			return p[0], ""
		}
	}
	for _, p := range pairs {
		if s.Has(p[0]) && s.Has(p[1]) {
			return "", fmt.Sprintf("it has the keys %s and %s, but they are empty or not valid base64", p[0], p[1])
		}
	}
	return "", fmt.Sprintf("it has neither tls.crt and tls.key nor cert and key (keys: %s)", keyList(s.Keys()))
}

// hasData reports whether key holds some data.
func (s *Secret) hasData(key string) bool {
	v, ok := s.Value(key)
	return ok && len(v) > 0
}

func keyList(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

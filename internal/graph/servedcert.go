package graph

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ServedCertificate returns the certificate a TLS Secret serves, read from
// the key servedKeys picks, or nil when there is none, it does not parse or
// its private key does not go with it. Rules use it to tell a certificate
// whose dates alone are wrong (Envoy still serves it) from one Envoy cannot
// load.
func (s *Secret) ServedCertificate() *x509.Certificate {
	cert, problem := s.keyPair()
	if problem != "" {
		return nil
	}
	return cert
}

// keyPair reads the key pair servedKeys picks as tls.X509KeyPair does,
// which Istio's Gateway API controller calls on every certificateRef and
// clientCertificateRef (conversion.go) and which Envoy's loading of the
// pair matches: the certificate must parse, the key must be an RSA, ECDSA
// or Ed25519 private key in PKCS #1, PKCS #8 or SEC 1 form, and it must be
// the certificate's. crypto/tls itself is not imported: it pulls in the
// network stack, which meshlint keeps out. problem says what is wrong,
// never quoting the Secret's data.
func (s *Secret) keyPair() (cert *x509.Certificate, problem string) {
	certKey, problem := s.servedKeys()
	if problem != "" {
		return nil, problem
	}
	certPEM, _ := s.Value(certKey)
	block := firstBlock(certPEM, func(typ string) bool { return typ == "CERTIFICATE" })
	if block == nil {
		return nil, fmt.Sprintf("%s holds no PEM certificate", certKey)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Sprintf("the certificate in %s does not parse", certKey)
	}
	keyKey := pairedKey(certKey)
	keyPEM, _ := s.Value(keyKey)
	key, err := parsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, fmt.Sprintf("%s: %v", keyKey, err)
	}
	if !keyMatches(key, cert.PublicKey) {
		return nil, fmt.Sprintf("the private key in %s is not the key of the certificate in %s", keyKey, certKey)
	}
	return cert, ""
}

// pairedKey names the private key that goes with a certificate key.
func pairedKey(certKey string) string {
	if certKey == "cert" {
		return "key"
	}
	return strings.TrimSuffix(certKey, ".crt") + ".key"
}

// parsePrivateKeyPEM parses the first PEM block of a private key in the
// forms tls.X509KeyPair accepts.
func parsePrivateKeyPEM(data []byte) (crypto.PrivateKey, error) {
	block := firstBlock(data, func(typ string) bool { return typ == "PRIVATE KEY" || strings.HasSuffix(typ, " PRIVATE KEY") })
	if block == nil {
		if firstBlock(data, func(typ string) bool { return typ == "CERTIFICATE" }) != nil {
			return nil, errors.New("it holds a certificate, not a private key")
		}
		return nil, errors.New("it holds no PEM private key")
	}
	return parsePrivateKey(block.Bytes)
}

// firstBlock returns the first PEM block whose type is wanted, skipping
// others as tls.X509KeyPair does, or nil.
func firstBlock(data []byte, wanted func(string) bool) *pem.Block {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil || wanted(block.Type) {
			return block
		}
	}
}

func parsePrivateKey(der []byte) (crypto.PrivateKey, error) {
	if key, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return key, nil
	}
	if key, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		switch key := key.(type) {
		case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
			return key, nil
		default:
			return nil, errors.New("its PKCS #8 private key is of a type TLS cannot use")
		}
	}
	if key, err := x509.ParseECPrivateKey(der); err == nil {
		return key, nil
	}
	return nil, errors.New("its private key does not parse")
}

// keyMatches reports whether key is the private half of pub.
func keyMatches(key crypto.PrivateKey, pub crypto.PublicKey) bool {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return false
	}
	own, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && own.Equal(pub)
}

// CertificateCovers reports whether TLS clients accept cert for host, as
// crypto/x509's VerifyHostname checks it (RFC 6125): against the DNS and
// IP subject alternative names only, never the common name, with a
// wildcard only as a whole leftmost label. A wildcard host "*.example.com"
// is covered only by the same wildcard name: any narrower name leaves
// some of its hosts out.
func CertificateCovers(cert *x509.Certificate, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if strings.HasPrefix(host, "*.") {
		for _, n := range cert.DNSNames {
			if strings.EqualFold(strings.TrimSuffix(n, "."), host) {
				return true
			}
		}
		return false
	}
	return cert.VerifyHostname(host) == nil
}

// CertificateNames lists the DNS names of cert for messages.
func CertificateNames(cert *x509.Certificate) string {
	if len(cert.DNSNames) == 0 {
		return "none: clients ignore the common name"
	}
	return strings.Join(cert.DNSNames, ", ")
}

package graph

import (
	"crypto/x509"
	"encoding/pem"
)

// ServedCertificate returns the certificate a TLS Secret serves, read from
// the key servedKeys picks, or nil when there is none or it does
// not parse. Rules use it to tell a certificate whose dates alone are wrong
// (Envoy still serves it) from one Envoy cannot load.
func (s *Secret) ServedCertificate() *x509.Certificate {
	certKey, problem := s.servedKeys()
	if problem != "" {
		return nil
	}
	data, _ := s.Value(certKey)
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil
	}
	return cert
}

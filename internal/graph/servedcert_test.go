package graph

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/spec"
)

// TestKeyPair holds keyPair to what tls.X509KeyPair accepts: each key
// form TLS can use, and the ways a pair fails to load.
func TestKeyPair(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	certFor := func(pub crypto.PublicKey, priv crypto.Signer) string {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "shop.example.com"},
			NotBefore:    now.AddDate(-1, 0, 0),
			NotAfter:     now.AddDate(1, 0, 0),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	}
	pemOf := func(typ string, der []byte, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	edPub, edKey, _ := ed25519.GenerateKey(rand.Reader)
	ecCert := certFor(&ec.PublicKey, ec)
	ecDER, _ := x509.MarshalECPrivateKey(ec)
	pkcs8 := func(k any) string { der, err := x509.MarshalPKCS8PrivateKey(k); return pemOf("PRIVATE KEY", der, err) }

	for _, c := range []struct {
		name, cert, key string
		want            string // "" for a pair that loads, else a part of the problem
	}{
		{"ECDSA in SEC 1", ecCert, pemOf("EC PRIVATE KEY", ecDER, nil), ""},
		{"ECDSA in PKCS #8", ecCert, pkcs8(ec), ""},
		{"RSA in PKCS #1", certFor(&rsaKey.PublicKey, rsaKey), pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey), nil), ""},
		{"Ed25519 in PKCS #8", certFor(edPub, edKey), pkcs8(edKey), ""},
		{"other blocks before the key", ecCert, "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + pkcs8(ec), ""},
		{"other blocks before the certificate", pkcs8(other) + ecCert, pkcs8(ec), ""},
		{"another certificate's key", ecCert, pkcs8(other), "is not the key of the certificate in tls.crt"},
		{"a certificate in the key's place", ecCert, ecCert, "it holds a certificate, not a private key"},
		{"no PEM", ecCert, "placeholder", "it holds no PEM private key"},
		{"a key that does not parse", ecCert, pemOf("PRIVATE KEY", []byte("not DER"), nil), "its private key does not parse"},
		{"a certificate that does not parse", pemOf("CERTIFICATE", []byte("not DER"), nil), pkcs8(ec), "the certificate in tls.crt does not parse"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &Secret{spec: &spec.Secret{StringData: map[string]string{"tls.crt": c.cert, "tls.key": c.key}}}
			cert, problem := s.keyPair()
			if c.want == "" {
				if problem != "" || cert == nil {
					t.Fatalf("keyPair() = %v, %q; want the certificate", cert, problem)
				}
				if got := s.CheckTLSCredential(now); got != "" {
					t.Errorf("CheckTLSCredential = %q, want none", got)
				}
				return
			}
			if !strings.Contains(problem, c.want) || cert != nil {
				t.Fatalf("keyPair() = %v, %q; want a problem with %q", cert, problem, c.want)
			}
			if s.ServedCertificate() != nil {
				t.Error("ServedCertificate of a pair that does not load is not nil")
			}
			if got := s.CheckTLSCredential(now); got != problem {
				t.Errorf("CheckTLSCredential = %q, want %q", got, problem)
			}
		})
	}
}

package graph

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

// TestConfigMapCABundle checks what FindConfigMap keeps of a ConfigMap,
// read from its nodes and from what Prepare kept once they are dropped
// (through the cache's gob encoding): the data keys, and whether Istio
// finds a CA certificate in the first non-empty of cacert and ca.crt.
func TestConfigMapCABundle(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1, 0), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := strings.ReplaceAll(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), "\n", "\\n")
	cases := []struct{ name, data, keys, why string }{
		{"valid", `{ca.crt: "` + ca + `"}`, "ca.crt", ""},
		{"cacert-first", `{cacert: "` + ca + `", ca.crt: junk}`, "ca.crt,cacert", ""},
		{"empty-cacert", `{cacert: "", ca.crt: "` + ca + `"}`, "ca.crt,cacert", ""},
		{"bad-cacert", `{cacert: junk, ca.crt: "` + ca + `"}`, "ca.crt,cacert", "cacert holds no PEM certificate that parses"},
		{"empty", `{ca.crt: ""}`, "ca.crt", "ca.crt is empty"},
		{"none", `{b: x, a: y}`, "a,b", "it has neither cacert nor ca.crt (keys: a, b)"},
	}
	var src []string
	for _, c := range cases {
		src = append(src, fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: pki}\ndata: %s\n", c.name, c.data))
	}
	bothLoads(t, strings.Join(src, "---\n"), func(prepared bool, g *Graph) {
		for _, c := range cases {
			cm := g.FindConfigMap("pki", c.name)
			if cm == nil {
				t.Errorf("prepared=%v: no ConfigMap %s", prepared, c.name)
				continue
			}
			if prepared && preparedOf(cm.Obj).f().ConfigMap == nil {
				t.Errorf("%s: Prepare kept nothing of it", c.name)
			}
			if got := strings.Join(cm.Keys(), ","); got != c.keys {
				t.Errorf("prepared=%v: %s: keys %s, want %s", prepared, c.name, got, c.keys)
			}
			if got := cm.CheckCABundle(); got != c.why {
				t.Errorf("prepared=%v: %s: %q, want %q", prepared, c.name, got, c.why)
			}
		}
		if g.FindConfigMap("pki", "missing") != nil || g.FindConfigMap("other", "valid") != nil {
			t.Errorf("prepared=%v: found a ConfigMap the input does not hold", prepared)
		}
	})
}

package main

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestRewrite gives a placeholder key a matching pair, in both Secret forms,
// keeps the certificate's names and dates, and leaves alone a certificate
// that does not parse.
func TestRewrite(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "rules", "MR614", "fire-key-mismatch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's certificate, with its key swapped for another's.
	orig := pemBlock(t, string(src), "CERTIFICATE")
	in := "apiVersion: v1\nkind: Secret\nmetadata: {name: block}\nstringData:\n  tls.key: placeholder\n  tls.crt: |\n" +
		indent(orig, "    ") +
		"---\napiVersion: v1\nkind: Secret\nmetadata: {name: b64}\ndata:\n  tls.crt: " + base64.StdEncoding.EncodeToString([]byte(orig)) + "\n  tls.key: cGxhY2Vob2xkZXI=\n" +
		"---\napiVersion: v1\nkind: Secret\nmetadata: {name: broken}\nstringData:\n  tls.crt: not a certificate\n  tls.key: placeholder\n"
	name := filepath.Join(t.TempDir(), "secrets.yaml")
	if err := os.WriteFile(name, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := rewrite(name); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	want := parseCert(t, orig)
	for i, doc := range strings.Split(string(out), "\n---\n") {
		n := yaml.MustParse(doc)
		cert, key := secretValue(t, n, "tls.crt"), secretValue(t, n, "tls.key")
		if i == 2 {
			if cert != "not a certificate" || key != "placeholder" {
				t.Errorf("the Secret with a broken certificate was changed: %q, %q", cert, key)
			}
			continue
		}
		got := parseCert(t, cert)
		if !matches([]byte(key), got) {
			t.Errorf("Secret %d: the key is not the certificate's", i)
		}
		if !slicesEqual(got.DNSNames, want.DNSNames) || !got.NotAfter.Equal(want.NotAfter) || !got.NotBefore.Equal(want.NotBefore) {
			t.Errorf("Secret %d: names or dates changed: %v %v-%v", i, got.DNSNames, got.NotBefore, got.NotAfter)
		}
	}
}

func pemBlock(t *testing.T, s, typ string) string {
	t.Helper()
	begin := strings.Index(s, "-----BEGIN "+typ+"-----")
	end := strings.Index(s, "-----END "+typ+"-----")
	if begin < 0 || end < 0 {
		t.Fatalf("no %s block", typ)
	}
	var b strings.Builder
	for _, l := range strings.Split(s[begin:end+len("-----END "+typ+"-----")], "\n") {
		b.WriteString(strings.TrimSpace(l) + "\n")
	}
	return b.String()
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+by) + "\n"
}

func parseCert(t *testing.T, s string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		t.Fatalf("no PEM in %q", s)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func secretValue(t *testing.T, n *yaml.RNode, key string) string {
	t.Helper()
	if v, err := n.Pipe(yaml.Lookup("stringData", key)); err == nil && v != nil {
		return yaml.GetValue(v)
	}
	v, err := n.Pipe(yaml.Lookup("data", key))
	if err != nil || v == nil {
		t.Fatalf("no %s", key)
	}
	dec, err := base64.StdEncoding.DecodeString(yaml.GetValue(v))
	if err != nil {
		t.Fatal(err)
	}
	return string(dec)
}

func slicesEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

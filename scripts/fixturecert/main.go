// Command fixturecert gives the TLS Secrets of fixture files a private key
// that goes with their certificate, which meshlint checks as Istio does
// (tls.X509KeyPair). Fixtures need certificates with chosen dates and
// names, and nobody keeps the keys they were made with, so:
//
//	go run ./scripts/fixturecert FILE...
//
// rewrites in place each Secret whose certificate parses but whose key is
// missing, a placeholder or another certificate's: the certificate is made
// again with the same serial number, subject, issuer name, names, dates,
// usages and CA flag, signed by a fresh ECDSA P-256 key, which is written
// in the key's place. A certificate that does not parse is left alone:
// such fixtures test exactly that. The Secret's form is kept: base64
// values under data, PEM block scalars under stringData.
package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"regexp"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fixturecert FILE...")
		os.Exit(2)
	}
	failed := false
	for _, name := range os.Args[1:] {
		if err := rewrite(name); err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// value is one key of a Secret as written: lines [start, end) of the
// file, and whether it is base64 (data) or a PEM block scalar or plain
// scalar (stringData).
type value struct {
	start, end int
	indent     string
	key        string
	b64        bool
	text       []byte
}

var keyLine = regexp.MustCompile(`^(\s+)(tls\.crt|tls\.key|cert|key):\s*(.*)$`)

func rewrite(name string) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	lines := strings.SplitAfter(string(data), "\n")
	var out []string
	changed := 0
	for doc := range documents(lines) {
		block := lines[doc[0]:doc[1]]
		if fixed, ok, err := fixSecret(block); err != nil {
			return fmt.Errorf("%s:%d: %w", name, doc[0]+1, err)
		} else if ok {
			block = fixed
			changed++
		}
		out = append(out, block...)
	}
	if changed == 0 {
		return nil
	}
	fmt.Printf("%s: %d Secret(s) given a matching key\n", name, changed)
	return os.WriteFile(name, []byte(strings.Join(out, "")), 0o644)
}

// documents yields the line ranges of the YAML documents of a file, each
// starting at its "---" line, if any.
func documents(lines []string) func(func([2]int) bool) {
	return func(yield func([2]int) bool) {
		start := 0
		for i, l := range lines {
			if i > start && strings.HasPrefix(l, "---") {
				if !yield([2]int{start, i}) {
					return
				}
				start = i
			}
		}
		yield([2]int{start, len(lines)})
	}
}

func fixSecret(lines []string) ([]string, bool, error) {
	if !hasLine(lines, "kind: Secret") {
		return nil, false, nil
	}
	vals := map[string]*value{}
	section := ""
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r\n")
		if !strings.HasPrefix(l, " ") && strings.HasSuffix(l, ":") {
			section = strings.TrimSuffix(l, ":")
			continue
		}
		m := keyLine.FindStringSubmatch(l)
		if m == nil || (section != "data" && section != "stringData") {
			continue
		}
		v := &value{start: i, end: i + 1, indent: m[1], key: m[2], b64: section == "data"}
		switch rest := m[3]; {
		case strings.HasPrefix(rest, "|"):
			var b strings.Builder
			for v.end < len(lines) && (strings.HasPrefix(lines[v.end], m[1]+" ") || strings.TrimSpace(lines[v.end]) == "") {
				b.WriteString(strings.TrimSpace(lines[v.end]) + "\n")
				v.end++
			}
			v.text = []byte(b.String())
		case v.b64:
			dec, err := base64.StdEncoding.DecodeString(rest)
			if err != nil {
				continue
			}
			v.text = dec
		default:
			v.text = []byte(rest)
		}
		vals[v.key] = v
	}
	// The pair Istio reads (ExtractCertInfo): cert and key when both hold
	// data, else tls.crt and tls.key.
	certKey, keyKey := "cert", "key"
	if !filled(vals["cert"]) || !filled(vals["key"]) {
		certKey, keyKey = "tls.crt", "tls.key"
	}
	c, k := vals[certKey], vals[keyKey]
	if c == nil || k == nil {
		return nil, false, nil
	}
	block, _ := pem.Decode(c.text)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, false, nil
	}
	old, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, false, nil
	}
	if matches(k.text, old) {
		return nil, false, nil
	}
	certPEM, keyPEM, err := remake(old)
	if err != nil {
		return nil, false, err
	}
	repl := map[int][]string{c.start: render(c, certPEM), k.start: render(k, keyPEM)}
	skip := map[int]int{c.start: c.end, k.start: k.end}
	var out []string
	for i := 0; i < len(lines); i++ {
		if r, ok := repl[i]; ok {
			out = append(out, r...)
			i = skip[i] - 1
			continue
		}
		out = append(out, lines[i])
	}
	return out, true, nil
}

func filled(v *value) bool {
	return v != nil && len(bytes.Trim(v.text, "\"' \n")) > 0
}

func hasLine(lines []string, s string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) == s {
			return true
		}
	}
	return false
}

// matches reports whether keyPEM holds the private key of cert.
func matches(keyPEM []byte, cert *x509.Certificate) bool {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return false
	}
	var key any
	var err error
	if key, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			if key, err = x509.ParseECPrivateKey(block.Bytes); err != nil {
				return false
			}
		}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return false
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

// remake signs a copy of old with a fresh key.
func remake(old *x509.Certificate) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          old.SerialNumber,
		Subject:               old.Subject,
		NotBefore:             old.NotBefore,
		NotAfter:              old.NotAfter,
		DNSNames:              old.DNSNames,
		IPAddresses:           old.IPAddresses,
		URIs:                  old.URIs,
		EmailAddresses:        old.EmailAddresses,
		KeyUsage:              old.KeyUsage,
		ExtKeyUsage:           old.ExtKeyUsage,
		IsCA:                  old.IsCA,
		BasicConstraintsValid: old.BasicConstraintsValid,
	}
	// The issuer's name is kept; its signature cannot be, and meshlint
	// does not verify chains.
	parent := &x509.Certificate{RawSubject: old.RawIssuer}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

// render writes a value in the form the Secret used for it.
func render(v *value, pemData []byte) []string {
	if v.b64 {
		return []string{v.indent + v.key + ": " + base64.StdEncoding.EncodeToString(pemData) + "\n"}
	}
	out := []string{v.indent + v.key + ": |\n"}
	for _, l := range bytes.SplitAfter(pemData, []byte("\n")) {
		if len(l) > 0 {
			out = append(out, v.indent+"  "+string(l))
		}
	}
	return out
}

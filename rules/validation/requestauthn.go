package validation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// RequestAuthnInvalid reports RequestAuthentications that Istio's webhook
// rejects for a reason that neither the CRD's schema nor its CEL rules
// (MR001) see.
var RequestAuthnInvalid = &rules.Rule{
	ID:      "MR021",
	Name:    "requestauthn-invalid",
	Summary: "a RequestAuthentication's JWT rule, selector or target reference is one that Istio rejects",
	Doc: `Istio's webhook (ValidateRequestAuthentication) rejects a RequestAuthentication:

- with more than one of ` + "`selector`" + `, ` + "`targetRef`" + ` and ` + "`targetRefs`" + `; a ` + "`selector`" + ` label with an
  empty key or a ` + "`*`" + ` in its key or value (labels match exactly); a target reference with a
  namespace (even the policy's own), or to anything but a Service, a ServiceEntry, a Gateway or a
  GatewayClass;
- whose JWT rule (validateJwtRule) sets neither ` + "`issuer`" + ` nor ` + "`jwksUri`" + ` (inline ` + "`jwks`" + ` alone is
  refused), or has a ` + "`jwksUri`" + ` that is not an http:// or https:// URL;
- whose JWT rule has inline ` + "`jwks`" + ` that does not parse as a JSON Web Key Set: not JSON (a PEM public
  key pasted as is), not a JSON object, a ` + "`keys`" + ` that is not a list, or a key without a ` + "`kty`" + ` Istio
  knows (` + "`RSA`" + `, ` + "`EC`" + `, ` + "`OKP`" + `, ` + "`oct`" + `, in that case) or without the members its type requires
  (` + "`n`" + ` and ` + "`e`" + ` for RSA, ` + "`crv`" + `, ` + "`x`" + ` and ` + "`y`" + ` for EC, ` + "`crv`" + ` and ` + "`x`" + ` for OKP, ` + "`k`" + ` for oct; a
  key with ` + "`D`" + ` is read as private, and then needs ` + "`d`" + ` in lower case). An object without ` + "`keys`" + `
  is read as a single key.

The CRD's CEL rules refuse most of the first two items too; this rule reports them, once. The
other checks the CRD makes (empty audiences, header, parameter and cookie names, ` + "`jwks`" + ` beside
` + "`jwksUri`" + `, which the webhook accepts) are MR001's, the header names of ` + "`outputClaimToHeaders`" + `
MR009's and the timeout MR002's. A private or symmetric key in ` + "`jwks`" + ` is MR016's warning.

Set ` + "`issuer`" + ` to the ` + "`iss`" + ` claim of the tokens, and give ` + "`jwks`" + ` as the JSON of the key set, for
example the document the issuer serves at its JWKS URI.`,
	Bad: jwtRule(`    jwks: |
      {"keys": [{"kty": "RSA", "kid": "k1", "n": "0vx7agoebGcQSuuPiLJXZpt", "e": "AQAB"}]}
`),
	Good: jwtRule(`    issuer: https://auth.example.com
    jwks: |
      {"keys": [{"kty": "RSA", "kid": "k1", "n": "0vx7agoebGcQSuuPiLJXZpt", "e": "AQAB"}]}
`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.RequestAuthentication},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runRequestAuthnInvalid,
}

// jwtRule is RequestAuthentication shop/storefront-jwt with the one JWT
// rule whose fields are given: the examples of MR021.
func jwtRule(fields string) string {
	return `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: storefront-jwt
  namespace: shop
spec:
  selector: {matchLabels: {app: storefront}}
  jwtRules:
  - audiences: [storefront]
` + fields
}

func runRequestAuthnInvalid(p *rules.Pass) error {
	const rejects = "Istio rejects the RequestAuthentication"
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.RequestAuthentication) {
		s := specOf(o)
		// ValidateRequestAuthentication checks the selector and target
		// references as ValidateAuthorizationPolicy does; the CRD's CEL
		// rules refuse the same, but for the targeted kinds.
		checkOneTarget(p, o, s, rejects)
		checkSelectorLabels(p, o, s.get("selector").get("matchLabels"), rejects)
		if s.has("targetRef") {
			checkTargetRef(p, o, s.get("targetRef"), rejects)
		}
		for ref := range s.get("targetRefs").items() {
			checkTargetRef(p, o, ref, rejects)
		}
		for r := range s.get("jwtRules").items() {
			if !r.isMap() {
				continue
			}
			// security.ParseJwksURI refuses a scheme other than http and
			// https, and the CEL rule (httpURL) a relative URL as well.
			for _, k := range []string{"jwksUri", "jwks_uri"} {
				x := r.get(k)
				if v, ok := x.str(); ok && v != "" && (!httpURL(v) || !webhookJwksURI(v)) {
					p.Reportf(o, x.loc(), "%s %q is not an http:// or https:// URL; %s", x.where(), v, rejects)
				}
			}
			// protojson reads jwks_uri as jwksUri; an empty string is
			// MR001's (the CRD's minLength).
			if !r.has("issuer") && !r.has("jwksUri") && !r.has("jwks_uri") {
				p.Reportf(o, r.loc(), "%s has neither issuer nor jwksUri: %s (set issuer to the iss claim of the tokens)", r.where(), rejects)
			}
			x := r.get("jwks")
			if v, ok := x.str(); ok && v != "" {
				if _, err := parseJWKS([]byte(v)); err != nil {
					p.Reportf(o, x.loc(), "%s is not a JSON Web Key Set: %v; %s", x.where(), err, rejects)
				}
			}
		}
	}
	return nil
}

// webhookJwksURI is what security.ParseJwksURI accepts: a URL that
// url.Parse reads, of scheme http or https, with a numeric port if any.
func webhookJwksURI(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	if port := u.Port(); port != "" {
		if _, err := strconv.Atoi(port); err != nil {
			return false
		}
	}
	return true
}

// parseJWKS mirrors what jwk.Parse (github.com/lestrrat-go/jwx v1, which
// validateJwtRule calls) refuses: an input that is not a JSON object, a
// "keys" member that is not a list of keys, or, without "keys", an object
// that is not itself a key. It leaves out the checks of the members'
// encodings (base64url values, curve names), which a hand-written set
// rarely gets wrong and which would need jwx's exact decoders. It returns
// the keys of the set, in its order.
func parseJWKS(src []byte) ([]map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	var set any
	if err := dec.Decode(&set); err != nil {
		if bytes.HasPrefix(bytes.TrimSpace(src), []byte("-----BEGIN")) {
			return nil, errors.New("it is a PEM block, not JSON (give the key as a JWK)")
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	m, ok := set.(map[string]any)
	if !ok {
		return nil, errors.New("it is not a JSON object (a key set is {\"keys\": [...]})")
	}
	// set.UnmarshalJSON looks for "keys" by its exact name, and stops
	// reading at the end of the set's object.
	keys, ok := m["keys"]
	if !ok {
		// The sole key is then unmarshalled from the whole input, which
		// must be nothing but that object.
		if !json.Valid(src) {
			return nil, errors.New("invalid JSON after the key's object")
		}
		if err := checkJWK(m); err != nil {
			return nil, fmt.Errorf("no \"keys\", and not a key either: %w", err)
		}
		return []map[string]any{m}, nil
	}
	list, ok := keys.([]any)
	if !ok && keys != nil {
		return nil, errors.New("\"keys\" is not a list")
	}
	out := make([]map[string]any, 0, len(list))
	for i, k := range list {
		km, ok := k.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("key #%d in \"keys\" is not a JSON object", i)
		}
		if err := checkJWK(km); err != nil {
			return nil, fmt.Errorf("key #%d in \"keys\": %w", i, err)
		}
		out = append(out, km)
	}
	return out, nil
}

// jwkRequired are the members that jwx's generated UnmarshalJSON of each
// key type requires (by their exact names), the private key's "d" aside:
// a key with "d" is read as private, and has it.
var jwkRequired = map[string][]string{
	"RSA": {"e", "n"},
	"EC":  {"crv", "x", "y"},
	"OKP": {"crv", "x"},
	"oct": {"k"},
}

// checkJWK checks a key as jwk.ParseKey does: its "kty" (found as
// encoding/json matches a struct field, the exact name first, else any
// case) is a key type jwx knows, with the exact case, and the members that
// type requires are there.
func checkJWK(k map[string]any) error {
	kty, found := jsonMember(k, "kty")
	s, isStr := kty.(string)
	switch {
	case !found || kty == nil:
		return errors.New("it has no \"kty\"")
	case !isStr:
		return errors.New("its \"kty\" is not a string")
	}
	req, known := jwkRequired[s]
	if !known {
		return fmt.Errorf("key type %q is not one of RSA, EC, OKP, oct", s)
	}
	for _, f := range req {
		if _, ok := k[f]; !ok {
			return fmt.Errorf("the %s key has no %q", s, f)
		}
	}
	// jwk.ParseKey reads a key as private when it finds "d" in any case,
	// and the private key's decoder then wants "d" by its exact name.
	if _, hint := jsonMember(k, "d"); hint && s != "oct" {
		if _, ok := k["d"]; !ok {
			return fmt.Errorf("the %s key is read as a private key, but has no \"d\" (only another case of it)", s)
		}
	}
	return nil
}

// jsonMember finds member name of k as encoding/json matches a struct
// field, the exact name first, else any case.
func jsonMember(k map[string]any, name string) (any, bool) {
	if v, ok := k[name]; ok {
		return v, true
	}
	for n, v := range k {
		if strings.EqualFold(n, name) {
			return v, true
		}
	}
	return nil, false
}

// jwkPrivate says what secret a key of a parsed set holds: "oct" for a
// symmetric key, the very secret tokens are signed with, the key type for
// an RSA, EC or OKP key with a "d" member (any value, null included),
// which jwk.ParseKey reads as a private key, "" otherwise.
// warnPrivateJwksKeys (pkg/config/validation) warns about both.
func jwkPrivate(k map[string]any) string {
	kty, _ := jsonMember(k, "kty")
	s, _ := kty.(string)
	if s == "oct" {
		return s
	}
	if _, ok := jsonMember(k, "d"); ok {
		return s
	}
	return ""
}

package validation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
	Summary: "a RequestAuthentication JWT rule has neither issuer nor jwksUri, or inline jwks that is not a JSON Web Key Set",
	Doc: `Istio's webhook (validateJwtRule) rejects a RequestAuthentication whose JWT rule:

- sets neither ` + "`issuer`" + ` nor ` + "`jwksUri`" + ` (inline ` + "`jwks`" + ` alone is refused);
- has inline ` + "`jwks`" + ` that does not parse as a JSON Web Key Set: not JSON (a PEM public key pasted
  as is), not a JSON object, a ` + "`keys`" + ` that is not a list, or a key without a ` + "`kty`" + ` Istio knows
  (` + "`RSA`" + `, ` + "`EC`" + `, ` + "`OKP`" + `, ` + "`oct`" + `, in that case) or without the members its type requires
  (` + "`n`" + ` and ` + "`e`" + ` for RSA, ` + "`crv`" + `, ` + "`x`" + ` and ` + "`y`" + ` for EC, ` + "`crv`" + ` and ` + "`x`" + ` for OKP, ` + "`k`" + ` for oct). An
  object without ` + "`keys`" + ` is read as a single key.

The checks the CRD makes too (empty audiences, header, parameter and cookie names, a ` + "`jwksUri`" + `
that is not an http or https URL, ` + "`jwks`" + ` beside ` + "`jwksUri`" + `) are MR001's, the header names of
` + "`outputClaimToHeaders`" + ` MR009's and the timeout MR002's.

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
		for r := range specOf(o).get("jwtRules").items() {
			if !r.isMap() {
				continue
			}
			// protojson reads jwks_uri as jwksUri; an empty string is
			// MR001's (the CRD's minLength).
			if !r.has("issuer") && !r.has("jwksUri") && !r.has("jwks_uri") {
				p.Reportf(o, r.loc(), "%s has neither issuer nor jwksUri: %s (set issuer to the iss claim of the tokens)", r.where(), rejects)
			}
			x := r.get("jwks")
			if v, ok := x.str(); ok && v != "" {
				if err := parseJWKS([]byte(v)); err != nil {
					p.Reportf(o, x.loc(), "%s is not a JSON Web Key Set: %v; %s", x.where(), err, rejects)
				}
			}
		}
	}
	return nil
}

// parseJWKS mirrors what jwk.Parse (github.com/lestrrat-go/jwx v1, which
// validateJwtRule calls) refuses: an input that is not a JSON object, a
// "keys" member that is not a list of keys, or, without "keys", an object
// that is not itself a key. It leaves out the checks of the members'
// encodings (base64url values, curve names), which a hand-written set
// rarely gets wrong and which would need jwx's exact decoders.
func parseJWKS(src []byte) error {
	dec := json.NewDecoder(bytes.NewReader(src))
	var set any
	if err := dec.Decode(&set); err != nil {
		if bytes.HasPrefix(bytes.TrimSpace(src), []byte("-----BEGIN")) {
			return errors.New("it is a PEM block, not JSON (give the key as a JWK)")
		}
		return fmt.Errorf("invalid JSON: %w", err)
	}
	m, ok := set.(map[string]any)
	if !ok {
		return errors.New("it is not a JSON object (a key set is {\"keys\": [...]})")
	}
	// set.UnmarshalJSON looks for "keys" by its exact name, and stops
	// reading at the end of the set's object.
	keys, ok := m["keys"]
	if !ok {
		// The sole key is then unmarshalled from the whole input, which
		// must be nothing but that object.
		if !json.Valid(src) {
			return errors.New("invalid JSON after the key's object")
		}
		if err := checkJWK(m); err != nil {
			return fmt.Errorf("no \"keys\", and not a key either: %w", err)
		}
		return nil
	}
	list, ok := keys.([]any)
	if !ok && keys != nil {
		return errors.New("\"keys\" is not a list")
	}
	for i, k := range list {
		km, ok := k.(map[string]any)
		if !ok {
			return fmt.Errorf("key #%d in \"keys\" is not a JSON object", i)
		}
		if err := checkJWK(km); err != nil {
			return fmt.Errorf("key #%d in \"keys\": %w", i, err)
		}
	}
	return nil
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
	kty, found := k["kty"]
	if !found {
		for name, v := range k {
			if strings.EqualFold(name, "kty") {
				kty, found = v, true
				break
			}
		}
	}
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
	return nil
}

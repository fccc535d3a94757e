package manifest

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	k8syaml "sigs.k8s.io/yaml"
)

// Files other than resources and patches that a kustomization names and
// kustomize decodes itself, each with its own decoder (kustomize/api
// v0.21.2), which decides what a key written twice does:
//
//   - replacement files (replacements: - path:):
//     builtins.ReplacementTransformerPlugin.Config, sigs.k8s.io/yaml's
//     Unmarshal (yaml.v2, then JSON): the first document only, the last
//     copy of a key;
//   - transformer configurations (configurations:):
//     builtinconfig.makeTransformerConfigFromBytes, sigs.k8s.io/yaml's
//     UnmarshalStrict: the first document, and a key written twice fails
//     the build with a message that names neither the file nor the key's
//     column;
//   - CRD schemas (crds:): accumulator.makeNameToApiMap, encoding/json
//     when the file's first byte is "{", else sigs.k8s.io/yaml. A schema
//     (spec.Schema) decodes itself with kube-openapi's JSON v2, which
//     refuses a name written twice; above it encoding/json takes the last
//     copy. An empty file crashes kustomize (content[0]);
//   - the OpenAPI schema (openapi: path:): kyaml openapi.parse, run when
//     the build first needs a schema: sigs.k8s.io/yaml's YAMLToJSON unless
//     the first byte is "{", then spec.Swagger.UnmarshalJSON (JSON v2). A
//     schema that does not decode makes kustomize panic (initSchema).
//
// Keys written twice where kustomize keeps a copy are input errors that do
// not stop the build, as in a kustomization; where kustomize fails or
// crashes, the build is refused with the error at its place instead.
// Replacement files are read for the origins of the build's values: their
// keys are checked there, in the build (rewritesOf).

// Which copy kustomize uses, for duplicateKeys' message.
const (
	usesLastCopy   = "kustomize silently reads the last copy only"
	refusesConfig  = "kustomize refuses the file (it decodes transformer configurations strictly) and fails the build without saying where"
	refusesCRDJSON = "kustomize refuses the file (it decodes a schema written in JSON strictly) and fails the build"
	refusesOpenAPI = "kustomize cannot read the schema (it decodes a schema written in JSON strictly) and crashes as soon as the build needs it"
)

// withUse replaces the end of duplicateKeys' messages, about the API
// server, by what kustomize does with the copies.
func withUse(errs []*Error, uses string) []*Error {
	for _, e := range errs {
		e.Err = errors.New(strings.TrimSuffix(e.Err.Error(), "; Kubernetes refuses the object") + "; " + uses)
	}
	return errs
}

// namedFile reads the file that entry n of kustomization k names, when
// kustomize reads it from disk: a local path, in or below k's directory once
// links are followed (checkEntry refuses the others, or kustomize does).
// It returns the file's content and its path as displayed; ok is false
// when there is nothing to check, and err is errTooLarge for a file above
// the size limit.
func (u *unit) namedFile(k *kustomization, n *yaml.Node) (data []byte, disp string, ok bool, err error) {
	p := strings.TrimSpace(n.Value)
	if p == "" || isRemote(p) {
		return nil, "", false, nil
	}
	target, disp := p, p
	if !filepath.IsAbs(p) {
		target, disp = filepath.Join(k.dir, p), filepath.Join(k.disp, p)
	}
	if !isInside(realPath(k.dir), realPath(target)) {
		return nil, "", false, nil
	}
	data, err = readFile(target, u.opts.MaxFileSize)
	if errors.Is(err, errTooLarge) {
		return nil, disp, false, err
	}
	if err != nil {
		return nil, "", false, nil // kustomize reports a missing file or a directory
	}
	return data, disp, true, nil
}

// firstDoc returns the first document of a file, the only one that
// sigs.k8s.io/yaml decodes, or nil. A file that is not YAML gives no
// document, or one made of U+FFFD: kustomize, or checkOpenAPI, says so.
func firstDoc(disp string, data []byte) *yaml.Node {
	docs, _ := parseDocuments(disp, data)
	if len(docs) == 0 || docs[0].index != 0 {
		return nil
	}
	return docs[0].node
}

// checkDecoded checks a file named by a crds or configurations entry n of
// kustomization k.
func (u *unit) checkDecoded(k *kustomization, field string, n *yaml.Node) {
	// A file above the size limit is left to kustomize, which reads it.
	data, disp, ok, _ := u.namedFile(k, n)
	if !ok {
		return
	}
	switch field {
	case "configurations":
		if d := firstDoc(disp, data); d != nil {
			if dups := duplicateKeys(disp, d, nil); len(dups) > 0 {
				u.errs = append(u.errs, withUse(dups, refusesConfig)...)
				return
			}
		}
		// Kustomize's error for a file its decoder refuses names no
		// file: say which. Decoding into any fails on less than into
		// kustomize's TransformerConfig (no unknown field), so nothing
		// kustomize reads is refused.
		var v any
		if err := k8syaml.UnmarshalStrict(data, &v); err != nil {
			u.errs = append(u.errs, &Error{File: disp, Msg: fmt.Sprintf("kustomize cannot read this transformer configuration (a configurations entry of %s)", k.dispFile), Err: err})
		}
	case "crds":
		if len(data) == 0 {
			u.refuse(k.dispFile, n, "CRD file %q is empty: kustomize crashes on an empty CRD file (it reads its first byte); remove the entry or write the schema in it", n.Value)
			return
		}
		if data[0] != '{' {
			if d := firstDoc(disp, data); d != nil {
				u.dups = append(u.dups, withUse(duplicateKeys(disp, d, nil), usesLastCopy)...)
			}
			return
		}
		// JSON: encoding/json above the schemas, JSON v2 in them.
		d := firstDoc(disp, data)
		if d == nil || d.Kind != yaml.MappingNode {
			return
		}
		u.dups = append(u.dups, withUse(mappingDuplicates(disp, d.Content, nil), usesLastCopy)...)
		for _, def := range yamlpath.Entries(d) {
			if def.Kind != yaml.MappingNode {
				continue
			}
			u.dups = append(u.dups, withUse(mappingDuplicates(disp, def.Content, nil), usesLastCopy)...)
			for key, v := range yamlpath.Entries(def) {
				if v.Kind != yaml.MappingNode && v.Kind != yaml.SequenceNode {
					continue
				}
				if strings.EqualFold(key.Value, "Schema") {
					u.errs = append(u.errs, withUse(duplicateKeys(disp, v, nil), refusesCRDJSON)...)
				} else {
					u.dups = append(u.dups, withUse(duplicateKeys(disp, v, nil), usesLastCopy)...)
				}
			}
		}
	}
}

// checkOpenAPI checks the OpenAPI schema file that path p of the openapi
// field v of kustomization k names. Kustomize decodes it only when the
// build needs a schema, and panics when it cannot: a schema it cannot
// decode refuses the build, which would crash meshlint with it.
func (u *unit) checkOpenAPI(k *kustomization, v, p *yaml.Node) {
	if yamlpath.Field(v, "version") != nil {
		return // kustomize refuses a version with a path, or keeps the version
	}
	data, disp, ok, err := u.namedFile(k, p)
	if errors.Is(err, errTooLarge) {
		u.errs = append(u.errs, &Error{File: disp, Msg: fmt.Sprintf("OpenAPI schema larger than the %d-byte limit (raise it with --max-file-size): meshlint checks that kustomize can read it before building, as kustomize crashes on one it cannot", u.opts.MaxFileSize)})
		return
	}
	if !ok {
		return
	}
	if len(data) > 0 && data[0] != '{' {
		if d := firstDoc(disp, data); d != nil {
			u.dups = append(u.dups, withUse(duplicateKeys(disp, d, nil), usesLastCopy)...)
		}
	}
	perr := parseOpenAPI(data)
	if perr == nil {
		return
	}
	if len(data) > 0 && data[0] == '{' {
		// JSON v2 names no line: find the keys written twice.
		if d := firstDoc(disp, data); d != nil {
			if dups := duplicateKeys(disp, d, nil); len(dups) > 0 {
				u.errs = append(u.errs, withUse(dups, refusesOpenAPI)...)
				return
			}
		}
	}
	u.errs = append(u.errs, &Error{File: disp, Msg: fmt.Sprintf("kustomize cannot read this OpenAPI schema (the openapi path of %s), and crashes as soon as the build needs a schema", k.dispFile), Err: perr})
}

// parseOpenAPI decodes an OpenAPI schema as kustomize does (kyaml
// v0.21.2, openapi.parse), and returns its error.
func parseOpenAPI(b []byte) error {
	if len(b) > 0 && b[0] != '{' {
		var err error
		if b, err = k8syaml.YAMLToJSON(b); err != nil {
			return err
		}
	}
	var s spec.Swagger
	return s.UnmarshalJSON(b)
}

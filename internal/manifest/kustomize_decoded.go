package manifest

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/kustomize/api/builtins" //nolint:staticcheck // the only package that names the builtin plugins' config types (pluginTypes)
	"sigs.k8s.io/kustomize/api/types"
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

// Types kustomize decodes with sigs.k8s.io/yaml, for foldDuplicates.
var (
	kustomizationType = reflect.TypeFor[types.Kustomization]()
	replacementType   = reflect.TypeFor[types.Replacement]()
	// anyStruct stands for a type every mapping of which is a struct, as
	// in a transformer configuration (builtinconfig.TransformerConfig,
	// internal to kustomize): every key is folded.
	anyStruct = reflect.TypeFor[struct{ anyStruct bool }]()
)

// pluginTypes are the types that kustomize decodes the configuration of
// each builtin plugin into with sigs.k8s.io/yaml (kustomize/api v0.21.2,
// internal/builtins, each plugin's Config; PrefixSuffixTransformer
// configures a prefix and a suffix transformer with one file,
// builtinhelpers.NewMultiTransformer, whose fields are the prefix
// transformer's and the suffix). The package that names them is
// deprecated for API v1, and the only one that does.
var pluginTypes = map[string]reflect.Type{
	"AnnotationsTransformer":         reflect.TypeFor[builtins.AnnotationsTransformerPlugin](),         //nolint:staticcheck // see above
	"ConfigMapGenerator":             reflect.TypeFor[builtins.ConfigMapGeneratorPlugin](),             //nolint:staticcheck // see above
	"HashTransformer":                reflect.TypeFor[builtins.HashTransformerPlugin](),                //nolint:staticcheck // see above
	"HelmChartInflationGenerator":    reflect.TypeFor[builtins.HelmChartInflationGeneratorPlugin](),    //nolint:staticcheck // see above
	"IAMPolicyGenerator":             reflect.TypeFor[builtins.IAMPolicyGeneratorPlugin](),             //nolint:staticcheck // see above
	"ImageTagTransformer":            reflect.TypeFor[builtins.ImageTagTransformerPlugin](),            //nolint:staticcheck // see above
	"LabelTransformer":               reflect.TypeFor[builtins.LabelTransformerPlugin](),               //nolint:staticcheck // see above
	"NamespaceTransformer":           reflect.TypeFor[builtins.NamespaceTransformerPlugin](),           //nolint:staticcheck // see above
	"PatchJson6902Transformer":       reflect.TypeFor[builtins.PatchJson6902TransformerPlugin](),       //nolint:staticcheck // see above
	"PatchStrategicMergeTransformer": reflect.TypeFor[builtins.PatchStrategicMergeTransformerPlugin](), //nolint:staticcheck // see above
	"PatchTransformer":               reflect.TypeFor[builtins.PatchTransformerPlugin](),               //nolint:staticcheck // see above
	"PrefixTransformer":              reflect.TypeFor[builtins.PrefixTransformerPlugin](),              //nolint:staticcheck // see above
	"PrefixSuffixTransformer": reflect.TypeFor[struct {
		builtins.PrefixTransformerPlugin        //nolint:staticcheck // see above
		Suffix                           string `json:"suffix,omitempty"`
	}](),
	"ReplacementTransformer":  reflect.TypeFor[builtins.ReplacementTransformerPlugin](),  //nolint:staticcheck // see above
	"ReplicaCountTransformer": reflect.TypeFor[builtins.ReplicaCountTransformerPlugin](), //nolint:staticcheck // see above
	"SecretGenerator":         reflect.TypeFor[builtins.SecretGeneratorPlugin](),         //nolint:staticcheck // see above
	"SuffixTransformer":       reflect.TypeFor[builtins.SuffixTransformerPlugin](),       //nolint:staticcheck // see above
	"ValueAddTransformer":     reflect.TypeFor[builtins.ValueAddTransformerPlugin](),     //nolint:staticcheck // see above
}

// refusesPlugin is what kustomize does with a key written twice in a
// plugin configuration: it reads the file as a resource with kyaml, which
// refuses it when the plugin is configured ("marshalling yaml from res
// …: mapping key … already defined"), naming the plugin but not the file.
const refusesPlugin = "kustomize refuses the plugin configuration and fails the build without naming the file"

// pluginDuplicates checks the keys of plugin configuration n, in file:
// written twice, kustomize refuses them; in two cases, it reads one.
func (u *unit) pluginDuplicates(file string, n *yaml.Node) {
	if dups := duplicateKeys(file, n, nil); len(dups) > 0 {
		u.errs = append(u.errs, withUse(dups, refusesPlugin)...)
		return
	}
	if t, ok := pluginTypes[fieldValue(n, "kind")]; ok {
		u.dups = append(u.dups, foldDuplicates(file, n, t, nil)...)
	}
}

// foldDuplicates appends to errs an error for each key of a mapping under
// n, decoded by kustomize into a value of type t, that fills the same
// struct field as an earlier key written in another case: encoding/json,
// under sigs.k8s.io/yaml, matches a key to a field ignoring case (its
// decode.go: byExactName, then byFoldedName), and yaml.v2 and strict
// decoding (DisallowUnknownFields) let both through. kustomize then reads
// the key that sorts last (structField): the other copy is dropped, or for
// a mapping merged under it, in silence. Keys written exactly twice are
// duplicateKeys' own, and the keys of a Go map are compared exactly.
func foldDuplicates(file string, n *yaml.Node, t reflect.Type, errs []*Error) []*Error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n == nil || t == nil {
		return errs
	}
	switch {
	case n.Kind == yaml.SequenceNode && (t == anyStruct || t.Kind() == reflect.Slice):
		if t != anyStruct {
			t = t.Elem()
		}
		for _, it := range n.Content {
			errs = foldDuplicates(file, it, t, errs)
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 1; i < len(n.Content); i += 2 {
			errs = foldDuplicates(file, n.Content[i], t.Elem(), errs)
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		c := n.Content
		for j := 0; j+1 < len(c); j += 2 {
			ft, ok := jsonFieldType(t, c[j].Value)
			if !ok || !plainKey(c[j]) {
				continue
			}
			errs = foldDuplicates(file, c[j+1], ft, errs)
			for i := 0; i < j; i += 2 {
				if c[i].Value == c[j].Value && plainKey(c[i]) {
					break // duplicateKeys reports it
				}
				if strings.EqualFold(c[i].Value, c[j].Value) && plainKey(c[i]) {
					errs = append(errs, foldError(file, n, c[i], c[j], c[j+1], ft))
					break
				}
			}
		}
	}
	return errs
}

// foldError is the error for key again, with value v, which fills the
// field that key first of mapping n fills, a field of type t: encoding/json
// decodes a struct or a map into the one it decoded before.
func foldError(file string, n, first, again, v *yaml.Node, t reflect.Type) *Error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	read := "silently reads the copy at line %d only"
	if t == anyStruct && v.Kind == yaml.MappingNode || t != anyStruct && (t.Kind() == reflect.Struct || t.Kind() == reflect.Map) {
		read = "silently merges the copies into one, the one at line %d overriding"
	}
	var used *yaml.Node
	for k := range yamlpath.Entries(n) {
		if strings.EqualFold(k.Value, first.Value) && (used == nil || k.Value >= used.Value) {
			used = k
		}
	}
	return &Error{File: file, Loc: LineCol(again.Line, again.Column), Msg: duplicateKeyMsg,
		Err: fmt.Errorf("key %q is written twice in one mapping (first at line %d, as %q): kustomize matches field names ignoring case and "+read, again.Value, first.Line, first.Value, used.Line)}
}

// jsonFieldType returns the type of the field of struct t that
// encoding/json decodes key into: the field of that name, else one whose
// name is the same but for case.
func jsonFieldType(t reflect.Type, key string) (reflect.Type, bool) {
	if t == anyStruct {
		return anyStruct, true
	}
	fields := jsonFields(t, nil)
	for _, f := range fields {
		if f.Name == key {
			return f.Type, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.Name, key) {
			return f.Type, true
		}
	}
	return nil, false
}

// jsonFields appends to out the fields of struct t as encoding/json names
// them: an embedded struct without a name in its tag lends its fields.
func jsonFields(t reflect.Type, out []reflect.StructField) []reflect.StructField {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case name == "-" || (!f.IsExported() && !f.Anonymous):
		case name == "" && f.Anonymous && ft.Kind() == reflect.Struct:
			out = jsonFields(ft, out)
		case f.IsExported():
			if name == "" {
				name = f.Name
			}
			f.Name = name
			out = append(out, f)
		}
	}
	return out
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
			// Strict decoding refuses no key in another case.
			u.dups = append(u.dups, foldDuplicates(disp, d, anyStruct, nil)...)
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

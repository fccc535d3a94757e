package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// istioGroups are the API groups whose CRDs are extracted.
var istioGroups = map[string]bool{
	"networking.istio.io": true,
	"security.istio.io":   true,
	"telemetry.istio.io":  true,
	"extensions.istio.io": true,
}

// crdPath is the CRD bundle inside the istio.io/api module.
const crdPath = "kubernetes/customresourcedefinitions.gen.yaml"

// module is the part of `go list -m -json` / `go mod download -json` output
// the generator reads.
type module struct {
	Path, Version, Dir string
	Error              string
}

// moduleDir returns the module cache folder of a module required by go.mod.
// `go list -m` names the version that go.mod pins; when the module is not in
// the cache yet, `go mod download` fetches exactly that version through the
// Go module proxy, verified against go.sum.
func moduleDir(path string) (module, error) {
	var m module
	if err := goJSON(&m, "list", "-m", "-json", path); err != nil {
		return m, err
	}
	if m.Dir != "" {
		return m, nil
	}
	if err := goJSON(&m, "mod", "download", "-json", path+"@"+m.Version); err != nil {
		return m, err
	}
	if m.Error != "" || m.Dir == "" {
		return m, fmt.Errorf("go mod download %s@%s: %s", path, m.Version, m.Error)
	}
	return m, nil
}

func goJSON(out any, args ...string) error {
	cmd := exec.Command("go", args...) //nolint:gosec // the go command with the generator's own arguments
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// crd is the part of a CustomResourceDefinition the generator reads.
type crd struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Group string `yaml:"group"`
		Names struct {
			Kind string `yaml:"kind"`
		} `yaml:"names"`
		Versions []struct {
			Name   string `yaml:"name"`
			Served bool   `yaml:"served"`
			Schema struct {
				OpenAPIV3Schema map[string]any `yaml:"openAPIV3Schema"`
			} `yaml:"schema"`
		} `yaml:"versions"`
	} `yaml:"spec"`
}

// writeIstio replaces the folder dir with one schema per served version of
// every Istio CRD of istioGroups, and a README that records the source.
func writeIstio(dir string, meta map[string]any) error {
	m, err := moduleDir("istio.io/api")
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(m.Dir, filepath.FromSlash(crdPath)))
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	written, err := writeCRDs(dir, data, func(group string) bool { return istioGroups[group] }, meta)
	if err != nil {
		return fmt.Errorf("%s@%s/%s: %w", m.Path, m.Version, crdPath, err)
	}
	if len(written) == 0 {
		return fmt.Errorf("%s@%s/%s: no CRD of %v", m.Path, m.Version, crdPath, istioGroups)
	}
	sort.Strings(written)
	return writeIstioReadme(filepath.Join(dir, "README.md"), m, data, written)
}

// writeCRDs writes into dir one schema per served version of every CRD of
// data (a stream of YAML documents) whose group wanted accepts, as
// <group>/<kind>_<version>.json, and returns their paths relative to dir.
// Other documents are passed over.
func writeCRDs(dir string, data []byte, wanted func(group string) bool, meta map[string]any) ([]string, error) {
	var written []string
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var c crd
		err := dec.Decode(&c)
		if errors.Is(err, io.EOF) {
			return written, nil
		}
		if err != nil {
			return nil, err
		}
		if c.Kind != "CustomResourceDefinition" || !wanted(c.Spec.Group) {
			continue
		}
		for _, v := range c.Spec.Versions {
			if !v.Served {
				continue
			}
			if v.Schema.OpenAPIV3Schema == nil {
				return nil, fmt.Errorf("%s %s/%s has no openAPIV3Schema", c.Spec.Names.Kind, c.Spec.Group, v.Name)
			}
			s := wrapCRD(c.Spec.Group, v.Name, c.Spec.Names.Kind, v.Schema.OpenAPIV3Schema, meta)
			name := filepath.Join(dir, c.Spec.Group, strings.ToLower(c.Spec.Names.Kind)+"_"+v.Name+".json")
			if err := writeJSON(name, s); err != nil {
				return nil, err
			}
			written = append(written, filepath.ToSlash(strings.TrimPrefix(name, dir+string(filepath.Separator))))
		}
	}
}

// wrapCRD turns a CRD version's openAPIV3Schema into a JSON schema of the
// whole object: apiVersion and kind pinned, metadata as Kubernetes'
// ObjectMeta, and every object with declared properties closed, so that an
// unknown field is an error as it is for the API server's strict field
// validation. Objects marked x-kubernetes-preserve-unknown-fields (status)
// stay open.
func wrapCRD(group, version, kind string, s, meta map[string]any) map[string]any {
	strictSchema(s)
	props, _ := s["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		s["properties"] = props
	}
	props["apiVersion"] = map[string]any{"type": "string", "enum": []any{group + "/" + version}}
	props["kind"] = map[string]any{"type": "string", "enum": []any{kind}}
	props["metadata"] = meta
	s["type"] = "object"
	s["additionalProperties"] = false
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["x-kubernetes-group-version-kind"] = []any{map[string]any{"group": group, "version": version, "kind": kind}}
	return s
}

// strictSchema converts a structural schema in place into a strict JSON
// schema:
//
//   - an object with properties and no additionalProperties gets
//     additionalProperties: false, unless it preserves unknown fields;
//   - x-kubernetes-int-or-string becomes anyOf integer/string (Istio's CRDs
//     already carry the anyOf; it is added where missing);
//   - nullable: true adds "null" to the type;
//   - a required field with a default is no longer required.
//
// x-kubernetes-validations (CEL) are kept; JSON Schema validators ignore
// them. It walks schema keywords only, so that a property named like a
// keyword is not taken for one.
//
// The branches of allOf, anyOf, oneOf and not are left open: in a
// structural schema they only constrain the fields that the object
// around them declares (the Gateway API's address types name one of two
// fields in a branch), so closing them would reject the other fields.
func strictSchema(s map[string]any) {
	strictSubschema(s, true)
}

func strictSubschema(s map[string]any, closeObject bool) {
	if s == nil {
		return
	}
	if _, ok := s["properties"]; ok && closeObject {
		if _, has := s["additionalProperties"]; !has && s["x-kubernetes-preserve-unknown-fields"] != true {
			s["additionalProperties"] = false
		}
	}
	if s["x-kubernetes-int-or-string"] == true && s["anyOf"] == nil && s["oneOf"] == nil {
		delete(s, "type")
		s["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
	}
	if s["nullable"] == true {
		if t, ok := s["type"].(string); ok {
			s["type"] = []any{t, "null"}
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		// The API server sets defaults before it validates, so a
		// required field with a default is never missing there (the
		// v1alpha1 admin policies' portNumber.protocol).
		if req, ok := s["required"].([]any); ok {
			s["required"] = slices.DeleteFunc(req, func(name any) bool {
				field, _ := props[fmt.Sprint(name)].(map[string]any)
				_, def := field["default"]
				return def
			})
		}
		for _, p := range props {
			sub, _ := p.(map[string]any)
			strictSubschema(sub, closeObject)
		}
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if sub, ok := s[k].(map[string]any); ok {
			strictSubschema(sub, closeObject)
		}
	}
	if sub, ok := s["not"].(map[string]any); ok {
		strictSubschema(sub, false)
	}
	props, _ := s["properties"].(map[string]any)
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := s[k].([]any); ok {
			for _, it := range list {
				sub, _ := it.(map[string]any)
				strictSubschema(sub, false)
				requireDefaultRejected(sub, props)
			}
		}
	}
}

// requireDefaultRejected makes branch, a branch of an allOf, anyOf or
// oneOf of an object whose fields props declares, require each field whose
// default value the branch rejects (by enum, or by not: {enum}). The API
// server sets defaults before it validates, so an absent field has its
// default there; a JSON Schema validator sees it absent, and the branch's
// constraint on it does not apply. The Gateway API's address types rely
// on this: an address without a type is an IPAddress.
func requireDefaultRejected(branch, props map[string]any) {
	bprops, _ := branch["properties"].(map[string]any)
	for _, name := range sortedKeys(bprops) {
		c := bprops[name]
		field, _ := props[name].(map[string]any)
		def, ok := field["default"]
		if !ok {
			continue
		}
		cons, _ := c.(map[string]any)
		rejected := false
		if enum, ok := cons["enum"].([]any); ok && !slices.Contains(enum, def) {
			rejected = true
		}
		if not, ok := cons["not"].(map[string]any); ok {
			if enum, ok := not["enum"].([]any); ok && slices.Contains(enum, def) {
				rejected = true
			}
		}
		if rejected {
			req, _ := branch["required"].([]any)
			if !slices.Contains(req, any(name)) {
				branch["required"] = append(req, name)
			}
		}
	}
}

// crdReadme is the README of a folder of schemas converted from CRDs other
// than Istio's: a table of where they come from (rows of field and
// value), how they were converted, an optional table more, and the files.
type crdReadme struct {
	title      string
	fields     [][2]string
	conversion string
	extra      string
	files      []string
}

func (r crdReadme) write(path string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s CRD schemas (generated)\n\n", r.title)
	fmt.Fprintf(&b, "Written by `go generate ./schema/` (schema/gen); do not edit by hand.\n\n")
	fmt.Fprintf(&b, "| field | value |\n|---|---|\n")
	for _, f := range r.fields {
		fmt.Fprintf(&b, "| %s | %s |\n", f[0], f[1])
	}
	fmt.Fprintf(&b, "\nConversion: as for Istio's CRDs (istio/README.md).%s\n\n", r.conversion)
	if r.extra != "" {
		b.WriteString(r.extra + "\n")
	}
	fmt.Fprintf(&b, "| file |\n|---|\n")
	for _, f := range r.files {
		fmt.Fprintf(&b, "| %s |\n", f)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func writeIstioReadme(path string, m module, crdData []byte, files []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Istio CRD schemas (generated)\n\n")
	fmt.Fprintf(&b, "Written by `go generate ./schema/` (schema/gen); do not edit by hand.\n\n")
	fmt.Fprintf(&b, "| field | value |\n|---|---|\n")
	fmt.Fprintf(&b, "| source module | `%s %s` (pinned in go.mod, read from the Go module cache) |\n", m.Path, m.Version)
	fmt.Fprintf(&b, "| source file | `%s` (%d bytes, sha256 `%x`) |\n", crdPath, len(crdData), sha256.Sum256(crdData))
	fmt.Fprintf(&b, "| groups | %s |\n", strings.Join(sortedKeys(istioGroups), ", "))
	fmt.Fprintf(&b, "| versions | every version with `served: true` |\n")
	fmt.Fprintf(&b, "| licence | Apache-2.0 (istio/api) |\n\n")
	fmt.Fprintf(&b, "Conversion: each version's `openAPIV3Schema` is wrapped to describe the whole object ")
	fmt.Fprintf(&b, "(`apiVersion` and `kind` pinned by `enum`, `metadata` as Kubernetes ObjectMeta derived from k8s.io/api, `spec`, `status`); ")
	fmt.Fprintf(&b, "every object with `properties` and no `additionalProperties` gets `additionalProperties: false` ")
	fmt.Fprintf(&b, "unless it has `x-kubernetes-preserve-unknown-fields` (`status`, EnvoyFilter patch values); ")
	fmt.Fprintf(&b, "`x-kubernetes-int-or-string` is `anyOf` integer/string; `nullable: true` adds `null` to the type; ")
	fmt.Fprintf(&b, "`x-kubernetes-validations` (CEL) are kept and ignored by the validator.\n\n")
	fmt.Fprintf(&b, "| file |\n|---|\n")
	for _, f := range files {
		fmt.Fprintf(&b, "| %s |\n", f)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

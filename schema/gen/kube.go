package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// kubeKind is a Kubernetes kind whose schema is derived from its Go type.
type kubeKind struct {
	file                 string
	group, version, kind string
	obj                  any
}

// derivedKinds are the Kubernetes kinds meshlint validates, derived from
// the Go types of the k8s.io/api module pinned in go.mod (the Kubernetes
// OpenAPI's own source) in the shape of kubeconform's standalone-strict
// schemas; TestDerivationMatchesCopied checks the derivation against
// kubeconform's files for Kubernetes 1.32.
var derivedKinds = []kubeKind{
	{"namespace-v1.json", "", "v1", "Namespace", corev1.Namespace{}},
	{"service-v1.json", "", "v1", "Service", corev1.Service{}},
	{"pod-v1.json", "", "v1", "Pod", corev1.Pod{}},
	{"secret-v1.json", "", "v1", "Secret", corev1.Secret{}},
	{"serviceaccount-v1.json", "", "v1", "ServiceAccount", corev1.ServiceAccount{}},
	{"configmap-v1.json", "", "v1", "ConfigMap", corev1.ConfigMap{}},
	{"podtemplate-v1.json", "", "v1", "PodTemplate", corev1.PodTemplate{}},
	{"replicationcontroller-v1.json", "", "v1", "ReplicationController", corev1.ReplicationController{}},
	{"deployment-apps-v1.json", "apps", "v1", "Deployment", appsv1.Deployment{}},
	{"statefulset-apps-v1.json", "apps", "v1", "StatefulSet", appsv1.StatefulSet{}},
	{"daemonset-apps-v1.json", "apps", "v1", "DaemonSet", appsv1.DaemonSet{}},
	{"replicaset-apps-v1.json", "apps", "v1", "ReplicaSet", appsv1.ReplicaSet{}},
	{"job-batch-v1.json", "batch", "v1", "Job", batchv1.Job{}},
	{"cronjob-batch-v1.json", "batch", "v1", "CronJob", batchv1.CronJob{}},
	{"networkpolicy-networking-v1.json", "networking.k8s.io", "v1", "NetworkPolicy", networkingv1.NetworkPolicy{}},
	{"ingress-networking-v1.json", "networking.k8s.io", "v1", "Ingress", networkingv1.Ingress{}},
	// The loader drops IngressClasses (internal/kinds does not model
	// them): the schema waits for the day it keeps them.
	{"ingressclass-networking-v1.json", "networking.k8s.io", "v1", "IngressClass", networkingv1.IngressClass{}},
	{"mutatingwebhookconfiguration-admissionregistration-v1.json", "admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", admissionregistrationv1.MutatingWebhookConfiguration{}},
	{"validatingwebhookconfiguration-admissionregistration-v1.json", "admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", admissionregistrationv1.ValidatingWebhookConfiguration{}},
}

func writeKube(dir string) error {
	for _, k := range derivedKinds {
		s, err := kindSchema(k)
		if err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(dir, k.file), s); err != nil {
			return err
		}
	}
	return nil
}

// kindSchema returns the strict schema of a top-level kind, in the layout
// of the yannh/kubernetes-json-schema standalone-strict files.
func kindSchema(k kubeKind) (map[string]any, error) {
	s, err := typeSchema(reflect.TypeOf(k.obj), true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.kind, err)
	}
	apiVersion := k.version
	if k.group != "" {
		apiVersion = k.group + "/" + k.version
	}
	props := s["properties"].(map[string]any)
	props["apiVersion"] = map[string]any{"type": []any{"string", "null"}, "enum": []any{apiVersion}}
	props["kind"] = map[string]any{"type": []any{"string", "null"}, "enum": []any{k.kind}}
	s["$schema"] = "http://json-schema.org/schema#"
	s["x-kubernetes-group-version-kind"] = []any{map[string]any{"group": k.group, "kind": k.kind, "version": k.version}}
	return s, nil
}

// objectMetaSchema is the strict schema of metav1.ObjectMeta, used as the
// metadata of Istio objects.
func objectMetaSchema() (map[string]any, error) {
	return typeSchema(reflect.TypeOf(metav1.ObjectMeta{}), false)
}

var (
	timeType         = reflect.TypeOf(metav1.Time{})
	microTimeType    = reflect.TypeOf(metav1.MicroTime{})
	durationType     = reflect.TypeOf(metav1.Duration{})
	fieldsV1Type     = reflect.TypeOf(metav1.FieldsV1{})
	quantityType     = reflect.TypeOf(resource.Quantity{})
	intOrStringType  = reflect.TypeOf(intstr.IntOrString{})
	rawExtensionType = reflect.TypeOf(runtime.RawExtension{})
)

// typeSchema maps a Go API type to JSON Schema the way the Kubernetes
// OpenAPI and openapi2jsonschema do:
//
//   - a struct is an object with additionalProperties: false; its fields
//     are named by their json tags, inline structs are merged, and a field
//     is required unless its tag has omitempty or its comment has the
//     +optional marker (openapi-gen's rule; the markers are read from the
//     package's source in the module cache);
//   - a type that is not required is nullable ("type": [T, "null"]);
//   - the types with custom JSON encodings keep their wire form: Time is a
//     date-time string, Quantity a string or number, IntOrString a string
//     or integer, FieldsV1 and RawExtension free-form objects;
//   - a string type marked +enum lists the values of its constants, as
//     openapi-gen does, since the API server refuses any other
//     ("Unsupported value"). Beyond openapi-gen: an optional field that is
//     no pointer also accepts "" (the JSON decoder cannot tell it from the
//     field left out, which defaulting fills in or validation skips), and a
//     status has no enums (the API server resets the status of an object it
//     creates, and validates no template's).
func typeSchema(t reflect.Type, required bool) (map[string]any, error) {
	return (&deriver{seen: map[reflect.Type]bool{}}).schema(t, required)
}

type deriver struct {
	seen map[reflect.Type]bool
	// status counts the status objects the derivation is in.
	status int
}

// sourceByPkg holds, per package path, what the generator reads from the
// package's source rather than its types. The generator runs once, so a
// plain map filled on first use is enough.
var sourceByPkg = map[string]*pkgSource{}

// pkgSource is what the Go types of a package do not carry: markers in
// comments, and the constants of its enum types.
type pkgSource struct {
	// optional holds the "Type.Field" names whose doc comment has a
	// +optional marker.
	optional map[string]bool
	// enums maps the name of each string type marked +enum to the values
	// of the constants declared with that type, sorted.
	enums map[string][]string
}

func typ(name string, required bool) any {
	if required {
		return name
	}
	return []any{name, "null"}
}

func (d *deriver) schema(t reflect.Type, required bool) (map[string]any, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case timeType, microTimeType:
		return map[string]any{"type": typ("string", required), "format": "date-time"}, nil
	case durationType:
		return map[string]any{"type": typ("string", required)}, nil
	case fieldsV1Type, rawExtensionType:
		return map[string]any{"type": typ("object", required)}, nil
	case quantityType:
		return map[string]any{"oneOf": []any{
			map[string]any{"type": []any{"string", "null"}},
			map[string]any{"type": []any{"number", "null"}},
		}}, nil
	case intOrStringType:
		return map[string]any{"oneOf": []any{
			map[string]any{"type": []any{"string", "null"}},
			map[string]any{"type": []any{"integer", "null"}},
		}}, nil
	}
	switch t.Kind() {
	case reflect.String:
		s := map[string]any{"type": typ("string", required)}
		if d.status > 0 {
			// The API server resets an object's status on create and update
			// and validates no template's: any value passes.
			return s, nil
		}
		values, err := enumValues(t)
		if err != nil {
			return nil, err
		}
		if len(values) > 0 {
			enum := make([]any, len(values))
			for i, v := range values {
				enum[i] = v
			}
			s["enum"] = enum
		}
		return s, nil
	case reflect.Bool:
		return map[string]any{"type": typ("boolean", required)}, nil
	case reflect.Int32, reflect.Uint32:
		return map[string]any{"type": typ("integer", required), "format": "int32"}, nil
	case reflect.Int64, reflect.Uint64:
		return map[string]any{"type": typ("integer", required), "format": "int64"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Uint, reflect.Uint8, reflect.Uint16:
		return map[string]any{"type": typ("integer", required)}, nil
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": typ("number", required), "format": "double"}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": typ("string", required), "format": "byte"}, nil
		}
		items, err := d.schema(t.Elem(), false)
		if err != nil {
			return nil, err
		}
		emptyBesideEnum(items)
		return map[string]any{"type": typ("array", required), "items": items}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("%s: map key %s is not a string", t, t.Key())
		}
		vals, err := d.schema(t.Elem(), false)
		if err != nil {
			return nil, err
		}
		emptyBesideEnum(vals)
		return map[string]any{"type": typ("object", required), "additionalProperties": vals}, nil
	case reflect.Struct:
		if d.seen[t] {
			return nil, fmt.Errorf("%s is recursive", t)
		}
		d.seen[t] = true
		defer delete(d.seen, t)
		props := map[string]any{}
		var req []any
		if err := d.fields(t, props, &req); err != nil {
			return nil, err
		}
		s := map[string]any{"type": typ("object", required), "properties": props, "additionalProperties": false}
		if len(req) > 0 {
			s["required"] = req
		}
		return s, nil
	}
	return nil, fmt.Errorf("%s: unsupported kind %s", t, t.Kind())
}

// emptyBesideEnum takes the empty string out of the enum of s, if it is
// there, and accepts it beside the enum instead: a value outside it is then
// told the values that mean something, not an empty one. The "if" is an
// enum rather than a const, which the validator's fast path does not model.
func emptyBesideEnum(s map[string]any) {
	enum, ok := s["enum"].([]any)
	if !ok || !slices.Contains(enum, any("")) {
		return
	}
	delete(s, "enum")
	s["if"] = map[string]any{"enum": []any{""}}
	s["else"] = map[string]any{"enum": slices.DeleteFunc(slices.Clone(enum), func(v any) bool { return v == "" })}
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// fields adds the JSON fields of struct t to props and the required ones to
// req, merging inline (embedded) structs.
func (d *deriver) fields(t reflect.Type, props map[string]any, req *[]any) error {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		optional, err := d.isOptional(t, f.Name)
		if err != nil {
			return err
		}
		omitempty := optional || strings.Contains(","+opts+",", ",omitempty,")
		inline := strings.Contains(","+opts+",", ",inline,")
		if inline || (name == "" && f.Anonymous) {
			if err := d.fields(deref(f.Type), props, req); err != nil {
				return err
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		isStatus := name == "status" && deref(f.Type).Kind() == reflect.Struct
		if isStatus {
			d.status++
		}
		s, err := d.schema(f.Type, !omitempty)
		if isStatus {
			d.status--
		}
		if err != nil {
			return fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
		if enum, ok := s["enum"].([]any); ok && omitempty && f.Type.Kind() == reflect.String && !slices.Contains(enum, any("")) {
			// An empty string decodes as the field left out, which is
			// valid for an optional field that is no pointer: defaulting
			// fills it in (imagePullPolicy, a port's protocol, a Service's
			// type) or validation skips it (a toleration's effect).
			s["enum"] = append([]any{""}, enum...)
		}
		emptyBesideEnum(s)
		props[name] = s
		if !omitempty {
			*req = append(*req, name)
		}
	}
	return nil
}

// isOptional reports whether field of struct t has a +optional marker.
func (d *deriver) isOptional(t reflect.Type, field string) (bool, error) {
	src, err := source(t.PkgPath())
	if err != nil {
		return false, err
	}
	return src.optional[t.Name()+"."+field], nil
}

// enumValues returns the values of the named string type t if the type is
// marked +enum, as openapi-gen writes them into the Kubernetes OpenAPI
// (kube-openapi pkg/generators/enum.go: the type's string constants).
func enumValues(t reflect.Type) ([]string, error) {
	if t.Name() == "" || t.PkgPath() == "" || !strings.HasPrefix(t.PkgPath(), "k8s.io/api/") {
		return nil, nil
	}
	src, err := source(t.PkgPath())
	if err != nil {
		return nil, err
	}
	return src.enums[t.Name()], nil
}

func source(pkg string) (*pkgSource, error) {
	if src, ok := sourceByPkg[pkg]; ok {
		return src, nil
	}
	src, err := readSource(pkg)
	if err != nil {
		return nil, err
	}
	sourceByPkg[pkg] = src
	return src, nil
}

// readSource parses the Go source of a package for its +optional fields
// and its enum types with their constants.
func readSource(pkg string) (*pkgSource, error) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", pkg).Output() //nolint:gosec // runs the go command on a package path of the API types
	if err != nil {
		return nil, fmt.Errorf("go list %s: %w", pkg, err)
	}
	dir := strings.TrimSpace(string(out))
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	src := &pkgSource{optional: map[string]bool{}, enums: map[string][]string{}}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				switch tt := ts.Type.(type) {
				case *ast.StructType:
					for _, fld := range tt.Fields.List {
						if fld.Doc == nil || !hasMarker(fld.Doc, "+optional") {
							continue
						}
						for _, name := range fld.Names {
							src.optional[ts.Name.Name+"."+name.Name] = true
						}
					}
				case *ast.Ident:
					// gengo reads the comment above the type, which the
					// parser attaches to the declaration when it declares
					// one type alone.
					doc := ts.Doc
					if doc == nil && len(gd.Specs) == 1 {
						doc = gd.Doc
					}
					if tt.Name == "string" && doc != nil && hasMarker(doc, "+enum") {
						src.enums[ts.Name.Name] = nil
					}
				}
			}
		}
	}
	// The constants come second: a file may declare the constants of a type
	// that another file declares.
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if err := addEnumConsts(src.enums, vs); err != nil {
					return nil, fmt.Errorf("%s: %s: %w", pkg, fset.Position(vs.Pos()), err)
				}
			}
		}
	}
	for name, values := range src.enums {
		if len(values) == 0 {
			// openapi-gen writes no enum for a type without constants.
			delete(src.enums, name)
			continue
		}
		slices.Sort(values)
		src.enums[name] = slices.Compact(values)
	}
	return src, nil
}

// addEnumConsts adds the values of the constants vs declares with an enum
// type, written `Name Type = "value"` or `Name = Type("value")`. A constant
// of an enum type in any other form is an error rather than a value
// silently left out.
func addEnumConsts(enums map[string][]string, vs *ast.ValueSpec) error {
	typeName := ""
	if id, ok := vs.Type.(*ast.Ident); ok {
		typeName = id.Name
	}
	for i, v := range vs.Values {
		name := typeName
		if call, ok := v.(*ast.CallExpr); ok && name == "" && len(call.Args) == 1 {
			if id, ok := call.Fun.(*ast.Ident); ok {
				name, v = id.Name, call.Args[0]
			}
		}
		if _, ok := enums[name]; !ok || name == "" {
			continue
		}
		lit, ok := v.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return fmt.Errorf("constant %s of enum type %s is not a string literal", vs.Names[i], name)
		}
		value, err := strconv.Unquote(lit.Value)
		if err != nil {
			return fmt.Errorf("constant %s: %w", vs.Names[i], err)
		}
		enums[name] = append(enums[name], value)
	}
	return nil
}

func hasMarker(doc *ast.CommentGroup, marker string) bool {
	for _, c := range doc.List {
		if strings.TrimSpace(strings.TrimPrefix(c.Text, "//")) == marker {
			return true
		}
	}
	return false
}

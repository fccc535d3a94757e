package spec

import (
	"bytes"
	"encoding"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// This file generates decode_gen.go: `go generate ./internal/spec` runs
// TestDecodeGenUpToDate with -update, built with -tags specgen so that a
// decode_gen.go left behind by a change to the spec types does not stop it.

var update = flag.Bool("update", false, "rewrite decode_gen.go from the spec types")

const decodeGenFile = "decode_gen.go"

// TestDecodeGenUpToDate fails when decode_gen.go is not what the spec types
// generate.
func TestDecodeGenUpToDate(t *testing.T) {
	src, err := generateDecoders(".", decodeRoots())
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(decodeGenFile, src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(decodeGenFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old, src) {
		t.Errorf("%s is stale: run go generate ./internal/spec", decodeGenFile)
	}
}

// decodeRoots are the types decodeFast decodes: every struct type the
// package declares (the generator checks that none is missing), so that
// whichever a caller decodes into has its fast path.
func decodeRoots() []reflect.Type {
	return []reflect.Type{
		reflect.TypeFor[AdminEgress](),
		reflect.TypeFor[AdminIngress](),
		reflect.TypeFor[AdminNetworkPolicy](),
		reflect.TypeFor[AdminPeer](),
		reflect.TypeFor[AdminPort](),
		reflect.TypeFor[AdminPortNumber](),
		reflect.TypeFor[AdminPortRange](),
		reflect.TypeFor[AdminSubject](),
		reflect.TypeFor[AllowedListeners](),
		reflect.TypeFor[AllowedRoutes](),
		reflect.TypeFor[AuthorizationPolicy](),
		reflect.TypeFor[AuthzCondition](),
		reflect.TypeFor[AuthzOperation](),
		reflect.TypeFor[AuthzProvider](),
		reflect.TypeFor[AuthzRule](),
		reflect.TypeFor[AuthzSource](),
		reflect.TypeFor[BackendRef](),
		reflect.TypeFor[BackendTLSPolicy](),
		reflect.TypeFor[BackendTLSPolicyMeta](),
		reflect.TypeFor[BackendTLSPolicySpec](),
		reflect.TypeFor[BackendTLSValidation](),
		reflect.TypeFor[BaselineAdminNetworkPolicy](),
		reflect.TypeFor[Canary](),
		reflect.TypeFor[CanaryAnalysis](),
		reflect.TypeFor[CanaryMetadata](),
		reflect.TypeFor[CanaryRewrite](),
		reflect.TypeFor[CanaryService](),
		reflect.TypeFor[CanaryStep](),
		reflect.TypeFor[CanaryStrategy](),
		reflect.TypeFor[CanaryTargetRef](),
		reflect.TypeFor[ClientTLS](),
		reflect.TypeFor[ClusterNetworkPolicy](),
		reflect.TypeFor[ClusterNetworkPolicyEgress](),
		reflect.TypeFor[ClusterNetworkPolicyPort](),
		reflect.TypeFor[ClusterNetworkPolicyPortMatch](),
		reflect.TypeFor[ClusterNetworkPolicyProtocol](),
		reflect.TypeFor[ClusterNetworkPolicyRule](),
		reflect.TypeFor[Container](),
		reflect.TypeFor[ContainerPort](),
		reflect.TypeFor[CronJob](),
		reflect.TypeFor[Delegate](),
		reflect.TypeFor[Destination](),
		reflect.TypeFor[DestinationRule](),
		reflect.TypeFor[EgressListener](),
		reflect.TypeFor[EnvoyConfigPatch](),
		reflect.TypeFor[EnvoyFilter](),
		reflect.TypeFor[EnvoyMatch](),
		reflect.TypeFor[EnvoyPatch](),
		reflect.TypeFor[Experiment](),
		reflect.TypeFor[ExperimentService](),
		reflect.TypeFor[ExperimentTemplate](),
		reflect.TypeFor[Fault](),
		reflect.TypeFor[HTTPFaultAbort](),
		reflect.TypeFor[HTTPFaultDelay](),
		reflect.TypeFor[FrontendTLS](),
		reflect.TypeFor[FrontendTLSConfig](),
		reflect.TypeFor[FrontendTLSPort](),
		reflect.TypeFor[FrontendTLSValidation](),
		reflect.TypeFor[Gateway](),
		reflect.TypeFor[GatewayAddress](),
		reflect.TypeFor[GatewayAddresses](),
		reflect.TypeFor[GatewayBackendTLS](),
		reflect.TypeFor[GatewayInfrastructure](),
		reflect.TypeFor[GatewayClass](),
		reflect.TypeFor[GatewayRoute](),
		reflect.TypeFor[GatewayRouteFilter](),
		reflect.TypeFor[GatewayRouteRule](),
		reflect.TypeFor[GatewayTLS](),
		reflect.TypeFor[HTTPMatch](),
		reflect.TypeFor[HTTPRoute](),
		reflect.TypeFor[HeaderNames](),
		reflect.TypeFor[HeaderOps](),
		reflect.TypeFor[HTTPHeaders](),
		reflect.TypeFor[HTTPRewrite](),
		reflect.TypeFor[HTTPFault](),
		reflect.TypeFor[IPBlock](),
		reflect.TypeFor[Ingress](),
		reflect.TypeFor[IngressBackend](),
		reflect.TypeFor[IngressListener](),
		reflect.TypeFor[IngressPath](),
		reflect.TypeFor[IngressRule](),
		reflect.TypeFor[IngressServiceBackend](),
		reflect.TypeFor[IstioDestinationRule](),
		reflect.TypeFor[IstioTrafficRouting](),
		reflect.TypeFor[IstioVirtualService](),
		reflect.TypeFor[IstioVirtualServiceList](),
		reflect.TypeFor[JWTRule](),
		reflect.TypeFor[K8sGateway](),
		reflect.TypeFor[L4Match](),
		reflect.TypeFor[LabelSelector](),
		reflect.TypeFor[LabelSelectorRequirement](),
		reflect.TypeFor[Listener](),
		reflect.TypeFor[ListenerNamespaces](),
		reflect.TypeFor[ListenerSet](),
		reflect.TypeFor[ListenerTLS](),
		reflect.TypeFor[LocalObjectRef](),
		reflect.TypeFor[LocalParametersRef](),
		reflect.TypeFor[ManagedRoute](),
		reflect.TypeFor[MatchLabelsSelector](),
		reflect.TypeFor[Mirror](),
		reflect.TypeFor[MirrorFraction](),
		reflect.TypeFor[NamespacedPod](),
		reflect.TypeFor[NetworkPolicy](),
		reflect.TypeFor[NetworkPolicyPeer](),
		reflect.TypeFor[NetworkPolicyPort](),
		reflect.TypeFor[NetworkPolicyRule](),
		reflect.TypeFor[Number](),
		reflect.TypeFor[ParentGatewayRef](),
		reflect.TypeFor[ParentRef](),
		reflect.TypeFor[PeerAuthentication](),
		reflect.TypeFor[PeerMTLS](),
		reflect.TypeFor[Percent](),
		reflect.TypeFor[PingPong](),
		reflect.TypeFor[PodDNSConfig](),
		reflect.TypeFor[PodSpec](),
		reflect.TypeFor[PodTemplate](),
		reflect.TypeFor[PolicyTargetRef](),
		reflect.TypeFor[PolicyTargetReference](),
		reflect.TypeFor[Port](),
		reflect.TypeFor[PortSelector](),
		reflect.TypeFor[PortTrafficPolicy](),
		reflect.TypeFor[ReferenceGrant](),
		reflect.TypeFor[ReferenceGrantFrom](),
		reflect.TypeFor[ReferenceGrantTo](),
		reflect.TypeFor[RequestAuthentication](),
		reflect.TypeFor[RequestMirror](),
		reflect.TypeFor[Retries](),
		reflect.TypeFor[Rollout](),
		reflect.TypeFor[RolloutExperimentStep](),
		reflect.TypeFor[RolloutExperimentTemplate](),
		reflect.TypeFor[RolloutPodTemplateMetadata](),
		reflect.TypeFor[RolloutStrategy](),
		reflect.TypeFor[RolloutTCPRoute](),
		reflect.TypeFor[RolloutTLSRoute](),
		reflect.TypeFor[RolloutTrafficRouting](),
		reflect.TypeFor[RolloutWorkloadRef](),
		reflect.TypeFor[Route](),
		reflect.TypeFor[RouteDestination](),
		reflect.TypeFor[RouteGroupKind](),
		reflect.TypeFor[RouteNamespaces](),
		reflect.TypeFor[RouteTarget](),
		reflect.TypeFor[Secret](),
		reflect.TypeFor[SecretRef](),
		reflect.TypeFor[SecurityContext](),
		reflect.TypeFor[Server](),
		reflect.TypeFor[ServerTLS](),
		reflect.TypeFor[Service](),
		reflect.TypeFor[ServiceEntry](),
		reflect.TypeFor[ServicePort](),
		reflect.TypeFor[Sidecar](),
		reflect.TypeFor[SidecarEgressProxy](),
		reflect.TypeFor[StringMatch](),
		reflect.TypeFor[SubjectAltName](),
		reflect.TypeFor[Subset](),
		reflect.TypeFor[TCPRoute](),
		reflect.TypeFor[TLSMatch](),
		reflect.TypeFor[TLSRoute](),
		reflect.TypeFor[Telemetry](),
		reflect.TypeFor[TelemetryAccessLog](),
		reflect.TypeFor[TelemetryMetrics](),
		reflect.TypeFor[TelemetryProvider](),
		reflect.TypeFor[TelemetryTracing](),
		reflect.TypeFor[Timestamp](),
		reflect.TypeFor[TrafficPolicy](),
		reflect.TypeFor[VirtualService](),
		reflect.TypeFor[WasmPlugin](),
		reflect.TypeFor[Webhook](),
		reflect.TypeFor[WebhookClientConfig](),
		reflect.TypeFor[WebhookConfiguration](),
		reflect.TypeFor[WebhookService](),
		reflect.TypeFor[WorkloadEntry](),
		reflect.TypeFor[Workload](),
		reflect.TypeFor[WorkloadGroup](),
		reflect.TypeFor[WorkloadSelector](),
	}
}

var (
	specPkgPath     = reflect.TypeFor[At]().PkgPath()
	nodeType        = reflect.TypeFor[yaml.Node]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
	intOrStringType = reflect.TypeFor[IntOrString]()
)

// notRoots are the struct types of the package Decode is not meant for:
// scalars, and At, which only records where a struct is.
var notRoots = map[string]bool{"At": true, "IntOrString": true, "KeyLoc": true}

// decodeGen writes the decoders of decode_gen.go.
type decodeGen struct {
	// viaDecodeAt holds the types whose UnmarshalYAML is the usual
	// decodeAt call; the others' methods are called as they are.
	viaDecodeAt map[string]bool
	hasMethod   map[string]bool
	funcs       map[reflect.Type]string
	taken       map[string]bool
	queue       []reflect.Type
	out         bytes.Buffer
}

// generateDecoders returns decode_gen.go for the package in dir, whose
// struct types are roots.
func generateDecoders(dir string, roots []reflect.Type) ([]byte, error) {
	structs, methods, err := parseSpecSource(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, t := range roots {
		names = append(names, t.Name())
	}
	for _, s := range structs {
		if !notRoots[s] && !slices.Contains(names, s) {
			return nil, fmt.Errorf("struct type %s is missing from decodeRoots in decode_gen_test.go", s)
		}
	}
	for _, s := range names {
		if !slices.Contains(structs, s) {
			return nil, fmt.Errorf("decodeRoots lists %s, which the package does not declare", s)
		}
	}
	g := &decodeGen{viaDecodeAt: map[string]bool{}, hasMethod: map[string]bool{}, funcs: map[reflect.Type]string{}, taken: map[string]bool{}}
	for name, viaDecodeAt := range methods {
		g.hasMethod[name] = true
		g.viaDecodeAt[name] = viaDecodeAt
	}
	roots = slices.SortedFunc(slices.Values(roots), func(a, b reflect.Type) int { return strings.Compare(a.Name(), b.Name()) })

	var dispatch bytes.Buffer
	for _, t := range roots {
		dec, err := g.decoder(t, t.Name())
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&dispatch, "case *%s:\nreturn decodeRoot(d, n, v, %s)\n", t.Name(), dec)
	}
	for len(g.queue) > 0 {
		t := g.queue[0]
		g.queue = g.queue[1:]
		if err := g.writeStruct(t); err != nil {
			return nil, err
		}
	}

	var nodeKeys []string
	for _, f := range reflect.VisibleFields(nodeType) {
		key, ok, err := yamlKey(f)
		if err != nil {
			return nil, err
		}
		if ok {
			nodeKeys = append(nodeKeys, strconv.Quote(key))
		}
	}

	var src bytes.Buffer
	src.WriteString(`// Code generated by TestDecodeGenUpToDate (decode_gen_test.go) with -update; DO NOT EDIT.

//go:build !specgen

package spec

import (
	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// decodeFastWith decodes n into out, a pointer to a zero spec, as yaml.v3
// would and without reflection, with the label maps of d. It returns false,
// with out still zero, when out is of another type or n holds anything the
// decoders leave to yaml.v3.
func decodeFastWith(d *decoder, n *yaml.Node, out any) bool {
switch v := out.(type) {
`)
	src.Write(dispatch.Bytes())
	src.WriteString("}\nreturn false\n}\n\n")
	fmt.Fprintf(&src, `// nodeField reports whether yaml.v3 decodes the key name into a field of
// yaml.Node, as it does for the keys of a mapping decoded into a *yaml.Node.
func nodeField(name string) bool {
switch name {
case %s:
return true
}
return false
}
`, strings.Join(nodeKeys, ", "))
	src.Write(g.out.Bytes())
	return format.Source(src.Bytes())
}

// decoder returns the decodeFunc for a value of type t, at path (a name for
// an anonymous struct), queueing the struct decoders it needs.
func (g *decodeGen) decoder(t reflect.Type, path string) (string, error) {
	switch {
	case t.PkgPath() == specPkgPath && strings.HasPrefix(t.Name(), "Value["):
		return "decodeUnmarshaler[" + t.Name() + "]", nil
	case t == intOrStringType:
		return "decodeIntOrString", nil
	case t == reflect.PointerTo(nodeType):
		return "decodeNodePtr", nil
	case reflect.PointerTo(t).Implements(textType):
		return "", fmt.Errorf("%s: %s implements encoding.TextUnmarshaler, which yaml.v3 calls on scalars and decode_gen_test.go does not handle", path, t)
	case t.Kind() == reflect.String && t == reflect.TypeFor[string]():
		return "decodeString", nil
	case t.Kind() != reflect.Struct:
		return "", fmt.Errorf("%s: decode_gen_test.go has no decoder for %s", path, t)
	}
	if t.Name() != "" && t.PkgPath() != specPkgPath {
		return "", fmt.Errorf("%s: decode_gen_test.go has no decoder for %s, from another package", path, t)
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if !g.hasMethod[t.Name()] {
			return "", fmt.Errorf("%s: %s implements yaml.Unmarshaler through a method decode_gen_test.go did not find", path, t)
		}
		if !g.viaDecodeAt[t.Name()] {
			return "decodeUnmarshaler[" + t.Name() + "]", nil
		}
		if f, ok := t.FieldByName("At"); !ok || f.Type != reflect.TypeFor[At]() {
			return "", fmt.Errorf("%s: %s calls decodeAt without an At field", path, t)
		}
	} else if g.hasMethod[t.Name()] {
		return "", fmt.Errorf("%s: %s has an UnmarshalYAML that is not yaml.v3's", path, t)
	}
	if name, ok := g.funcs[t]; ok {
		return name, nil
	}
	name := "decode" + path
	if g.taken[name] {
		return "", fmt.Errorf("%s: two decoders named %s", path, name)
	}
	g.taken[name] = true
	g.funcs[t] = name
	g.queue = append(g.queue, t)
	return name, nil
}

// writeStruct writes the decoder of struct type t.
func (g *decodeGen) writeStruct(t reflect.Type) error {
	name := g.funcs[t]
	typ, err := typeString(t)
	if err != nil {
		return err
	}
	var cases bytes.Buffer
	seen := map[string]bool{}
	// keyed maps the keys whose location a KeyLocs field records to that
	// field, as recordKeys (value.go) fills it.
	keyed := map[string]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type != keyLocsType {
			continue
		}
		if t.Name() == "" || !g.viaDecodeAt[t.Name()] {
			return fmt.Errorf("%s: field %s: KeyLocs are filled by decodeAt, which %s does not call", t, f.Name, t)
		}
		for k := range strings.SplitSeq(f.Tag.Get("keys"), ",") {
			if keyed[k] != "" {
				return fmt.Errorf("%s: two KeyLocs fields record key %q", t, k)
			}
			keyed[k] = f.Name
		}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		key, ok, err := yamlKey(f)
		if err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
		if !ok {
			continue
		}
		if seen[key] {
			return fmt.Errorf("%s: two fields with key %q", t, key)
		}
		seen[key] = true
		call, err := g.fieldCall(f.Type, "&v."+f.Name, strings.TrimPrefix(name, "decode")+f.Name)
		if err != nil {
			return err
		}
		fmt.Fprintf(&cases, "case %s:\n", strconv.Quote(key))
		if kf := keyed[key]; kf != "" {
			fmt.Fprintf(&cases, "v.%s = append(v.%s, KeyLoc{%s, manifest.LocOf(c[i])})\n", kf, kf, strconv.Quote(key))
			delete(keyed, key)
		}
		fmt.Fprintf(&cases, "_, ok = %s\n", call)
	}
	for k, kf := range keyed {
		return fmt.Errorf("%s: field %s records key %q, which no field decodes", t, kf, k)
	}
	fmt.Fprintf(&g.out, "\nfunc %s(d *decoder, n *yaml.Node, v *%s) (good, ok bool) {\n", name, typ)
	g.out.WriteString("if isNull, ok := structNode(n); isNull || !ok {\nreturn false, ok\n}\n")
	if t.Name() != "" && g.viaDecodeAt[t.Name()] {
		g.out.WriteString("v.At.Loc = manifest.LocOf(n)\n")
	}
	fmt.Fprintf(&g.out, `c := n.Content
for i := 0; i < len(c); i += 2 {
k, skip, ok := key(c[i])
if !ok {
return false, false
}
if skip {
continue
}
switch k {
%s}
if !ok {
return false, false
}
}
return true, true
}
`, cases.String())
	return nil
}

// fieldCall returns the call that decodes c[i+1] into dst, of type t.
func (g *decodeGen) fieldCall(t reflect.Type, dst, path string) (string, error) {
	const node = "c[i+1]"
	var helper string
	elem := t
	switch {
	case t == reflect.PointerTo(nodeType):
	case t.Kind() == reflect.Slice && t.Name() != "" && reflect.PointerTo(t).Implements(unmarshalerType):
		// A named list that decodes itself (LaxStrings).
		if t.PkgPath() != specPkgPath || !g.hasMethod[t.Name()] {
			return "", fmt.Errorf("%s: %s implements yaml.Unmarshaler through a method decode_gen_test.go did not find", path, t)
		}
		return fmt.Sprintf("decodeUnmarshaler[%s](d, %s, %s)", t.Name(), node, dst), nil
	case t.Kind() == reflect.Pointer:
		helper, elem = "decodePtr", t.Elem()
	case t.Kind() == reflect.Slice:
		helper, elem = "decodeSeq", t.Elem()
	case t.Kind() == reflect.Map:
		if t.Key() != reflect.TypeFor[string]() {
			return "", fmt.Errorf("%s: decode_gen_test.go has no decoder for %s, whose keys are not strings", path, t)
		}
		helper, elem = "decodeMap", t.Elem()
	}
	if helper != "" && elem != reflect.PointerTo(nodeType) && (elem.Kind() == reflect.Pointer || elem.Kind() == reflect.Slice || elem.Kind() == reflect.Map) {
		return "", fmt.Errorf("%s: decode_gen_test.go has no decoder for %s", path, t)
	}
	dec, err := g.decoder(elem, path)
	if err != nil {
		return "", err
	}
	if helper == "" {
		return fmt.Sprintf("%s(d, %s, %s)", dec, node, dst), nil
	}
	if helper == "decodeMap" && dec == "decodeString" {
		return fmt.Sprintf("decodeStringMap(d, %s, %s)", node, dst), nil
	}
	return fmt.Sprintf("%s(d, %s, %s, %s)", helper, node, dst, dec), nil
}

// yamlKey returns the key yaml.v3 decodes into field f (getStructInfo),
// and false for a field it skips.
func yamlKey(f reflect.StructField) (string, bool, error) {
	if !f.IsExported() && !f.Anonymous {
		return "", false, nil
	}
	tag := f.Tag.Get("yaml")
	if tag == "" && !strings.Contains(string(f.Tag), ":") {
		tag = string(f.Tag)
	}
	if tag == "-" {
		return "", false, nil
	}
	name, flags, _ := strings.Cut(tag, ",")
	if flags != "" {
		for opt := range strings.SplitSeq(flags, ",") {
			if opt != "omitempty" && opt != "flow" {
				return "", false, fmt.Errorf("field %s: decode_gen_test.go does not handle the yaml flag %q", f.Name, opt)
			}
		}
	}
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, true, nil
}

// typeString spells t in package spec.
func typeString(t reflect.Type) (string, error) {
	if t.Name() != "" {
		switch t.PkgPath() {
		case "", specPkgPath:
			return t.Name(), nil
		case nodeType.PkgPath():
			return "yaml." + t.Name(), nil
		}
		return "", fmt.Errorf("decode_gen_test.go cannot spell %s", t)
	}
	switch t.Kind() {
	case reflect.Pointer:
		e, err := typeString(t.Elem())
		return "*" + e, err
	case reflect.Slice:
		e, err := typeString(t.Elem())
		return "[]" + e, err
	case reflect.Map:
		k, err := typeString(t.Key())
		if err != nil {
			return "", err
		}
		e, err := typeString(t.Elem())
		return "map[" + k + "]" + e, err
	case reflect.Struct:
		var b strings.Builder
		b.WriteString("struct {\n")
		for i := range t.NumField() {
			f := t.Field(i)
			ft, err := typeString(f.Type)
			if err != nil {
				return "", err
			}
			if !f.Anonymous {
				b.WriteString(f.Name + " ")
			}
			b.WriteString(ft)
			if f.Tag != "" {
				if strings.Contains(string(f.Tag), "`") {
					b.WriteString(" " + strconv.Quote(string(f.Tag)))
				} else {
					b.WriteString(" `" + string(f.Tag) + "`")
				}
			}
			b.WriteString("\n")
		}
		b.WriteString("}")
		return b.String(), nil
	}
	return "", fmt.Errorf("decode_gen_test.go cannot spell %s", t)
}

// parseSpecSource returns the exported struct types the package in dir
// declares, and for each type with an UnmarshalYAML method whether the
// method only calls decodeAt, which the generated decoders inline.
func parseSpecSource(dir string) (structs []string, methods map[string]bool, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	fset := token.NewFileSet()
	methods = map[string]bool{}
	for _, file := range files {
		base := filepath.Base(file)
		if strings.HasSuffix(base, "_test.go") || base == decodeGenFile {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() && ts.TypeParams == nil && !ts.Assign.IsValid() {
						if _, ok := ts.Type.(*ast.StructType); ok {
							structs = append(structs, ts.Name.Name)
						}
					}
				}
			case *ast.FuncDecl:
				if d.Name.Name != "UnmarshalYAML" || d.Recv == nil || len(d.Recv.List) != 1 {
					continue
				}
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); ok {
					methods[id.Name] = callsDecodeAt(d)
				}
			}
		}
	}
	return structs, methods, nil
}

// callsDecodeAt reports whether the UnmarshalYAML method fd is exactly
//
//	func (x *T) UnmarshalYAML(n *yaml.Node) error {
//		type plain T
//		return decodeAt(n, &x.At, (*plain)(x))
//	}
func callsDecodeAt(fd *ast.FuncDecl) bool {
	recvField := fd.Recv.List[0]
	star, ok := recvField.Type.(*ast.StarExpr)
	if !ok || len(recvField.Names) != 1 {
		return false
	}
	typeName, ok := star.X.(*ast.Ident)
	recv := recvField.Names[0].Name
	params := fd.Type.Params.List
	if !ok || len(params) != 1 || len(params[0].Names) != 1 || fd.Body == nil || len(fd.Body.List) != 2 {
		return false
	}
	param := params[0].Names[0].Name
	decl, ok := fd.Body.List[0].(*ast.DeclStmt)
	if !ok {
		return false
	}
	gd, ok := decl.Decl.(*ast.GenDecl)
	if !ok || gd.Tok != token.TYPE || len(gd.Specs) != 1 {
		return false
	}
	ts := gd.Specs[0].(*ast.TypeSpec)
	if ts.Assign.IsValid() || ts.TypeParams != nil || !isIdent(ts.Type, typeName.Name) {
		return false
	}
	plain := ts.Name.Name
	ret, ok := fd.Body.List[1].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return false
	}
	call, ok := ret.Results[0].(*ast.CallExpr)
	if !ok || !isIdent(call.Fun, "decodeAt") || len(call.Args) != 3 || !isIdent(call.Args[0], param) {
		return false
	}
	at, ok := call.Args[1].(*ast.UnaryExpr)
	if !ok || at.Op != token.AND {
		return false
	}
	sel, ok := at.X.(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, recv) || sel.Sel.Name != "At" {
		return false
	}
	conv, ok := call.Args[2].(*ast.CallExpr)
	if !ok || len(conv.Args) != 1 || !isIdent(conv.Args[0], recv) {
		return false
	}
	paren, ok := conv.Fun.(*ast.ParenExpr)
	if !ok {
		return false
	}
	ptr, ok := paren.X.(*ast.StarExpr)
	return ok && isIdent(ptr.X, plain)
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

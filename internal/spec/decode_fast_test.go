package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/gentree"
	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The fast path must decode exactly what yaml.v3 decodes, or give up. These
// tests decode real and generated manifests, and fuzzed YAML, both ways.

// disagreement decodes n into a new value of typ with Decode and with
// decodeReflect and describes any difference in value, errors or panic.
// fast reports whether decodeFast decoded n by itself.
func disagreement(n *yaml.Node, typ reflect.Type) (fast bool, problem string) {
	want := reflect.New(typ).Interface()
	wantErrs, wantPanic := catchDecode(decodeReflect, n, want)
	got := reflect.New(typ).Interface()
	gotErrs, gotPanic := catchDecode(Decode, n, got)
	switch {
	case gotPanic != wantPanic:
		return false, fmt.Sprintf("Decode panics with %q, yaml.v3 with %q", gotPanic, wantPanic)
	case !reflect.DeepEqual(gotErrs, wantErrs):
		return false, fmt.Sprintf("Decode reports\n%s\nyaml.v3\n%s", errLines(gotErrs), errLines(wantErrs))
	case !reflect.DeepEqual(got, want):
		return false, fmt.Sprintf("Decode decodes\n%+v\nyaml.v3\n%+v", got, want)
	}
	alone := reflect.New(typ)
	fast = decodeFast(n, alone.Interface())
	switch {
	case fast && (wantErrs != nil || wantPanic != ""):
		return fast, fmt.Sprintf("decodeFast succeeds where yaml.v3 reports\n%s%s", errLines(wantErrs), wantPanic)
	case fast && !reflect.DeepEqual(alone.Interface(), want):
		return fast, fmt.Sprintf("decodeFast decodes\n%+v\nyaml.v3\n%+v", alone.Interface(), want)
	case !fast && !alone.Elem().IsZero():
		return fast, fmt.Sprintf("decodeFast gives up leaving %+v", alone.Interface())
	}
	// With shared label maps, twice: the second decode takes the maps
	// the first made.
	maps := manifest.NewMaps()
	for range 2 {
		shared := reflect.New(typ)
		if decodeFastWith(maps, n, shared.Interface()) != fast {
			return fast, "decodeFastWith with shared maps gives up where decodeFast does not, or the other way round"
		}
		if fast && !reflect.DeepEqual(shared.Interface(), want) {
			return fast, fmt.Sprintf("decodeFastWith with shared maps decodes\n%+v\nyaml.v3\n%+v", shared.Interface(), want)
		}
	}
	return fast, ""
}

func catchDecode(decode func(string, *yaml.Node, any) []*manifest.Error, n *yaml.Node, out any) (errs []*manifest.Error, panicked string) {
	defer func() {
		if r := recover(); r != nil {
			panicked = fmt.Sprint(r)
		}
	}()
	return decode("f.yaml", n, out), ""
}

func errLines(errs []*manifest.Error) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error() + "\n")
	}
	return b.String()
}

// nodeText is n as YAML, for failure messages.
func nodeText(n *yaml.Node) string {
	b, err := yaml.Marshal(n)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	if len(b) > 2000 {
		b = append(b[:2000], "..."...)
	}
	return string(b)
}

// moduleRoot is the repository's root, as the other tests find the
// fixtures: the package is two levels below it.
func moduleRoot(testing.TB) string { return filepath.Join("..", "..") }

// yamlDocs returns the documents of every .yaml and .yml file below root,
// outside hidden directories, by file. Files that do not parse keep the
// documents before the error.
func yamlDocs(t testing.TB, root string) map[string][]*yaml.Node {
	t.Helper()
	docs := map[string][]*yaml.Node{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc yaml.Node
			if err := dec.Decode(&doc); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Logf("%s: %v", path, err)
				}
				break
			}
			docs[path] = append(docs[path], &doc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// mapValue returns the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// docNodes are the nodes of a document decoded into every spec type: the
// document, its root, the spec, and the values and list items just below
// the spec, which hold the nested types.
func docNodes(doc *yaml.Node) []*yaml.Node {
	nodes := []*yaml.Node{doc}
	if len(doc.Content) == 0 {
		return nodes
	}
	root := doc.Content[0]
	nodes = append(nodes, root)
	spec := mapValue(root, "spec")
	if spec == nil {
		return nodes
	}
	nodes = append(nodes, spec)
	if spec.Kind != yaml.MappingNode {
		return nodes
	}
	for i := 1; i < len(spec.Content); i += 2 {
		v := spec.Content[i]
		nodes = append(nodes, v)
		if v.Kind == yaml.SequenceNode || v.Kind == yaml.MappingNode && len(v.Content) <= 8 {
			for j, c := range v.Content {
				if v.Kind == yaml.SequenceNode || j%2 == 1 {
					nodes = append(nodes, c)
				}
			}
		}
	}
	return nodes
}

// TestDecodeAgreesOnRepoYAML decodes the documents of every YAML file of
// the repository into every spec type both ways.
func TestDecodeAgreesOnRepoYAML(t *testing.T) {
	docs := yamlDocs(t, moduleRoot(t))
	if len(docs) < 100 {
		t.Fatalf("found %d YAML files below the module root; expected the fixtures", len(docs))
	}
	roots := decodeRoots()
	var total, fast, failures int
	for file, ds := range docs {
		for d, doc := range ds {
			for _, n := range docNodes(doc) {
				for _, typ := range roots {
					ok, problem := disagreement(n, typ)
					total++
					if ok {
						fast++
					}
					if problem != "" {
						failures++
						if failures <= 20 {
							t.Errorf("%s, document %d, line %d, into %s: %s\n%s", file, d, n.Line, typ, problem, nodeText(n))
						}
					}
				}
			}
		}
	}
	t.Logf("%d files, %d decodes, %d by the fast path alone", len(docs), total, fast)
}

// specTargets returns what the graph decodes o into (internal/graph:
// build.go, ambient.go, anp.go, extras.go, gatewayapi.go, ingress.go,
// webhooks.go): a node of o and a spec type.
func specTargets(o *manifest.Object) (nodes []*yaml.Node, types []reflect.Type) {
	add := func(n *yaml.Node, typ reflect.Type) {
		if n != nil {
			nodes, types = append(nodes, n), append(types, typ)
		}
	}
	spec := o.Spec()
	switch o.Kind {
	case "Pod":
		add(spec, reflect.TypeFor[PodSpec]())
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job":
		add(spec, reflect.TypeFor[Workload]())
	case "CronJob":
		add(spec, reflect.TypeFor[CronJob]())
	case "Service":
		add(spec, reflect.TypeFor[Service]())
	case "ServiceEntry":
		add(spec, reflect.TypeFor[ServiceEntry]())
	case "Gateway":
		if o.Group == "networking.istio.io" {
			add(spec, reflect.TypeFor[Gateway]())
		} else {
			add(spec, reflect.TypeFor[K8sGateway]())
			add(spec, reflect.TypeFor[GatewayAddresses]())
		}
	case "VirtualService":
		add(spec, reflect.TypeFor[VirtualService]())
		if http := mapValue(spec, "http"); http != nil && http.Kind == yaml.SequenceNode {
			for _, r := range http.Content {
				add(mapValue(r, "fault"), reflect.TypeFor[Fault]())
			}
		}
	case "DestinationRule":
		add(spec, reflect.TypeFor[DestinationRule]())
	case "PeerAuthentication":
		add(spec, reflect.TypeFor[PeerAuthentication]())
	case "AuthorizationPolicy":
		add(spec, reflect.TypeFor[AuthorizationPolicy]())
	case "RequestAuthentication":
		add(spec, reflect.TypeFor[RequestAuthentication]())
	case "Sidecar":
		add(spec, reflect.TypeFor[Sidecar]())
	case "NetworkPolicy":
		add(spec, reflect.TypeFor[NetworkPolicy]())
	case "Telemetry":
		add(spec, reflect.TypeFor[Telemetry]())
	case "EnvoyFilter":
		add(spec, reflect.TypeFor[EnvoyFilter]())
	case "WasmPlugin":
		add(spec, reflect.TypeFor[WasmPlugin]())
	case "WorkloadGroup":
		add(spec, reflect.TypeFor[WorkloadGroup]())
	case "Secret":
		add(o.Node, reflect.TypeFor[Secret]())
	case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration":
		add(o.Node, reflect.TypeFor[WebhookConfiguration]())
	case "AdminNetworkPolicy":
		add(spec, reflect.TypeFor[AdminNetworkPolicy]())
	case "BaselineAdminNetworkPolicy":
		add(spec, reflect.TypeFor[BaselineAdminNetworkPolicy]())
	case "Ingress":
		add(spec, reflect.TypeFor[Ingress]())
	case "Route":
		add(spec, reflect.TypeFor[Route]())
	case "GatewayClass":
		add(spec, reflect.TypeFor[GatewayClass]())
	case "ReferenceGrant":
		add(spec, reflect.TypeFor[ReferenceGrant]())
	case "HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute":
		add(spec, reflect.TypeFor[GatewayRoute]())
	}
	return nodes, types
}

// checkLoaded decodes the objects the loader reads below dirs (kustomize
// builds included) as the graph does, and the spec of each into every spec
// type, both ways. It returns how many of the graph's decodes the fast
// path did alone.
func checkLoaded(t *testing.T, dirs ...string) (total, fast int) {
	t.Helper()
	res := manifest.Load(dirs, manifest.Options{})
	roots := decodeRoots()
	if len(res.Objects) == 0 {
		t.Fatalf("no objects below %v", dirs)
	}
	failures := 0
	check := func(o *manifest.Object, n *yaml.Node, typ reflect.Type) bool {
		ok, problem := disagreement(n, typ)
		if problem != "" {
			failures++
			if failures <= 20 {
				t.Errorf("%s %s, line %d, into %s: %s\n%s", o.File, o.Ref(), n.Line, typ, problem, nodeText(n))
			}
		}
		return ok
	}
	for _, o := range res.Objects {
		nodes, types := specTargets(o)
		for i, n := range nodes {
			total++
			if check(o, n, types[i]) {
				fast++
			} else if total-fast <= 10 {
				t.Logf("left to yaml.v3: %s %s into %s", o.File, o.Ref(), types[i])
			}
		}
		if spec := o.Spec(); spec != nil {
			for _, typ := range roots {
				check(o, spec, typ)
			}
		}
	}
	return total, fast
}

// TestDecodeAgreesOnLoadedRepo decodes the repository's manifests as the
// loader hands them to the graph, kustomize output included.
func TestDecodeAgreesOnLoadedRepo(t *testing.T) {
	total, fast := checkLoaded(t, moduleRoot(t))
	t.Logf("%d graph decodes, %d by the fast path alone", total, fast)
}

// TestDecodeAgreesOnGeneratedTrees decodes generated trees, clean and with
// planted mistakes, and checks that the fast path does nearly all of a
// clean tree's decodes, so that it cannot quietly decay into always giving
// up.
func TestDecodeAgreesOnGeneratedTrees(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    gentree.Options
		minRate float64
	}{
		{"clean", gentree.Options{Namespaces: 3, Services: 6, Seed: 7}, 0.99},
		{"mistakes", gentree.Options{Namespaces: 3, Services: 6, Seed: 8, MistakeRate: 0.6}, 0.9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := gentree.Generate(dir, tc.opts); err != nil {
				t.Fatal(err)
			}
			total, fast := checkLoaded(t, dir)
			rate := float64(fast) / float64(total)
			t.Logf("%d graph decodes, %d (%.1f%%) by the fast path alone", total, fast, 100*rate)
			if rate < tc.minRate {
				t.Errorf("the fast path did %.1f%% of the decodes, want at least %.0f%%", 100*rate, 100*tc.minRate)
			}
		})
	}
}

// TestDecodeAgreesOnEdgeCases covers what yaml.v3 does unusually, each
// case decoded into every spec type.
func TestDecodeAgreesOnEdgeCases(t *testing.T) {
	roots := decodeRoots()
	for _, src := range edgeCases() {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		eachDisagreement(&doc, roots, func(_ *yaml.Node, typ reflect.Type, problem string) {
			t.Errorf("%q into %s: %s", src, typ, problem)
		})
	}
}

// eachDisagreement decodes doc, and its content, into every type of roots
// both ways, and calls report for each that the two decode differently.
func eachDisagreement(doc *yaml.Node, roots []reflect.Type, report func(n *yaml.Node, typ reflect.Type, problem string)) {
	nodes := []*yaml.Node{doc}
	if len(doc.Content) > 0 {
		nodes = append(nodes, doc.Content[0])
	}
	for _, n := range nodes {
		for _, typ := range roots {
			if _, problem := disagreement(n, typ); problem != "" {
				report(n, typ, problem)
			}
		}
	}
}

// edgeCases are YAML sources that yaml.v3 decodes unusually.
func edgeCases() []string {
	return []string{
		// Nulls: absent values, nil pointers, slices and maps, dropped
		// list items, zero map values, skipped keys.
		"hosts: [a, null, b, ~]\nhttp: [null, {name: x}]\nexportTo: null\n",
		"hosts: []\nhttp: []\nselector: {}\nports: [null]\n",
		"selector: {a: null, b: ~, c: 1, d: true, e: 1.5, f: 2001-12-14, g: '', ~: x}\n",
		"matchLabels: {null: a, '': b, 8080: c}\n",
		"portLevelMtls: {8080: null, 9090: {mode: STRICT}, ~: {mode: [bad]}}\n",
		"template: ~\nselector: ~\nreplicas: ~\n",
		"spec: null\nmetadata: {labels: null, annotations: {}}\n",
		"~: [not, a, struct]\nname: x\n",
		"? [a]\n: b\n",
		"? {a: b}\n: c\n",
		// Keys: written twice (in small and long mappings), merged,
		// tagged, not strings.
		"selector: {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9, k10: 10, k11: 11, k12: 12, k13: 13, k14: 14, k15: 15, k16: 16, k17: 17}\n",
		"selector: {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9, k10: 10, k11: 11, k12: 12, k13: 13, k14: 14, k15: 15, k16: 16, k1: 17}\n",
		"a0: 0\na1: 1\na2: 2\na3: 3\na4: 4\na5: 5\na6: 6\na7: 7\na8: 8\na9: 9\na10: 10\na11: 11\na12: 12\na13: 13\na14: 14\na15: 15\na16: 16\nhosts: [a]\n",
		"a0: 0\na1: 1\na2: 2\na3: 3\na4: 4\na5: 5\na6: 6\na7: 7\na8: 8\na9: 9\na10: 10\na11: 11\na12: 12\na13: 13\na14: 14\na15: 15\na16: 16\nhosts: [a]\na3: x\n",
		"name: a\nname: b\n",
		"hosts: [a]\nhosts: [b]\n",
		"labels: {a: 1, a: 2}\n",
		"x: &x {host: a}\nhttp:\n- route:\n  - destination: *x\n",
		"base: &b {name: a}\nservers:\n- <<: *b\n  hosts: [x]\n",
		"<<: {hosts: [a]}\n",
		"'<<': {hosts: [a]}\n",
		"!!str hosts: [a]\n",
		"!!binary aG9zdHM=: [a]\n",
		"!!int hosts: [a]\n",
		"1: a\n'1': b\n",
		// Scalars: tags, conversions, and strings that look like others,
		// one to a document, since any error sends the whole decode to
		// yaml.v3.
		"selector: {a: !!int 1}\n",
		"selector: {a: !!int x}\n",
		"selector: {a: !!float 1}\n",
		"selector: {a: !!float 1.5}\n",
		"selector: {a: !!bool true, b: !!timestamp 2001-12-14}\n",
		"selector: {a: !!timestamp abc}\n",
		"selector: {a: !!timestamp ''}\n",
		"selector: {a: !!bool yes}\n",
		"selector: {a: !!binary aGk=}\n",
		"selector: {a: !custom y}\n",
		"selector: {a: !!null ''}\n",
		"selector: {a: !!null x}\n",
		"selector: {a: .inf, b: -.Inf, c: .nan, d: 1e3, e: 0o17, f: 0b11, g: +5, h: 1_000}\n",
		"hosts: [!!str 1]\n",
		"hosts: [!!int 2]\n",
		"key: k\nvalues: [1, true, ~, 0x1F, .inf, 2001-12-14]\n",
		"key: k\nvalues: [!!binary aGk=]\n",
		"key: k\nvalues: [a, null, 1]\n",
		"ports:\n- port: 80\n  targetPort: 0x50\n",
		"ports:\n- port: 80\n  targetPort: 0755\n",
		"ports:\n- port: 80\n  targetPort: -0\n",
		"ports:\n- port: 80\n  targetPort: '80'\n",
		"ports:\n- port: 80\n  targetPort: 99999999999999999999\n",
		"ports:\n- port: 80\n  targetPort: 9223372036854775808\n",
		"ports:\n- port: 80\n  targetPort: -5\n",
		"ports:\n- port: 80\n  targetPort: !!int 8080\n",
		"ports:\n- port: 80\n  targetPort: !!int 0755\n",
		"ports:\n- port: 80\n  targetPort: 1_000\n",
		"ports:\n- port: 80\n  targetPort: http\n",
		"ports:\n- port: 80\n  targetPort: 8080.0\n",
		"replicas: 0x10\nselector: {matchLabels: {a: b}}\n",
		"hostNetwork: yes\n",
		"hostNetwork: True\n",
		// Collections where others are expected, and tags on them.
		"http: {name: x}\n",
		"hosts: a\n",
		"http:\n- redirect: {uri: /x}\n  rewrite: ~\n  fault: {delay: {percent: 5}}\n  directResponse: [a]\n",
		"http:\n- redirect: {value: x}\n",
		"http:\n- redirect: {line: 5}\n",
		"http:\n- redirect: {kind: x}\n",
		"http:\n- redirect: {content: [a]}\n",
		"http:\n- redirect: x\n",
		"http:\n- redirect: !!map {a: b}\n",
		"http:\n- redirect: !!null {a: b}\n",
		"http: !!seq [{name: x}]\n",
		"http: !custom [{name: x}]\n",
		"http: [!custom {name: x}]\n",
		"selector: !!null {a: b}\n",
		"selector: !custom {a: b}\n",
		"template: !!null {spec: {}}\n",
		"template: !!map {spec: {hostNetwork: true}}\n",
		"hosts: !!null [a]\n",
		"name: !!null\n",
		"name: !!null [a]\n",
		"- a\n",
		"a\n",
		"",
		"null\n",
	}
}

// TestDecodeNonZero checks that a spec that is not zero, on which yaml.v3
// decodes, is left to yaml.v3.
func TestDecodeNonZero(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("hosts: [a]\n"), &doc); err != nil {
		t.Fatal(err)
	}
	vs := VirtualService{Gateways: []Str{{V: "mesh"}}}
	if decodeFast(doc.Content[0], &vs) {
		t.Error("decodeFast decoded into a VirtualService that was not zero")
	}
	if errs := Decode("f.yaml", doc.Content[0], &vs); errs != nil || len(vs.Hosts) != 1 || len(vs.Gateways) != 1 {
		t.Errorf("Decode = %v, %+v", errs, vs)
	}
}

// FuzzDecodeAgrees decodes the first document of arbitrary YAML into every
// spec type both ways, after editing its nodes as edits says. Mutating the
// text alone seldom gets past the parser to odd tags, kinds and values;
// the edits reach them directly, and also the nodes no parser writes but a
// program building nodes might (untagged, !, a bad value under a tag).
func FuzzDecodeAgrees(f *testing.F) {
	seeds := 0
	for _, ds := range yamlDocs(f, filepath.Join(moduleRoot(f), "fixtures")) {
		for _, doc := range ds {
			spec := mapValue(doc.Content[0], "spec")
			if spec == nil {
				continue
			}
			b, err := yaml.Marshal(spec)
			if err != nil {
				continue
			}
			f.Add(b, []byte(nil))
			if seeds++; seeds%8 == 0 {
				f.Add(b, []byte{byte(len(b)), 0, 9, 7, 1, 17, 3, 4, 2, 11, 6, 5, 5, 5, 0})
			}
		}
	}
	for _, src := range edgeCases() {
		f.Add([]byte(src), []byte(nil))
	}
	roots := decodeRoots()
	f.Fuzz(func(t *testing.T, src, edits []byte) {
		var doc yaml.Node
		if err := yaml.Unmarshal(src, &doc); err != nil {
			return
		}
		editNodes(&doc, edits)
		eachDisagreement(&doc, roots, func(n *yaml.Node, typ reflect.Type, problem string) {
			t.Fatalf("into %s: %s\n%s", typ, problem, nodeText(n))
		})
	})
}

// Choices of editNodes.
var (
	fuzzTags = []string{"", "!", "!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp",
		"!!binary", "!!merge", "!!map", "!!seq", "!custom", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map"}
	fuzzValues = []string{"", "~", "null", "Null", "NULL", "<<", "0", "-0", "0755", "0o17", "0x1F", "0b11",
		"1_000", "+5", "8080", "-5", "9223372036854775807", "9223372036854775808", "99999999999999999999",
		"1.5", "10.0", "1e3", ".inf", ".nan", "true", "True", "yes", "on", "2001-12-14", "2001-12-14 21:59:43.10",
		"abc", "aGk=", "héllo", "name", "hosts", "http", "route", "destination", "host", "weight", "ports",
		"port", "targetPort", "selector", "matchLabels", "labels", "template", "spec", "metadata",
		"containers", "redirect", "fault", "kind", "value", "line", "content", "alias", "tag"}
	fuzzStyles = []yaml.Style{0, yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle, yaml.LiteralStyle,
		yaml.FoldedStyle, yaml.TaggedStyle, yaml.FlowStyle}
)

func copyNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = nil
	for _, e := range n.Content {
		c.Content = append(c.Content, copyNode(e))
	}
	return &c
}

// editNodes changes the nodes below doc as edits says, three bytes an
// edit: which node (in preorder), what to change, and to what.
func editNodes(doc *yaml.Node, edits []byte) {
	var nodes []*yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		nodes = append(nodes, n)
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc)
	for ; len(edits) >= 3; edits = edits[3:] {
		n, arg := nodes[int(edits[0])%len(nodes)], int(edits[2])
		switch edits[1] % 8 {
		case 0:
			n.Tag = fuzzTags[arg%len(fuzzTags)]
		case 1:
			n.Value = fuzzValues[arg%len(fuzzValues)]
		case 2:
			n.Style = fuzzStyles[arg%len(fuzzStyles)]
		case 3:
			n.Kind = []yaml.Kind{yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode, yaml.DocumentNode, 0}[arg%5]
		case 4:
			// An alias, perhaps of itself or an ancestor, which yaml.v3
			// reports.
			n.Kind, n.Alias = yaml.AliasNode, nodes[arg%len(nodes)]
		case 5:
			// A key written twice, or a null list item.
			if n.Kind == yaml.MappingNode && len(n.Content) >= 2 {
				k := *n.Content[0]
				n.Content = append(n.Content, &k, n.Content[1])
			} else if n.Kind == yaml.SequenceNode {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "~"})
			}
		case 6:
			// The value of a mapping entry, or a list item, swapped
			// for a copy of another node (the node itself might hold
			// n, and a cycle would never end decoding).
			if len(n.Content) > 0 {
				n.Content[arg%len(n.Content)] = copyNode(nodes[int(edits[0]/2)%len(nodes)])
			}
		case 7:
			if len(n.Content) > 0 {
				n.Content = n.Content[:len(n.Content)-1]
			}
		}
	}
}

// BenchmarkDecode decodes the specs of a generated tree as the graph does,
// through yaml.v3 alone and through Decode.
func BenchmarkDecode(b *testing.B) {
	dir := b.TempDir()
	if _, err := gentree.Generate(dir, gentree.Options{Namespaces: 4, Services: 10, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	var nodes []*yaml.Node
	var types []reflect.Type
	for _, o := range manifest.Load([]string{dir}, manifest.Options{}).Objects {
		n, t := specTargets(o)
		nodes, types = append(nodes, n...), append(types, t...)
	}
	for _, bc := range []struct {
		name   string
		decode func(string, *yaml.Node, any) []*manifest.Error
	}{{"yaml.v3", decodeReflect}, {"Decode", Decode}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i, n := range nodes {
					if errs := bc.decode("f.yaml", n, reflect.New(types[i]).Interface()); errs != nil {
						b.Fatal(errs)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(nodes)), "ns/spec")
		})
	}
}

package schema

import (
	"fmt"
	"io/fs"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// fromCompiled reduces a schema compiled by jsonschema, the reference that
// buildFast, which reads the document, must match: it takes every keyword
// from jsonschema's own reading, and refuses any field of
// jsonschema.Schema it does not know, so that a jsonschema upgrade with a
// new keyword fails TestFastMatchesCompiled instead of being ignored.
func fromCompiled(s *jsonschema.Schema, memo map[*jsonschema.Schema]*fnode) *fnode {
	if s == nil {
		return nil
	}
	if n, ok := memo[s]; ok {
		return n
	}
	n := &fnode{always: unknown, minProps: -1, maxProps: -1, minItems: -1, maxItems: -1, minLen: -1, maxLen: -1}
	memo[s] = n
	if s.Bool != nil {
		n.always = invalid
		if *s.Bool {
			n.always = valid
		}
		return n
	}
	if s.DraftVersion < 2019 || usesUnmodelled(s) {
		n.unsupported = true
		return n
	}
	if s.Types != nil {
		for _, t := range s.Types.ToStrings() {
			n.types |= typeBits[t]
		}
	}
	if s.Enum != nil {
		n.enum = newFenum(s.Enum.Values)
	}
	if s.Properties != nil {
		n.props = make(map[string]*fnode, len(s.Properties))
		for k, p := range s.Properties {
			n.props[k] = fromCompiled(p, memo)
		}
	}
	switch a := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		n.addlFalse = !a
	case *jsonschema.Schema:
		n.addl = fromCompiled(a, memo)
	default:
		n.unsupported = true
	}
	n.required = s.Required
	n.minProps, n.maxProps = intOr(s.MinProperties), intOr(s.MaxProperties)
	n.items = fromCompiled(s.Items2020, memo)
	n.minItems, n.maxItems = intOr(s.MinItems), intOr(s.MaxItems)
	n.minLen, n.maxLen = intOr(s.MinLength), intOr(s.MaxLength)
	n.pattern = s.Pattern
	n.minimum, n.maximum = newBound(s.Minimum), newBound(s.Maximum)
	n.exclMinimum, n.exclMaximum = newBound(s.ExclusiveMinimum), newBound(s.ExclusiveMaximum)
	n.not = fromCompiled(s.Not, memo)
	for _, x := range s.AllOf {
		n.allOf = append(n.allOf, fromCompiled(x, memo))
	}
	for _, x := range s.AnyOf {
		n.anyOf = append(n.anyOf, fromCompiled(x, memo))
	}
	for _, x := range s.OneOf {
		n.oneOf = append(n.oneOf, fromCompiled(x, memo))
	}
	n.ifs, n.then, n.els = fromCompiled(s.If, memo), fromCompiled(s.Then, memo), fromCompiled(s.Else, memo)
	return n
}

func intOr(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// modelled are the fields of jsonschema.Schema that fromCompiled reads or
// that cannot change a verdict (annotations, anchors without references).
var modelled = map[string]bool{
	"DraftVersion": true, "Location": true, "ID": true, "Anchor": true,
	"RecursiveAnchor": true, "DynamicAnchor": true,
	"Title": true, "Description": true, "Default": true, "Comment": true,
	"ReadOnly": true, "WriteOnly": true, "Examples": true, "Deprecated": true,
	"Bool": true, "Types": true, "Enum": true,
	"Not": true, "AllOf": true, "AnyOf": true, "OneOf": true,
	"If": true, "Then": true, "Else": true,
	"MaxProperties": true, "MinProperties": true, "Required": true,
	"Properties": true, "AdditionalProperties": true,
	"MinItems": true, "MaxItems": true, "Items2020": true,
	"MinLength": true, "MaxLength": true, "Pattern": true,
	"Maximum": true, "Minimum": true, "ExclusiveMaximum": true, "ExclusiveMinimum": true,
}

// usesUnmodelled reports whether s sets a field outside modelled; an empty
// map or list counts as unset.
func usesUnmodelled(s *jsonschema.Schema) bool {
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() || modelled[f.Name] {
			continue
		}
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.Map, reflect.Slice:
			if fv.Len() > 0 {
				return true
			}
		default:
			if !fv.IsZero() {
				return true
			}
		}
	}
	return false
}

// sameFnode describes the first difference between two reduced schemas.
func sameFnode(a, b *fnode, at string) string {
	switch {
	case a == nil && b == nil:
		return ""
	case a == nil || b == nil:
		return at + ": only one is set"
	case a.unsupported != b.unsupported:
		return fmt.Sprintf("%s: unsupported %v vs %v", at, a.unsupported, b.unsupported)
	case a.unsupported:
		return ""
	}
	if a.always != b.always || a.types != b.types || a.addlFalse != b.addlFalse ||
		a.minProps != b.minProps || a.maxProps != b.maxProps || a.minItems != b.minItems || a.maxItems != b.maxItems ||
		a.minLen != b.minLen || a.maxLen != b.maxLen {
		return fmt.Sprintf("%s: %+v vs %+v", at, *a, *b)
	}
	if !slices.Equal(a.required, b.required) {
		return fmt.Sprintf("%s: required %v vs %v", at, a.required, b.required)
	}
	if (a.pattern == nil) != (b.pattern == nil) || (a.pattern != nil && a.pattern.String() != b.pattern.String()) {
		return at + ": pattern"
	}
	for _, p := range [][2]*bound{{a.minimum, b.minimum}, {a.maximum, b.maximum}, {a.exclMinimum, b.exclMinimum}, {a.exclMaximum, b.exclMaximum}} {
		if (p[0] == nil) != (p[1] == nil) || (p[0] != nil && (p[0].rat.Cmp(p[1].rat) != 0 || p[0].i != p[1].i || p[0].isInt != p[1].isInt)) {
			return at + ": bounds"
		}
	}
	if (a.enum == nil) != (b.enum == nil) {
		return at + ": enum"
	}
	if a.enum != nil {
		ea, eb := a.enum, b.enum
		if !slices.Equal(ea.strs, eb.strs) || !slices.Equal(ea.bools, eb.bools) || ea.null != eb.null || ea.compound != eb.compound ||
			!slices.EqualFunc(ea.nums, eb.nums, func(x, y *big.Rat) bool { return x.Cmp(y) == 0 }) {
			return at + ": enum"
		}
	}
	if len(a.props) != len(b.props) {
		return at + ": properties"
	}
	for k, p := range a.props {
		q, ok := b.props[k]
		if !ok {
			return at + ": property " + k
		}
		if d := sameFnode(p, q, at+"/properties/"+k); d != "" {
			return d
		}
	}
	for _, c := range []struct {
		name string
		a, b *fnode
	}{{"additionalProperties", a.addl, b.addl}, {"items", a.items, b.items}, {"not", a.not, b.not}, {"if", a.ifs, b.ifs}, {"then", a.then, b.then}, {"else", a.els, b.els}} {
		if d := sameFnode(c.a, c.b, at+"/"+c.name); d != "" {
			return d
		}
	}
	for _, c := range []struct {
		name string
		a, b []*fnode
	}{{"allOf", a.allOf, b.allOf}, {"anyOf", a.anyOf, b.anyOf}, {"oneOf", a.oneOf, b.oneOf}} {
		if len(c.a) != len(c.b) {
			return at + "/" + c.name
		}
		for i := range c.a {
			if d := sameFnode(c.a[i], c.b[i], fmt.Sprintf("%s/%s/%d", at, c.name, i)); d != "" {
				return d
			}
		}
	}
	return ""
}

// unsupportedAt lists where a reduced schema falls back to jsonschema.
func unsupportedAt(n *fnode, at string, out *[]string) {
	if n == nil {
		return
	}
	if n.unsupported {
		*out = append(*out, at)
		return
	}
	for k, p := range n.props {
		unsupportedAt(p, at+"/properties/"+k, out)
	}
	for _, c := range []struct {
		name string
		n    *fnode
	}{{"additionalProperties", n.addl}, {"items", n.items}, {"not", n.not}, {"if", n.ifs}, {"then", n.then}, {"else", n.els}} {
		unsupportedAt(c.n, at+"/"+c.name, out)
	}
	for _, c := range []struct {
		name string
		ns   []*fnode
	}{{"allOf", n.allOf}, {"anyOf", n.anyOf}, {"oneOf", n.oneOf}} {
		for i, x := range c.ns {
			unsupportedAt(x, fmt.Sprintf("%s/%s/%d", at, c.name, i), out)
		}
	}
}

// TestFastMatchesCompiled checks that buildFast reads every embedded
// schema as jsonschema compiles it, and that the fast path models all of
// it, so that no object pays for jsonschema unless it is invalid.
func TestFastMatchesCompiled(t *testing.T) {
	v := NewValidator()
	err := fs.WalkDir(files, ".", func(p string, _ fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".json") {
			return err
		}
		c, err := v.load(p)
		if err != nil {
			t.Fatal(err)
		}
		want := fromCompiled(c.sch, map[*jsonschema.Schema]*fnode{})
		if d := sameFnode(c.fast, want, p+"#"); d != "" {
			t.Errorf("buildFast differs from the compiled schema at %s", d)
		}
		var un []string
		unsupportedAt(c.fast, p+"#", &un)
		if len(un) > 0 {
			t.Errorf("the fast path does not model %v", un)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBuildFastRefuses(t *testing.T) {
	for _, doc := range []string{
		`{"$ref": "#/$defs/a", "$defs": {"a": {}}}`,
		`{"$schema": "http://json-schema.org/draft-04/schema#"}`,
		`{"properties": {"a": {"const": 1}}}`,
		`{"properties": {"a": {"uniqueItems": true}}}`,
		`{"patternProperties": {"^a": {}}}`,
		`{"properties": {"a": {"exclusiveMaximum": true, "maximum": 3}}}`,
		`{"items": [{}]}`,
		`{"properties": {"a": {"$id": "other"}}}`,
	} {
		d, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		var un []string
		unsupportedAt(buildFast(d), "#", &un)
		if len(un) == 0 {
			t.Errorf("%s: modelled, want refused", doc)
		}
	}
}

// corpus returns the objects of the repository's fixtures and examples.
func corpus(t *testing.T) []*manifest.Object {
	var paths []string
	for _, dir := range []string{"../fixtures", "../examples"} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				paths = append(paths, p)
			}
			return nil
		})
	}
	res := manifest.Load(paths, manifest.Options{})
	objs := slices.Concat(res.Objects, load(t, benchInput(3)))
	if len(objs) < 100 {
		t.Fatalf("corpus of %d objects", len(objs))
	}
	return objs
}

// slowValid is the verdict of the original path.
func slowValid(t *testing.T, v *Validator, o *manifest.Object) (bool, bool) {
	tg := v.target(o.APIVersion, o.Kind)
	if tg.c == nil {
		return false, false
	}
	c, err := tg.c.get()
	if err != nil {
		t.Fatal(err)
	}
	sch, err := c.schema()
	if err != nil {
		t.Fatal(err)
	}
	val, err := toJSON(o.Node)
	if err != nil {
		return false, true
	}
	return sch.Validate(val) == nil, true
}

// TestFastAgreesWithJSONSchema compares the fast verdict with
// jsonschema's on the corpus and on random mutations of it: the fast path
// must never clear an object jsonschema rejects, and, where it gives a
// verdict, must give jsonschema's.
func TestFastAgreesWithJSONSchema(t *testing.T) {
	v := NewValidator()
	rng := rand.New(rand.NewPCG(1, 2))
	rounds := 40
	if testing.Short() {
		rounds = 5
	}
	var stats struct{ valid, invalid, unknown, cleared int }
	check := func(o *manifest.Object, what string) {
		slow, covered := slowValid(t, v, o)
		if !covered {
			return
		}
		tg := v.target(o.APIVersion, o.Kind)
		c, _ := tg.c.get()
		if fastValid(c.fast, o.Node) {
			stats.cleared++
			if !slow {
				t.Fatalf("%s %s: cleared by the fast path, rejected by jsonschema:\n%s", o.Ref(), what, dump(o.Node))
			}
		}
		w := safety{budget: maxNodes}
		if !w.walk(o.Node, 0) {
			stats.unknown++
			return
		}
		switch c.fast.check(o.Node) {
		case unknown:
			stats.unknown++
		case valid:
			stats.valid++
			if !slow {
				t.Fatalf("%s %s: valid for the fast path, not for jsonschema:\n%s", o.Ref(), what, dump(o.Node))
			}
		case invalid:
			stats.invalid++
			if slow {
				t.Fatalf("%s %s: invalid for the fast path, valid for jsonschema:\n%s", o.Ref(), what, dump(o.Node))
			}
		}
	}
	objs := corpus(t)
	for _, o := range objs {
		check(o, "as is")
		for range rounds {
			m := *o
			m.Node = clone(o.Node, map[*yaml.Node]*yaml.Node{})
			var desc []string
			for range 1 + rng.IntN(3) {
				desc = append(desc, mutate(rng, m.Node))
			}
			check(&m, strings.Join(desc, ", "))
		}
	}
	t.Logf("%d objects: %+v", len(objs)*(rounds+1), stats)
	if stats.valid < len(objs) || stats.invalid < len(objs) {
		t.Errorf("too few verdicts of each kind: %+v", stats)
	}
}

func dump(n *yaml.Node) string {
	out, err := yaml.Marshal(n)
	if err != nil {
		return err.Error()
	}
	return string(out)
}

// clone copies a node tree, keeping aliases pointing into the copy.
func clone(n *yaml.Node, seen map[*yaml.Node]*yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if c, ok := seen[n]; ok {
		return c
	}
	c := *n
	seen[n] = &c
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = clone(x, seen)
	}
	c.Alias = clone(n.Alias, seen)
	return &c
}

// nodes lists the nodes of a tree, not following aliases.
func nodes(n *yaml.Node, out *[]*yaml.Node) {
	*out = append(*out, n)
	for _, c := range n.Content {
		nodes(c, out)
	}
}

var plausible = []string{
	"", "x", "STRICT", "PERMISSIVE", "DISABLE", "UNSET", "ISTIO_MUTUAL", "SIMPLE", "MUTUAL", "TCP", "HTTP", "HTTPS", "GRPC", "TLS",
	"UDP", "SCTP", "DNS", "STATIC", "NONE", "MESH_INTERNAL", "MESH_EXTERNAL", "ClusterIP", "NodePort", "LoadBalancer",
	"Always", "IfNotPresent", "Never", "RollingUpdate", "Recreate", "ALLOW", "DENY", "AUDIT", "CUSTOM", "REGISTRY_ONLY",
	"ALLOW_ANY", "LEAST_REQUEST", "ROUND_ROBIN", "100m", "1Gi", "5s", "1.5", "8080", "héllo", strings.Repeat("a", 300),
	"a/b", "*.example.com", "10.0.0.0/8", "2001:db8::/32", "true", "null",
	strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("é", 63), strings.Repeat("é", 64),
	strings.Repeat("a", 253), strings.Repeat("a", 254),
}

// mutate changes one random node of the tree in a random way and says how.
func mutate(rng *rand.Rand, root *yaml.Node) string {
	var all []*yaml.Node
	nodes(root, &all)
	n := all[rng.IntN(len(all))]
	var keys []string
	for _, x := range all {
		if x.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(x.Content); i += 2 {
				keys = append(keys, x.Content[i].Value)
			}
		}
	}
	scalar := func() *yaml.Node {
		switch rng.IntN(12) {
		case 0:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
		case 1:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: []string{"true", "false", "yes"}[rng.IntN(3)]}
		case 2:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: []string{"0", "1", "-1", "80", "65535", "65536", "99999999999", "0x1F", "9223372036854775808", "-9223372036854775809", "4294967296"}[rng.IntN(11)]}
		case 3:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: []string{"1.5", "2.0", "1e3", "-0.0", ".nan", ".inf", "NaN", "-Inf", "1e400", "100.000001", "1e21"}[rng.IntN(11)]}
		case 4:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "80", Style: yaml.DoubleQuotedStyle}
		case 5:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: "2001-12-14"}
		case 6:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!custom", Value: "x"}
		default:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: plausible[rng.IntN(len(plausible))]}
		}
	}
	value := func() *yaml.Node {
		switch rng.IntN(8) {
		case 0:
			return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		case 1:
			return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		case 2:
			return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{scalar(), scalar()}}
		case 3:
			// An alias to another node of the object; one to an ancestor
			// makes a cycle, which toJSON's bounds stop.
			return &yaml.Node{Kind: yaml.AliasNode, Value: "a", Alias: all[rng.IntN(len(all))]}
		case 4:
			return clone(all[rng.IntN(len(all))], map[*yaml.Node]*yaml.Node{})
		default:
			return scalar()
		}
	}
	key := func() *yaml.Node {
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str"}
		switch rng.IntN(4) {
		case 0:
			k.Value = "unknownField"
		case 1:
			k.Value = "<<"
			k.Tag = "!!merge"
		default:
			if len(keys) > 0 {
				k.Value = keys[rng.IntN(len(keys))]
			}
		}
		return k
	}
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) >= 2 && rng.IntN(3) == 0 {
			i := 2 * rng.IntN(len(n.Content)/2)
			switch rng.IntN(4) {
			case 0:
				n.Content = slices.Delete(n.Content, i, i+2)
				return "deleted a key"
			case 1:
				n.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "~"}
				return "nulled a value"
			case 2:
				n.Content = append(n.Content, n.Content[i], value())
				return "repeated a key"
			default:
				n.Content[i+1] = value()
				return "replaced a value"
			}
		}
		n.Content = append(n.Content, key(), value())
		return "added a key"
	case yaml.SequenceNode:
		switch rng.IntN(4) {
		case 0:
			n.Content = nil
			return "emptied a list"
		case 1:
			if len(n.Content) > 0 {
				n.Content = append(n.Content, n.Content[rng.IntN(len(n.Content))])
				return "repeated an item"
			}
		}
		n.Content = append(n.Content, value())
		return "added an item"
	}
	r := scalar()
	if rng.IntN(2) == 0 {
		r = value()
	}
	*n = *r
	return "replaced a scalar"
}

// TestConcurrentMixed shares one validator between goroutines on valid and
// invalid objects, so that both paths run at once (run with -race).
func TestConcurrentMixed(t *testing.T) {
	objs := corpus(t)
	want := make([][]Violation, len(objs))
	ref := NewValidator()
	for i, o := range objs {
		want[i] = ref.Validate(o)
	}
	v := NewValidator()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range objs {
				i := (i + g*len(objs)/4) % len(objs)
				if got := v.Validate(objs[i]); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("%s: %v, want %v", objs[i].Ref(), got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

// TestFastCustomSchemas compares the fast verdict with jsonschema's on
// keywords and forms the embedded schemas use rarely or not at all.
func TestFastCustomSchemas(t *testing.T) {
	tests := []struct {
		schema string
		values []string
	}{{
		schema: `{"type": "integer", "minimum": 1, "maximum": 65535}`,
		values: []string{"0", "1", "65535", "65536", "1.0", "1.5", "2e3", "1e21", "-1", "0x10", "0o17", "9223372036854775808", "'5'", "!!float 80", "!!float NaN", "!!float -Inf", ".inf", "~", "true", "[1]", "{a: 1}"},
	}, {
		schema: `{"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5}`,
		values: []string{"0", "0.0001", "1.4999", "1.5", "1", "-0.0", "1e-300", "!!int 1"},
	}, {
		schema: `{"type": ["string", "null"], "minLength": 2, "maxLength": 3, "pattern": "^[a-zé]+$"}`,
		values: []string{"a", "ab", "abc", "abcd", "éé", "ééé", "éééé", "AB", "null", "", "''", "!!str 12", "12", "!!binary aGk=", "2001-12-14", "!!timestamp 2001-12-14"},
	}, {
		schema: `{"enum": ["a", 1, 2.5, true, null]}`,
		values: []string{"a", "b", "1", "1.0", "2.5", "2.50", "'1'", "true", "false", "yes", "'yes'", "Off", "!!bool yes", "!!str on", "~", "[a]", "{a: 1}"},
	}, {
		schema: `{"enum": [{"a": 1}, [1]]}`,
		values: []string{"{a: 1}", "[1]", "1", "a"},
	}, {
		schema: `{"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a"], "additionalProperties": false, "minProperties": 1, "maxProperties": 2}`,
		values: []string{"{a: x}", "{a: x, b: 1}", "{a: x, b: 1, c: 2}", "{b: 1}", "{a: ~, b: 1}", "{a: x, a: ~}", "{a: ~, a: x}", "{a: 1, a: x}", "{a: x, a: 1}", "{a: x, c: ~}", "{a: x, c: 1}", "{a: x, b: ~, c: ~}", "{}", "[a]"},
	}, {
		schema: `{"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 2}`,
		values: []string{"{}", "{a: x}", "{a: 1}", "{a: x, b: y}", "{a: x, b: y, c: z}", "{a: x, b: y, a: z}", "{a: x, b: ~, c: z}", "{a: x, b: y, c: ~}"},
	}, {
		schema: `{"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2}`,
		values: []string{"[]", "[a]", "[a, b]", "[a, b, c]", "[a, ~]", "[1]", "[n]", "['n']", "{a: 1}"},
	}, {
		schema: `{"type": "object", "oneOf": [{"not": {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}}, {"required": ["a"]}, {"required": ["b"]}]}`,
		values: []string{"{}", "{a: 1}", "{b: 1}", "{a: 1, b: 1}", "{a: ~, b: 1}", "{c: 1}"},
	}, {
		schema: `{"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+%$"}]}`,
		values: []string{"1", "'1'", "10%", "x", "1.5", "~"},
	}, {
		schema: `{"anyOf": [{"const": 1}, {"type": "string"}]}`,
		values: []string{"1", "x", "2"},
	}, {
		schema: `{"allOf": [{"type": "object"}, {"required": ["a"]}], "not": {"required": ["b"]}}`,
		values: []string{"{a: 1}", "{a: 1, b: 2}", "{b: 2}", "{a: 1, b: ~}"},
	}, {
		schema: `{"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}}`,
		values: []string{"{a: 1, b: 1}", "{a: 1}", "{c: 1}", "{}", "1"},
	}, {
		schema: `{"if": true, "then": false, "else": true}`,
		values: []string{"1", "{}"},
	}, {
		schema: `{"properties": {"a": true, "b": false, "c": {}}}`,
		values: []string{"{a: !!float NaN}", "{b: 1}", "{b: ~}", "{c: !!float NaN}", "{c: [!!float NaN]}", "{d: !!float NaN}"},
	}, {
		schema: `{"type": "object", "properties": {"a": {"type": "object", "properties": {"x": {"type": "integer"}}}}}`,
		values: []string{"{a: &x {x: 1}, b: *x}", "{b: &x {x: s}, a: *x}", "{a: *x}", "{a: {x: 1}, <<: {a: {x: s}}}", "{a: {x: 1}, <<: {a: {x: 1}}}"},
	}}
	for _, tt := range tests {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(tt.schema))
		if err != nil {
			t.Fatal(err)
		}
		sch, err := compile("test.json", doc)
		if err != nil {
			t.Fatal(err)
		}
		f := buildFast(doc)
		for _, y := range tt.values {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(y), &n); err != nil {
				continue
			}
			val, err := toJSON(&n)
			slow := err == nil && sch.Validate(val) == nil
			if fastValid(f, &n) && !slow {
				t.Errorf("%s: %s cleared, jsonschema rejects it", tt.schema, y)
			}
			if w := (safety{budget: maxNodes}); w.walk(&n, 0) {
				if got := f.check(&n); got != unknown && (got == valid) != slow {
					t.Errorf("%s: %s: verdict %d, jsonschema valid=%v", tt.schema, y, got, slow)
				}
			}
		}
	}
}

// TestDepthBound puts nested lists around toJSON's depth bound in a field
// the schema leaves open.
func TestDepthBound(t *testing.T) {
	v := NewValidator()
	for depth := maxDepth - 8; depth <= maxDepth+2; depth++ {
		y := "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: deep}\nspec:\n  configPatches:\n  - applyTo: CLUSTER\n    patch:\n      operation: MERGE\n      value: {x: " +
			strings.Repeat("[", depth) + "1" + strings.Repeat("]", depth) + "}\n"
		for _, o := range load(t, y) {
			slow, _ := slowValid(t, v, o)
			c, _ := v.target(o.APIVersion, o.Kind).c.get()
			if fast := fastValid(c.fast, o.Node); fast != slow {
				t.Errorf("depth %d: fast %v, jsonschema %v", depth, fast, slow)
			}
		}
	}
}

func TestPropTable(t *testing.T) {
	v := NewValidator()
	tables, fallbacks := 0, 0
	_ = fs.WalkDir(files, ".", func(p string, _ fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".json") {
			return err
		}
		c, err := v.entry(p).get()
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *fnode)
		walk = func(n *fnode) {
			if n == nil || n.unsupported {
				return
			}
			if len(n.props) > 0 {
				if n.table.slots == nil {
					fallbacks++
				} else {
					tables++
				}
				for k, sub := range n.props {
					if got, ok := n.prop(k); !ok || got != sub {
						t.Errorf("%s: property %q not found", p, k)
					}
					for _, other := range []string{"", k + "x", strings.ToUpper(k), k + k} {
						if got, ok := n.prop(other); ok != (n.props[other] != nil) || got != n.props[other] {
							t.Errorf("%s: %q found", p, other)
						}
					}
					walk(sub)
				}
			}
			for _, x := range []*fnode{n.addl, n.items, n.not, n.ifs, n.then, n.els} {
				walk(x)
			}
			for _, xs := range [][]*fnode{n.allOf, n.anyOf, n.oneOf} {
				for _, x := range xs {
					walk(x)
				}
			}
		}
		walk(c.fast)
		return nil
	})
	t.Logf("%d perfect tables, %d maps", tables, fallbacks)
	if fallbacks > tables/20 {
		t.Errorf("%d of %d property sets have no perfect table", fallbacks, tables+fallbacks)
	}
}

// TestPropTableLikeFreshTables checks newPropTable, which clears one table
// per size for each multiplier it tries, against allocating a new table
// for each try: the same multiplier, shift and slots.
func TestPropTableLikeFreshTables(t *testing.T) {
	fresh := func(props map[string]*fnode) propTable {
		bits := uint8(1)
		for 1<<bits < len(props) {
			bits++
		}
		mul := uint32(0x9E3779B1)
		for b := bits; b <= bits+3 && b < 32; b++ {
			shift := 32 - b
			for range 64 {
				slots := make([]propSlot, 1<<b)
				ok := true
				for k, n := range props {
					i := propHash(k, mul, shift)
					if slots[i].node != nil {
						ok = false
						break
					}
					slots[i] = propSlot{k, n}
				}
				if ok {
					return propTable{mul: mul, shift: shift, slots: slots}
				}
				mul = mul*0x01000193 + 0x9E3779B9 | 1
			}
		}
		return propTable{}
	}
	r := rand.New(rand.NewPCG(1, 2))
	name := func() string {
		b := make([]byte, 3+r.IntN(18))
		for i := range b {
			b[i] = "abcdefghijklmnopqrstuvwxyz"[r.IntN(26)]
		}
		return string(b)
	}
	retried := 0
	for n := 1; n <= 60; n++ {
		props := map[string]*fnode{}
		for len(props) < n {
			props[name()] = &fnode{}
		}
		got, want := newPropTable(props), fresh(props)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%d properties: table with multiplier %#x, shift %d; want %#x, %d", n, got.mul, got.shift, want.mul, want.shift)
		}
		if want.slots != nil && want.mul != 0x9E3779B1 {
			retried++
		}
	}
	if retried == 0 {
		t.Error("no set of properties needed a second multiplier: the test checks nothing")
	}
}

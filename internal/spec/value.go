// Package spec holds typed views of the specs meshlint reads, decoded from
// YAML nodes with the position of every value a rule may point at.
//
// Only the fields that rules read are declared: unknown and unmodelled fields
// are left to schema validation.
package spec

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Loc is re-exported so that rule code reads naturally.
type Loc = manifest.Loc

// Value is a scalar with the location of its node. Set is false when the
// field is absent or null.
type Value[T any] struct {
	V   T
	Loc Loc
	Set bool
}

// The scalar values used in specs.
type (
	// Str is a string value.
	Str = Value[string]
	// Int is an integer value.
	Int = Value[int64]
	// Bool is a boolean value.
	Bool = Value[bool]
	// Float is a floating-point value.
	Float = Value[float64]
)

// UnmarshalYAML decodes the scalar and records where it is. A type mismatch
// is returned as a *yaml.TypeError so that decoding goes on and every
// mismatch of a document is reported, each with its line and column.
func (v *Value[T]) UnmarshalYAML(n *yaml.Node) error {
	v.Loc, v.Set = manifest.LocOf(n), true
	if n.Kind != yaml.ScalarNode {
		return mismatch(n, v.V)
	}
	// The common scalars directly: Node.Decode sets up a decoder per
	// call, which for every scalar of a large tree costs more than the
	// rest of decoding.
	switch p := any(&v.V).(type) {
	case *string:
		if n.ShortTag() != "!!str" || isYAML11Bool(n) {
			return mismatch(n, v.V)
		}
		// Interned: the fast parser's scalars are cut from the text of
		// their file, which a kept string would keep whole.
		*p = manifest.Intern(n.Value)
		return nil
	case *int64:
		if n.ShortTag() == "!!int" && isDecimal(n.Value) {
			if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
				*p = i
				return nil
			}
		}
	case *bool:
		// Kubernetes reads a plain yes or off as a boolean too, and a
		// quoted "yes" as a string, which yaml.v3 would take.
		if b, ok := yamlpath.Bool(n); ok {
			*p = b
			return nil
		}
		if n.ShortTag() == "!!str" {
			return mismatch(n, v.V)
		}
	}
	if _, isStr := any(v.V).(string); isStr && (n.ShortTag() != "!!str" || isYAML11Bool(n)) {
		// Kubernetes rejects `name: 8080` where a string is expected.
		return mismatch(n, v.V)
	}
	if _, isInt := any(v.V).(int64); isInt && n.ShortTag() == "!!float" {
		// yaml.v3 truncates 10.5 to 10; the API server rejects it.
		if f, err := strconv.ParseFloat(n.Value, 64); err != nil || f != math.Trunc(f) {
			return mismatch(n, v.V)
		}
	}
	if err := n.Decode(&v.V); err != nil {
		return mismatch(n, v.V)
	}
	return nil
}

// IntOrString is a Kubernetes IntOrString (ports, targetPorts).
type IntOrString struct {
	Int   int64
	Str   string
	IsStr bool
	Loc   Loc
	Set   bool
}

// UnmarshalYAML accepts an integer or a string. decodeIntOrString reads
// decimal integers without it, as this does.
func (v *IntOrString) UnmarshalYAML(n *yaml.Node) error {
	v.Loc, v.Set = manifest.LocOf(n), true
	if n.Kind != yaml.ScalarNode {
		return mismatchWant(n, "an integer or a string")
	}
	if n.ShortTag() == "!!int" {
		if err := n.Decode(&v.Int); err != nil {
			return mismatchWant(n, "an integer or a string")
		}
		return nil
	}
	if n.ShortTag() != "!!str" || isYAML11Bool(n) {
		return mismatchWant(n, "an integer or a string")
	}
	v.Str, v.IsStr = manifest.Intern(n.Value), true
	return nil
}

func (v IntOrString) String() string {
	if v.IsStr {
		return v.Str
	}
	return fmt.Sprint(v.Int)
}

// At records the location of a mapping or sequence item. Embed it and
// implement UnmarshalYAML with decodeAt to fill it.
type At struct {
	Loc Loc
}

func mismatch(n *yaml.Node, want any) error {
	var w string
	switch want.(type) {
	case string:
		w = "a string"
	case int64, int32, int:
		w = "an integer"
	case bool:
		w = "a boolean (true or false)"
	case float64:
		w = "a number"
	default:
		w = fmt.Sprintf("%T", want)
	}
	return mismatchWant(n, w)
}

func mismatchWant(n *yaml.Node, want string) error {
	got := n.Value
	if n.Kind != yaml.ScalarNode {
		got = map[yaml.Kind]string{yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list", yaml.AliasNode: "an alias"}[n.Kind]
	} else {
		got = fmt.Sprintf("%q", got)
	}
	if note := yamlpath.BoolNote(n); note != "" {
		got = n.Value + " (" + note
		if strings.Contains(want, "string") {
			got += "; quote it"
		}
		got += ")"
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d, column %d: expected %s, got %s", n.Line, n.Column, want, got)}}
}

// isYAML11Bool reports whether n is a plain yes, on, y, no, off or n:
// yaml.v3 reads it as a string, Kubernetes as a boolean.
func isYAML11Bool(n *yaml.Node) bool {
	_, ok := yamlpath.YAML11Bool(n)
	return ok
}

// Decode decodes node into out and returns every type mismatch as a
// manifest.Error in file, each at its line and column.
func Decode(file string, node *yaml.Node, out any) []*manifest.Error {
	return DecodeShared(file, node, out, nil)
}

// DecodeShared is Decode, with the label maps of the spec taken from maps
// (the run's, which the loader's label maps come from too) where the fast
// path decodes it.
func DecodeShared(file string, node *yaml.Node, out any, maps *manifest.Maps) []*manifest.Error {
	if node == nil {
		return nil
	}
	if decodeFastWith(maps, node, out) {
		return nil
	}
	return decodeReflect(file, node, out)
}

// decodeFast is the fast path of Decode, sharing no maps.
func decodeFast(node *yaml.Node, out any) bool {
	return decodeFastWith(nil, node, out)
}

// decodeReflect is Decode through yaml.v3: the reference the fast path
// must agree with, and what decodes whatever it gives up on.
func decodeReflect(file string, node *yaml.Node, out any) []*manifest.Error {
	if node == nil {
		return nil
	}
	if repeatedMerge(node) {
		node = foldMerges(node, map[*yaml.Node]*yaml.Node{})
	}
	err := node.Decode(out)
	if err == nil {
		return nil
	}
	var errs []*manifest.Error
	var te *yaml.TypeError
	if errors.As(err, &te) {
		// A node reached through several aliases fails once per path to it;
		// report it once. A key written twice the loader reports, in every
		// mapping of the object, not only in those decoded.
		seen := map[string]bool{}
		for _, m := range te.Errors {
			if errDuplicateKey.MatchString(m) {
				continue
			}
			if !seen[m] {
				seen[m] = true
				errs = append(errs, lineError(file, node, m))
			}
		}
		return errs
	}
	return []*manifest.Error{lineError(file, node, err.Error())}
}

// lineError parses yaml.v3's "line N[, column M]: msg" into an Error.
func lineError(file string, node *yaml.Node, msg string) *manifest.Error {
	e := &manifest.Error{File: file, Msg: "wrong type"}
	var line, col int
	rest := msg
	if _, err := fmt.Sscanf(msg, "line %d, column %d:", &line, &col); err == nil {
		rest = msg[strings.Index(msg, ":")+1:]
	} else if _, err := fmt.Sscanf(msg, "line %d:", &line); err == nil {
		rest = msg[strings.Index(msg, ":")+1:]
	}
	if line == 0 {
		line, col = node.Line, node.Column
	}
	if col == 0 {
		// yaml.v3's own messages ("cannot unmarshal !!seq into ...")
		// have no column: take it from the node they describe.
		col = 1
		if m := errUnmarshal.FindStringSubmatch(rest); m != nil {
			if n := findNode(node, line, "!!"+m[1], m[3], m[2] != ""); n != nil {
				col = n.Column
			}
		}
	}
	e.Loc = manifest.LineCol(line, col)
	e.Err = fmt.Errorf("%s", strings.TrimSpace(rest))
	return e
}

var errDuplicateKey = regexp.MustCompile(`mapping key "[^"]*" already defined at line \d+`)

// repeatedMerge reports whether a mapping under n has several merge keys
// (<<), which yaml.v3 refuses to decode as a key written twice, and
// Kubernetes' decoder takes as merges one after the other.
func repeatedMerge(n *yaml.Node) bool {
	if n.Kind == yaml.MappingNode {
		merges := 0
		for i := 0; i+1 < len(n.Content); i += 2 {
			if yamlpath.IsMerge(n.Content[i]) {
				merges++
			}
		}
		if merges > 1 {
			return true
		}
	}
	for _, c := range n.Content {
		if repeatedMerge(c) {
			return true
		}
	}
	return false
}

// foldMerges returns n with the merge keys of each mapping folded into
// one, whose list names the merged mappings in the order they take
// precedence: those of the later key first, as in Kubernetes' decoder and
// yamlpath.Sources. Nodes are copied where they change; done maps the
// anchored nodes copied so far to their copies, for the aliases to them.
func foldMerges(n *yaml.Node, done map[*yaml.Node]*yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		if f, ok := done[n.Alias]; ok {
			a := *n
			a.Alias = f
			return &a
		}
		return n
	}
	content := n.Content
	changed := false
	for i, c := range n.Content {
		if f := foldMerges(c, done); f != c {
			if !changed {
				content, changed = slices.Clone(n.Content), true
			}
			content[i] = f
		}
	}
	if n.Kind == yaml.MappingNode {
		var key *yaml.Node
		var merged []*yaml.Node
		var kept []*yaml.Node
		merges := 0
		for i := len(content) - 2; i >= 0; i -= 2 {
			if !yamlpath.IsMerge(content[i]) {
				continue
			}
			merges++
			key = content[i]
			if v := content[i+1]; v.Kind == yaml.SequenceNode {
				merged = append(merged, v.Content...)
			} else {
				merged = append(merged, v)
			}
		}
		if merges > 1 {
			for i := 0; i+1 < len(content); i += 2 {
				if !yamlpath.IsMerge(content[i]) {
					kept = append(kept, content[i], content[i+1])
				}
			}
			list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: merged, Line: key.Line, Column: key.Column}
			kept = append(kept, key, list)
			content, changed = kept, true
		}
	}
	if !changed {
		return n
	}
	c := *n
	c.Content = content
	if n.Anchor != "" {
		done[n] = &c
	}
	return &c
}

var errUnmarshal = regexp.MustCompile("cannot unmarshal !!(\\w+) (`([^`]*)` )?into")

// findNode returns the node on line with the given tag and, when hasValue,
// value (which yaml.v3 cuts to "1234567..."). When several match, the one
// furthest right is taken: a block sequence that starts on the same line as
// the offending node is its ancestor, not the node itself.
func findNode(n *yaml.Node, line int, tag, value string, hasValue bool) *yaml.Node {
	same := n.Value == value
	if v, cut := strings.CutSuffix(value, "..."); cut {
		same = strings.HasPrefix(n.Value, v)
	}
	var best *yaml.Node
	if n.Line == line && n.ShortTag() == tag && (!hasValue || same) {
		best = n
	}
	for _, c := range n.Content {
		if f := findNode(c, line, tag, value, hasValue); f != nil && (best == nil || f.Column > best.Column) {
			best = f
		}
	}
	return best
}

// decodeAt decodes n into the plain version of a struct and records n's
// location; specs call it from their UnmarshalYAML methods. decode_gen.go
// does the same inline for every method that only calls it: a change here
// must be made in decode_gen_test.go too.
func decodeAt[T any](n *yaml.Node, at *At, plain *T) error {
	at.Loc = manifest.LocOf(n)
	if n.Kind != yaml.MappingNode {
		return mismatchWant(n, "a mapping")
	}
	err := n.Decode(plain)
	recordKeys(n, reflect.ValueOf(plain).Elem())
	return err
}

// KeyLoc is where a key of a mapping is.
type KeyLoc struct {
	Key string
	Loc Loc
}

// KeyLocs are where the keys of a mapping that its field's keys tag
// names are, in the order written. Decoding fills a field of this type,
// tagged yaml:"-", in a struct whose UnmarshalYAML calls decodeAt.
type KeyLocs []KeyLoc

// Of returns the location of key, or def when the mapping lacks it.
func (k KeyLocs) Of(key string, def Loc) Loc {
	for _, x := range k {
		if x.Key == key {
			return x.Loc
		}
	}
	return def
}

var keyLocsType = reflect.TypeFor[KeyLocs]()

// recordKeys fills the KeyLocs fields of struct v from the keys of the
// mapping n, as decode_gen.go does inline while it decodes n. The keys are
// the tag's strings, not n's, which the loader may read the next file over.
func recordKeys(n *yaml.Node, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type != keyLocsType {
			continue
		}
		names := strings.Split(f.Tag.Get("keys"), ",")
		// Merged entries too, where they are written, as yaml.v3 decodes
		// them (the generated decoders give up on merge keys).
		var locs KeyLocs
		for k := range yamlpath.Entries(n) {
			if x := slices.Index(names, k.Value); x >= 0 && k.Kind == yaml.ScalarNode {
				locs = append(locs, KeyLoc{names[x], manifest.LocOf(k)})
			}
		}
		v.Field(i).Set(reflect.ValueOf(locs))
	}
}

// isDecimal reports whether s is a plain decimal integer, which yaml.v3
// reads as strconv does; other forms (0x1F, 1_000, +5) go through it.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Values returns the values of a list of strings, without their positions.
func Values(ss []Str) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.V
	}
	return out
}

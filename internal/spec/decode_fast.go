package spec

//go:generate go test -tags specgen -run TestDecodeGenUpToDate . -update

import (
	"reflect"
	"slices"
	"strconv"

	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Decode's fast path. yaml.v3 decodes through reflection, which on a large
// tree costs more than parsing it; decode_gen.go holds a decoder per spec
// type written out field by field instead, generated from the types by
// decode_gen_test.go so that it follows them as they change.
//
// The fast path reproduces yaml.v3 only for ordinary input: mappings with
// plain keys, standard tags, no aliases or merge keys, and no value of the
// wrong type. A decoder meets anything else by giving up (ok false), and
// Decode then resets the spec and runs yaml.v3 from scratch, so that every
// error, and the value decoded next to it, stays yaml.v3's own. Giving up is
// always safe; succeeding where yaml.v3 would decode anything different, or
// report anything, is a bug, which the differential and fuzz tests in
// decode_fast_test.go look for.

// Tags as yaml.v3's parser writes them.
const (
	strTag       = "!!str"
	intTag       = "!!int"
	floatTag     = "!!float"
	boolTag      = "!!bool"
	nullTag      = "!!null"
	timestampTag = "!!timestamp"
	mapTag       = "!!map"
	seqTag       = "!!seq"
)

// decodeFunc decodes n into *v as yaml.v3's decoder does for a value of
// that type. good is what yaml.v3's unmarshal returns: false for a null
// decoded into a struct or a string, which a sequence then drops. ok is
// false when the decoder gave up, leaving *v partly written.
type decodeFunc[T any] func(d *decoder, n *yaml.Node, v *T) (good, ok bool)

// decoder is what a decode shares with the rest of the run: the label maps
// made so far. A nil decoder shares nothing.
type decoder = manifest.Maps

// decodeRoot is the fast path of Decode for one spec type.
func decodeRoot[T any](d *decoder, n *yaml.Node, v *T, dec decodeFunc[T]) bool {
	// yaml.v3 decodes on top of what *v holds, keeping the fields the
	// node leaves out. Starting from the zero value, as every caller does,
	// lets a failed attempt be undone by zeroing *v again.
	if v == nil || !reflect.ValueOf(v).Elem().IsZero() {
		return false
	}
	if _, ok := dec(d, n, v); ok {
		return true
	}
	var zero T
	*v = zero
	return false
}

// known reports whether n is a scalar, mapping or sequence. yaml.v3 follows
// documents and aliases before looking at the destination, and checks
// aliases for cycles and excessive expansion; those are left to it.
func known(n *yaml.Node) bool {
	return n != nil && (n.Kind == yaml.ScalarNode || n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode)
}

// null reports whether n is a null. yaml.v3 calls no UnmarshalYAML for a
// null: it sets a pointer, slice or map to nil and leaves anything else as
// it is. ok is false for a node whose tag says null but which yaml.v3 would
// not decode as a plain null: a collection, a null that resolve rejects
// (!!null abc), or a tag that resolve keeps (!).
func null(n *yaml.Node) (isNull, ok bool) {
	switch n.Tag {
	case strTag, intTag, floatTag, boolTag, timestampTag, mapTag, seqTag:
		// The tags of nearly every node: ShortTag would say the same.
		return false, true
	}
	if n.ShortTag() != nullTag {
		return false, true
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "" || n.Tag == nullTag) {
		switch n.Value {
		case "", "~", "null", "Null", "NULL":
			return true, true
		}
	}
	return true, false
}

// mapping reports whether n is a mapping the fast path decodes: standard
// tag, scalar keys, and no key twice (yaml.v3 reports "mapping key ...
// already defined" for a key written twice, comparing kind and text).
func mapping(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode || n.Tag != "" && n.Tag != mapTag || len(n.Content)%2 != 0 {
		return false
	}
	c := n.Content
	for i := 0; i < len(c); i += 2 {
		if c[i] == nil || c[i].Kind != yaml.ScalarNode {
			return false
		}
	}
	// Pairwise, as yaml.v3 does, for the small mappings specs are made of;
	// a set beyond, for long label or data maps.
	if len(c) <= 2*16 {
		for i := 0; i < len(c); i += 2 {
			for j := i + 2; j < len(c); j += 2 {
				if c[i].Value == c[j].Value {
					return false
				}
			}
		}
		return true
	}
	seen := make(map[string]struct{}, len(c)/2)
	for i := 0; i < len(c); i += 2 {
		if _, dup := seen[c[i].Value]; dup {
			return false
		}
		seen[c[i].Value] = struct{}{}
	}
	return true
}

// structNode classifies n as the value of a struct: a null, which leaves
// the struct as it is, or a mapping to decode field by field; ok is false
// for anything else.
func structNode(n *yaml.Node) (isNull, ok bool) {
	if !known(n) {
		return false, false
	}
	if isNull, ok := null(n); isNull {
		return true, ok
	}
	return false, mapping(n)
}

// key returns the string yaml.v3 decodes the mapping key k into. skip is
// true for a null key, whose entry yaml.v3 drops without looking at the
// value. Merge keys (<<, tagged !!merge) are given up on.
func key(k *yaml.Node) (name string, skip, ok bool) {
	if isNull, ok := null(k); isNull {
		return "", true, ok
	}
	name, ok = text(k)
	return name, false, ok
}

// text returns the string yaml.v3 decodes the non-null scalar n into: its
// text, whatever it resolves to. Tags that convert the text (!!binary), do
// not fit it (!!int abc) or are not yaml.v3's are given up on.
func text(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		return "", false
	}
	switch n.Tag {
	case "", strTag, intTag, floatTag, boolTag, timestampTag:
	default:
		return "", false
	}
	switch tag := n.ShortTag(); tag {
	case strTag:
		return n.Value, true
	case intTag, floatTag, boolTag, timestampTag:
		// Without a tag, ShortTag resolved the text as decoding does.
		// With one (the parser writes the resolved tag on every plain
		// scalar), decoding resolves the text again and fails unless
		// the two agree.
		if n.Tag == "" || implicitTag(n.Value) == tag {
			return n.Value, true
		}
	}
	return "", false
}

// implicitTag is the tag yaml.v3 resolves an untagged plain scalar to.
func implicitTag(s string) string {
	n := yaml.Node{Kind: yaml.ScalarNode, Value: s}
	return n.ShortTag()
}

// decodeString decodes a string that is not a Value (list items, map
// values): yaml.v3 takes any scalar's text.
func decodeString(_ *decoder, n *yaml.Node, v *string) (good, ok bool) {
	if !known(n) {
		return false, false
	}
	if isNull, ok := null(n); isNull {
		return false, ok
	}
	s, ok := text(n)
	if !ok {
		return false, false
	}
	*v = manifest.Intern(s) // as Value.UnmarshalYAML does
	return true, true
}

// decodeIntOrString is IntOrString.UnmarshalYAML with the common decimal
// port read directly rather than through Node.Decode.
func decodeIntOrString(_ *decoder, n *yaml.Node, v *IntOrString) (good, ok bool) {
	if !known(n) {
		return false, false
	}
	if isNull, ok := null(n); isNull {
		return false, ok
	}
	// yaml.v3 reads a decimal !!int with strconv; isDecimal excludes the
	// forms it reads otherwise (0755 is octal to it).
	if n.Kind == yaml.ScalarNode && n.Tag == intTag && isDecimal(n.Value) {
		if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			v.Loc, v.Set = manifest.LocOf(n), true
			v.Int = i
			return true, true
		}
	}
	return true, v.UnmarshalYAML(n) == nil
}

// decodeUnmarshaler calls the UnmarshalYAML of a Value, or of a type whose
// method does more than decodeAt, as yaml.v3 does for a non-null node; any
// error is left to yaml.v3 to report.
func decodeUnmarshaler[T any, P interface {
	*T
	yaml.Unmarshaler
}](_ *decoder, n *yaml.Node, v *T) (good, ok bool) {
	if !known(n) {
		return false, false
	}
	if isNull, ok := null(n); isNull {
		return false, ok
	}
	return true, P(v).UnmarshalYAML(n) == nil
}

// decodeNodePtr decodes a *yaml.Node field. yaml.v3 does not store the node
// there: it allocates a yaml.Node and decodes the mapping into its fields
// as into any struct, so that only keys naming a field of yaml.Node (kind,
// value, line, ...) change it. Those, and anything but a mapping, are
// given up on.
func decodeNodePtr(_ *decoder, n *yaml.Node, v **yaml.Node) (good, ok bool) {
	if !known(n) {
		return false, false
	}
	if isNull, ok := null(n); isNull {
		if ok {
			*v = nil
		}
		return true, ok
	}
	if !mapping(n) {
		return false, false
	}
	for i := 0; i < len(n.Content); i += 2 {
		name, skip, ok := key(n.Content[i])
		if !ok || !skip && nodeField(name) {
			return false, false
		}
	}
	if *v == nil {
		*v = new(yaml.Node)
	}
	return true, true
}

// decodePtr decodes a pointer: nil for a null, else the pointee, allocated
// when nil.
func decodePtr[T any](d *decoder, n *yaml.Node, v **T, dec decodeFunc[T]) (good, ok bool) {
	if !known(n) {
		return false, false
	}
	if isNull, ok := null(n); isNull {
		if ok {
			*v = nil
		}
		return true, ok
	}
	if *v == nil {
		*v = new(T)
	}
	return dec(d, n, *v)
}

// decodeSeq decodes a slice: nil for a null, else a new slice of the items
// that decode as good (yaml.v3 drops null items of struct and string
// type), with the capacity yaml.v3 gives it.
func decodeSeq[E any](d *decoder, n *yaml.Node, v *[]E, dec decodeFunc[E]) (good, ok bool) {
	if !known(n) {
		return false, false
	}
	if isNull, ok := null(n); isNull {
		if ok {
			*v = nil
		}
		return true, ok
	}
	if n.Kind != yaml.SequenceNode || n.Tag != "" && n.Tag != seqTag {
		return false, false
	}
	s := make([]E, len(n.Content))
	j := 0
	for _, item := range n.Content {
		// A decoder that returns good false has not written the item,
		// so the next one decodes into a zero value, as in yaml.v3.
		good, ok := dec(d, item, &s[j])
		if !ok {
			return false, false
		}
		if good {
			j++
		}
	}
	*v = s[:j]
	return true, true
}

// decodeMap decodes a map with string keys: nil for a null, else its
// entries added to the map, made when nil. A null value is stored as the
// zero value unless it would overwrite an entry of a map that existed.
func decodeMap[E any](d *decoder, n *yaml.Node, v *map[string]E, dec decodeFunc[E]) (good, ok bool) {
	m, isNew, ok := mapOf(n, v)
	if m == nil || !ok {
		return true, ok
	}
	// One value to decode into for all entries: dec, not inlined, makes
	// it escape, and one allocation per entry costs more than the map.
	e := new(E)
	for i := 0; i < len(n.Content); i += 2 {
		k, skip, ok := key(n.Content[i])
		if !ok {
			return false, false
		}
		if skip {
			continue
		}
		var zero E
		*e = zero
		good, ok := dec(d, n.Content[i+1], e)
		if !ok {
			return false, false
		}
		if !good && !isNew {
			if _, had := m[k]; had {
				continue
			}
		}
		m[manifest.Intern(k)] = *e
	}
	return true, true
}

// decodeStringMap is decodeMap for map[string]string (labels, selectors,
// annotations), the most common map by far, without a decodeFunc. With d's
// maps, it makes no map for pairs an earlier decode has made one for; a nil
// d makes a new map.
func decodeStringMap(d *decoder, n *yaml.Node, v *map[string]string) (good, ok bool) {
	if !known(n) {
		return false, false
	}
	if isNull, ok := null(n); isNull {
		if ok {
			*v = nil
		}
		return true, ok
	}
	if !mapping(n) {
		return false, false
	}
	// The entries go on top of those of a map already there (a key
	// written twice), which may be shared and is not written to.
	old := *v
	var buf [16]manifest.Pair
	pairs := buf[:0]
	for k, e := range old {
		pairs = append(pairs, manifest.Pair{K: k, V: e})
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, skip, ok := key(n.Content[i])
		if !ok {
			return false, false
		}
		if skip {
			continue
		}
		var e string
		good, ok := decodeString(d, n.Content[i+1], &e)
		if !ok {
			return false, false
		}
		if !good && old != nil && slices.ContainsFunc(pairs, func(p manifest.Pair) bool { return p.K == k }) {
			continue
		}
		pairs = append(pairs, manifest.Pair{K: k, V: e})
	}
	*v = d.Make(pairs)
	return true, true
}

// mapOf starts decoding n into the map *v: it sets *v to nil for a null
// and returns a nil m, else returns the map to add n's entries to, made
// when *v is nil. ok is false when n is not a mapping the fast path
// decodes.
func mapOf[E any](n *yaml.Node, v *map[string]E) (m map[string]E, isNew, ok bool) {
	if !known(n) {
		return nil, false, false
	}
	if isNull, ok := null(n); isNull {
		if ok {
			*v = nil
		}
		return nil, false, ok
	}
	if !mapping(n) {
		return nil, false, false
	}
	if *v == nil {
		*v = make(map[string]E, len(n.Content)/2)
		return *v, true, true
	}
	return *v, false, true
}

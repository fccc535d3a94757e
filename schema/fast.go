package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The fast path answers one question, "is this object valid?", by walking
// the YAML nodes and the schema together, without building the JSON value
// that jsonschema needs and without jsonschema's per-value bookkeeping
// (scopes, evaluated-property sets, error trees), and without allocating.
// Nearly every object in a real repository is valid, so nearly every
// object stops there. Anything else (an invalid object, a schema keyword
// or a YAML form the fast path does not model) takes the original path,
// which alone writes messages, so messages and locations cannot differ.
//
// The fast path must therefore never call valid what jsonschema, given
// toJSON's value, would reject. It mirrors toJSON (aliases, duplicate keys
// where the last wins, null entries dropped, tag-driven scalars, the size
// bounds) and jsonschema v6's semantics for the keywords it models, and
// answers "unknown" for everything else. "format" is not among them: under
// draft 2020-12 jsonschema only asserts it when told to, and compile does
// not. TestFastMatchesCompiled, TestFastAgreesWithJSONSchema and
// TestFastCustomSchemas check the agreement.
//
// Nor may it clear an object in which the reporter finds what the API
// server refuses beyond JSON Schema (apiserver.go): a repeated entry of a
// list of type set or map, an integer out of its format's range. There it
// answers "unknown"; TestFastLeavesAPIServerChecks checks it.

// verdict is a three-valued validity: "unknown" must stay apart from
// "invalid" because not, anyOf and oneOf turn an invalid branch into a
// valid object.
type verdict uint8

const (
	valid verdict = iota
	invalid
	unknown
)

// jtype is a JSON type as a bit, so that a schema's "type" list is a mask.
type jtype uint8

const (
	tNull jtype = 1 << iota
	tBool
	tNumber
	tInteger
	tString
	tArray
	tObject
	// tInvalid is a value jsonschema rejects whatever the schema (NaN,
	// infinities); it matches no type.
	tInvalid
)

var typeBits = map[string]jtype{
	"null": tNull, "boolean": tBool, "number": tNumber, "integer": tInteger,
	"string": tString, "array": tArray, "object": tObject,
}

// fnode is a schema reduced to the keywords the fast path models.
type fnode struct {
	// unsupported: the schema has a keyword the fast path does not model.
	unsupported bool
	// always is set for the boolean schemas true (valid) and false
	// (invalid); unknown means neither.
	always verdict

	types jtype
	enum  *fenum

	props map[string]*fnode
	// table indexes props for prop.
	table propTable
	// addl is additionalProperties: nil with addlFalse unset when absent
	// or true.
	addl      *fnode
	addlFalse bool
	required  []string
	minProps  int
	maxProps  int

	items    *fnode
	minItems int
	maxItems int

	minLen  int
	maxLen  int
	pattern jsonschema.Regexp

	minimum, maximum, exclMinimum, exclMaximum *bound

	not                 *fnode
	allOf, anyOf, oneOf []*fnode
	ifs, then, els      *fnode
	// applicators is set when one of the five above is.
	applicators bool

	// What the API server checks beyond JSON Schema (apiserver.go): the
	// list's x-kubernetes-list-type, and the integer format.
	list   *listSpec
	intFmt intFormat
	// extras is set when this node, or one below it through properties,
	// additionalProperties or items, has list or intFmt.
	extras bool
}

// bound is a numeric limit, with an int64 copy for the common comparison
// with an integer.
type bound struct {
	rat   *big.Rat
	i     int64
	isInt bool
}

func newBound(r *big.Rat) *bound {
	if r == nil {
		return nil
	}
	b := &bound{rat: r}
	if r.IsInt() && r.Num().IsInt64() {
		b.i, b.isInt = r.Num().Int64(), true
	}
	return b
}

// cmp compares a number with the bound as jsonschema does, through the
// exact rational value of its decimal form.
func (b *bound) cmp(s *scalarVal) int {
	if s.isInt64 {
		if b.isInt {
			switch {
			case s.i < b.i:
				return -1
			case s.i > b.i:
				return 1
			}
			return 0
		}
		return new(big.Rat).SetInt64(s.i).Cmp(b.rat)
	}
	return s.rat().Cmp(b.rat)
}

// fenum is an enum by type of value.
type fenum struct {
	strs     []string
	bools    []bool
	null     bool
	nums     []*big.Rat
	compound bool // a mapping or list value: not modelled
}

// buildFast reduces a schema document, as jsonschema.UnmarshalJSON parses
// it, for fastValid. It reads the document rather than the compiled
// schema so that a run whose objects are all valid never pays for
// compiling with jsonschema, which costs more than validating thousands
// of objects. It follows jsonschema v6's compiler for draft 2020-12;
// TestFastMatchesCompiled checks, for every embedded schema, that it
// yields what the compiled schema does.
func buildFast(doc any) *fnode {
	if m, ok := doc.(map[string]any); ok {
		switch m["$schema"] {
		case nil, "https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/schema#":
		default:
			return &fnode{unsupported: true}
		}
	}
	return docNode(doc, true)
}

// refused are the keywords that jsonschema evaluates and the fast path
// does not model.
var refused = []string{
	"$ref", "$dynamicRef", "$recursiveRef", "$vocabulary",
	"const", "multipleOf", "contains", "minContains", "maxContains",
	"propertyNames", "dependencies", "dependentRequired", "dependentSchemas",
	"unevaluatedProperties", "unevaluatedItems", "prefixItems",
	"contentEncoding", "contentMediaType", "contentSchema",
}

// docNode reduces the schema doc; root tells the document's root, whose
// $id and $schema are the document's, from a subschema, where they would
// start a resource of its own.
func docNode(doc any, root bool) *fnode {
	n := &fnode{always: unknown, minProps: -1, maxProps: -1, minItems: -1, maxItems: -1, minLen: -1, maxLen: -1}
	s, ok := doc.(map[string]any)
	if !ok {
		if b, ok := doc.(bool); ok {
			n.always = invalid
			if b {
				n.always = valid
			}
			return n
		}
		n.unsupported = true
		return n
	}
	// jsonschema compiles {} as true, which accepts even the values that
	// other schemas reject whatever they say (NaN).
	if len(s) == 0 {
		n.always = valid
		return n
	}
	if !root {
		if _, ok := s["$id"]; ok {
			n.unsupported = true
			return n
		}
		if _, ok := s["$schema"]; ok {
			n.unsupported = true
			return n
		}
	}
	for _, k := range refused {
		if _, ok := s[k]; ok {
			n.unsupported = true
			return n
		}
	}
	if s["uniqueItems"] == true {
		n.unsupported = true
		return n
	}
	if pp, ok := s["patternProperties"].(map[string]any); ok && len(pp) > 0 {
		n.unsupported = true
		return n
	}
	// Draft 4's boolean form, which jsonschema honours in any draft.
	_, b1 := s["exclusiveMinimum"].(bool)
	_, b2 := s["exclusiveMaximum"].(bool)
	if b1 || b2 {
		n.unsupported = true
		return n
	}
	switch t := s["type"].(type) {
	case string:
		n.types = typeBits[t]
	case []any:
		for _, x := range t {
			if x, ok := x.(string); ok {
				n.types |= typeBits[x]
			}
		}
	}
	if vs, ok := s["enum"].([]any); ok {
		n.enum = newFenum(vs)
	}
	if props, ok := s["properties"].(map[string]any); ok {
		n.props = make(map[string]*fnode, len(props))
		for k, p := range props {
			n.props[k] = docNode(p, false)
		}
		n.table = newPropTable(n.props)
	}
	if a, ok := s["additionalProperties"]; ok {
		if b, ok := a.(bool); ok {
			n.addlFalse = !b
		} else {
			n.addl = docNode(a, false)
		}
	}
	if req, ok := s["required"].([]any); ok {
		for _, x := range req {
			if x, ok := x.(string); ok {
				n.required = append(n.required, x)
			}
		}
	}
	n.minProps, n.maxProps = docInt(s, "minProperties"), docInt(s, "maxProperties")
	if it, ok := s["items"]; ok {
		n.items = docNode(it, false)
	}
	n.minItems, n.maxItems = docInt(s, "minItems"), docInt(s, "maxItems")
	n.minLen, n.maxLen = docInt(s, "minLength"), docInt(s, "maxLength")
	if p, ok := s["pattern"].(string); ok {
		re, err := regexp.Compile(p)
		if err != nil {
			n.unsupported = true
			return n
		}
		n.pattern = re
	}
	n.minimum, n.maximum = newBound(docNum(s, "minimum")), newBound(docNum(s, "maximum"))
	n.exclMinimum, n.exclMaximum = newBound(docNum(s, "exclusiveMinimum")), newBound(docNum(s, "exclusiveMaximum"))
	if x, ok := s["not"]; ok {
		n.not = docNode(x, false)
	}
	n.allOf, n.anyOf, n.oneOf = docNodes(s, "allOf"), docNodes(s, "anyOf"), docNodes(s, "oneOf")
	if x, ok := s["if"]; ok {
		n.ifs = docNode(x, false)
		// As jsonschema: a boolean "if" decides which branch exists.
		b, isBool := x.(bool)
		if t, ok := s["then"]; ok && (!isBool || b) {
			n.then = docNode(t, false)
		}
		if e, ok := s["else"]; ok && (!isBool || !b) {
			n.els = docNode(e, false)
		}
	}
	n.applicators = n.not != nil || n.allOf != nil || n.anyOf != nil || n.oneOf != nil || n.ifs != nil
	n.list, n.intFmt = docList(s), docIntFormat(s, n.types)
	n.extras = n.list != nil || n.intFmt != 0 || n.addl != nil && n.addl.extras || n.items != nil && n.items.extras
	for _, p := range n.props {
		n.extras = n.extras || p.extras
	}
	return n
}

func docNodes(s map[string]any, key string) []*fnode {
	arr, ok := s[key].([]any)
	if !ok {
		return nil
	}
	out := make([]*fnode, len(arr))
	for i, x := range arr {
		out[i] = docNode(x, false)
	}
	return out
}

// docNum reads a number as jsonschema does, through its decimal form.
func docNum(s map[string]any, key string) *big.Rat {
	switch v := s[key].(type) {
	case json.Number, float32, float64, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		if r, ok := new(big.Rat).SetString(fmt.Sprint(v)); ok {
			return r
		}
	}
	return nil
}

// docInt reads a count; jsonschema ignores one that is not an integer.
func docInt(s map[string]any, key string) int {
	if r := docNum(s, key); r != nil && r.IsInt() {
		return int(r.Num().Int64())
	}
	return -1
}

func newFenum(values []any) *fenum {
	e := &fenum{}
	for _, v := range values {
		switch v := v.(type) {
		case string:
			e.strs = append(e.strs, v)
		case bool:
			e.bools = append(e.bools, v)
		case nil:
			e.null = true
		case map[string]any, []any:
			e.compound = true
		default:
			// jsonschema compares numbers by the rational value of their
			// decimal form; one that does not parse never equals anything.
			if r, ok := new(big.Rat).SetString(fmt.Sprint(v)); ok {
				e.nums = append(e.nums, r)
			}
		}
	}
	return e
}

// scalarVal is the value toJSON makes of a scalar, unboxed.
type scalarVal struct {
	t       jtype // one of tNull, tBool, tNumber, tString, tInvalid
	str     string
	b       bool
	i       int64
	isInt64 bool
	// num is a number that is not an int64 (float64 or uint64), as
	// toJSON boxes it.
	num any
}

// rat is the rational value jsonschema compares a number by.
func (s *scalarVal) rat() *big.Rat {
	if s.isInt64 {
		return new(big.Rat).SetInt64(s.i)
	}
	r, ok := new(big.Rat).SetString(fmt.Sprintf("%v", s.num))
	if !ok {
		return nil
	}
	return r
}

// isInteger is jsonschema's test of the "integer" type for a number.
func (s *scalarVal) isInteger() bool {
	if s.isInt64 {
		return true
	}
	r := s.rat()
	return r != nil && r.IsInt()
}

// scalarOf is scalar without boxing; the uncommon forms go through scalar
// itself so that the two cannot disagree.
func scalarOf(n *yaml.Node) scalarVal {
	switch n.ShortTag() {
	case "!!null":
		return scalarVal{t: tNull}
	case "!!bool":
		if b, err := strconv.ParseBool(n.Value); err == nil {
			return scalarVal{t: tBool, b: b}
		}
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			return scalarVal{t: tNumber, i: i, isInt64: true}
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return floatVal(f)
		}
	default:
		// A plain yes or off is a boolean to Kubernetes. The words are
		// short: the length test spares nearly every string the call.
		if len(n.Value) <= yamlpath.MaxBoolWord {
			if b, ok := yamlpath.YAML11Bool(n); ok {
				return scalarVal{t: tBool, b: b}
			}
		}
		return scalarVal{t: tString, str: n.Value}
	}
	switch v := scalar(n).(type) {
	case nil:
		return scalarVal{t: tNull}
	case bool:
		return scalarVal{t: tBool, b: v}
	case int64:
		return scalarVal{t: tNumber, i: v, isInt64: true}
	case float64:
		return floatVal(v)
	case uint64:
		return scalarVal{t: tNumber, num: v}
	case string:
		return scalarVal{t: tString, str: v}
	}
	return scalarVal{t: tInvalid}
}

func floatVal(f float64) scalarVal {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return scalarVal{t: tInvalid}
	}
	return scalarVal{t: tNumber, num: f}
}

// resolved follows what toJSON follows (documents, aliases) to the node
// whose value it takes; nil stands for a null value.
func resolved(n *yaml.Node) *yaml.Node {
	for {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		case yaml.AliasNode:
			if n.Alias == nil {
				return nil
			}
			n = n.Alias
		default:
			return n
		}
	}
}

// isNull reports whether toJSON makes nil of n, which drops a mapping
// entry.
func isNull(n *yaml.Node) bool {
	// The common case, a parsed scalar with its resolved tag, without
	// ShortTag's work.
	if n.Kind == yaml.ScalarNode && len(n.Tag) > 2 && n.Tag[0] == '!' && n.Tag[1] == '!' {
		return n.Tag == "!!null"
	}
	n = resolved(n)
	if n == nil {
		return true
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		return false
	}
	return n.ShortTag() == "!!null"
}

// fastValid reports whether the object in n is certainly valid against
// the schema f: false means invalid or not known.
func fastValid(f *fnode, n *yaml.Node) bool {
	if f == nil || n == nil {
		return false
	}
	// A separate counting pass keeps check free of toJSON's bounds. It
	// costs little: it reads the nodes in the order the parser allocated
	// them, and leaves them in the cache for check.
	w := safety{budget: maxNodes}
	return w.walk(n, 0) && f.check(n) == valid
}

// safety mirrors toJSON's bounds: it counts nodes (aliases expanded) and
// depth exactly as toJSON does, so that an object toJSON would refuse as
// too large is left to toJSON, and bounds the work of check on alias
// bombs. It also refuses merge keys, the one form check does not model.
type safety struct {
	budget int
}

// count spends one node of the budget at depth.
func (w *safety) count(depth int) bool {
	w.budget--
	return w.budget >= 0 && depth <= maxDepth
}

// walk reports whether toJSON converts n, at depth, within its bounds
// and without merge keys.
func (w *safety) walk(n *yaml.Node, depth int) bool {
	if !w.count(depth) {
		return false
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return true
		}
		return w.walk(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return true
		}
		return w.walk(n.Alias, depth+1)
	case yaml.SequenceNode:
		for _, it := range n.Content {
			if !w.leaf(it, depth+1) && !w.walk(it, depth+1) {
				return false
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if isMerge(n.Content[i]) {
				return false
			}
			if v := n.Content[i+1]; !w.leaf(v, depth+1) && !w.walk(v, depth+1) {
				return false
			}
		}
	}
	return true
}

// leaf counts a scalar as walk would, without the call; it reports false
// for any other node, or when the bounds are exceeded, for walk to decide.
func (w *safety) leaf(n *yaml.Node, depth int) bool {
	if n.Kind != yaml.ScalarNode || w.budget <= 0 || depth > maxDepth {
		return false
	}
	w.budget--
	return true
}

// and combines the verdicts of two conjuncts whose first is not invalid.
func and(a, b verdict) verdict {
	if b != valid {
		return b
	}
	return a
}

// check is jsonschema's validate reduced to its verdict.
func (f *fnode) check(n *yaml.Node) verdict {
	if f.unsupported {
		return unknown
	}
	if f.always != unknown {
		return f.always
	}
	n = resolved(n)
	t, r := f.self(n)
	if r == invalid {
		return invalid
	}
	switch t {
	case tObject:
		r = and(r, f.checkMapping(n))
	case tArray:
		r = and(r, f.checkSequence(n))
	}
	if r == invalid || !f.applicators {
		return r
	}
	return and(r, f.checkApplicators(n))
}

// self checks the keywords about the value itself (type, enum, and those
// of strings and numbers) of a resolved node, nil for null, and returns
// its JSON type.
func (f *fnode) self(n *yaml.Node) (jtype, verdict) {
	var t jtype
	var sv scalarVal
	switch {
	case n == nil:
		t = tNull
		sv.t = tNull
	case n.Kind == yaml.MappingNode:
		t = tObject
	case n.Kind == yaml.SequenceNode:
		t = tArray
	default:
		sv = scalarOf(n)
		t = sv.t
	}
	if t == tInvalid {
		return t, invalid
	}
	if f.types != 0 && f.types&t == 0 && (f.types&tInteger == 0 || t != tNumber || !sv.isInteger()) {
		return t, invalid
	}
	r := valid
	if f.enum != nil {
		if r = f.enum.match(t, &sv); r == invalid {
			return t, invalid
		}
	}
	switch t {
	case tString:
		r = and(r, f.checkString(sv.str))
	case tNumber:
		r = and(r, f.checkNumber(&sv))
		// Out of the format's range is no JSON Schema error: the
		// reporter's walk (apiserver.go) says what it is.
		if r == valid && f.intFmt != 0 && !f.intFmt.fits(&sv) {
			r = unknown
		}
	}
	return t, r
}

func (e *fenum) match(t jtype, sv *scalarVal) verdict {
	switch t {
	case tString:
		for _, s := range e.strs {
			if s == sv.str {
				return valid
			}
		}
	case tBool:
		for _, b := range e.bools {
			if b == sv.b {
				return valid
			}
		}
	case tNull:
		if e.null {
			return valid
		}
	case tNumber:
		if len(e.nums) > 0 {
			if r := sv.rat(); r != nil {
				for _, x := range e.nums {
					if r.Cmp(x) == 0 {
						return valid
					}
				}
			}
		}
	case tObject, tArray:
		if e.compound {
			return unknown
		}
	}
	return invalid
}

// smallMapping is the size up to which duplicate keys are found by
// comparing every pair, cheaper than a set for the mappings of manifests.
const smallMapping = 16

func (f *fnode) checkMapping(m *yaml.Node) verdict {
	c := m.Content
	pairs := len(c) / 2
	var seen map[string]bool
	if pairs > smallMapping {
		seen = make(map[string]bool, pairs)
	}
	r := valid
	count := 0
	// Backwards, so that of repeated keys the last one, which toJSON
	// keeps, is met first.
	for i := 2*pairs - 2; i >= 0; i -= 2 {
		key := c[i].Value
		if seen != nil {
			if seen[key] {
				continue
			}
			seen[key] = true
		} else if laterKey(c, i, key) {
			continue
		}
		v := c[i+1]
		if isNull(v) {
			continue
		}
		count++
		var p *fnode
		if sub, ok := f.prop(key); ok {
			p = sub
		} else if f.addlFalse {
			return invalid
		} else {
			p = f.addl
		}
		if p != nil {
			r = and(r, p.check(v))
			if r == invalid {
				return invalid
			}
		}
	}
	if (f.minProps >= 0 && count < f.minProps) || (f.maxProps >= 0 && count > f.maxProps) {
		return invalid
	}
	for _, name := range f.required {
		if !present(c, name) {
			return invalid
		}
	}
	return r
}

// laterKey reports whether a key after the pair at i repeats key.
func laterKey(c []*yaml.Node, i int, key string) bool {
	for j := i + 2; j+1 < len(c); j += 2 {
		if c[j].Value == key {
			return true
		}
	}
	return false
}

// present reports whether toJSON's mapping has name: its last entry is
// not null.
func present(c []*yaml.Node, name string) bool {
	for i := len(c)/2*2 - 2; i >= 0; i -= 2 {
		if c[i].Value == name {
			return !isNull(c[i+1])
		}
	}
	return false
}

func (f *fnode) checkSequence(s *yaml.Node) verdict {
	if (f.minItems >= 0 && len(s.Content) < f.minItems) || (f.maxItems >= 0 && len(s.Content) > f.maxItems) {
		return invalid
	}
	r := valid
	if f.items != nil {
		for _, it := range s.Content {
			r = and(r, f.items.check(it))
			if r == invalid {
				return invalid
			}
		}
	}
	// A repeated entry is no JSON Schema error either.
	if r == valid && f.list != nil && len(s.Content) > 1 && f.list.mayRepeat(s.Content) {
		r = unknown
	}
	return r
}

func (f *fnode) checkString(s string) verdict {
	if f.minLen >= 0 || f.maxLen >= 0 {
		l := utf8.RuneCountInString(s)
		if (f.minLen >= 0 && l < f.minLen) || (f.maxLen >= 0 && l > f.maxLen) {
			return invalid
		}
	}
	if f.pattern != nil && !f.pattern.MatchString(s) {
		return invalid
	}
	return valid
}

func (f *fnode) checkNumber(sv *scalarVal) verdict {
	if (f.minimum != nil && f.minimum.cmp(sv) < 0) ||
		(f.maximum != nil && f.maximum.cmp(sv) > 0) ||
		(f.exclMinimum != nil && f.exclMinimum.cmp(sv) <= 0) ||
		(f.exclMaximum != nil && f.exclMaximum.cmp(sv) >= 0) {
		return invalid
	}
	return valid
}

// checkApplicators evaluates not, allOf, anyOf, oneOf and if/then/else on
// the same value.
func (f *fnode) checkApplicators(n *yaml.Node) verdict {
	r := valid
	if f.not != nil {
		switch f.not.check(n) {
		case valid:
			return invalid
		case unknown:
			r = unknown
		}
	}
	for _, s := range f.allOf {
		r = and(r, s.check(n))
		if r == invalid {
			return invalid
		}
	}
	if len(f.anyOf) > 0 {
		some := invalid
		for _, s := range f.anyOf {
			v := s.check(n)
			if v == valid {
				some = valid
				break
			}
			if v == unknown {
				some = unknown
			}
		}
		if r = and(r, some); r == invalid {
			return invalid
		}
	}
	if len(f.oneOf) > 0 {
		matched, unsure := 0, false
		for _, s := range f.oneOf {
			switch s.check(n) {
			case valid:
				matched++
			case unknown:
				unsure = true
			}
			if matched > 1 {
				return invalid
			}
		}
		one := invalid
		switch {
		case unsure:
			one = unknown
		case matched == 1:
			one = valid
		}
		if r = and(r, one); r == invalid {
			return invalid
		}
	}
	if f.ifs != nil {
		var branch *fnode
		switch f.ifs.check(n) {
		case valid:
			branch = f.then
		case invalid:
			branch = f.els
		default:
			return unknown
		}
		if branch != nil {
			r = and(r, branch.check(n))
		}
	}
	return r
}

// propTable is a perfect hash of a schema's property names. Looking up
// every key of every object in a Go map was the largest cost of the fast
// path; the hash reads four bytes of the key instead of all of it.
type propTable struct {
	mul   uint32
	shift uint8
	slots []propSlot
}

type propSlot struct {
	name string
	node *fnode
}

func propHash(key string, mul uint32, shift uint8) uint32 {
	n := len(key)
	if n == 0 {
		return 0
	}
	h := uint32(n) | uint32(key[0])<<8 | uint32(key[n/2])<<16 | uint32(key[n-1])<<24 //nolint:gosec // G115: a hash, where a length that wraps is fine
	return (h * mul) >> shift
}

// newPropTable finds a multiplier under which the names do not collide,
// in a table of up to eight times their number; it returns an empty
// table, for prop to use the map, when there is none.
func newPropTable(props map[string]*fnode) propTable {
	bits := uint8(1)
	for 1<<bits < len(props) {
		bits++
	}
	// A fixed sequence of odd multipliers keeps the build deterministic.
	mul := uint32(0x9E3779B1)
	for b := bits; b <= bits+3 && b < 32; b++ {
		shift := 32 - b
		// One table per size, cleared for each multiplier: a new one for
		// each try was half of what compiling the schemas allocated.
		slots := make([]propSlot, 1<<b)
		for range 64 {
			clear(slots)
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

// prop returns the schema of property key.
func (f *fnode) prop(key string) (*fnode, bool) {
	t := &f.table
	if t.slots == nil {
		p, ok := f.props[key]
		return p, ok
	}
	s := &t.slots[propHash(key, t.mul, t.shift)]
	if s.node != nil && s.name == key {
		return s.node, true
	}
	return nil, false
}

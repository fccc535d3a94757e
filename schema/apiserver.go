package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Two things the API server refuses that JSON Schema does not say, and so
// neither jsonschema nor the fast path's JSON Schema semantics see:
//
//   - a list of x-kubernetes-list-type set with an item twice, or of type
//     map with two entries of the same x-kubernetes-list-map-keys values:
//     apiextensions-apiserver's listtype.ValidateListSetsAndMaps answers
//     "Duplicate value", at the second entry. It compares the values
//     unstructured JSON decodes to, a missing key taking its default,
//     which the API server fills in before validating.
//   - an integer outside the range of its format, int32 or int64:
//     kube-openapi's numberValidator (IsValueValidAgainstRange) refuses
//     it in a custom resource when the field's one type is integer
//     ("Checked value must be of type integer with format int32"), and
//     for a built-in kind the JSON decoder refuses it, the Go field being
//     an int32 or int64.
//
// The fast path answers "unknown" for an object where either may happen,
// and the reporter's walk (apiServer) decides and writes the message.

// intFormat is the format of an integer field.
type intFormat uint8

const (
	int32Format intFormat = iota + 1
	int64Format
)

func (f intFormat) String() string {
	if f == int32Format {
		return "int32"
	}
	return "int64"
}

// bounds returns the range of the format.
func (f intFormat) bounds() (lo, hi int64) {
	if f == int32Format {
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// docIntFormat reads the format of an integer field. kube-openapi
// enforces it only when integer is the field's one type (nullable aside).
func docIntFormat(s map[string]any, types jtype) intFormat {
	if types&^tNull != tInteger {
		return 0
	}
	switch s["format"] {
	case "int32":
		return int32Format
	case "int64":
		return int64Format
	}
	return 0
}

// fits reports whether a number is certainly within the format's range;
// false also for the rare numbers that are not an int64, which the
// reporter looks at closely.
func (f intFormat) fits(sv *scalarVal) bool {
	if !sv.isInt64 {
		return false
	}
	lo, hi := f.bounds()
	return sv.i >= lo && sv.i <= hi
}

// listSpec is a list's x-kubernetes-list-type, set or map.
type listSpec struct {
	set bool
	// keys are the x-kubernetes-list-map-keys of a map.
	keys []string
	// defaults holds, for each key, its default in the item's schema,
	// as toJSON would make it, unless noDefault[i].
	defaults  []scalarVal
	noDefault []bool
	// required is set for the keys that the item's schema requires: an
	// entry without one is the schema's finding, not a duplicate.
	required []bool
}

// docList reads a list's x-kubernetes-list-type; nil for atomic or none.
func docList(s map[string]any) *listSpec {
	switch s["x-kubernetes-list-type"] {
	case "set":
		return &listSpec{set: true}
	case "map":
	default:
		return nil
	}
	keys, _ := s["x-kubernetes-list-map-keys"].([]any)
	if len(keys) == 0 {
		return nil // the API server refuses such a CRD
	}
	items, _ := s["items"].(map[string]any)
	props, _ := items["properties"].(map[string]any)
	req, _ := items["required"].([]any)
	l := &listSpec{}
	for _, k := range keys {
		k, ok := k.(string)
		if !ok {
			return nil
		}
		l.keys = append(l.keys, k)
		prop, _ := props[k].(map[string]any)
		d, ok := defaultVal(prop["default"])
		l.defaults = append(l.defaults, d)
		l.noDefault = append(l.noDefault, !ok)
		required := false
		for _, x := range req {
			required = required || x == k
		}
		l.required = append(l.required, required)
	}
	return l
}

// defaultVal turns a scalar default of a schema document into the value
// toJSON makes of the same YAML.
func defaultVal(d any) (scalarVal, bool) {
	switch d := d.(type) {
	case string:
		return scalarVal{t: tString, str: d}, true
	case bool:
		return scalarVal{t: tBool, b: d}, true
	case json.Number:
		if i, err := d.Int64(); err == nil {
			return scalarVal{t: tNumber, i: i, isInt64: true}, true
		}
		if f, err := d.Float64(); err == nil {
			return floatVal(f), true
		}
	}
	return scalarVal{}, false
}

// maxPairwise bounds the lists whose entries the fast path compares
// pair by pair; a longer one is left to the reporter.
const maxPairwise = 64

// mayRepeat reports whether two items of a list may be the same to the
// API server. It errs towards yes: the reporter decides.
func (l *listSpec) mayRepeat(items []*yaml.Node) bool {
	if len(items) > maxPairwise {
		return true
	}
	for i := 1; i < len(items); i++ {
		for j := range i {
			if l.maySame(items[j], items[i]) {
				return true
			}
		}
	}
	return false
}

func (l *listSpec) maySame(a, b *yaml.Node) bool {
	a, b = resolved(a), resolved(b)
	if l.set {
		if a == nil || b == nil {
			return a == b
		}
		if a.Kind != yaml.ScalarNode || b.Kind != yaml.ScalarNode {
			return true
		}
		va, vb := scalarOf(a), scalarOf(b)
		return sameScalar(&va, &vb)
	}
	if a == nil || b == nil {
		return false // the API server skips a null entry
	}
	if a.Kind != yaml.MappingNode || b.Kind != yaml.MappingNode {
		return true
	}
	for i := range l.keys {
		va, oka := l.keyVal(a, i)
		vb, okb := l.keyVal(b, i)
		if oka && okb && !sameScalar(&va, &vb) {
			return false
		}
	}
	return true
}

// keyVal returns the value of key i in an entry, its default when it is
// missing, or a zero scalarVal (t 0) when it has none; ok is false when
// the entry's form is beyond this quick look.
func (l *listSpec) keyVal(m *yaml.Node, i int) (scalarVal, bool) {
	c := m.Content
	for j := len(c)/2*2 - 2; j >= 0; j -= 2 {
		if isMerge(c[j]) {
			return scalarVal{}, false
		}
	}
	for j := len(c)/2*2 - 2; j >= 0; j -= 2 {
		if c[j].Value != l.keys[i] {
			continue
		}
		// A null value is dropped, as toJSON drops it: the key is
		// missing.
		if v := resolved(c[j+1]); v != nil && !isNull(v) {
			if v.Kind != yaml.ScalarNode {
				return scalarVal{}, false
			}
			return scalarOf(v), true
		}
		break
	}
	if l.noDefault[i] {
		return scalarVal{}, true
	}
	return l.defaults[i], true
}

// sameScalar reports whether two scalars may decode to the same value;
// numbers are compared by value, since YAML writes 80 and 80.0 for the
// JSON number 80.
func sameScalar(a, b *scalarVal) bool {
	if a.t != b.t {
		return false
	}
	switch a.t {
	case tString:
		return a.str == b.str
	case tBool:
		return a.b == b.b
	case tNumber:
		if a.isInt64 && b.isInt64 {
			return a.i == b.i
		}
		ra, rb := a.rat(), b.rat()
		return ra == nil || rb == nil || ra.Cmp(rb) == 0
	}
	return true
}

// apiServer adds to r what the API server refuses beyond JSON Schema in
// the value v at node n (nil when the YAML could not be followed, which
// it always can) and below; path is its field path, listPath the same
// with "[]" for every index.
func (r *reporter) apiServer(f *fnode, v any, n *yaml.Node, path, listPath string) {
	if f == nil || !f.extras {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			// With the status subresource, which every CRD meshlint
			// knows has, the API server resets the status of a create
			// or an update before it validates; built-in kinds do
			// likewise.
			if path == "" && k == "status" {
				continue
			}
			p, ok := f.prop(k)
			if !ok {
				p = f.addl
			}
			if p == nil || !p.extras {
				continue
			}
			_, c := lookup(n, k)
			r.apiServer(p, v[k], c, join(path, k), join(listPath, k))
		}
	case []any:
		if f.list != nil {
			r.duplicates(f, v, n, path, listPath)
		}
		if f.items == nil || !f.items.extras {
			return
		}
		for i, x := range v {
			_, c := lookup(n, strconv.Itoa(i))
			r.apiServer(f.items, x, c, path+"["+strconv.Itoa(i)+"]", listPath+"[]")
		}
	case int64, uint64, float64:
		if f.intFmt != 0 {
			r.intRange(f, v, n, path)
		}
	}
}

// intRange reports an integer outside its format's range, unless the
// schema's own minimum or maximum already rejects it.
func (r *reporter) intRange(f *fnode, v any, n *yaml.Node, path string) {
	x := new(big.Rat)
	switch v := v.(type) {
	case int64:
		x.SetInt64(v)
	case uint64:
		x.SetUint64(v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) || v != math.Trunc(v) {
			return // not an integer: the schema's type says so
		}
		x.SetFloat64(v)
	}
	lo, hi := f.intFmt.bounds()
	if x.Cmp(new(big.Rat).SetInt64(lo)) >= 0 && x.Cmp(new(big.Rat).SetInt64(hi)) <= 0 {
		return
	}
	if f.minimum != nil && x.Cmp(f.minimum.rat) < 0 || f.maximum != nil && x.Cmp(f.maximum.rat) > 0 ||
		f.exclMinimum != nil && x.Cmp(f.exclMinimum.rat) <= 0 || f.exclMaximum != nil && x.Cmp(f.exclMaximum.rat) >= 0 {
		return
	}
	r.addList(n, path, "", at(path, fmt.Sprintf("%s is out of the range of format %s (%d to %d), so the API server rejects the %s",
		x.RatString(), f.intFmt, lo, hi, r.kind)))
}

// duplicates reports the repeated entries of a list of type set or map
// as listtype.ValidateListSetsAndMaps does: of a set, the second copy
// of an item (not the third); of a map, every entry whose keys an
// earlier entry has.
func (r *reporter) duplicates(f *fnode, items []any, n *yaml.Node, path, listPath string) {
	l := f.list
	if len(items) < 2 {
		return
	}
	type first struct{ i, times int }
	seen := map[string]*first{}
	for i, x := range items {
		var id, shown, why string
		if l.set {
			id = canonical(x)
			shown = errorValue(x)
			why = "the list is a set (x-kubernetes-list-type: set), and entry %d (line %d) is the same"
		} else {
			m, ok := x.(map[string]any)
			if !ok {
				continue // null, skipped by the API server; another type is the schema's
			}
			keyMap := map[string]any{}
			var b strings.Builder
			skip := false
			for k, key := range l.keys {
				kv, ok := m[key]
				switch {
				case ok:
				case !l.noDefault[k]:
					kv = l.defaults[k].value()
				case l.required[k]:
					skip = true // the schema reports the missing key
				default:
					kv = unspecified{}
				}
				if _, un := kv.(unspecified); !un {
					keyMap[key] = kv
				}
				b.WriteString(canonical(kv))
				b.WriteByte(0)
			}
			if skip {
				continue
			}
			id = b.String()
			shown = errorValue(keyMap)
			same := strings.Join(l.keys, " and ")
			why = "the list is keyed by " + same + " (x-kubernetes-list-type: map), and entry %d (line %d) has the same " + same
		}
		p, ok := seen[id]
		if !ok {
			seen[id] = &first{i: i, times: 1}
			continue
		}
		p.times++
		if l.set && p.times > 2 {
			continue
		}
		_, c := lookup(n, strconv.Itoa(i))
		_, fc := lookup(n, strconv.Itoa(p.i))
		where := fmt.Sprintf("%s[%d]", path, i)
		r.addList(c, where, listPath, fmt.Sprintf("%s: Duplicate value: %s: "+why+", so the API server rejects the %s",
			where, shown, p.i, manifest.LocOf(fc).Line, r.kind))
	}
}

// unspecified is a missing key without a default, which the API server
// compares equal to another missing one.
type unspecified struct{}

// value boxes a scalar as toJSON does.
func (s scalarVal) value() any {
	switch s.t {
	case tString:
		return s.str
	case tBool:
		return s.b
	case tNumber:
		if s.isInt64 {
			return s.i
		}
		return s.num
	}
	return nil
}

// canonical is the identity of a value to the API server: the Go value
// that unstructured JSON decodes to, scalars by type and value, compound
// values by their JSON. A float that is an integer is the int64 it
// decodes to, since the YAML-to-JSON conversion writes it as one.
func canonical(v any) string {
	switch v := v.(type) {
	case nil:
		return "n"
	case unspecified:
		return "u"
	case string:
		return "s" + v
	case bool:
		return "b" + strconv.FormatBool(v)
	case int64:
		return "i" + strconv.FormatInt(v, 10)
	case uint64:
		return "f" + strconv.FormatUint(v, 10)
	case float64:
		if v == math.Trunc(v) && v >= math.MinInt64 && v < math.MaxInt64 {
			return "i" + strconv.FormatInt(int64(v), 10)
		}
		return "f" + strconv.FormatFloat(v, 'g', -1, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("c%#v", v)
	}
	return "c" + string(b)
}

// errorValue renders a value as field.Error's ErrorBody does: strings
// quoted, other scalars plain, anything else as JSON.
func errorValue(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case int64, float64, bool:
		return fmt.Sprint(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// addList is add with the path of the list whose entry is repeated.
func (r *reporter) addList(n *yaml.Node, path, listPath, msg string) {
	before := len(r.out)
	r.add(n, path, msg)
	if len(r.out) > before {
		r.out[len(r.out)-1].List = listPath
	}
}

package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var printer = message.NewPrinter(language.English)

// reporter turns a jsonschema error tree into violations in plain words,
// each at the YAML node it is about.
type reporter struct {
	kind     kinds.Kind
	root     *yaml.Node
	value    any
	doc      any
	fallback manifest.Loc
	seen     map[string]bool
	out      []Violation
}

// place is an instance location resolved against the YAML and the value.
type place struct {
	path string
	// key is the mapping key of the last token (nil for a list item or
	// the object itself); node is its value.
	key, node *yaml.Node
	// at is where a problem with the value is reported: the value, or its
	// key when the value is a mapping or list, which in block style starts
	// on the next line.
	at    *yaml.Node
	value any
}

// resolve walks an instance location. Should the YAML not follow (the value
// was made from it, so it always should), the deepest node reached is kept.
func (r *reporter) resolve(loc []string) place {
	p := place{node: r.root, value: r.value}
	lost := false
	var b strings.Builder
	for _, tok := range loc {
		switch v := p.value.(type) {
		case []any:
			fmt.Fprintf(&b, "[%s]", tok)
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(v) {
				p.value = v[i]
			}
		case map[string]any:
			if plainKey.MatchString(tok) {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(tok)
			} else {
				fmt.Fprintf(&b, "[%s]", strconv.Quote(tok))
			}
			p.value = v[tok]
		}
		if lost {
			continue
		}
		k, n := lookup(p.node, tok)
		if n == nil {
			lost = true
			continue
		}
		p.key, p.node = k, n
	}
	p.path = b.String()
	p.at = p.node
	if k := deref(p.node).Kind; p.key != nil && (k == yaml.MappingNode || k == yaml.SequenceNode) {
		p.at = p.key
	}
	return p
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func (r *reporter) add(n *yaml.Node, path, msg string) {
	loc := manifest.LocOf(n)
	if loc.IsZero() {
		loc = r.fallback
	}
	key := fmt.Sprintf("%d:%d:%s", loc.Line, loc.Col, msg)
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	r.out = append(r.out, Violation{Loc: loc, Path: path, Msg: msg})
}

// at prefixes a message with its path ("spec.host: ...").
func at(path, msg string) string {
	if path == "" {
		return msg
	}
	return path + ": " + msg
}

func (r *reporter) collect(e *jsonschema.ValidationError) {
	p := r.resolve(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.AllOf, *kind.Reference:
		for _, c := range e.Causes {
			r.collect(c)
		}
	case *kind.AdditionalProperties:
		for _, prop := range k.Properties {
			pk, pv := lookup(p.node, prop)
			n := pk
			if n == nil {
				n = pv
			}
			if n == nil {
				n = p.at
			}
			msg := fmt.Sprintf("unknown field %q", prop)
			if p.path != "" {
				msg += " in " + p.path
			}
			if s := closest(prop, r.propertyNames(e.SchemaURL)); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			r.add(n, join(p.path, prop), msg)
		}
	case *kind.Required:
		n := p.key
		if n == nil {
			n = p.node
		}
		for _, m := range k.Missing {
			if notRequired[string(r.kind)+" "+join(p.path, m)] {
				continue
			}
			r.add(n, join(p.path, m), join(p.path, m)+" is required")
		}
	case *kind.Type:
		r.add(p.at, p.path, at(p.path, typeMessage(k.Want, k.Got, p.value)+boolNote(p, k.Want)+numberNote(p, k.Want)))
	case *kind.AnyOf, *kind.OneOf:
		if oo, ok := k.(*kind.OneOf); ok && len(oo.Subschemas) == 2 {
			r.add(p.at, p.path, at(p.path, r.oneOfMessage(e.SchemaURL, oo.Subschemas)))
			return
		}
		if want, got, ok := onlyTypes(e, e.InstanceLocation); ok {
			r.add(p.at, p.path, at(p.path, typeMessage(want, got, p.value)+boolNote(p, want)+numberNote(p, want)))
			return
		}
		keyword := "anyOf"
		if _, ok := k.(*kind.OneOf); ok {
			keyword = "oneOf"
		}
		if msg := r.missingAlternatives(e.SchemaURL, keyword, p.value); msg != "" {
			r.add(p.at, p.path, at(p.path, msg))
			return
		}
		r.add(p.at, p.path, at(p.path, "does not match any of the allowed forms"))
	case *kind.Enum:
		var want []string
		for _, w := range k.Want {
			if s, ok := w.(string); ok {
				want = append(want, s)
			} else {
				want = append(want, display(w))
			}
		}
		sort.Strings(want)
		msg := fmt.Sprintf("%s is not one of %s", display(k.Got), strings.Join(want, ", "))
		if s, ok := k.Got.(string); ok {
			if g := closest(s, want); g != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", g)
			}
		}
		msg += boolNote(p, nil)
		r.add(p.at, p.path, at(p.path, msg))
	case *kind.Const:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("must be %s, not %s", display(k.Want), display(k.Got))+boolNote(p, nil)))
	case *kind.Minimum:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("%s is less than the minimum %s", k.Got.RatString(), k.Want.RatString())))
	case *kind.Maximum:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("%s is more than the maximum %s", k.Got.RatString(), k.Want.RatString())))
	case *kind.ExclusiveMinimum:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("%s must be more than %s", k.Got.RatString(), k.Want.RatString())))
	case *kind.ExclusiveMaximum:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("%s must be less than %s", k.Got.RatString(), k.Want.RatString())))
	case *kind.MinItems:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("needs at least %d %s, has %d", k.Want, plural(k.Want, "item"), k.Got)))
	case *kind.MaxItems:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("allows at most %d %s, has %d", k.Want, plural(k.Want, "item"), k.Got)))
	case *kind.MinProperties:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("needs at least %d %s, has %d", k.Want, plural(k.Want, "entry"), k.Got)))
	case *kind.MaxProperties:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("allows at most %d %s, has %d", k.Want, plural(k.Want, "entry"), k.Got)))
	case *kind.MinLength:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("must be at least %d %s long, is %d", k.Want, plural(k.Want, "character"), k.Got)))
	case *kind.MaxLength:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("must be at most %d %s long, is %d", k.Want, plural(k.Want, "character"), k.Got)))
	case *kind.Pattern:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("%q does not match the pattern %s", k.Got, k.Want)))
	case *kind.UniqueItems:
		r.add(p.at, p.path, at(p.path, fmt.Sprintf("items %d and %d are equal, but must be unique", k.Duplicates[0], k.Duplicates[1])))
	default:
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				r.collect(c)
			}
			return
		}
		r.add(p.at, p.path, at(p.path, e.ErrorKind.LocalizedString(printer)))
	}
}

// notRequired lists fields, as "Kind path", that a schema marks required
// but the API server accepts without: reporting them would be a false
// positive. StatefulSet serviceName has never been checked by the API
// server, and k8s.io/api marks it +optional from 1.33 on.
var notRequired = map[string]bool{
	"StatefulSet spec.serviceName": true,
}

// join appends a field name to a path.
func join(path, field string) string {
	if !plainKey.MatchString(field) {
		return path + "[" + strconv.Quote(field) + "]"
	}
	if path == "" {
		return field
	}
	return path + "." + field
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	if strings.HasSuffix(word, "y") {
		return strings.TrimSuffix(word, "y") + "ies"
	}
	return word + "s"
}

// typeNames are the JSON types in the words of a YAML author.
var typeNames = map[string]string{
	"object":  "mapping",
	"array":   "list",
	"integer": "integer",
	"number":  "number",
	"string":  "string",
	"boolean": "boolean",
	"null":    "null",
}

func typeName(t string) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return t
}

// typeMessage says "expected integer, got string "50"". Null is dropped
// from the expected types: a null field is pruned before validation, so it
// is never the fix.
func typeMessage(want []string, got string, value any) string {
	var ws []string
	for _, w := range want {
		if w != "null" {
			ws = append(ws, typeName(w))
		}
	}
	if len(ws) == 0 {
		ws = []string{"null"}
	}
	// The validator calls every number "number"; say "integer" when it is.
	switch v := value.(type) {
	case int64, uint64:
		got = "integer"
	case float64:
		if v == float64(int64(v)) {
			got = "integer"
		}
	}
	msg := fmt.Sprintf("expected %s, got %s", strings.Join(ws, " or "), typeName(got))
	switch value.(type) {
	case string, bool, int64, uint64, float64:
		msg += " " + display(value)
	}
	return msg
}

// boolNote explains a boolean value written as a plain yes, on, y, no, off
// or n, which Kubernetes reads as a boolean where the author likely meant
// a string: " (Kubernetes reads the unquoted yes as the boolean true)",
// with "; quote it" when a string is among the types wanted. It is "" for
// any other value.
func boolNote(p place, want []string) string {
	if _, ok := p.value.(bool); !ok || p.node == nil {
		return ""
	}
	note := yamlpath.BoolNote(deref(p.node))
	if note == "" {
		return ""
	}
	if slices.Contains(want, "string") {
		key := ""
		if p.key != nil {
			key = p.key.Value
		}
		note += "; " + yamlpath.StringFix(deref(p.node), key)
	}
	return " (" + note + ")"
}

// numberNote explains a number whose text YAML does not keep, where a
// string is wanted: version: 1.0 reaches the API server as 1, 1e3 as 1000,
// 0x10 as 16. The message shows the value read; the note shows what was
// written, and that quoting keeps it: " (written 1.0, which YAML reads
// as the number 1; quote it)". It is "" for a number read as written.
func numberNote(p place, want []string) string {
	switch p.value.(type) {
	case int64, uint64, float64, json.Number:
	default:
		return ""
	}
	n := deref(p.node)
	if n == nil || n.Kind != yaml.ScalarNode || n.Style != 0 || !slices.Contains(want, "string") {
		return ""
	}
	if read := display(p.value); n.Value != read {
		return fmt.Sprintf(" (written %s, which YAML reads as the number %s; quote it)", n.Value, read)
	}
	return ""
}

// onlyTypes reports whether every leaf cause of an anyOf/oneOf is a type
// mismatch at the same place (the int-or-string and quantity forms), and
// merges them.
func onlyTypes(e *jsonschema.ValidationError, loc []string) (want []string, got string, ok bool) {
	seen := map[string]bool{}
	var walk func(*jsonschema.ValidationError) bool
	walk = func(e *jsonschema.ValidationError) bool {
		switch k := e.ErrorKind.(type) {
		case *kind.Type:
			if strings.Join(e.InstanceLocation, "/") != strings.Join(loc, "/") {
				return false
			}
			got = k.Got
			for _, w := range k.Want {
				if !seen[w] {
					seen[w] = true
					want = append(want, w)
				}
			}
			return true
		case *kind.AnyOf, *kind.OneOf, *kind.Group, *kind.AllOf, *kind.Reference:
			if len(e.Causes) == 0 {
				return false
			}
			for _, c := range e.Causes {
				if !walk(c) {
					return false
				}
			}
			return true
		}
		return false
	}
	for _, c := range e.Causes {
		if !walk(c) {
			return nil, "", false
		}
	}
	return want, got, len(want) > 0
}

// oneOfMessage explains a oneOf that matched twice. Istio's CRDs encode "at
// most one of these fields" as oneOf [not anyOf [required a, required b…],
// required a, required b…]; two matching branches then name two fields
// set together.
func (r *reporter) oneOfMessage(schemaURL string, matched []int) string {
	s, _ := r.schemaAt(schemaURL).(map[string]any)
	branches, _ := s["oneOf"].([]any)
	var names []string
	for _, b := range branches {
		bm, _ := b.(map[string]any)
		if req, ok := bm["required"].([]any); ok && len(req) == 1 {
			names = append(names, fmt.Sprint(req[0]))
		}
	}
	var set []string
	for _, i := range matched {
		if i < len(branches) {
			bm, _ := branches[i].(map[string]any)
			if req, ok := bm["required"].([]any); ok && len(req) == 1 {
				set = append(set, fmt.Sprint(req[0]))
			}
		}
	}
	if len(names) >= 2 && len(set) == 2 {
		return fmt.Sprintf("%s and %s are both set; set only one of %s", set[0], set[1], strings.Join(names, ", "))
	}
	return "matches more than one of the allowed forms"
}

// missingAlternatives explains an anyOf or oneOf that no branch matched,
// when each branch only requires fields: "needs address or secretRef", the
// fields each branch requires that value lacks, with those all of them
// lack first ("needs interval and threshold, and iterations, stepWeight or
// stepWeights"). It returns "" for other branches, or when a branch's
// fields are all there (then what fails is not a missing field).
func (r *reporter) missingAlternatives(schemaURL, keyword string, value any) string {
	s, _ := r.schemaAt(schemaURL).(map[string]any)
	branches, _ := s[keyword].([]any)
	obj, ok := value.(map[string]any)
	if !ok || len(branches) < 2 {
		return ""
	}
	var alternatives [][]string
	for _, b := range branches {
		bm, _ := b.(map[string]any)
		req, ok := bm["required"].([]any)
		if !ok || len(bm) != 1 {
			return ""
		}
		var missing []string
		for _, f := range req {
			if _, has := obj[fmt.Sprint(f)]; !has {
				missing = append(missing, fmt.Sprint(f))
			}
		}
		if len(missing) == 0 {
			return ""
		}
		alternatives = append(alternatives, missing)
	}
	var common []string
	for _, f := range alternatives[0] {
		inAll := true
		for _, a := range alternatives[1:] {
			inAll = inAll && slices.Contains(a, f)
		}
		if inAll {
			common = append(common, f)
		}
	}
	var rest []string
	for _, a := range alternatives {
		var own []string
		for _, f := range a {
			if !slices.Contains(common, f) {
				own = append(own, f)
			}
		}
		if len(own) == 0 {
			// The fields all lack are enough for this branch.
			return "needs " + strings.Join(common, " and ")
		}
		rest = append(rest, strings.Join(own, " and "))
	}
	either := strings.Join(rest[:len(rest)-1], ", ") + " or " + rest[len(rest)-1]
	if len(common) == 0 {
		return "needs " + either
	}
	return "needs " + strings.Join(common, " and ") + ", and " + either
}

// propertyNames lists the properties an object schema declares.
func (r *reporter) propertyNames(schemaURL string) []string {
	s, _ := r.schemaAt(schemaURL).(map[string]any)
	props, _ := s["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// schemaAt returns the part of the schema document a schema URL's
// fragment (a JSON pointer) points at.
func (r *reporter) schemaAt(schemaURL string) any {
	_, frag, _ := strings.Cut(schemaURL, "#")
	v := r.doc
	if frag == "" {
		return v
	}
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// display renders a value as in YAML: strings quoted, others plain.
func display(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case json.Number:
		return v.String()
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprint(v)
}

// closest returns the candidate closest to s when it is close enough to be
// a likely typo: the same ignoring case, or at most two edits away (one for
// short words).
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if strings.EqualFold(c, s) {
			return c
		}
		limit := 2
		if len(s) <= 4 {
			limit = 1
		}
		if d := suggest.Distance(strings.ToLower(s), strings.ToLower(c)); d <= limit && d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

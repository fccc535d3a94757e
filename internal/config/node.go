package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Error is a mistake in a configuration file, at a line (0 when the file as
// a whole is wrong).
type Error struct {
	File string
	Line int
	Msg  string
}

// Error returns "file:line: message".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// decoder reads one file's nodes and collects its errors, so that a user
// sees every mistake of a file at once.
type decoder struct {
	file string
	// lineOffset is added to node lines: a MeshConfig embedded in a
	// ConfigMap string starts below the ConfigMap's first line.
	lineOffset int
	// fixedLine, when set, is the line of every error: the lines of a
	// quoted string's content cannot be mapped back.
	fixedLine int
	errs      []error
}

func (d *decoder) line(n *yaml.Node) int {
	if d.fixedLine > 0 {
		return d.fixedLine
	}
	if n == nil {
		return 0
	}
	return n.Line + d.lineOffset
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: d.line(n), Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) err() error { return errors.Join(d.errs...) }

// Join joins the errors of one file in line order, errors of no line
// first: the mistakes Parse finds and those its caller finds in what Parse
// returned (an unknown rule) then read as one list, top to bottom.
// Joined errors are flattened; nil errors are dropped.
func Join(errs ...error) error {
	var flat []error
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		} else if err != nil {
			flat = append(flat, err)
		}
	}
	for _, err := range errs {
		walk(err)
	}
	line := func(err error) int {
		var e *Error
		if errors.As(err, &e) {
			return e.Line
		}
		return 0
	}
	sort.SliceStable(flat, func(i, j int) bool { return line(flat[i]) < line(flat[j]) })
	return errors.Join(flat...)
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parseYAML decodes data, which must hold at most one document, and returns
// its root node (nil for an empty document).
func (d *decoder) parseYAML(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		d.syntaxError(err)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		d.syntaxError(err)
		return nil
	default:
		d.errorf(&next, "holds more than one YAML document")
		return nil
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0]
	}
	return nil
}

func (d *decoder) syntaxError(err error) {
	msg := err.Error()
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.errorf(&yaml.Node{Line: line}, "%s", strings.TrimPrefix(msg, m[0]))
		return
	}
	d.errorf(nil, "%s", strings.TrimPrefix(msg, "yaml: "))
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names what a node holds, for type errors.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if note := yamlpath.BoolNote(n); note != "" {
			return "a boolean (" + note + "; quote it)"
		}
		switch n.ShortTag() {
		case "!!int":
			return "an integer (" + n.Value + ")"
		case "!!float":
			return "a number (" + n.Value + ")"
		case "!!bool":
			return "a boolean (" + n.Value + ")"
		case "!!null":
			return "null"
		case "!!str":
			return strconv.Quote(n.Value)
		}
		return n.ShortTag() + " " + strconv.Quote(n.Value)
	}
	return "something else"
}

// mapping calls f for each key of a mapping node in document order. A null
// node is an empty mapping. keys lists the known keys: any other is
// reported, with a suggestion when one is close. where is the path of the
// mapping, for messages ("" at the top).
func (d *decoder) mapping(n *yaml.Node, where string, keys []string, f func(key string, k, v *yaml.Node)) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%swant a mapping, got %s", prefix(where), describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			d.errorf(k, "%skeys must be plain names", prefix(where))
			continue
		}
		key := k.Value
		if seen[key] {
			d.errorf(k, "duplicate key %q%s", key, in(where))
			continue
		}
		seen[key] = true
		if keys != nil && !contains(keys, key) {
			msg := fmt.Sprintf("unknown key %q%s", key, in(where))
			if s := nearKey(key, keys); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.errorf(k, "%s", msg)
			continue
		}
		f(key, k, v)
	}
}

func prefix(where string) string {
	if where == "" {
		return ""
	}
	return where + ": "
}

func in(where string) string {
	if where == "" {
		return ""
	}
	return " in " + where
}

// str reads a string scalar; null is "".
func (d *decoder) str(n *yaml.Node, where string) string {
	n = resolve(n)
	if isNull(n) {
		return ""
	}
	if _, isBool := yamlpath.YAML11Bool(n); n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || isBool {
		d.errorf(n, "%s: want a string, got %s", where, describe(n))
		return ""
	}
	return n.Value
}

// boolean reads a boolean scalar; null is nil.
func (d *decoder) boolean(n *yaml.Node, where string) *bool {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	// Istio reads MeshConfig with sigs.k8s.io/yaml: a plain yes or off
	// is a boolean, as in manifests (yamlpath.Bool).
	b, ok := yamlpath.Bool(n)
	if !ok {
		d.errorf(n, "%s: want true or false, got %s", where, describe(n))
		return nil
	}
	return &b
}

// item is a string of a list, with its node for later messages.
type item struct {
	value string
	node  *yaml.Node
}

// sequence returns the entries of a list; null is an empty list.
func (d *decoder) sequence(n *yaml.Node, where string) []*yaml.Node {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s: want a list, got %s", where, describe(n))
		return nil
	}
	return n.Content
}

// list reads a list of strings; null is an empty list.
func (d *decoder) list(n *yaml.Node, where string) []item {
	var out []item
	for i, c := range d.sequence(n, where) {
		c = resolve(c)
		if c.Kind != yaml.ScalarNode || c.ShortTag() != "!!str" {
			d.errorf(c, "%s[%d]: want a string, got %s", where, i, describe(c))
			continue
		}
		out = append(out, item{c.Value, c})
	}
	return out
}

// namespaceName reads a namespace name.
func (d *decoder) namespaceName(n *yaml.Node, where string) string {
	s := d.str(n, where)
	if s != "" && len(content.IsDNS1123Label(s)) > 0 {
		d.errorf(n, "%s: %q is not a valid namespace name", where, s)
		return ""
	}
	return s
}

// exportTo reads an exportTo list with Istio's rules: namespace names, "."
// (own namespace), "*" (every namespace) or "~" (none); "*" and "~" stand
// alone.
func (d *decoder) exportTo(n *yaml.Node, where string) []string {
	items := d.list(n, where)
	var out []string
	seen := map[string]bool{}
	for _, it := range items {
		v := it.value
		switch {
		case seen[v]:
			d.errorf(it.node, "%s: duplicate %q", where, v)
			return nil
		case (v == "*" || v == "~") && len(items) > 1:
			d.errorf(it.node, "%s: %q cannot be combined with other values", where, v)
			return nil
		case v != "*" && v != "~" && v != "." && len(content.IsDNS1123Label(v)) > 0:
			d.errorf(it.node, "%s: %q is not a namespace name, \".\", \"*\" or \"~\"", where, v)
			return nil
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}

// outboundMode reads an outboundTrafficPolicy mode. MeshConfig also takes
// the enum's numbers.
func (d *decoder) outboundMode(n *yaml.Node, where string) OutboundMode {
	n = resolve(n)
	if isNull(n) {
		return ""
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		switch n.Value {
		case "0":
			return RegistryOnly
		case "1":
			return AllowAny
		case "3":
			return AllowAnyDynamicDNS
		}
	}
	s := d.str(n, where)
	for _, m := range outboundModes {
		if s == string(m) {
			return m
		}
	}
	if s != "" {
		names := make([]string, len(outboundModes))
		for i, m := range outboundModes {
			names[i] = string(m)
		}
		d.errorf(n, "%s: unknown mode %q (want %s)", where, s, strings.Join(names, ", "))
	}
	return ""
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// nearKey returns the known key closest to key when it is close enough to
// be a typo: at most suggest.MaxEdits edits, in any case, the first in
// sorted order on a tie. Unlike suggest.Closest it also corrects short keys
// ("mdoe") and picks among ties: the message is only a hint, and the keys
// of a mapping are few and not alike.
func nearKey(key string, keys []string) string {
	best, bestDist := "", suggest.MaxEdits+1
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	for _, k := range sorted {
		if dist := suggest.Distance(strings.ToLower(key), strings.ToLower(k)); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

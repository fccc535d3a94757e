package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

type document struct {
	index int
	node  *yaml.Node
}

var errLine = regexp.MustCompile(`line (\d+)(?:, column (\d+))?`)

// parseDocuments decodes every YAML document of a whole file, so that line
// numbers stay absolute (kyaml's kio readers restart them per document). A
// syntax error ends the document it is in; decoding resumes at the next
// "---" so that later documents are still read.
func parseDocuments(file string, data []byte) ([]document, []*Error) {
	var docs []document
	var errs []*Error
	lineOffset, index := 0, 0
	for {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		var failedAt int
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				return docs, errs
			}
			if err != nil {
				e := yamlError(file, err, lineOffset)
				errs = append(errs, e)
				failedAt = e.Line - lineOffset
				break
			}
			if lineOffset > 0 {
				shiftLines(&n, lineOffset)
			}
			if len(n.Content) > 0 && !isNull(n.Content[0]) {
				docs = append(docs, document{index: index, node: n.Content[0]})
			}
			index++
		}
		// Resume after the next document separator below the error.
		next := nextSeparator(data, failedAt)
		if next < 0 {
			return docs, errs
		}
		lines := bytes.Count(data[:next], []byte{'\n'})
		data = data[next:]
		lineOffset += lines
		index++
	}
}

// nextSeparator returns the byte offset of the first "---" line that starts
// after line (1-based), or -1.
func nextSeparator(data []byte, line int) int {
	off, l := 0, 1
	for off < len(data) {
		end := bytes.IndexByte(data[off:], '\n')
		var text []byte
		if end < 0 {
			text = data[off:]
		} else {
			text = data[off : off+end]
		}
		if l > line && (bytes.Equal(bytes.TrimRight(text, " \t\r"), []byte("---")) || bytes.HasPrefix(text, []byte("--- "))) {
			return off
		}
		if end < 0 {
			break
		}
		off += end + 1
		l++
	}
	return -1
}

func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// yamlError turns a yaml.v3 error into an Error at the line it names.
func yamlError(file string, err error, lineOffset int) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{File: file, Msg: "invalid YAML"}
	if m := errLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Line += lineOffset
		if m[2] != "" {
			e.Col, _ = strconv.Atoi(m[2])
		}
		msg = strings.TrimLeft(strings.Replace(msg, m[0], "", 1), ": ")
	} else {
		e.Line = 1 + lineOffset
	}
	if e.Col == 0 {
		e.Col = 1
	}
	e.Err = errors.New(msg)
	return e
}

// objectsOf turns one document into objects, unwrapping List kinds.
func objectsOf(file string, index int, n *yaml.Node, defaultNS string, unmodelled map[string]int) ([]*Object, []*Error) {
	errAt := func(at *yaml.Node, format string, args ...any) *Error {
		return &Error{File: file, Loc: LocOf(at), Msg: fmt.Sprintf(format, args...)}
	}
	if n.Kind != yaml.MappingNode {
		return nil, []*Error{errAt(n, "document %d is a %s, not a Kubernetes object", index+1, kindName(n))}
	}
	apiVersion, kind := field(n, "apiVersion"), field(n, "kind")
	if kind == nil || apiVersion == nil {
		missing := "kind"
		if kind != nil {
			missing = "apiVersion"
		} else if apiVersion == nil {
			missing = "apiVersion and kind"
		}
		return nil, []*Error{errAt(n, "document %d has no %s: not a Kubernetes object", index+1, missing)}
	}
	if !isString(apiVersion) {
		return nil, []*Error{errAt(apiVersion, "apiVersion must be a string, not %s", kindName(apiVersion))}
	}
	if !isString(kind) || kind.Value == "" {
		return nil, []*Error{errAt(kind, "kind must be a non-empty string")}
	}
	if items := field(n, "items"); items != nil && strings.HasSuffix(kind.Value, "List") {
		if items.Kind != yaml.SequenceNode {
			return nil, []*Error{errAt(items, "%s items must be a list, not %s", kind.Value, kindName(items))}
		}
		var objs []*Object
		var errs []*Error
		for _, it := range items.Content {
			o, e := objectsOf(file, index, it, defaultNS, unmodelled)
			objs = append(objs, o...)
			errs = append(errs, e...)
		}
		return objs, errs
	}

	o := &Object{
		APIVersion: apiVersion.Value, Kind: kinds.Kind(kind.Value),
		File: file, Doc: index, Node: n, KindLoc: LocOf(kind), NameLoc: LocOf(kind),
	}
	o.Group, _ = kinds.SplitAPIVersion(o.APIVersion)
	if !kinds.Known(o.Group, o.Kind) {
		return nil, []*Error{errAt(kind, "unknown kind %q in API group %q", kind.Value, o.Group)}
	}
	if !kinds.Modelled(o.Group, o.Kind) {
		unmodelled[o.APIVersion+" "+kind.Value]++
		return nil, nil
	}
	var errs []*Error
	if meta := field(n, "metadata"); meta != nil {
		if meta.Kind != yaml.MappingNode {
			return nil, []*Error{errAt(meta, "metadata must be a mapping, not %s", kindName(meta))}
		}
		if v := field(meta, "name"); v != nil {
			if !isString(v) {
				errs = append(errs, errAt(v, "metadata.name must be a string, not %s", kindName(v)))
			}
			o.Name, o.NameLoc = v.Value, LocOf(v)
		}
		if v := field(meta, "namespace"); v != nil && v.Value != "" {
			if !isString(v) {
				errs = append(errs, errAt(v, "metadata.namespace must be a string, not %s", kindName(v)))
			}
			o.Namespace, o.NamespaceSet = v.Value, true
		}
		var e []*Error
		o.Labels, e = stringMap(file, meta, "labels")
		errs = append(errs, e...)
		o.Annotations, e = stringMap(file, meta, "annotations")
		errs = append(errs, e...)
	}
	if o.Name == "" && field(field(n, "metadata"), "generateName") == nil {
		errs = append(errs, errAt(kind, "%s has no metadata.name", kind.Value))
	}
	if o.Kind == kinds.Namespace {
		o.Namespace = o.Name
	} else if o.Namespace == "" {
		o.Namespace = defaultNS
	}
	return []*Object{o}, errs
}

func stringMap(file string, meta *yaml.Node, key string) (map[string]string, []*Error) {
	m := field(meta, key)
	if m == nil || isNull(m) {
		return nil, nil
	}
	if m.Kind != yaml.MappingNode {
		return nil, []*Error{{File: file, Loc: LocOf(m), Msg: fmt.Sprintf("metadata.%s must be a mapping, not %s", key, kindName(m))}}
	}
	out := make(map[string]string, len(m.Content)/2)
	var errs []*Error
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !isString(v) {
			errs = append(errs, &Error{File: file, Loc: LocOf(v), Msg: fmt.Sprintf("metadata.%s[%s] must be a string, not %s (quote it)", key, k.Value, kindName(v))})
			continue
		}
		out[k.Value] = v.Value
	}
	return out, errs
}

func isString(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

// kindName describes a node's type in the words a user would use.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "null"
		}
	}
	return "a " + strings.TrimPrefix(n.ShortTag(), "!!")
}

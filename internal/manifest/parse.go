package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/yamlfast"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

type document struct {
	index int
	node  *yaml.Node
	// unique is set when no mapping of the document has a key written
	// twice: the fast parser refuses those.
	unique bool
}

// parseFile is parseDocuments for a file whose comments are not needed
// (it has no directive): the fast parser reads the YAML that manifests
// are usually written in, and yaml.v3 the rest.
//
// slabs, when not nil, is the memory to cut the nodes from (yamlfast.Slabs),
// which also says that the nodes are dropped before data's memory is
// reused: their scalars are then cut from data itself
// (yamlfast.ParseInPlace), and whatever is kept of them must be copied.
func parseFile(file string, data []byte, comments bool, slabs *yamlfast.Slabs) ([]document, []*Error) {
	if comments {
		return parseDocuments(file, data)
	}
	parse := yamlfast.ParseReusing
	if slabs != nil {
		parse = yamlfast.ParseInPlace
	}
	nodes, ok := parse(slabs, data)
	if !ok {
		return parseDocuments(file, data)
	}
	docs := make([]document, 0, len(nodes))
	for i, n := range nodes {
		if len(n.Content) > 0 && !isNull(n.Content[0]) {
			docs = append(docs, document{index: i, node: n.Content[0], unique: true})
		}
	}
	return docs, nil
}

var errLine = regexp.MustCompile(`line (\d+)(?:, column (\d+))?`)

// parseDocuments decodes every YAML document of a whole file, so that line
// numbers stay absolute (kyaml's kio readers restart them per document). A
// syntax error ends the document it is in; decoding resumes at the next
// "---" so that later documents are still read.
func parseDocuments(file string, data []byte) ([]document, []*Error) {
	var docs []document
	var errs []*Error
	// yaml.v3 reports bad characters without a line, and its reader reads
	// ahead, so that it fails on documents before the bad one: find them
	// first and read them as U+FFFD.
	if e := checkChars(file, data); e != nil {
		errs = append(errs, e)
		data = sanitize(data)
	}
	// yaml.v3 reads a comment block of a CRLF file as if a blank line
	// followed each of its lines, which detaches every directive above a
	// node. YAML reads CRLF as LF everywhere, and the "\r" ends its line,
	// so dropping it moves no line or column.
	if bytes.Contains(data, []byte("\r\n")) {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	lastLine := lineAt(data, len(data))
	if bytes.HasSuffix(data, []byte{'\n'}) && lastLine > 1 {
		lastLine--
	}
	lineOffset, index := 0, 0
	for {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		var failedAt int
		// lastDoc is the line where the last document decoded from data
		// starts, 0 when there is none.
		lastDoc := 0
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				return docs, errs
			}
			if err != nil {
				// The error is in the document after the last one
				// decoded. The line yaml.v3 names is not enough to
				// find that document: it may be the "---" of the next
				// one (an unclosed bracket), or missing (an unknown
				// anchor, or an error on line 1).
				failedAt = failingDocStart(data, lastDoc)
				e := yamlError(file, err, lineOffset)
				if e.Line == 0 {
					e.Loc = LineCol(failedAt+lineOffset, 1)
					if m := errAnchor.FindStringSubmatch(e.Err.Error()); m != nil {
						if l, c := findAlias(data, failedAt, m[1]); l > 0 {
							e.Loc = LineCol(l+lineOffset, c)
						}
					}
				}
				e.Line = min(e.Line, Clamp32(lastLine))
				errs = append(errs, e)
				break
			}
			lastDoc = n.Line
			if lineOffset > 0 {
				shiftLines(&n, lineOffset)
			}
			if len(n.Content) > 0 && !isNull(n.Content[0]) {
				docs = append(docs, document{index: index, node: n.Content[0]})
			}
			index++
		}
		// Resume at the "---" that ends the failing document.
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

var errAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced`)

// failingDocStart returns the line where the document after the one that
// starts at line lastDoc begins (the first document when lastDoc is 0).
func failingDocStart(data []byte, lastDoc int) int {
	if lastDoc > 0 {
		if off := nextSeparator(data, lastDoc); off >= 0 {
			return lineAt(data, off)
		}
		return lastDoc
	}
	// The first document starts at line 1, unless only comments come
	// before its "---".
	off := nextSeparator(data, 0)
	if off < 0 {
		return 1
	}
	for _, l := range bytes.Split(data[:off], []byte{'\n'}) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' && !bytes.Equal(t, []byte("\ufeff")) {
			return 1
		}
	}
	return lineAt(data, off)
}

// findAlias returns the line and column of the first alias *name in the
// document that starts at line from, or 0, 0.
func findAlias(data []byte, from int, name string) (line, col int) {
	start := lineOffsetOf(data, from)
	end := len(data)
	if next := nextSeparator(data, from); next >= 0 {
		end = next
	}
	doc := data[start:end]
	pat := []byte("*" + name)
	for i := 0; ; {
		j := bytes.Index(doc[i:], pat)
		if j < 0 {
			return 0, 0
		}
		at := i + j
		after := at + len(pat)
		if after == len(doc) || bytes.IndexByte([]byte(" \t\r\n,]}"), doc[after]) >= 0 {
			return lineAt(data, start+at), colAt(data, start+at)
		}
		i = after
	}
}

// lineOffsetOf returns the byte offset where 1-based line starts.
func lineOffsetOf(data []byte, line int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return len(data)
		}
		off += i + 1
	}
	return off
}

// lineAt returns the 1-based line of byte offset off.
func lineAt(data []byte, off int) int { return 1 + bytes.Count(data[:off], []byte{'\n'}) }

// colAt returns the 1-based column, in code points, of byte offset off.
func colAt(data []byte, off int) int {
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return 1 + utf8.RuneCount(data[start:off])
}

// allowed reports whether YAML allows the character in a stream (the
// printable set of YAML 1.2, as yaml.v3's reader checks it).
func allowed(r rune) bool {
	switch {
	case r == 0x09, r == 0x0A, r == 0x0D, r >= 0x20 && r <= 0x7E, r == 0x85,
		r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// checkChars reports the first byte that is not UTF-8, or the first
// character YAML does not allow.
func checkChars(file string, data []byte) *Error {
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return &Error{File: file, Loc: LineCol(lineAt(data, off), colAt(data, off)),
				Msg: fmt.Sprintf("invalid UTF-8 (byte 0x%02x); read as U+FFFD", data[off])}
		case !allowed(r):
			return &Error{File: file, Loc: LineCol(lineAt(data, off), colAt(data, off)),
				Msg: fmt.Sprintf("control character %U is not allowed in YAML; read as U+FFFD", r)}
		}
		off += size
	}
	return nil
}

// sanitize replaces what checkChars reports by U+FFFD, keeping every line
// break so that lines stay where they are.
func sanitize(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		if (r == utf8.RuneError && size <= 1) || !allowed(r) {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, data[off:off+size]...)
		}
		off += size
	}
	return out
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

// parserProblems are the errors of yaml.v3's parser (as opposed to its
// scanner). For them yaml.v3 reports the 0-based line of the mark as if it
// were 1-based: one line early, and no line at all on line 1.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// yamlError turns a yaml.v3 error into an Error at the line it names, or
// at line 0 when it names none.
func yamlError(file string, err error, lineOffset int) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{File: file, Msg: "invalid YAML"}
	if m := errLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col := 0
		if m[2] != "" {
			col, _ = strconv.Atoi(m[2])
		}
		msg = strings.TrimLeft(strings.Replace(msg, m[0], "", 1), ": ")
		if parserProblems[msg] {
			line++
		}
		e.Loc = LineCol(line+lineOffset, col)
	}
	if e.Col == 0 {
		e.Col = 1
	}
	e.Err = errors.New(msg)
	return e
}

// objectsIn turns one document into objects, unwrapping List kinds. keys
// says whether to look for duplicate keys in n: the items of a List need
// not do it again, and a kustomize-built object's are found by the origin
// mapper, which tells the copies apart.
func objectsIn(file string, index int, n *yaml.Node, defaultNS string, unmodelled map[string]int, maps *Maps, keys bool) ([]*Object, []*Error) {
	errAt := func(at *yaml.Node, format string, args ...any) *Error {
		return &Error{File: file, Loc: LocOf(at), Msg: fmt.Sprintf(format, args...)}
	}
	if n.Kind != yaml.MappingNode {
		e := errAt(n, "document %d is %s, not a Kubernetes object", index+1, kindName(n))
		e.notObject = true
		return nil, []*Error{e}
	}
	if k, first := secondHeader(n); k != nil {
		return nil, []*Error{errAt(k, "document %d has a second %s (first at line %d): is a `---` missing between two documents?", index+1, k.Value, first.Line)}
	}
	apiVersion, kind := yamlpath.Field(n, "apiVersion"), yamlpath.Field(n, "kind")
	if kind == nil || apiVersion == nil {
		missing := "kind"
		if kind != nil {
			missing = "apiVersion"
		} else if apiVersion == nil {
			missing = "apiVersion and kind"
		}
		e := errAt(n, "document %d has no %s: not a Kubernetes object", index+1, missing)
		e.notObject = kind == nil && apiVersion == nil && yamlpath.Field(n, "metadata") == nil
		return nil, []*Error{e}
	}
	if !isString(apiVersion) || isBool(apiVersion) {
		return nil, []*Error{errAt(apiVersion, "apiVersion must be a string, not %s", kindName(apiVersion))}
	}
	if !isString(kind) || isBool(kind) || kind.Value == "" {
		return nil, []*Error{errAt(kind, "kind must be a non-empty string")}
	}
	if items := yamlpath.Field(n, "items"); items != nil && strings.HasSuffix(kind.Value, "List") {
		if items.Kind != yaml.SequenceNode {
			return nil, []*Error{errAt(items, "%s items must be a list, not %s", kind.Value, kindName(items))}
		}
		var objs []*Object
		var errs []*Error
		if keys {
			errs = duplicateKeys(file, n, nil)
		}
		for _, it := range items.Content {
			o, e := objectsIn(file, index, deref(it), defaultNS, unmodelled, maps, false)
			objs = append(objs, o...)
			errs = append(errs, e...)
		}
		return objs, errs
	}

	o := &Object{
		APIVersion: Intern(apiVersion.Value), Kind: kinds.Kind(Intern(kind.Value)),
		File: file, Doc: int32(index), Node: n, KindLoc: LocOf(kind), NameLoc: LocOf(kind), //nolint:gosec // G115: a document index; memory runs out long before 2^31 objects
	}
	o.Group, _ = kinds.SplitAPIVersion(o.APIVersion)
	if !kinds.Known(o.Group, o.Kind) {
		return nil, []*Error{errAt(kind, "unknown kind %q in API group %q", kind.Value, o.Group)}
	}
	// An object meshlint does not model is still one the API server
	// refuses for a key written twice.
	var errs []*Error
	if keys {
		errs = duplicateKeys(file, n, nil)
	}
	generic := kinds.GenericWorkload(o.Group, o.Kind) && hasPodTemplate(n)
	if !kinds.Modelled(o.Group, o.Kind) && !generic && !kinds.LoadedConfigMap(o.Group, o.Kind) {
		unmodelled[o.APIVersion+" "+kind.Value]++
		return nil, errs
	}
	if meta := yamlpath.Field(n, "metadata"); meta != nil {
		if meta.Kind != yaml.MappingNode {
			return nil, []*Error{errAt(meta, "metadata must be a mapping, not %s", kindName(meta))}
		}
		if v := yamlpath.Field(meta, "name"); v != nil {
			if !kubeString(v) {
				errs = append(errs, errAt(v, "metadata.name must be a string, not %s%s", kindName(v), quoteHint(v, "name")))
			}
			o.Name, o.NameLoc = Intern(v.Value), LocOf(v)
		}
		if v := yamlpath.Field(meta, "namespace"); v != nil && v.Value != "" {
			if !kubeString(v) {
				errs = append(errs, errAt(v, "metadata.namespace must be a string, not %s%s", kindName(v), quoteHint(v, "namespace")))
			}
			o.Namespace, o.NamespaceSet = Intern(v.Value), true
		}
		var e []*Error
		o.Labels, e = stringMap(file, meta, "labels", maps)
		errs = append(errs, e...)
		o.Annotations, e = stringMap(file, meta, "annotations", maps)
		errs = append(errs, e...)
		o.OwnerKind, o.OwnerName = owner(yamlpath.Field(meta, "ownerReferences"))
	}
	if o.Name == "" && yamlpath.Field(yamlpath.Field(n, "metadata"), "generateName") == nil {
		errs = append(errs, errAt(kind, "%s has no metadata.name", kind.Value))
	}
	switch {
	case kinds.ClusterScoped(o.Group, o.Kind):
		o.Namespace, o.NamespaceSet = "", false
	case o.Kind == kinds.Namespace && o.Group == kinds.GroupCore:
		o.Namespace = o.Name
	case o.Namespace == "":
		o.Namespace = defaultNS
	}
	return []*Object{o}, errs
}

// smallMapping is the number of keys up to which duplicates are found by
// comparing every pair, as yaml.v3 does: cheaper than a set for the
// mappings manifests are made of, and free of allocation.
const smallMapping = 16

// duplicateKeys appends to errs an error for every key written again in a
// mapping of the tree under n, at the later copy, naming the first. Keys
// are the same when their text is, as yaml.v3 compares them (a quoted
// "a" is a plain a). Kubernetes' strict decoding refuses the object, and
// which copy a tool keeps differs: yaml.v3 refuses to decode the mapping,
// the API server's non-strict path keeps the last.
//
// A merge key (<<) is not a duplicate of another: each merges its
// mappings, as Kubernetes' decoder does, and a key a merged mapping
// brings in is overridden by the one written, as YAML's merge key means.
// An alias is not followed: the anchored node is walked where it is
// written, so that a mapping is reported once however often it is used.
func duplicateKeys(file string, n *yaml.Node, errs []*Error) []*Error {
	if n.Kind == yaml.MappingNode {
		errs = mappingDuplicates(file, n.Content, errs)
	}
	for _, c := range n.Content {
		if c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode {
			errs = duplicateKeys(file, c, errs)
		}
	}
	return errs
}

// mappingDuplicates is duplicateKeys for the keys and values c of one
// mapping.
func mappingDuplicates(file string, c []*yaml.Node, errs []*Error) []*Error {
	pairs := len(c) / 2
	if pairs <= smallMapping {
		for j := 2; j < 2*pairs; j += 2 {
			for i := 0; i < j; i += 2 {
				if c[i].Value == c[j].Value && plainKey(c[i]) && plainKey(c[j]) {
					errs = append(errs, duplicateError(file, c[i], c[j]))
					break
				}
			}
		}
		return errs
	}
	first := make(map[string]*yaml.Node, pairs)
	for j := 0; j < 2*pairs; j += 2 {
		k := c[j]
		if !plainKey(k) {
			continue
		}
		if f, ok := first[k.Value]; ok {
			errs = append(errs, duplicateError(file, f, k))
			continue
		}
		first[k.Value] = k
	}
	return errs
}

// plainKey reports whether key k is one duplicateKeys compares: a scalar
// other than a merge key.
func plainKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && (k.Value != "<<" || !yamlpath.IsMerge(k))
}

func duplicateError(file string, first, again *yaml.Node) *Error {
	at := fmt.Sprintf(" (first at line %d)", first.Line)
	if first.Line == again.Line && first.Column == again.Column {
		// A kustomize-built object whose copies map back to one place.
		at = ""
	}
	return &Error{File: file, Loc: LineCol(again.Line, again.Column), Msg: "duplicate key",
		Err: fmt.Errorf("key %q is written twice in one mapping%s; Kubernetes refuses the object", again.Value, at)}
}

// hasPodTemplate reports whether object n has a pod template at
// spec.template, as the generic workloads of kinds.GenericWorkload do: its
// spec.template.spec.containers is a non-empty list of mappings. Nothing
// else of the object is looked at, since its schema is unknown; a kind
// whose spec.template is something else (a list, or a template of other
// objects) stays unmodelled.
func hasPodTemplate(n *yaml.Node) bool {
	cs := yamlpath.Field(yamlpath.Field(yamlpath.Field(yamlpath.Field(n, "spec"), "template"), "spec"), "containers")
	if cs == nil || cs.Kind != yaml.SequenceNode || len(cs.Content) == 0 {
		return false
	}
	for _, c := range cs.Content {
		if deref(c).Kind != yaml.MappingNode {
			return false
		}
	}
	return true
}

func stringMap(file string, meta *yaml.Node, key string, maps *Maps) (map[string]string, []*Error) {
	m := yamlpath.Field(meta, key)
	if m == nil || isNull(m) {
		return nil, nil
	}
	if m.Kind != yaml.MappingNode {
		return nil, []*Error{{File: file, Loc: LocOf(m), Msg: fmt.Sprintf("metadata.%s must be a mapping, not %s", key, kindName(m))}}
	}
	var buf [16]Pair
	pairs := buf[:0]
	var errs []*Error
	// Entries resolves merge keys (<<) as Kubernetes does: a label written
	// in a merged mapping is the object's, at the position it is written.
	for k, v := range yamlpath.Entries(m) {
		if name := yamlpath.KeyName(k); name != k.Value {
			// The object has the entry under the other name. It is kept
			// under the one written, which selectors written alike are
			// read with too.
			errs = append(errs, &Error{File: file, Loc: LocOf(k), Msg: fmt.Sprintf("metadata.%s key %s must be a string, not a boolean (Kubernetes reads the unquoted %s as the boolean %s and names the %s %q; quote it)", key, k.Value, k.Value, name, strings.TrimSuffix(key, "s"), name)})
		}
		if !kubeString(v) {
			hint := quoteHint(v, k.Value)
			if hint == "" {
				hint = " (quote it)"
			}
			errs = append(errs, &Error{File: file, Loc: LocOf(v), Msg: fmt.Sprintf("metadata.%s[%s] must be a string, not %s%s", key, k.Value, kindName(v), hint)})
			continue
		}
		pairs = append(pairs, Pair{k.Value, v.Value})
	}
	return maps.Make(pairs), errs
}

// isString reports whether yaml.v3 reads n as a string, a plain yes
// included. An object's fields are read by kubeString; a kustomization
// with a plain yes where kustomize wants a string fails kustomize's own
// reading (YAML 1.1, as Kubernetes'), which reports it.
func isString(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

// kubeString reports whether Kubernetes reads scalar n as a string where it
// wants one: a string, or a timestamp (2024-01-02), which yaml.v3 tags
// !!timestamp and Kubernetes' YAML decoder (sigs.k8s.io/yaml, YAML 1.1 by
// yaml.v2) decodes as the string written, as the schema check does. A
// plain yes, on, y, no, off or n is a boolean to that decoder although
// yaml.v3 tags it !!str.
func kubeString(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.ShortTag() {
	case "!!str":
		return !isBool(n)
	case "!!timestamp":
		return true
	}
	return false
}

// isBool reports whether Kubernetes reads n as a boolean.
func isBool(n *yaml.Node) bool {
	_, ok := yamlpath.Bool(n)
	return ok
}

// quoteHint explains, for an error about a scalar that must be a string,
// the value of key, why a plain yes is not one; "" for any other node.
func quoteHint(n *yaml.Node, key string) string {
	if note := yamlpath.BoolNote(n); note != "" {
		return " (" + note + "; " + yamlpath.StringFix(n, key) + ")"
	}
	return ""
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
			if isBool(n) {
				return "a boolean"
			}
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

// maxAliasGrowth bounds the nodes that aliases may add to a document. Real
// manifests use a few anchors for shared labels or ports; a "billion laughs"
// document adds billions, and decoding it would hang and exhaust memory.
const maxAliasGrowth = 100_000

// checkAliases refuses a document whose aliases expand it by more than
// maxAliasGrowth nodes, that holds an alias to one of its own ancestors,
// or whose merge key (<<) names something else than a mapping or a list
// of mappings, which Kubernetes' YAML decoder refuses for the whole
// document ("map merge requires map or sequence of maps as the value").
func checkAliases(file string, index int, n *yaml.Node) *Error {
	aliases, bad := scanDoc(n)
	if bad != nil {
		return &Error{File: file, Loc: LocOf(bad), Msg: fmt.Sprintf("document %d is left out: a merge key (<<) must name a mapping or a list of mappings, not %s; Kubernetes rejects the document", index+1, kindName(deref(bad)))}
	}
	if !aliases {
		return nil
	}
	c := aliasCounter{size: map[*yaml.Node]int64{}, active: map[*yaml.Node]bool{}}
	expanded := c.expand(n)
	if c.cycle != nil {
		return &Error{File: file, Loc: LocOf(c.cycle), Msg: fmt.Sprintf("alias *%s refers to itself", c.cycle.Value)}
	}
	if grown := expanded - int64(countNodes(n)); grown > maxAliasGrowth {
		return &Error{File: file, Loc: LocOf(n), Msg: fmt.Sprintf("document %d is left out: its aliases expand it by more than %d nodes", index+1, maxAliasGrowth)}
	}
	return nil
}

// scanDoc reports whether the tree under n holds an alias, and returns the
// first value of a merge key that is not a mapping or a list of mappings
// (the bad item, for a list).
func scanDoc(n *yaml.Node) (aliases bool, badMerge *yaml.Node) {
	if n.Kind == yaml.AliasNode {
		return true, nil
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if yamlpath.IsMerge(n.Content[i]) {
				if bad := badMergeValue(n.Content[i+1]); bad != nil {
					return aliases, bad
				}
			}
		}
	}
	for _, c := range n.Content {
		a, bad := scanDoc(c)
		aliases = aliases || a
		if bad != nil {
			return aliases, bad
		}
	}
	return aliases, nil
}

// badMergeValue returns v, or the item of list v, that a merge key cannot
// merge; nil when it merges mappings only.
func badMergeValue(v *yaml.Node) *yaml.Node {
	switch d := deref(v); d.Kind {
	case yaml.MappingNode:
		return nil
	case yaml.SequenceNode:
		for _, it := range d.Content {
			if deref(it).Kind != yaml.MappingNode {
				return it
			}
		}
		return nil
	}
	return v
}

func countNodes(n *yaml.Node) int {
	s := 1
	for _, c := range n.Content {
		s += countNodes(c)
	}
	return s
}

// aliasCounter computes the size of a node tree with aliases expanded.
// Only anchored nodes can be reached twice, so only they are memoized.
type aliasCounter struct {
	size   map[*yaml.Node]int64
	active map[*yaml.Node]bool
	cycle  *yaml.Node
}

func (c *aliasCounter) expand(n *yaml.Node) int64 {
	const saturated = 1 << 50
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return 1
		}
		if c.active[n.Alias] {
			if c.cycle == nil {
				c.cycle = n
			}
			return 1
		}
		return c.expand(n.Alias)
	}
	if s, ok := c.size[n]; ok {
		return s
	}
	if n.Anchor != "" {
		c.active[n] = true
		defer delete(c.active, n)
	}
	s := int64(1)
	for _, ch := range n.Content {
		s = min(s+c.expand(ch), saturated)
	}
	if n.Anchor != "" {
		c.size[n] = s
	}
	return s
}

// owner picks the owner np-guard names a pod after: the controller
// reference, else the first complete one.
func owner(refs *yaml.Node) (kind, name string) {
	if refs == nil || refs.Kind != yaml.SequenceNode {
		return "", ""
	}
	for _, r := range refs.Content {
		r = deref(r)
		k, n := yamlpath.Field(r, "kind"), yamlpath.Field(r, "name")
		if k == nil || n == nil || k.Value == "" || n.Value == "" {
			continue
		}
		controller, _ := yamlpath.Bool(yamlpath.Field(r, "controller"))
		if kind == "" || controller {
			kind, name = Intern(k.Value), Intern(n.Value)
		}
		if controller {
			break
		}
	}
	return kind, name
}

// secondHeader returns the second apiVersion or kind key of the mapping n,
// and the first: two documents run together when the "---" between them
// is lost, and yaml.v3 keeps the first value of a key written twice.
func secondHeader(n *yaml.Node) (second, first *yaml.Node) {
	var apiVersion, kind *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		seen := &apiVersion
		switch k.Value {
		case "apiVersion":
		case "kind":
			seen = &kind
		default:
			continue
		}
		if *seen != nil {
			return k, *seen
		}
		*seen = k
	}
	return nil, nil
}

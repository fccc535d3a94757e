package suppress

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/meta"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The fixes of MR901 findings. YAML keeps no column for a comment and no
// byte offsets at all, so every fix is computed on the line of the file
// that holds the directive: the comment (or annotation) is looked up there
// exactly as it was parsed, and a line that holds anything else gets no
// fix. Every edit carries the text it replaces as Old, so a file that
// changed since is never edited.

// sources reads the files of the directives, each once.
type sources struct {
	read  func(string) []byte
	files map[string]*source
	kusts map[string]bool // by directory
}

// source is a file split into lines.
type source struct {
	data   []byte
	starts []int // byte offset of each line
}

func newSources(read func(string) []byte) *sources {
	return &sources{read: read, files: map[string]*source{}, kusts: map[string]bool{}}
}

// line returns line n (1-based) of file without its "\n" (a "\r" stays),
// and whether a "\n" ends it.
func (s *sources) line(file string, n int) (text string, nl, ok bool) {
	if s.read == nil {
		return "", false, false
	}
	src, seen := s.files[file]
	if !seen {
		if data := s.read(file); data != nil {
			src = &source{data: data, starts: []int{0}}
			for i, b := range data {
				if b == '\n' {
					src.starts = append(src.starts, i+1)
				}
			}
		}
		s.files[file] = src
	}
	if src == nil || n < 1 || n > len(src.starts) {
		return "", false, false
	}
	start := src.starts[n-1]
	end := len(src.data)
	if i := bytes.IndexByte(src.data[start:], '\n'); i >= 0 {
		end, nl = start+i, true
	}
	return string(src.data[start:end]), nl, true
}

// kustomized reports whether file is in or below a directory that holds a
// kustomization. Such a file may be a base that other builds read too, in
// which a directive stale here can be used: removing it would bring their
// findings back. A name is still renamed there, since it is unknown to
// every build.
func (s *sources) kustomized(file string) bool {
	if s.read == nil || file == manifest.StdinName {
		return false
	}
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		known, seen := s.kusts[dir]
		if !seen {
			for _, name := range konfig.RecognizedKustomizationFileNames() {
				if s.read(filepath.Join(dir, name)) != nil {
					known = true
					break
				}
			}
			s.kusts[dir] = known
		}
		if known {
			return true
		}
		if up := filepath.Dir(dir); up == dir {
			return false
		}
	}
}

// lineText is one line of a file, which edits are made on by byte offset.
type lineText struct {
	file string
	n    int
	text string
	nl   bool
}

// col returns the column (in code points, as YAML counts) of byte offset
// off of the line.
func (l lineText) col(off int) int { return utf8.RuneCountInString(l.text[:off]) + 1 }

// offset returns the byte offset of column c of the line, or -1.
func (l lineText) offset(c int) int {
	off := 0
	for i := 1; i < c; i++ {
		if off >= len(l.text) {
			return -1
		}
		_, size := utf8.DecodeRuneInString(l.text[off:])
		off += size
	}
	return off
}

// edit replaces bytes [from, to) of the line with repl.
func (l lineText) edit(from, to int, repl string) rules.Edit {
	return rules.Edit{
		Pos:     manifest.Pos{File: l.file, Loc: manifest.LineCol(l.n, l.col(from))},
		End:     manifest.LineCol(l.n, l.col(to)),
		NewText: repl,
		Old:     l.text[from:to],
	}
}

// remove deletes the whole line, with its line break.
func (l lineText) remove() rules.Edit {
	if !l.nl {
		return l.edit(0, len(l.text), "")
	}
	return rules.Edit{
		Pos: manifest.Pos{File: l.file, Loc: manifest.LineCol(l.n, 1)},
		End: manifest.LineCol(l.n+1, 1),
		Old: l.text + "\n",
	}
}

// span is a byte range of a line.
type span struct{ start, end int }

// deletions returns the edits that remove the items marked in drop from a
// list of items separated by commas (and spaces) on one line: each run of
// dropped items goes with the separator after it, or, at the end of the
// list, with the one before it. Dropping every item removes them all and
// the separators between them.
func (l lineText) deletions(items []span, drop []bool) []rules.Edit {
	var out []rules.Edit
	for i := 0; i < len(items); {
		if !drop[i] {
			i++
			continue
		}
		j := i
		for j+1 < len(items) && drop[j+1] {
			j++
		}
		switch {
		case j+1 < len(items):
			out = append(out, l.edit(items[i].start, items[j+1].start, ""))
		case i > 0:
			out = append(out, l.edit(items[i-1].end, items[j].end, ""))
		default:
			out = append(out, l.edit(items[0].start, items[j].end, ""))
		}
		i = j + 1
	}
	return out
}

// listSpans splits list, which starts at byte off of a line, on commas,
// and returns the spans of its non-empty items, trimmed, and their text.
func listSpans(list string, off int) ([]span, []string) {
	var spans []span
	var texts []string
	start := 0
	for i := 0; i <= len(list); i++ {
		if i < len(list) && list[i] != ',' {
			continue
		}
		part := list[start:i]
		lead := len(part) - len(strings.TrimLeft(part, " \t"))
		if t := strings.TrimSpace(part); t != "" {
			spans = append(spans, span{off + start + lead, off + start + lead + len(t)})
			texts = append(texts, t)
		}
		start = i + 1
	}
	return spans, texts
}

// separated reports whether text, between two items of a list, is a comma
// with spaces around it.
var separated = regexp.MustCompile(`^[ \t]*,[ \t]*$`)

// commentLine is a comment directive found in its line.
type commentLine struct {
	lineText
	// hash is the offset of the comment's '#'; alone is set when nothing
	// but spaces comes before it.
	hash  int
	alone bool
	// names are the spans of the directive's names, in the order of
	// Names; remark is the offset of the '#' of a further comment after
	// the reason, or -1.
	names  []span
	remark int
}

// comment finds the comment of directive d in its line of the file.
func (s *sources) comment(d *Directive) (*commentLine, bool) {
	if d.Source != Comment || d.raw == "" || d.below {
		return nil, false
	}
	line := int(d.Pos.Line)
	text, nl, ok := s.line(d.Pos.File, line)
	if !ok {
		return nil, false
	}
	c := &commentLine{lineText: lineText{file: d.Pos.File, n: line, text: text, nl: nl}, remark: -1}
	trimmed := strings.TrimRight(text, " \t\r")
	if !strings.HasSuffix(trimmed, d.raw) {
		return nil, false
	}
	c.hash = len(trimmed) - len(d.raw)
	before := text[:c.hash]
	c.alone = strings.TrimLeft(before, " \t") == ""
	if !c.alone && !strings.HasSuffix(before, " ") && !strings.HasSuffix(before, "\t") {
		return nil, false // a '#' inside a value, not a comment
	}
	m := directiveLine.FindStringSubmatchIndex(d.raw)
	if m == nil {
		return nil, false
	}
	argsOff := c.hash + m[4]
	args := d.raw[m[4]:m[5]]
	body := args
	if loc := trailingComment.FindStringIndex(args); loc != nil {
		body = args[:loc[0]]
		c.remark = argsOff + loc[0] + 1
	}
	lead := len(body) - len(strings.TrimLeft(body, " \t"))
	list := nameList.FindString(body[lead:])
	spans, texts := listSpans(list, argsOff+lead)
	if !slices.Equal(texts, d.Names) {
		return nil, false
	}
	c.names = spans
	return c, true
}

// annotationValue is an annotation's value found in its line.
type annotationValue struct {
	lineText
	// value is the span of the value's text (inside its quotes).
	value span
	// items are the spans of the comma-separated parts of the value,
	// trimmed, and texts their text.
	items []span
	texts []string
}

// annotationEntry returns the annotations mapping of o's own metadata and
// the index of key's key node in it. Entries reached through an alias or a
// merge key (<<), or written under an anchor, are not returned: editing
// them would change the other objects that share them. Nor is an entry
// that a merged mapping also holds: without it, the merged one would apply.
func annotationEntry(o *manifest.Object, key string) (*yaml.Node, int, bool) {
	field := func(m *yaml.Node, k string) *yaml.Node {
		if m == nil || m.Kind != yaml.MappingNode || m.Anchor != "" {
			return nil
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == k {
				return m.Content[i+1]
			}
		}
		return nil
	}
	ann := field(field(o.Root(), "metadata"), "annotations")
	if ann == nil || ann.Kind != yaml.MappingNode || ann.Anchor != "" {
		return nil, 0, false
	}
	for i := 0; i+1 < len(ann.Content); i += 2 {
		k, v := ann.Content[i], ann.Content[i+1]
		if k.Value != key {
			continue
		}
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || k.Anchor != "" || v.Anchor != "" {
			return nil, 0, false
		}
		for _, src := range yamlpath.Sources(ann) {
			if mk, _ := yamlpath.Lookup(src, key); mk != nil {
				return nil, 0, false
			}
		}
		return ann, i, true
	}
	return nil, 0, false
}

// scalarSpan finds the text of a one-line scalar node in its line: the
// span of its value inside any quotes, and the span of the whole scalar.
func (s *sources) scalarSpan(o *manifest.Object, n *yaml.Node) (lineText, span, span, bool) {
	pos := o.Pos(manifest.LocOf(n))
	text, nl, ok := s.line(pos.File, n.Line)
	if !ok || strings.Contains(n.Value, "\n") {
		return lineText{}, span{}, span{}, false
	}
	l := lineText{file: pos.File, n: n.Line, text: text, nl: nl}
	off := l.offset(n.Column)
	if off < 0 {
		return l, span{}, span{}, false
	}
	quote := ""
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		quote = `"`
	case yaml.SingleQuotedStyle:
		quote = "'"
	case 0:
	default:
		return l, span{}, span{}, false
	}
	start := off + len(quote)
	end := start + len(n.Value)
	// A value written with escapes is not its own text: no fix.
	if end+len(quote) > len(text) || text[off:start] != quote || text[start:end] != n.Value || text[end:end+len(quote)] != quote {
		return l, span{}, span{}, false
	}
	return l, span{start, end}, span{off, end + len(quote)}, true
}

// annotation finds the value of annotation key of o in its line.
func (s *sources) annotation(o *manifest.Object, key string) (*annotationValue, bool) {
	ann, i, ok := annotationEntry(o, key)
	if !ok {
		return nil, false
	}
	l, value, _, ok := s.scalarSpan(o, ann.Content[i+1])
	if !ok {
		return nil, false
	}
	a := &annotationValue{lineText: l, value: value}
	a.items, a.texts = listSpans(l.text[value.start:value.end], value.start)
	return a, true
}

// removeFix removes from directive d the names of the rules in stale, or
// the whole directive when it names nothing else. Names of rules that did
// not run, unknown names and MR901 stay: their findings say what to do
// with them.
func (s *sources) removeFix(d *Directive, stale map[*rules.Rule]bool) []rules.Fix {
	drop := make([]bool, len(d.Names))
	var dropped []string
	all := true
	for i, r := range d.resolved {
		if r != nil && stale[r] {
			drop[i] = true
			dropped = append(dropped, d.Names[i])
		} else {
			all = false
		}
	}
	if len(dropped) == 0 {
		return nil
	}
	if s.kustomized(d.Pos.File) {
		return nil
	}
	message := fmt.Sprintf("Remove %s from the directive", strings.Join(dropped, " and "))
	var edits []rules.Edit
	switch d.Source {
	case Comment:
		c, ok := s.comment(d)
		if !ok {
			return nil
		}
		switch {
		case !all:
			edits = c.deletions(c.names, drop)
		case c.remark >= 0:
			// Keep the unrelated comment that follows the reason.
			edits = []rules.Edit{c.edit(c.hash, c.remark, "")}
		case c.alone:
			edits = []rules.Edit{c.remove()}
		default:
			from := len(strings.TrimRight(c.text[:c.hash], " \t"))
			edits = []rules.Edit{c.edit(from, len(strings.TrimRight(c.text, "\r")), "")}
		}
		if all {
			message = "Remove the unused directive"
		}
	case Annotation:
		a, ok := s.annotation(d.Object, AnnotationIgnore)
		if !ok {
			return nil
		}
		// The parts of the value that are not names (a reason written
		// in the list) are items too, and stay.
		itemDrop := make([]bool, len(a.items))
		k := 0
		for j, t := range a.texts {
			if strings.ContainsAny(t, " \t") {
				all = false
				continue
			}
			if k >= len(d.Names) || d.Names[k] != t {
				return nil
			}
			itemDrop[j] = drop[k]
			k++
		}
		if k != len(d.Names) {
			return nil
		}
		if !all {
			edits = a.deletions(a.items, itemDrop)
			break
		}
		keys := []string{AnnotationIgnore}
		if _, ok := d.Object.Annotations[AnnotationReason]; ok {
			keys = append(keys, AnnotationReason)
		}
		if edits, ok = s.removeAnnotations(d.Object, keys); !ok {
			return nil
		}
		message = fmt.Sprintf("Remove the unused %s annotation", AnnotationIgnore)
		if len(keys) > 1 {
			message += " and its reason"
		}
	default:
		return nil
	}
	return []rules.Fix{{Message: message, Edits: edits}}
}

// removeAnnotations removes the entries keys from the annotations of o,
// and the annotations key itself when no entry is left. Block entries must
// be alone on their line (a comment after them goes with them); a flow
// mapping must be on one line.
func (s *sources) removeAnnotations(o *manifest.Object, keys []string) ([]rules.Edit, bool) {
	ann, _, ok := annotationEntry(o, keys[0])
	if !ok {
		return nil, false
	}
	drop := make([]bool, len(ann.Content)/2)
	for _, key := range keys {
		a, i, ok := annotationEntry(o, key)
		if !ok || a != ann {
			return nil, false
		}
		drop[i/2] = true
	}
	if ann.Style&yaml.FlowStyle != 0 {
		return s.removeFlowEntries(o, ann, drop)
	}
	var edits []rules.Edit
	all := true
	for e, d := range drop {
		if !d {
			all = false
			continue
		}
		k, v := ann.Content[2*e], ann.Content[2*e+1]
		if k.Line != v.Line {
			return nil, false
		}
		l, _, whole, ok := s.scalarSpan(o, v)
		if !ok {
			return nil, false
		}
		// Only spaces before the key, only a comment after the value:
		// the line holds this entry alone.
		if ko := l.offset(k.Column); ko < 0 || strings.TrimLeft(l.text[:ko], " ") != "" {
			return nil, false
		}
		if rest := strings.TrimLeft(l.text[whole.end:], " \t"); rest != "" && rest != "\r" && !strings.HasPrefix(rest, "#") {
			return nil, false
		}
		edits = append(edits, l.remove())
	}
	if all {
		// annotations: with no entry would be null; remove the key too
		// when its line holds nothing else.
		k := annotationsKey(o)
		if k == nil || k.Line >= ann.Line {
			return nil, false
		}
		// The key as written: "annotations": means the same.
		l, _, key, ok := s.scalarSpan(o, k)
		if !ok || strings.TrimLeft(l.text[:key.start], " ") != "" {
			return nil, false
		}
		after, ok := strings.CutPrefix(strings.TrimLeft(l.text[key.end:], " \t"), ":")
		if !ok {
			return nil, false
		}
		if rest := strings.TrimLeft(after, " \t"); rest != "" && rest != "\r" && !strings.HasPrefix(rest, "#") {
			return nil, false
		}
		edits = append(edits, l.remove())
	}
	return edits, true
}

// annotationsKey returns the key node of metadata.annotations.
func annotationsKey(o *manifest.Object) *yaml.Node {
	root := o.Root()
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "metadata" {
			continue
		}
		m := root.Content[i+1]
		if m.Kind != yaml.MappingNode {
			return nil
		}
		for j := 0; j+1 < len(m.Content); j += 2 {
			if m.Content[j].Value == "annotations" {
				return m.Content[j]
			}
		}
	}
	return nil
}

// removeFlowEntries removes the entries marked in drop from a flow
// mapping written on one line, with their commas.
func (s *sources) removeFlowEntries(o *manifest.Object, ann *yaml.Node, drop []bool) ([]rules.Edit, bool) {
	var l lineText
	var items []span
	for e := range drop {
		k, v := ann.Content[2*e], ann.Content[2*e+1]
		if k.Line != ann.Line || v.Line != ann.Line {
			return nil, false
		}
		kl, _, ks, ok := s.scalarSpan(o, k)
		if !ok {
			return nil, false
		}
		vl, _, vs, ok := s.scalarSpan(o, v)
		if !ok || kl != vl || (e > 0 && kl != l) {
			return nil, false
		}
		l = kl
		// Between the key and its value: a colon and spaces only.
		if sep := strings.TrimSpace(l.text[ks.end:vs.start]); sep != ":" {
			return nil, false
		}
		if len(items) > 0 && !separated.MatchString(l.text[items[len(items)-1].end:ks.start]) {
			return nil, false
		}
		items = append(items, span{ks.start, vs.end})
	}
	if len(items) == 0 {
		return nil, false
	}
	// The entries are all there is between the braces.
	open := l.offset(ann.Column)
	if open < 0 || l.text[open] != '{' || strings.TrimSpace(l.text[open+1:items[0].start]) != "" {
		return nil, false
	}
	last := items[len(items)-1].end
	closing := last + strings.IndexByte(l.text[last:], '}')
	if closing < last || strings.TrimSpace(l.text[last:closing]) != "" {
		return nil, false
	}
	if !slices.Contains(drop, false) {
		return []rules.Edit{l.edit(open+1, closing, "")}, true // {}
	}
	return l.deletions(items, drop), true
}

// renameFix renames the unknown name i of directive d to the one rule of
// the registry it is a close match of (see closest), if any.
func (s *sources) renameFix(d *Directive, i int, registry []*rules.Rule) []rules.Fix {
	to := closest(d.Names[i], registry)
	if to == "" {
		return nil
	}
	if target := rules.Find(registry, to); slices.Contains(d.resolved, target) {
		return nil // the directive names the rule already
	}
	var l lineText
	var sp span
	switch d.Source {
	case Comment:
		c, ok := s.comment(d)
		if !ok {
			return nil
		}
		l, sp = c.lineText, c.names[i]
	case Annotation:
		a, ok := s.annotation(d.Object, AnnotationIgnore)
		if !ok {
			return nil
		}
		// Names skips the parts that hold spaces: find the i-th name.
		k := -1
		for j, t := range a.texts {
			if strings.ContainsAny(t, " \t") {
				continue
			}
			if k++; k == i {
				if t != d.Names[i] {
					return nil
				}
				l, sp = a.lineText, a.items[j]
			}
		}
		if k < i {
			return nil
		}
	default:
		return nil
	}
	return []rules.Fix{{
		Message: fmt.Sprintf("Rename %s to %s", d.Names[i], to),
		Edits:   []rules.Edit{l.edit(sp.start, sp.end, to)},
	}}
}

// idShape matches a rule ID as written, in any case.
var idShape = regexp.MustCompile(`^[A-Za-z]+[0-9]+$`)

// closest returns the ID or name of the one rule that name is a close
// match of, or "" when there is none or more than one. Close is:
//   - for a name shaped like an ID, an ID with the same letters and first
//     digit (the rule's family) whose other digits differ by one swap of
//     two adjacent ones ("MR120" for "MR102"); a digit written wrong is
//     not guessed: IDs are dense, and most such typos name another rule;
//   - for another name, the rule name suggest.Closest picks: the name in
//     other case (IDs already match in any case) or, for a name of at
//     least 6 characters, one at most 2 edits away, in any case.
//
// MR901 is never a candidate: it cannot be suppressed.
func closest(name string, registry []*rules.Rule) string {
	if idShape.MatchString(name) {
		found := ""
		for _, r := range registry {
			if r == meta.SuppressionInvalid || !swapped(strings.ToUpper(name), r.ID) {
				continue
			}
			if found != "" {
				return ""
			}
			found = r.ID
		}
		return found
	}
	names := make([]string, 0, len(registry))
	for _, r := range registry {
		if r != meta.SuppressionInvalid {
			names = append(names, r.Name)
		}
	}
	to, _ := suggest.Closest(name, names)
	return to
}

// swapped reports whether a and b differ only by a swap of two adjacent
// digits after the first one, which names the rule's family.
func swapped(a, b string) bool {
	if len(a) != len(b) || a == b {
		return false
	}
	first := strings.IndexFunc(a, func(r rune) bool { return r >= '0' && r <= '9' })
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return i > first && a[i] == b[i+1] && a[i+1] == b[i] && isDigit(a[i]) && isDigit(a[i+1]) && a[i+2:] == b[i+2:]
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// galleyFix writes the codes of a Galley annotation without the spaces
// istioctl does not trim: meshlint reads the list the same way after it,
// and istioctl then suppresses every code, as meshlint already does.
func (s *sources) galleyFix(d *Directive) []rules.Fix {
	ann, i, ok := annotationEntry(d.Object, AnnotationGalley)
	if !ok {
		return nil
	}
	l, value, _, ok := s.scalarSpan(d.Object, ann.Content[i+1])
	if !ok {
		return nil
	}
	_, texts := listSpans(l.text[value.start:value.end], value.start)
	if !slices.Equal(texts, d.Names) {
		return nil
	}
	return []rules.Fix{{
		Message: "Write the codes without spaces",
		Edits:   []rules.Edit{l.edit(value.start, value.end, strings.Join(texts, ","))},
	}}
}

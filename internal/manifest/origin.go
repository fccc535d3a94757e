package manifest

import (
	"bytes"
	"iter"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Origin mapping: kustomize re-serialises what it builds, so the line
// numbers of its output mean nothing. Each built object carries the
// config.kubernetes.io/origin annotation (the file it was read from,
// relative to the kustomization root), and every node of it is given the
// position of the node that produced it:
//
//   - the object is found in its origin file by kind and name (names may
//     carry a namePrefix or nameSuffix), read with the loader's whole-file
//     parser so that lines are absolute;
//   - a node is looked up by its path in the patches that target the object
//     (patches, patchesStrategicMerge, patchesJson6902, in every
//     kustomization of the build, the last applied first) and in the origin
//     object: list items are matched by their name (or port) when they have
//     one, else by index;
//   - a scalar takes the position of the last patch that sets it to its
//     value, else of a kustomization's transformer entry that wrote it
//     (images, replicas, replacements: origin_rewrite.go), else of what a
//     JSON 6902 copy or move took it from (moved), else of a
//     kustomization's entry that wrote it (namespace, commonLabels,
//     labels, commonAnnotations), else of the origin node at its path,
//     else of a patch that has the path; a mapping or list takes what a
//     copy or move took it from, else its origin node's, else a patch's;
//     apiVersion, kind and metadata name and namespace always come from
//     the origin, but for a namespace (or a Namespace's name) that a
//     namespace field set;
//   - the key of a label or annotation that a kustomization's entry wrote
//     takes the position of the entry's key, but an annotation's key stays
//     at the object's kind when another file writes it too (onlyWriter);
//   - a generated object's origin is made of its generator entry: its name,
//     and the literal, file or env file entry of each data key; entries of
//     overlays that merge into it are searched as patches;
//   - a node found nowhere (a field a transformer adds) takes the
//     position of the object's kind in the origin file.
//
// Nodes from a patch or a kustomization are listed in Object.Sources, which Object.Pos
// consults. Each line:col of an object names one file, so two nodes of two
// files at the same line:col cannot both have their own (resolve): the one
// of a patch or kustomization keeps it, since the other, of the origin,
// can always point at a node of its own file nearby, where a node a patch
// added would have only the origin's nodes above it to fall back to. A
// node that cannot have its own position takes the nearest one of its file
// that is free (its value on the same line, for a key, else the key or list
// item above it, and so on up), else its parent's.

// patchDoc is one patch document of a kustomization.
type patchDoc struct {
	file string // as displayed
	// root is the document's node, whose nodes resolve may point at.
	root   *yaml.Node
	smp    *yaml.Node
	ops    []jsonOp
	target *selector
}

type jsonOp struct {
	path     []string
	pathNode *yaml.Node
	value    *yaml.Node
	// from is the source of a copy or move, which has no value.
	from     []string
	fromNode *yaml.Node
	// name is the operation: add, replace, copy, move or remove. An add,
	// copy or move to a list index shifts the items after it, a move or
	// remove from one those after its source (moved).
	name string
}

// selector is a kustomize patch target.
type selector struct {
	group, version, kind, name, namespace, labelSelector, annotationSelector string
}

// step is one level of a path within an object.
type step struct {
	key   string // mapping key, for index -1
	index int    // sequence index, else -1
	// nth counts the keys written before this one with its text in the
	// same mapping: a key written twice stays twice in kustomize's build,
	// and each copy is the nth one of its source, not the first.
	nth int
	// mkey and mval identify a sequence item by a field (name, port).
	mkey, mval string
	// item is the built sequence item, for kustomize's field paths.
	item *yaml.Node
}

// objInfo identifies a built object for patch matching.
type objInfo struct {
	group, version, kind, name, orgName string
	// names are those the object may have had when a patch applied to
	// it (setNames).
	names []string
	// namespaces are those the object may have had when a patch applied
	// to it: its built and original ones, and those the kustomizations of
	// the build set.
	namespaces          []string
	labels, annotations map[string]string
}

type origins struct {
	u       *unit
	files   map[string][]document // by absolute path
	indexes map[string]docIndex   // of files' objects, by absolute path
	patches []*patchDoc
	// labels and annotations are the pairs that the kustomizations of the
	// build add to every object (commonLabels, labels, commonAnnotations),
	// the root's first.
	labels, annotations []pair
	// rewrites are the images, replicas and replacements entries of the
	// kustomizations of the build, the one applied last first.
	rewrites []*rewrite
	// up links the nodes of the files that built nodes point at to the
	// nodes above them (index), for the positions resolve falls back to.
	up map[*yaml.Node]upLink
	// dups are the keys written twice in the patches, and patched are
	// the patch files looked at for them, by absolute path.
	dups    []*Error
	patched map[string]bool
}

// upLink is what is above a node of a file: for a mapping's value its
// key, for a key (which holds its value) and a list item the mapping or
// list.
type upLink struct {
	up, value *yaml.Node
	isValue   bool
}

// pair is one label or annotation of a kustomization, with its nodes.
type pair struct {
	source
	key *yaml.Node
	// own is true for a key written in the kustomization's mapping itself,
	// neither it nor the mapping anchored or an alias: editing it there
	// changes this pair only.
	own bool
}

func newOrigins(u *unit) *origins {
	o := &origins{u: u, files: map[string][]document{}, indexes: map[string]docIndex{}, up: map[*yaml.Node]upLink{}, patched: map[string]bool{}}
	// The root kustomization's patches are applied last: search them first.
	for _, k := range u.kusts {
		var ps []*patchDoc
		for key, v := range yamlpath.Entries(k.node) {
			field := kustField(key.Value)
			if v != structField(k.node, field) {
				continue // a copy kustomize does not read
			}
			switch field {
			case "patchesStrategicMerge":
				// Entries are paths, or patches written inline.
				for _, it := range items(v) {
					if isString(it) && strings.Contains(it.Value, "\n") {
						ps = append(ps, o.patchDocs(k, nil, it, nil)...)
					} else if isString(it) {
						ps = append(ps, o.patchDocs(k, it, nil, nil)...)
					}
				}
			case "patches", "patchesJson6902":
				for _, it := range items(v) {
					t := parseSelector(structField(it, "target"))
					if p := structField(it, "path"); p != nil && isString(p) {
						ps = append(ps, o.patchDocs(k, p, nil, t)...)
					} else if p := structField(it, "patch"); p != nil && isString(p) {
						ps = append(ps, o.patchDocs(k, nil, p, t)...)
					}
				}
			}
		}
		slices.Reverse(ps)
		o.patches = append(o.patches, ps...)
		o.index(k.node)
		for _, p := range ps {
			o.index(p.root)
		}
		o.labels = append(o.labels, pairsOf(k, structField(k.node, "commonLabels"))...)
		for _, it := range items(structField(k.node, "labels")) {
			o.labels = append(o.labels, pairsOf(k, structField(it, "pairs"))...)
		}
		o.annotations = append(o.annotations, pairsOf(k, structField(k.node, "commonAnnotations"))...)
		o.rewrites = append(o.rewrites, o.rewritesOf(k)...)
		// Generators merge before patches apply: search them after.
		for _, g := range [][2]string{{"configMapGenerator", "ConfigMap"}, {"secretGenerator", "Secret"}} {
			for _, it := range items(structField(k.node, g[0])) {
				if p := generatorPatch(k, g[1], it); p != nil {
					o.index(p.root)
					o.patches = append(o.patches, p)
				}
			}
		}
	}
	return o
}

func pairsOf(k *kustomization, n *yaml.Node) []pair {
	var out []pair
	plain := n != nil && n.Kind == yaml.MappingNode && n.Anchor == ""
	for key, v := range yamlpath.Entries(n) {
		if v.Kind == yaml.ScalarNode {
			own := plain && key.Anchor == "" && slices.Contains(n.Content, key)
			out = append(out, pair{source{file: k.dispFile, node: v}, key, own})
		}
	}
	return out
}

// parse reads and parses a file once.
func (o *origins) parse(absFile, disp string) []document {
	if docs, ok := o.files[absFile]; ok {
		return docs
	}
	var docs []document
	if data, err := readFile(absFile, o.u.opts.MaxFileSize); err == nil {
		docs, _ = parseDocuments(disp, data)
	}
	o.files[absFile] = docs
	return docs
}

// patchDocs reads the patch a kustomization names by path, or written
// inline in it.
func (o *origins) patchDocs(k *kustomization, path, inline *yaml.Node, t *selector) []*patchDoc {
	var docs []document
	file := k.dispFile
	checked := false
	switch {
	case path != nil:
		if isRemote(path.Value) || filepath.IsAbs(path.Value) {
			return nil
		}
		file = filepath.Join(k.disp, path.Value)
		abs := filepath.Join(k.dir, path.Value)
		docs = o.parse(abs, file)
		checked = o.patched[abs]
		o.patched[abs] = true
	default:
		docs = inlineDocs(k, inline)
	}
	var out []*patchDoc
	for _, d := range docs {
		if !checked {
			o.dups = append(o.dups, patchDuplicates(file, d.node)...)
		}
		p := &patchDoc{file: file, target: t, root: d.node}
		switch d.node.Kind {
		case yaml.MappingNode:
			p.smp = d.node
		case yaml.SequenceNode:
			for _, it := range items(d.node) {
				op := fieldValue(it, "op")
				pn, val, from := yamlpath.Field(it, "path"), yamlpath.Field(it, "value"), yamlpath.Field(it, "from")
				switch {
				case pn == nil:
				case (op == "add" || op == "replace") && val != nil:
					p.ops = append(p.ops, jsonOp{path: pointer(pn.Value), pathNode: pn, value: val, name: op})
				case (op == "copy" || op == "move") && from != nil && isString(from) && len(pointer(pn.Value)) > 0 && len(pointer(from.Value)) > 0:
					p.ops = append(p.ops, jsonOp{path: pointer(pn.Value), pathNode: pn, from: pointer(from.Value), fromNode: from, name: op})
				case op == "remove" && len(pointer(pn.Value)) > 0:
					p.ops = append(p.ops, jsonOp{path: pointer(pn.Value), pathNode: pn, name: op})
				}
			}
		default:
			continue
		}
		out = append(out, p)
	}
	return out
}

// patchDuplicates reports the keys written twice in patch document n: a
// strategic-merge patch is merged by kustomize's kyaml walker, which takes
// the first copy of a field the object has and keeps both where it adds
// the mapping; a JSON 6902 patch goes through JSON (patchjson6902's
// YAMLToJSON), where the last copy wins.
func patchDuplicates(file string, n *yaml.Node) []*Error {
	switch n.Kind {
	case yaml.MappingNode:
		return kustomizeDuplicates(file, n, "kustomize silently merges the first copy only, or both where the patch adds the mapping")
	case yaml.SequenceNode:
		return kustomizeDuplicates(file, n, "kustomize silently applies the last copy only")
	}
	return nil
}

// inlineDocs parses a patch written inline in a kustomization, with the
// positions it has in the kustomization file. A literal block keeps its
// lines, shifted by its indentation, and a scalar on one line whose text is
// written as it is (no escapes) keeps its columns; any other scalar has no
// inner positions, and every node gets the scalar's.
func inlineDocs(k *kustomization, n *yaml.Node) []document {
	docs, _ := parseDocuments(k.dispFile, []byte(n.Value))
	lines := bytes.Split(k.data, []byte{'\n'})
	if n.Style&yaml.LiteralStyle == 0 {
		start, ok := inlineStart(lines, n)
		for _, d := range docs {
			if ok {
				shiftPos(d.node, n.Line-1, start)
			} else {
				placeAll(d.node, n)
			}
		}
		return docs
	}
	// The indentation is that of the first non-blank line of the block.
	indent := 0
	for l := n.Line; l < len(lines); l++ {
		if t := bytes.TrimLeft(lines[l], " "); len(bytes.TrimSpace(t)) > 0 {
			indent = len(lines[l]) - len(t)
			break
		}
	}
	for _, d := range docs {
		shiftPos(d.node, n.Line, indent)
	}
	return docs
}

// inlineStart returns the column before the text of a scalar on one line
// that is written as its value is (plain, or quoted without escapes), and
// whether it is.
func inlineStart(lines [][]byte, n *yaml.Node) (int, bool) {
	if strings.Contains(n.Value, "\n") || n.Style&yaml.FoldedStyle != 0 || n.Line < 1 || n.Line > len(lines) {
		return 0, false
	}
	start := n.Column - 1
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		start++
	}
	line := []rune(string(lines[n.Line-1]))
	value := []rune(n.Value)
	if start < 0 || start+len(value) > len(line) || string(line[start:start+len(value)]) != n.Value {
		return 0, false
	}
	return start, true
}

func shiftPos(n *yaml.Node, lines, cols int) {
	n.Line += lines
	n.Column += cols
	for _, c := range n.Content {
		shiftPos(c, lines, cols)
	}
}

// pointer splits a JSON pointer into its unescaped tokens.
func pointer(p string) []string {
	if p == "" || p == "/" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

func parseSelector(n *yaml.Node) *selector {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	return &selector{
		group: structValue(n, "group"), version: structValue(n, "version"), kind: structValue(n, "kind"),
		name: structValue(n, "name"), namespace: structValue(n, "namespace"),
		labelSelector: structValue(n, "labelSelector"), annotationSelector: structValue(n, "annotationSelector"),
	}
}

// matchRe matches s as kustomize does: an anchored regular expression.
func matchRe(pattern string, values ...string) bool {
	if pattern == "" {
		return true
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return slices.Contains(values, pattern)
	}
	for _, v := range values {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

// setNames sets the names the object may have had when a patch applied to
// it: its original and its built name, and every part of the built name
// that holds the original one. A patch of an overlay applies after the
// prefixes and suffixes of its bases and before its own (and those of the
// overlays above it), so it may name the object "eu-reviews" when the
// base calls it "reviews" and the build "prod-eu-reviews-x".
func (oi *objInfo) setNames() {
	oi.names = []string{oi.name, oi.orgName}
	k := strings.Index(oi.name, oi.orgName)
	if oi.orgName == "" || k < 0 {
		return
	}
	for i := 0; i <= k; i++ {
		for j := k + len(oi.orgName); j <= len(oi.name); j++ {
			if i > 0 || j < len(oi.name) {
				oi.names = append(oi.names, oi.name[i:j])
			}
		}
	}
}

// targets reports whether the patch may apply to the object. Matching is
// lenient (a name before, between or after prefixes and suffixes, a
// namespace before or after the namespace transformers): a scalar is only
// taken from a patch that sets it to its built value.
func (p *patchDoc) targets(oi *objInfo) bool {
	if t := p.target; t != nil {
		if !matchRe(t.group, oi.group) || !matchRe(t.version, oi.version) || !matchRe(t.kind, oi.kind) ||
			!matchRe(t.name, oi.names...) {
			return false
		}
		if t.namespace != "" && !matchRe(t.namespace, oi.namespaces...) {
			return false
		}
		for _, s := range []struct {
			sel string
			set map[string]string
		}{{t.labelSelector, oi.labels}, {t.annotationSelector, oi.annotations}} {
			if s.sel == "" {
				continue
			}
			sel, err := labels.Parse(s.sel)
			if err != nil || !sel.Matches(labels.Set(s.set)) {
				return false
			}
		}
		return true
	}
	if p.smp == nil {
		return false
	}
	if fieldValue(p.smp, "kind") != oi.kind {
		return false
	}
	name := fieldValue(yamlpath.Field(p.smp, "metadata"), "name")
	// The patch names the object as it was when the patch applied: between
	// its original and its final name.
	return name == oi.name || name == oi.orgName ||
		(oi.orgName != "" && strings.Contains(name, oi.orgName) && strings.Contains(oi.name, name))
}

// lookups yields the key and value nodes at path in the patch: one pair
// for a strategic-merge patch, and for JSON 6902 operations every operation
// that writes the path, the last first. All are yielded because an earlier
// operation may be the one that wrote the built value: an add to the end of
// a list ("/-") matches any index, and must not hide the replace that set
// the item's field.
//
// An add to the end of a list names no index: it matches any when appended
// is true, else none (the caller knows that the origin has the item).
func (p *patchDoc) lookups(path []step, appended bool) iter.Seq2[*yaml.Node, *yaml.Node] {
	return func(yield func(k, v *yaml.Node) bool) {
		if p.smp != nil {
			if k, v := lookup(p.smp, path); v != nil {
				yield(k, v)
			}
			return
		}
		for i := len(p.ops) - 1; i >= 0; i-- {
			op := p.ops[i]
			if op.value == nil || len(op.path) > len(path) || !prefixOf(op.path, path, appended) {
				continue
			}
			k, v := op.pathNode, op.value
			if len(op.path) < len(path) {
				k, v = lookup(op.value, path[len(op.path):])
			}
			if v != nil && !yield(k, v) {
				return
			}
		}
	}
}

func prefixOf(toks []string, path []step, appended bool) bool {
	for i, t := range toks {
		s := path[i]
		if s.index < 0 {
			// A JSON pointer names a key, not a later copy of it.
			if t != s.key || s.nth > 0 {
				return false
			}
		} else if (t != "-" || !appended) && t != strconv.Itoa(s.index) {
			return false
		}
	}
	return true
}

// lookup walks path from n, returning the key node (nil for a sequence
// item) and the value node, or nil, nil.
func lookup(n *yaml.Node, path []step) (k, v *yaml.Node) {
	v = n
	for _, s := range path {
		if s.index < 0 {
			k, v = entryNth(v, s.key, s.nth)
		} else {
			k, v = nil, seqItem(v, s)
		}
		if v == nil {
			return nil, nil
		}
	}
	return k, v
}

// entry returns the key and value nodes of key in mapping n, which may
// come through a merge key (yamlpath.Lookup): kustomize's output has the
// merged entries written out.
func entry(n *yaml.Node, key string) (k, v *yaml.Node) {
	return yamlpath.Lookup(n, key)
}

// entryNth is entry for the copy of key that nth keys of its text come
// before. A merged entry comes after those written (yamlpath.Entries) and
// is never a copy: a written key overrides it.
func entryNth(n *yaml.Node, key string, nth int) (k, v *yaml.Node) {
	if nth == 0 {
		return entry(n, key)
	}
	for k, v := range yamlpath.Entries(n) {
		if k.Value == key {
			if nth == 0 {
				return k, v
			}
			nth--
		}
	}
	return nil, nil
}

// keyCopies returns, for each key of the mapping whose keys and values are
// c, the number of keys with its text written before it; nil when no key
// is written twice, as in nearly every mapping. Keys are compared as
// duplicateKeys compares them.
func keyCopies(c []*yaml.Node) []int {
	pairs := len(c) / 2
	var nth []int
	set := func(j, count int) {
		if nth == nil {
			nth = make([]int, pairs)
		}
		nth[j] = count
	}
	if pairs <= smallMapping {
		for j := 1; j < pairs; j++ {
			count := 0
			for i := 0; i < j; i++ {
				if c[2*i].Value == c[2*j].Value && plainKey(c[2*i]) && plainKey(c[2*j]) {
					count++
				}
			}
			if count > 0 {
				set(j, count)
			}
		}
		return nth
	}
	seen := make(map[string]int, pairs)
	for j := 0; j < pairs; j++ {
		k := c[2*j]
		if !plainKey(k) {
			continue
		}
		if count := seen[k.Value]; count > 0 {
			set(j, count)
		}
		seen[k.Value]++
	}
	return nth
}

// seqItem finds the item of sequence n that the step names: by its merge
// key when the items have one, else by index.
func seqItem(n *yaml.Node, s step) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	if s.mkey != "" {
		keyed := false
		for _, it := range n.Content {
			if f := yamlpath.Field(deref(it), s.mkey); f != nil {
				keyed = true
				if f.Value == s.mval {
					return deref(it)
				}
			}
		}
		if keyed {
			return nil
		}
	}
	if s.index < len(n.Content) {
		return deref(n.Content[s.index])
	}
	return nil
}

// mergeKeys identify list items across a base and its patches.
var mergeKeys = []string{"name", "containerPort", "port", "mountPath"}

func itemStep(it *yaml.Node, i int) step {
	s := step{index: i, item: it}
	for _, k := range mergeKeys {
		if f := yamlpath.Field(deref(it), k); f != nil && f.Kind == yaml.ScalarNode {
			s.mkey, s.mval = k, f.Value
			break
		}
	}
	return s
}

// kustomizeAnnotation reports whether kustomize adds the annotation.
func kustomizeAnnotation(key string) bool {
	for _, p := range []string{"config.kubernetes.io/", "internal.config.kubernetes.io/", "alpha.config.kubernetes.io/", "config.k8s.io/"} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// stripAnnotations removes the annotations kustomize added from a built
// object, keeping those its origin has.
func stripAnnotations(n, org *yaml.Node) {
	meta := yamlpath.Field(n, "metadata")
	ann := yamlpath.Field(meta, "annotations")
	if ann == nil || ann.Kind != yaml.MappingNode {
		return
	}
	orgAnn := yamlpath.Field(yamlpath.Field(org, "metadata"), "annotations")
	var keep []*yaml.Node
	for i := 0; i+1 < len(ann.Content); i += 2 {
		k := ann.Content[i].Value
		if kustomizeAnnotation(k) && yamlpath.Field(orgAnn, k) == nil {
			continue
		}
		keep = append(keep, ann.Content[i], ann.Content[i+1])
	}
	ann.Content = keep
	if len(keep) == 0 && orgAnn == nil {
		for i := 0; i+1 < len(meta.Content); i += 2 {
			if meta.Content[i].Value == "annotations" {
				meta.Content = slices.Delete(meta.Content, i, i+2)
				break
			}
		}
	}
}

// source is where a built node comes from.
type source struct {
	file     string
	node     *yaml.Node
	fallback bool // not the node's own source: keep no comments
}

type mapper struct {
	file     string // the origin file, as displayed
	fallback *yaml.Node
	patches  []*patchDoc
	// namespaces are the namespace fields of the kustomizations of the
	// build, the root's first; key is the field's key node.
	namespaces []*nsSource
	kind       string
	// labels and annotations are those the kustomizations add.
	labels, annotations []pair
	// rewrites are the entries that may rewrite a value of the object.
	rewrites []*rewrite
	// org is the origin object; depth counts the copies and moves that
	// source follows back (moved), and horizon is the operation it goes
	// back from: only those applied before it count.
	org     *yaml.Node
	depth   int
	horizon opRef
	// recs are the built nodes in document order, which resolve gives
	// their positions.
	recs    []*rec
	up      map[*yaml.Node]upLink
	index   func(*yaml.Node)
	claimed map[Loc]string
	sources map[Loc]string
	// dups are the keys written again in a mapping of the object.
	dups []dupKey
}

// dupKey is a key written again in a built mapping (again) and the first
// copy of its text (first); orgFirst is the first copy in the origin
// object, where the key of first may come from a patch that set its value.
type dupKey struct {
	first, again *rec
	orgFirst     *yaml.Node
}

// rec is a built node and the node it comes from (want); got is the
// position resolve gives it.
type rec struct {
	n         *yaml.Node
	want, got source
	// parent is the record whose position the node takes when none of
	// its file is free: its key's (or list item's) parent's.
	parent *rec
	// first is set for the object's node and the fields that identify
	// it (identity), at which findings about the whole object point.
	first bool
	done  bool
}

type nsSource struct {
	source
	key *yaml.Node
}

// object turns one built resource into objects at their sources.
func (o *origins) object(n *yaml.Node, origin *resource.Origin, unmodelled map[string]int) ([]*Object, []*Error) {
	file, doc := o.u.file, 0
	var org, fallback *yaml.Node
	switch {
	case origin != nil && origin.Path != "":
		file = filepath.Join(o.u.disp, origin.Path)
		abs := filepath.Join(o.u.abs, origin.Path)
		docs := o.parse(abs, file)
		ix, ok := o.indexes[abs]
		if !ok {
			ix = indexDocs(docs)
			o.indexes[abs] = ix
		}
		doc, org = findObject(docs, ix, n)
		if len(docs) > 0 && org == nil {
			fallback = docs[0].node
		}
	case origin != nil && origin.ConfiguredIn != "":
		// A generated object: point at its generator.
		// kustomize names the generator's kind; the entry is the one
		// whose name the built name contains (with prefix and hash).
		file = filepath.Join(o.u.disp, origin.ConfiguredIn)
		built := fieldValue(yamlpath.Field(n, "metadata"), "name")
		gen := "configMapGenerator"
		if fieldValue(n, "kind") == "Secret" {
			gen = "secretGenerator"
		}
		var entry *yaml.Node
		for _, d := range o.parse(filepath.Join(o.u.abs, origin.ConfiguredIn), file) {
			for _, it := range items(structField(d.node, gen)) {
				nm := structField(it, "name")
				if nm != nil && nm.Value != "" && strings.Contains(built, nm.Value) && (fallback == nil || len(nm.Value) > len(fallback.Value)) {
					fallback, entry = nm, it
				}
			}
			if fallback == nil && d.node.Kind == yaml.MappingNode && len(d.node.Content) > 0 {
				fallback = d.node.Content[0]
			}
		}
		org = generatorOrigin(entry, n)
	}
	stripAnnotations(n, org)
	if fallback == nil {
		fallback = yamlpath.Field(org, "kind")
	}
	if fallback == nil {
		fallback = org
	}
	if fallback == nil {
		fallback = &yaml.Node{Line: 1, Column: 1}
	}

	oi := &objInfo{kind: fieldValue(n, "kind"), orgName: fieldValue(yamlpath.Field(org, "metadata"), "name")}
	oi.group, oi.version = splitGV(fieldValue(n, "apiVersion"))
	if meta := yamlpath.Field(n, "metadata"); meta != nil {
		oi.name = fieldValue(meta, "name")
		oi.setNames()
		oi.namespaces = []string{fieldValue(meta, "namespace"), fieldValue(yamlpath.Field(org, "metadata"), "namespace")}
		oi.labels, oi.annotations = plainMap(yamlpath.Field(meta, "labels")), plainMap(yamlpath.Field(meta, "annotations"))
	}
	m := &mapper{file: file, fallback: fallback, claimed: map[Loc]string{}, sources: map[Loc]string{}, index: o.index, up: o.up,
		kind: oi.kind, labels: o.labels, annotations: o.annotations}
	for _, k := range o.u.kusts {
		if kk, kv := entry(k.node, "namespace"); kv != nil && isString(kv) && kv.Value != "" {
			m.namespaces = append(m.namespaces, &nsSource{source{file: k.dispFile, node: kv}, kk})
			oi.namespaces = append(oi.namespaces, kv.Value)
		}
	}
	for _, p := range o.patches {
		if p.targets(oi) {
			m.patches = append(m.patches, p)
		}
	}
	for _, r := range o.rewrites {
		if r := r.forObject(oi); r != nil {
			m.rewrites = append(m.rewrites, r)
		}
	}
	m.org = org
	rootSrc := source{file: file, node: org}
	if org == nil {
		rootSrc = source{file: file, node: fallback, fallback: true}
	}
	root := m.add(n, rootSrc, nil)
	root.first = true
	m.children(n, org, nil, root)
	m.resolve()

	// Duplicate keys are found by the mapper, which knows the copy of the
	// source each built key is: their built positions, which patches may
	// have moved, would not tell the copies apart.
	objs, errs := objectsIn(file, doc, n, o.u.opts.Namespace, unmodelled, o.u.opts.Maps, false)
	for _, ob := range objs {
		if len(m.sources) > 0 {
			ob.Sources = m.sources
		}
	}
	for _, e := range errs {
		if f, ok := m.sources[Loc{Line: e.Line, Col: e.Col}]; ok {
			e.File = f
		}
	}
	return objs, append(m.duplicateErrors(), errs...)
}

// duplicateErrors reports each key written again in the object where its
// copy is written: the origin's, or the patch's that added the mapping
// whole (a strategic-merge patch keeps both copies where the object lacks
// the mapping). The first copy named is the one in the same file: the
// origin's, though a patch may have set the first copy's value.
func (m *mapper) duplicateErrors() []*Error {
	var errs []*Error
	for _, d := range m.dups {
		at := d.again.want
		if at.node == nil || at.fallback {
			at = d.again.got
		}
		first := at.node // no first copy named
		switch fw := d.first.want; {
		case fw.node != nil && !fw.fallback && fw.file == at.file && fw.node != at.node:
			first = fw.node
		case d.orgFirst != nil && at.file == m.file:
			first = d.orgFirst
		}
		errs = append(errs, duplicateError(at.file, first, at.node))
	}
	return errs
}

// generatorOrigin returns, for an object built by a configMapGenerator or
// secretGenerator entry, an origin object made of the entry's nodes: its
// name for metadata.name, and for each key of data (or binaryData) the
// literal or file entry that produced it, else its env file entry. A
// literal's value node holds the literal's value, at the literal's
// position; a file's is the entry ("key=path"), whose text is not the
// built value: apply() then keeps no block style, so that no rule maps a
// line inside the value to a line of the kustomization. It returns nil
// without an entry.
func generatorOrigin(entry, built *yaml.Node) *yaml.Node {
	name, sources, env := generatorSources(entry)
	if name == nil {
		return nil
	}
	org := genMapping(entry, scalarAt(name, "metadata"), genMapping(entry, scalarAt(name, "name"), name))
	for _, field := range []string{"data", "binaryData"} {
		d := yamlpath.Field(built, field)
		if d == nil || d.Kind != yaml.MappingNode {
			continue
		}
		m := genMapping(entry)
		for k := range yamlpath.Entries(d) {
			src := sources[k.Value]
			if src == nil && env != nil {
				src = env
			}
			if src != nil {
				m.Content = append(m.Content, scalarAt(src, k.Value), src)
			}
		}
		org.Content = append(org.Content, scalarAt(entry, field), m)
	}
	return org
}

// generatorPatch returns a generator entry that merges into or replaces a
// generated object of a base (behavior: merge or replace) as a
// strategic-merge patch of that object, so that the keys it writes point
// at it. It returns nil for another entry.
func generatorPatch(k *kustomization, kind string, entry *yaml.Node) *patchDoc {
	if b := structValue(entry, "behavior"); b != "merge" && b != "replace" {
		return nil
	}
	name, sources, _ := generatorSources(entry)
	if name == nil {
		return nil
	}
	data := genMapping(entry)
	for _, key := range slices.Sorted(maps.Keys(sources)) {
		data.Content = append(data.Content, scalarAt(sources[key], key), sources[key])
	}
	smp := genMapping(entry, scalarAt(entry, "kind"), scalarAt(entry, kind),
		scalarAt(name, "metadata"), genMapping(entry, scalarAt(name, "name"), name),
		scalarAt(entry, "data"), data)
	return &patchDoc{file: k.dispFile, smp: smp, root: smp}
}

// generatorSources returns the name node of a generator entry and, by
// data key, the node that wrote each key: a node holding the value of a
// literal, or the files entry. env is the first env file entry, which
// writes the keys of a file meshlint does not read.
func generatorSources(entry *yaml.Node) (name *yaml.Node, sources map[string]*yaml.Node, env *yaml.Node) {
	name = structField(entry, "name")
	if name == nil || !isString(name) {
		return nil, nil, nil
	}
	sources = map[string]*yaml.Node{}
	for _, f := range []string{"literals", "files", "envs", "env"} {
		v := structField(entry, f)
		list := stringItems(v)
		if v != nil && isString(v) {
			list = []*yaml.Node{v}
		}
		for _, it := range list {
			key, val, ok := strings.Cut(it.Value, "=")
			switch {
			case f == "envs" || f == "env":
				if env == nil {
					env = it
				}
				continue
			case f == "files" && !ok:
				key = filepath.Base(it.Value)
			case f == "literals":
				lit := scalarAt(it, val)
				lit.HeadComment, lit.LineComment, lit.FootComment = it.HeadComment, it.LineComment, it.FootComment
				// kustomize takes the quotes off a quoted value.
				quoted := len(val) >= 2 && (val[0] == '"' || val[0] == '\'') && val[len(val)-1] == val[0]
				if quoted {
					lit.Value = val[1 : len(val)-1]
				}
				// On one line, the value is written after "key=": point
				// at it. A block's first line is the next one, at an
				// indentation the node does not give: point at the block.
				if !strings.Contains(it.Value, "\n") && it.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
					lit.Column += utf8.RuneCountInString(key) + 1
					if it.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
						lit.Column++
					}
					if quoted {
						lit.Column++
					}
				}
				it = lit
			}
			if _, seen := sources[key]; !seen {
				sources[key] = it
			}
		}
	}
	return name, sources, env
}

// scalarAt returns a string scalar holding value at the position of at.
func scalarAt(at *yaml.Node, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Line: at.Line, Column: at.Column}
}

// genMapping returns a mapping at the position of at.
func genMapping(at *yaml.Node, content ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: at.Line, Column: at.Column, Content: content}
}

func splitGV(apiVersion string) (group, version string) {
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		return apiVersion[:i], apiVersion[i+1:]
	}
	return "", apiVersion
}

func plainMap(n *yaml.Node) map[string]string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	m := map[string]string{}
	for k, v := range yamlpath.Entries(n) {
		m[k.Value] = v.Value
	}
	return m
}

// findObject finds the built object's document in its origin file: same
// kind, then the same name, or the longest name that the built name
// contains (a namePrefix or nameSuffix), the first of those in the file,
// or the only object of the kind. ix indexes docs (indexDocs).
func findObject(docs []document, ix docIndex, built *yaml.Node) (int, *yaml.Node) {
	kind := fieldValue(built, "kind")
	group, _ := splitGV(fieldValue(built, "apiVersion"))
	name := fieldValue(yamlpath.Field(built, "metadata"), "name")
	of := ix[groupKind{group, kind}]
	if of == nil {
		if len(docs) > 0 {
			return docs[0].index, nil
		}
		return 0, nil
	}
	if i, ok := of.byName[name]; ok {
		return of.cands[i].doc, of.cands[i].node
	}
	best := -1
	if len(of.cands) <= len(name)*len(name)/2 {
		bestLen := -1
		for i, c := range of.cands {
			if c.name != "" && strings.Contains(name, c.name) && len(c.name) > bestLen {
				best, bestLen = i, len(c.name)
			}
		}
	} else {
		// Many objects of the kind (a file of thousands): look the
		// built name's substrings up, longest first, rather than each
		// object's name in it.
		for l := len(name); l > 0 && best < 0; l-- {
			for at := 0; at+l <= len(name); at++ {
				if i, ok := of.byName[name[at:at+l]]; ok && (best < 0 || i < best) {
					best = i
				}
			}
		}
	}
	if best < 0 && len(of.cands) == 1 {
		best = 0
	}
	if best < 0 {
		return docs[0].index, nil
	}
	return of.cands[best].doc, of.cands[best].node
}

// docIndex holds the objects of a file's documents (and of their List
// items) by group and kind, in file order.
type docIndex map[groupKind]*kindDocs

type groupKind struct{ group, kind string }

type kindDocs struct {
	cands []docCand
	// byName is the first object of each name.
	byName map[string]int
}

type docCand struct {
	doc  int
	node *yaml.Node
	name string
}

// indexDocs indexes the objects of docs for findObject: a built object is
// looked for once each, and a file may hold thousands.
func indexDocs(docs []document) docIndex {
	ix := docIndex{}
	var add func(doc int, n *yaml.Node)
	add = func(doc int, n *yaml.Node) {
		if n.Kind != yaml.MappingNode {
			return
		}
		k := fieldValue(n, "kind")
		if its := yamlpath.Field(n, "items"); its != nil && strings.HasSuffix(k, "List") {
			for _, it := range items(its) {
				add(doc, it)
			}
			return
		}
		g, _ := splitGV(fieldValue(n, "apiVersion"))
		of := ix[groupKind{g, k}]
		if of == nil {
			of = &kindDocs{byName: map[string]int{}}
			ix[groupKind{g, k}] = of
		}
		name := fieldValue(yamlpath.Field(n, "metadata"), "name")
		if _, ok := of.byName[name]; !ok {
			of.byName[name] = len(of.cands)
		}
		of.cands = append(of.cands, docCand{doc, n, name})
	}
	for _, d := range docs {
		add(d.index, d.node)
	}
	return ix
}

// identity reports whether the path names a field that identifies the
// object: those always come from the origin.
func identity(path []step) bool {
	switch len(path) {
	case 1:
		return path[0].key == "apiVersion" || path[0].key == "kind"
	case 2:
		return path[0].key == "metadata" && (path[1].key == "name" || path[1].key == "namespace")
	}
	return false
}

// children maps the children of built node n, whose origin node is org
// (nil when the origin lacks it) and whose record is parent.
func (m *mapper) children(n, org *yaml.Node, path []step, parent *rec) {
	switch n.Kind {
	case yaml.MappingNode:
		nth := keyCopies(n.Content)
		var keys []*rec // of the keys, when one is written twice
		if nth != nil {
			keys = make([]*rec, len(nth))
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			s := step{key: k.Value, index: -1}
			if nth != nil {
				s.nth = nth[i/2]
			}
			ok, ov := entryNth(org, k.Value, s.nth)
			p := append(slices.Clip(path), s)
			kr := m.node(k, v, ok, ov, p, parent)
			if nth == nil {
				continue
			}
			keys[i/2] = kr
			if s.nth > 0 {
				// The first copy is the first key of the text.
				for j := 0; j < i/2; j++ {
					if nth[j] == 0 && n.Content[2*j].Value == k.Value && plainKey(n.Content[2*j]) {
						orgFirst, _ := entry(org, k.Value)
						m.dups = append(m.dups, dupKey{first: keys[j], again: kr, orgFirst: orgFirst})
						break
					}
				}
			}
		}
	case yaml.SequenceNode:
		for i, it := range n.Content {
			s := itemStep(it, i)
			p := append(slices.Clip(path), s)
			m.node(nil, it, nil, seqItem(org, s), p, parent)
		}
	}
}

// node maps the built value v (and its key k, nil for a list item) at path,
// and returns the record of the key (nil without one).
func (m *mapper) node(k, v, ok, ov *yaml.Node, path []step, parent *rec) *rec {
	vs, ks := m.source(v, ok, ov, path)
	if vs.node == nil {
		vs = source{file: m.file, node: m.fallback, fallback: true}
		ks = vs
	}
	// A child that falls back to its parent takes the parent's key (the
	// line of "spec:"), not the parent's value, which starts where its
	// first child does.
	up := m.add(v, vs, parent)
	up.first = identity(path)
	var kr *rec
	if k != nil {
		if ks.node == nil {
			ks = vs
		}
		up = m.add(k, ks, parent)
		up.first = identity(path)
		kr = up
	}
	if v.Kind != yaml.AliasNode {
		m.children(v, ov, path, up)
	}
	return kr
}

// add records the built node n, which comes from want.
func (m *mapper) add(n *yaml.Node, want source, parent *rec) *rec {
	r := &rec{n: n, want: want, parent: parent}
	m.recs = append(m.recs, r)
	return r
}

// source returns where the value node v at path and its key come from.
func (m *mapper) source(v, ok, ov *yaml.Node, path []step) (vs, ks source) {
	fromPatch := func(p *patchDoc, pk, pv *yaml.Node) (source, source) {
		return source{file: p.file, node: pv}, source{file: p.file, node: pk}
	}
	if v.Kind == yaml.ScalarNode && !identity(path) {
		// An item the origin has was not appended by a patch: a value of
		// an item added with "/-" is not credited for it.
		for _, p := range m.patches {
			for pk, pv := range p.lookups(path, ov == nil) {
				if pv.Kind == yaml.ScalarNode && pv.Value == v.Value {
					return fromPatch(p, pk, pv)
				}
			}
		}
	}
	if r := m.rewritten(v, ov, path); r != nil {
		// The key is the origin's, or a patch's.
		ks = source{file: m.file, node: ok}
		if ok == nil {
			ks = source{}
			for _, p := range m.patches {
				for pk := range p.lookups(path, true) {
					if pk != nil {
						ks = source{file: p.file, node: pk}
						break
					}
				}
				if ks.node != nil {
					break
				}
			}
		}
		return source{file: r.file, node: r.at}, ks
	}
	// Kustomize applies a kustomization's patches before its images,
	// replicas and replacements.
	if vs, ks, ok := m.moved(v, path); ok {
		return vs, ks
	}
	if ns := m.namespaceField(v, ov, path); ns != nil {
		return ns.source, source{file: ns.file, node: ns.key}
	}
	if pr, annotation := m.addedPair(v, ov, path); pr != nil {
		if annotation && !m.onlyWriter(pr, ok, path) {
			// The key is written elsewhere too: it stays at the object's
			// kind, where rules look for keys that no file holds as the
			// object has them, and offer no fix to rename or move them.
			// A rename of one of the keys would leave the other.
			return pr.source, source{file: m.file, node: m.fallback, fallback: true}
		}
		return pr.source, source{file: pr.file, node: pr.key}
	}
	if ov != nil {
		return source{file: m.file, node: ov}, source{file: m.file, node: ok}
	}
	if identity(path) {
		return source{}, source{}
	}
	for _, p := range m.patches {
		for pk, pv := range p.lookups(path, true) {
			if pv.Kind == v.Kind || v.Kind == yaml.AliasNode {
				return fromPatch(p, pk, pv)
			}
		}
	}
	return source{}, source{}
}

// namespaceField returns the namespace field of a kustomization that set
// the value v at path, or nil: the object's namespace, and the name of a
// Namespace object, which kustomize's namespace transformer renames too.
// The field is the first, from the root, that holds the built value, which
// the origin lacks. Kustomize applies the root's namespace last, but a
// base's applies alone to the objects of its own build, which the root's
// may leave alone (it sets none).
func (m *mapper) namespaceField(v, ov *yaml.Node, path []step) *nsSource {
	if len(path) != 2 || path[0].key != "metadata" || v.Kind != yaml.ScalarNode || (ov != nil && ov.Value == v.Value) {
		return nil
	}
	if path[1].key != "namespace" && (path[1].key != "name" || m.kind != "Namespace") {
		return nil
	}
	for _, ns := range m.namespaces {
		if ns.node.Value == v.Value {
			return ns
		}
	}
	return nil
}

// addedPair returns the commonLabels, labels or commonAnnotations entry of
// a kustomization that wrote the value v at path, and whether it is an
// annotation, or nil: a label of a label map (labels, matchLabels, a
// Service's selector) or an annotation that the origin lacks or has with
// another value, and that an entry sets to the built value. Without it,
// the node would point at the object's kind, or at the value that
// kustomize replaced.
func (m *mapper) addedPair(v, ov *yaml.Node, path []step) (*pair, bool) {
	if len(path) < 2 || v.Kind != yaml.ScalarNode || (ov != nil && ov.Value == v.Value) {
		return nil, false
	}
	key, parent := path[len(path)-1], path[len(path)-2]
	if key.index >= 0 || parent.index >= 0 {
		return nil, false
	}
	pairs, annotation := m.labels, parent.key == "annotations"
	switch {
	case annotation:
		pairs = m.annotations
	case parent.key != "labels" && parent.key != "matchLabels" && parent.key != "selector":
		return nil, false
	}
	for i, p := range pairs {
		if p.key.Value == key.key && p.node.Value == v.Value {
			return &pairs[i], annotation
		}
	}
	return nil, false
}

// onlyWriter reports whether the commonAnnotations entry pr is the only
// place that writes the key at path, so that a fix may rename the key
// there: not when the entry is anchored or merged (an edit would change
// what others read), when the origin (ok, its key) has the key with
// another value, when another kustomization of the build sets it too, nor
// when a patch writes it.
func (m *mapper) onlyWriter(pr *pair, ok *yaml.Node, path []step) bool {
	if !pr.own || ok != nil {
		return false
	}
	for i := range m.annotations {
		p := &m.annotations[i]
		same := p.file == pr.file && p.key.Line == pr.key.Line && p.key.Column == pr.key.Column
		if !same && p.key.Value == pr.key.Value {
			return false
		}
	}
	for _, p := range m.patches {
		for range p.lookups(path, true) {
			return false
		}
	}
	return true
}

// resolve gives each recorded node a position and applies it. The
// object's node and its identifying fields take theirs first, then the
// nodes of a patch or kustomization, then the origin's, then those whose
// own position a node of another file took: the nearest node of their
// file that is free (near), else their parent's position.
func (m *mapper) resolve() {
	for _, r := range m.recs {
		if r.first {
			m.take(r, r.want)
		}
	}
	for _, r := range m.recs {
		if !r.done && r.want.file != m.file && !r.want.fallback {
			m.take(r, r.want)
		}
	}
	for _, r := range m.recs {
		if !r.done && r.want.file == m.file {
			m.take(r, r.want)
		}
	}
	for _, r := range m.recs {
		if r.done {
			continue
		}
		// The origin is indexed only when a node of the object needs it:
		// most have none.
		m.index(m.org)
		for _, n := range m.near(r.want.node) {
			if m.take(r, source{file: r.want.file, node: n, fallback: true}) {
				break
			}
		}
		switch {
		case r.done:
		case r.parent != nil:
			// The parent's position is its file's, but for the object's
			// own node, which may hold one that it could not take.
			up := source{file: r.parent.got.file, node: r.parent.got.node, fallback: true}
			if !m.take(r, up) {
				r.got, r.done = up, true
			}
		default:
			// The object's own node, whose line:col another file's node
			// holds: it keeps its position, as nothing is above it.
			r.got, r.done = source{file: r.want.file, node: r.want.node, fallback: true}, true
		}
	}
	for _, r := range m.recs {
		m.apply(r.n, r.got)
	}
}

// take gives r the position of s unless a node of another file has it.
func (m *mapper) take(r *rec, s source) bool {
	at := LineCol(s.node.Line, s.node.Column)
	if f, ok := m.claimed[at]; ok && f != s.file {
		return false
	}
	m.claimed[at] = s.file
	if s.file != m.file {
		m.sources[at] = s.file
	}
	r.got, r.done = s, true
	return true
}

// near returns the nodes of n's file that a node of n may point at when
// it cannot point at n, nearest first: a key's value on the same line,
// then the keys and list items above n. A block mapping or list under a
// key is skipped: it starts where its first child does, and its key
// names it better.
func (m *mapper) near(n *yaml.Node) []*yaml.Node {
	l, ok := m.up[n]
	if !ok {
		return nil
	}
	var out []*yaml.Node
	if l.value != nil && l.value.Line == n.Line && l.value.Column > n.Column {
		out = append(out, l.value)
	}
	for cur := n; ; {
		l, ok := m.up[cur]
		if !ok || l.up == nil {
			return out
		}
		cur = l.up
		block := (cur.Kind == yaml.MappingNode || cur.Kind == yaml.SequenceNode) && cur.Style&yaml.FlowStyle == 0
		if !block || !m.up[cur].isValue {
			out = append(out, cur)
		}
	}
}

// index links the nodes of the tree under n to those above them.
func (o *origins) index(n *yaml.Node) {
	if n == nil {
		return
	}
	if _, ok := o.up[n]; ok {
		return
	}
	o.up[n] = upLink{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				o.up[k] = upLink{up: n, value: v}
				o.up[v] = upLink{up: k, isValue: true}
				walk(v)
			}
		case yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				o.up[c] = upLink{up: n}
				walk(c)
			}
		}
	}
	walk(n)
}

// apply gives the built node n the position (and the comments) of its
// source.
func (m *mapper) apply(n *yaml.Node, s source) {
	n.Line, n.Column = s.node.Line, s.node.Column
	if s.fallback {
		n.HeadComment, n.LineComment, n.FootComment = "", "", ""
		return
	}
	n.HeadComment, n.LineComment, n.FootComment = s.node.HeadComment, s.node.LineComment, s.node.FootComment
	switch {
	case n.Kind != yaml.ScalarNode:
	case s.node.Kind == yaml.ScalarNode && n.Value == s.node.Value:
		n.Style = s.node.Style
	default:
		// The built text is not the source's (a generated value, a value
		// a transformer rewrote): a block's lines are not the file's.
		n.Style &^= yaml.LiteralStyle | yaml.FoldedStyle
	}
}

// moved returns where the node v at path comes from when JSON 6902
// operations of a patch moved it: when a copy or move put it there (the
// last applied first), the source of the node at the op's from, as the
// origin (or a patch, or an earlier copy) has it; else the op's from. The
// key the op's path names points at the op's path. When an add, copy or
// move inserted an item before it in its list, or a move or remove took
// one out, it is the item at the index it had before. Going back from an
// operation, only those applied before it count (m.horizon). ok is false
// when no copy or move wrote the path and no operation shifted it. A value
// that a later operation set at the path itself was found before (by
// value), and wins.
func (m *mapper) moved(v *yaml.Node, path []step) (vs, ks source, ok bool) {
	if m.depth > 16 {
		return source{}, source{}, false
	}
	// follow takes the node v as it was at from, before operation i of
	// patch pi applied.
	follow := func(pi, i int, from []step) (source, source) {
		fk, fv := lookup(m.org, from)
		saved := m.horizon
		m.horizon = opRef{patch: pi, op: i, set: true}
		m.depth++
		vs, ks := m.source(v, fk, fv, from)
		m.depth--
		m.horizon = saved
		return vs, ks
	}
	for pi, p := range m.patches {
		last := len(p.ops) - 1
		if h := m.horizon; h.set {
			if pi < h.patch {
				continue
			}
			if pi == h.patch {
				last = h.op - 1
			}
		}
		for i := last; i >= 0; i-- {
			op := p.ops[i]
			switch {
			case op.from != nil && len(op.path) <= len(path) && m.opPrefix(op.path, path):
				from := append(m.originSteps(op.from), path[len(op.path):]...)
				vs, ks = follow(pi, i, from)
				if vs.node == nil {
					vs = source{file: p.file, node: op.fromNode}
				}
				if len(op.path) == len(path) && path[len(path)-1].index < 0 {
					ks = source{file: p.file, node: op.pathNode}
				}
				return vs, ks, true
			case op.value != nil && len(op.path) <= len(path) && prefixOf(op.path, path, false):
				// The operation wrote the node, or one above it.
				return source{}, source{}, false
			}
			if before, shifted := unshift(op, path); shifted {
				vs, ks = follow(pi, i, before)
				if vs.node == nil {
					return source{}, source{}, false
				}
				return vs, ks, true
			}
		}
	}
	return source{}, source{}, false
}

// opRef names operation op of m.patches[patch].
type opRef struct {
	patch, op int
	set       bool
}

// unshift returns path as it was before op, when op moved the item path
// is in (or under) along its list: an insertion at a lower index (add,
// copy or move to an index) moved it down, the removal of a lower or
// the same index (move or remove) up. The item is then known by its
// index: its merge key, if any, still finds it.
func unshift(op jsonOp, path []step) ([]step, bool) {
	out, shifted := path, false
	shift := func(toks []string, by int) {
		n := len(toks)
		if n == 0 || n > len(out) || !prefixOf(toks[:n-1], out, false) {
			return
		}
		i, err := strconv.Atoi(toks[n-1])
		s := out[n-1]
		if err != nil || s.index < 0 || (by < 0 && s.index <= i) || (by > 0 && s.index < i) {
			return
		}
		out = slices.Clone(out)
		out[n-1].index += by
		out[n-1].item = nil
		shifted = true
	}
	if op.name == "add" || op.name == "copy" || op.name == "move" {
		shift(op.path, -1)
	}
	switch op.name {
	case "move":
		shift(op.from, 1)
	case "remove":
		shift(op.path, 1)
	}
	return out, shifted
}

// opPrefix reports whether the JSON pointer toks names path or a node
// above it; "-" names a list item that the origin lacks (it was appended),
// wherever the node below it is.
func (m *mapper) opPrefix(toks []string, path []step) bool {
	if !prefixOf(toks, path, true) {
		return false
	}
	for i, t := range toks {
		if t == "-" {
			if _, it := lookup(m.org, path[:i+1]); it != nil {
				return false
			}
		}
	}
	return true
}

// originSteps turns the tokens of a JSON pointer into the steps of a path
// in the origin object: a number is an index where the origin has a list.
func (m *mapper) originSteps(toks []string) []step {
	var out []step
	n := m.org
	for _, t := range toks {
		i, err := strconv.Atoi(t)
		if d := deref(n); err == nil && i >= 0 && (d == nil || d.Kind == yaml.SequenceNode) {
			s := step{index: i}
			if d != nil && i < len(d.Content) {
				s = itemStep(d.Content[i], i)
			}
			out = append(out, s)
			n = seqItem(n, s)
			continue
		}
		out = append(out, step{key: t, index: -1})
		_, n = entry(n, t)
	}
	return out
}

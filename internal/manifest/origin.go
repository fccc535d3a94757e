package manifest

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

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
//     value, else of the origin node at its path, else of a patch that has
//     the path; a mapping or list takes its origin node's, else a patch's;
//     apiVersion, kind and metadata name and namespace always come from the
//     origin;
//   - a node found nowhere (added by a transformer: namespace, labels)
//     takes the position of the object's kind in the origin file.
//
// Nodes from a patch are listed in Object.Sources, which Object.Pos
// consults. Each line:col of an object names one file: a node whose
// position is already taken by a node from another file takes its parent's.

// patchDoc is one patch document of a kustomization.
type patchDoc struct {
	file   string // as displayed
	smp    *yaml.Node
	ops    []jsonOp
	target *selector
}

type jsonOp struct {
	path     []string
	pathNode *yaml.Node
	value    *yaml.Node
}

// selector is a kustomize patch target.
type selector struct {
	group, version, kind, name, namespace, labelSelector, annotationSelector string
}

// step is one level of a path within an object.
type step struct {
	key   string // mapping key, for index -1
	index int    // sequence index, else -1
	// mkey and mval identify a sequence item by a field (name, port).
	mkey, mval string
}

// objInfo identifies a built object for patch matching.
type objInfo struct {
	group, version, kind, name, orgName, namespace string
	labels, annotations                            map[string]string
}

type origins struct {
	u       *unit
	files   map[string][]document // by absolute path
	patches []*patchDoc
}

func newOrigins(u *unit) *origins {
	o := &origins{u: u, files: map[string][]document{}}
	// The root kustomization's patches are applied last: search them first.
	for _, k := range u.kusts {
		var ps []*patchDoc
		for key, v := range yamlpath.Entries(k.node) {
			switch key.Value {
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
					t := parseSelector(yamlpath.Field(it, "target"))
					if p := yamlpath.Field(it, "path"); p != nil && isString(p) {
						ps = append(ps, o.patchDocs(k, p, nil, t)...)
					} else if p := yamlpath.Field(it, "patch"); p != nil && isString(p) {
						ps = append(ps, o.patchDocs(k, nil, p, t)...)
					}
				}
			}
		}
		slices.Reverse(ps)
		o.patches = append(o.patches, ps...)
	}
	return o
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
	switch {
	case path != nil:
		if isRemote(path.Value) || filepath.IsAbs(path.Value) {
			return nil
		}
		file = filepath.Join(k.disp, path.Value)
		docs = o.parse(filepath.Join(k.dir, path.Value), file)
	default:
		docs = inlineDocs(k, inline)
	}
	var out []*patchDoc
	for _, d := range docs {
		p := &patchDoc{file: file, target: t}
		switch d.node.Kind {
		case yaml.MappingNode:
			p.smp = d.node
		case yaml.SequenceNode:
			for _, it := range items(d.node) {
				op := fieldValue(it, "op")
				pn, val := yamlpath.Field(it, "path"), yamlpath.Field(it, "value")
				if (op != "add" && op != "replace") || pn == nil || val == nil {
					continue
				}
				p.ops = append(p.ops, jsonOp{path: pointer(pn.Value), pathNode: pn, value: val})
			}
		default:
			continue
		}
		out = append(out, p)
	}
	return out
}

// inlineDocs parses a patch written inline in a kustomization, with the
// positions it has in the kustomization file. A block scalar keeps its
// lines, shifted by its indentation; any other scalar has no inner
// positions, and every node gets the scalar's.
func inlineDocs(k *kustomization, n *yaml.Node) []document {
	docs, _ := parseDocuments(k.dispFile, []byte(n.Value))
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		for _, d := range docs {
			placeAll(d.node, n)
		}
		return docs
	}
	// The indentation is that of the first non-blank line of the block.
	indent := 0
	lines := bytes.Split(k.data, []byte{'\n'})
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
		group: fieldValue(n, "group"), version: fieldValue(n, "version"), kind: fieldValue(n, "kind"),
		name: fieldValue(n, "name"), namespace: fieldValue(n, "namespace"),
		labelSelector: fieldValue(n, "labelSelector"), annotationSelector: fieldValue(n, "annotationSelector"),
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

// targets reports whether the patch may apply to the object. Matching is
// lenient (a name matches before or after prefixes): a scalar is only taken
// from a patch that sets it to its built value.
func (p *patchDoc) targets(oi *objInfo) bool {
	if t := p.target; t != nil {
		if !matchRe(t.group, oi.group) || !matchRe(t.version, oi.version) || !matchRe(t.kind, oi.kind) ||
			!matchRe(t.name, oi.name, oi.orgName) {
			return false
		}
		if t.namespace != "" && !matchRe(t.namespace, oi.namespace) {
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

// lookup returns the key and value nodes at path in the patch.
func (p *patchDoc) lookup(path []step) (k, v *yaml.Node) {
	if p.smp != nil {
		return lookup(p.smp, path)
	}
	// Later operations win.
	for i := len(p.ops) - 1; i >= 0; i-- {
		op := p.ops[i]
		if len(op.path) > len(path) || !prefixOf(op.path, path) {
			continue
		}
		if len(op.path) == len(path) {
			return op.pathNode, op.value
		}
		if k, v := lookup(op.value, path[len(op.path):]); v != nil {
			return k, v
		}
	}
	return nil, nil
}

func prefixOf(toks []string, path []step) bool {
	for i, t := range toks {
		s := path[i]
		if s.index < 0 {
			if t != s.key {
				return false
			}
		} else if t != "-" && t != strconv.Itoa(s.index) {
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
			k, v = entry(v, s.key)
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
	s := step{index: i}
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
	// namespace is the namespace field of the kustomization that sets
	// the namespace of the build, if any; key is its key node.
	namespace *nsSource
	claimed   map[Loc]string
	sources   map[Loc]string
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
		docs := o.parse(filepath.Join(o.u.abs, origin.Path), file)
		doc, org = findObject(docs, n)
		if len(docs) > 0 && org == nil {
			fallback = docs[0].node
		}
	case origin != nil && origin.ConfiguredIn != "":
		// A generated object: point at its generator.
		// kustomize names the generator's kind; the entry is the one
		// whose name the built name contains (with prefix and hash).
		file = filepath.Join(o.u.disp, origin.ConfiguredIn)
		built := fieldValue(yamlpath.Field(n, "metadata"), "name")
		for _, d := range o.parse(filepath.Join(o.u.abs, origin.ConfiguredIn), file) {
			for _, g := range []string{"configMapGenerator", "secretGenerator"} {
				for _, it := range items(yamlpath.Field(d.node, g)) {
					nm := yamlpath.Field(it, "name")
					if nm != nil && nm.Value != "" && strings.Contains(built, nm.Value) && (fallback == nil || len(nm.Value) > len(fallback.Value)) {
						fallback = nm
					}
				}
			}
			if fallback == nil && d.node.Kind == yaml.MappingNode && len(d.node.Content) > 0 {
				fallback = d.node.Content[0]
			}
		}
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
		oi.name, oi.namespace = fieldValue(meta, "name"), fieldValue(meta, "namespace")
		oi.labels, oi.annotations = plainMap(yamlpath.Field(meta, "labels")), plainMap(yamlpath.Field(meta, "annotations"))
	}
	m := &mapper{file: file, fallback: fallback, claimed: map[Loc]string{}, sources: map[Loc]string{}}
	for _, k := range o.u.kusts {
		if kk, kv := entry(k.node, "namespace"); kv != nil && isString(kv) && kv.Value != "" {
			m.namespace = &nsSource{source{file: k.dispFile, node: kv}, kk}
			break
		}
	}
	for _, p := range o.patches {
		if p.targets(oi) {
			m.patches = append(m.patches, p)
		}
	}
	rootSrc := source{file: file, node: org}
	if org == nil {
		rootSrc = source{file: file, node: fallback, fallback: true}
	}
	m.apply(n, m.claim(rootSrc, rootSrc))
	m.children(n, org, nil, rootSrc)

	objs, errs := objectsOf(file, doc, n, o.u.opts.Namespace, unmodelled)
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
	return objs, errs
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
// contains (a namePrefix or nameSuffix), or the only object of the kind.
func findObject(docs []document, built *yaml.Node) (int, *yaml.Node) {
	kind := fieldValue(built, "kind")
	group, _ := splitGV(fieldValue(built, "apiVersion"))
	name := fieldValue(yamlpath.Field(built, "metadata"), "name")
	type cand struct {
		doc  int
		node *yaml.Node
	}
	var cands []cand
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
		if g, _ := splitGV(fieldValue(n, "apiVersion")); k == kind && g == group {
			cands = append(cands, cand{doc, n})
		}
	}
	for _, d := range docs {
		add(d.index, d.node)
	}
	best, bestLen := -1, -1
	for i, c := range cands {
		cn := fieldValue(yamlpath.Field(c.node, "metadata"), "name")
		switch {
		case cn == name:
			return c.doc, c.node
		case cn != "" && strings.Contains(name, cn) && len(cn) > bestLen:
			best, bestLen = i, len(cn)
		}
	}
	if best < 0 && len(cands) == 1 {
		best = 0
	}
	if best < 0 {
		if len(docs) > 0 {
			return docs[0].index, nil
		}
		return 0, nil
	}
	return cands[best].doc, cands[best].node
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
// (nil when the origin lacks it) and whose own source is parent.
func (m *mapper) children(n, org *yaml.Node, path []step, parent source) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ok, ov := entry(org, k.Value)
			p := append(slices.Clip(path), step{key: k.Value, index: -1})
			m.node(k, v, ok, ov, p, parent)
		}
	case yaml.SequenceNode:
		for i, it := range n.Content {
			s := itemStep(it, i)
			p := append(slices.Clip(path), s)
			m.node(nil, it, nil, seqItem(org, s), p, parent)
		}
	}
}

// node maps the built value v (and its key k, nil for a list item) at path.
func (m *mapper) node(k, v, ok, ov *yaml.Node, path []step, parent source) {
	vs, ks := m.source(v, ok, ov, path)
	if vs.node == nil {
		vs = source{file: m.file, node: m.fallback, fallback: true}
		ks = vs
	}
	vs = m.claim(vs, parent)
	m.apply(v, vs)
	// A child that falls back to its parent takes the parent's key (the
	// line of "spec:"), not the parent's value, which starts where its
	// first child does.
	up := vs
	if k != nil {
		if ks.node == nil {
			ks = vs
		}
		up = m.claim(ks, parent)
		m.apply(k, up)
	}
	if v.Kind != yaml.AliasNode {
		m.children(v, ov, path, up)
	}
}

// source returns where the value node v at path and its key come from.
func (m *mapper) source(v, ok, ov *yaml.Node, path []step) (vs, ks source) {
	fromPatch := func(p *patchDoc, pk, pv *yaml.Node) (source, source) {
		return source{file: p.file, node: pv}, source{file: p.file, node: pk}
	}
	if v.Kind == yaml.ScalarNode && !identity(path) {
		for _, p := range m.patches {
			if pk, pv := p.lookup(path); pv != nil && pv.Kind == yaml.ScalarNode && pv.Value == v.Value {
				return fromPatch(p, pk, pv)
			}
		}
	}
	if m.namespace != nil && len(path) == 2 && path[0].key == "metadata" && path[1].key == "namespace" &&
		m.namespace.node.Value == v.Value && (ov == nil || ov.Value != v.Value) {
		// Set by the namespace field of a kustomization.
		return m.namespace.source, source{file: m.namespace.file, node: m.namespace.key}
	}
	if ov != nil {
		return source{file: m.file, node: ov}, source{file: m.file, node: ok}
	}
	if identity(path) {
		return source{}, source{}
	}
	for _, p := range m.patches {
		if pk, pv := p.lookup(path); pv != nil && (pv.Kind == v.Kind || v.Kind == yaml.AliasNode) {
			return fromPatch(p, pk, pv)
		}
	}
	return source{}, source{}
}

// claim takes the position of s for its file, or returns the parent's
// when a node of another file of the object already has it.
func (m *mapper) claim(s, parent source) source {
	at := LineCol(s.node.Line, s.node.Column)
	if f, ok := m.claimed[at]; ok && f != s.file {
		return source{file: parent.file, node: parent.node, fallback: true}
	}
	m.claimed[at] = s.file
	if s.file != m.file {
		m.sources[at] = s.file
	}
	return s
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
	if n.Kind == yaml.ScalarNode && s.node.Kind == yaml.ScalarNode && n.Value == s.node.Value {
		n.Style = s.node.Style
	}
}

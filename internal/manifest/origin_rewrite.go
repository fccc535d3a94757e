package manifest

import (
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/api/pkg/util"
	kyamlutils "sigs.k8s.io/kustomize/kyaml/utils"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Rewrites: the images, replicas and replacements of a kustomization
// replace a value of the objects it builds with one written in the
// kustomization (a tag, a count, a sourceValue) or taken from another
// object (a replacement's source). Without them, such a value would point
// at the value it replaced in the origin, where editing it changes
// nothing: the kustomization writes it over.

// rewriteKind tells which transformer an entry belongs to.
type rewriteKind int

const (
	rewriteImage rewriteKind = iota
	rewriteReplicas
	rewriteReplacement
)

// rewrite is one entry of a kustomization that rewrites a value.
type rewrite struct {
	kind rewriteKind
	file string // the file of the entry, as displayed
	// at is the node a rewritten value points at: the digest, newTag,
	// tagSuffix or newName of an image, the count of a replicas entry,
	// the sourceValue or the source's fieldPath of a replacement.
	at *yaml.Node

	// An image entry.
	name, newName, newTag, digest, tagSuffix string

	// A replicas entry: name is the object's, value the count.
	// A replacement: value is its sourceValue, when it has one.
	value    string
	hasValue bool

	// A replacement's targets.
	targets []replTarget
}

// replTarget is one target of a replacement.
type replTarget struct {
	selects, rejects []*selector
	paths            [][]string // fieldPaths, split as kustomize does
}

// rewritesOf returns the rewriting entries of kustomization k, the one
// applied last first: kustomize runs replicas, then images, then
// replacements, each in the order written.
func (o *origins) rewritesOf(k *kustomization) []*rewrite {
	var out []*rewrite
	for _, it := range items(structField(k.node, "replicas")) {
		name, count := structField(it, "name"), structField(it, "count")
		if name == nil || count == nil || count.Kind != yaml.ScalarNode {
			continue
		}
		out = append(out, &rewrite{kind: rewriteReplicas, file: k.dispFile, at: count, name: name.Value, value: count.Value, hasValue: true})
	}
	for _, it := range items(structField(k.node, "images")) {
		r := &rewrite{kind: rewriteImage, file: k.dispFile, name: structValue(it, "name"),
			newName: structValue(it, "newName"), newTag: structValue(it, "newTag"),
			digest: structValue(it, "digest"), tagSuffix: structValue(it, "tagSuffix")}
		// The part of the image that findings are most often about, and
		// that overlays change most: its version, else its name.
		for _, f := range []string{"digest", "newTag", "tagSuffix", "newName"} {
			if v := structField(it, f); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
				r.at = v
				break
			}
		}
		if r.name != "" && r.at != nil {
			out = append(out, r)
		}
	}
	for _, it := range items(structField(k.node, "replacements")) {
		if p := structField(it, "path"); p != nil && isString(p) {
			if isRemote(p.Value) || filepath.IsAbs(p.Value) {
				continue
			}
			file := filepath.Join(k.disp, p.Value)
			for _, d := range o.parse(filepath.Join(k.dir, p.Value), file) {
				if d.index == 0 {
					// The only document kustomize reads (kustomize_decoded.go).
					o.dups = append(o.dups, withUse(duplicateKeys(file, d.node, nil), usesLastCopy)...)
					t := replacementType
					if d.node.Kind == yaml.SequenceNode {
						t = reflect.SliceOf(t)
					}
					o.dups = append(o.dups, foldDuplicates(file, d.node, t, nil)...)
				}
				o.index(d.node)
				list := []*yaml.Node{d.node}
				if d.node.Kind == yaml.SequenceNode {
					list = items(d.node)
				}
				for _, r := range list {
					if rw := replacementOf(file, r); rw != nil {
						out = append(out, rw)
					}
				}
			}
		} else if rw := replacementOf(k.dispFile, it); rw != nil {
			out = append(out, rw)
		}
	}
	slices.Reverse(out)
	return out
}

// replacementOf reads one replacement. A value it writes points at its
// sourceValue, else at its source's fieldPath (or, without one, at the
// source's name, the field kustomize then reads): that is where the value
// comes from, what a user edits to change it, and the entry that says
// why editing the target's field in its file would change nothing.
func replacementOf(file string, n *yaml.Node) *rewrite {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	r := &rewrite{kind: rewriteReplacement, file: file}
	if sv := structField(n, "sourceValue"); sv != nil && sv.Kind == yaml.ScalarNode {
		r.at, r.value, r.hasValue = sv, sv.Value, true
	} else if src := structField(n, "source"); src != nil {
		r.at = structField(src, "fieldPath")
		if r.at == nil {
			r.at = structField(src, "name")
		}
	}
	if r.at == nil {
		return nil
	}
	for _, t := range items(structField(n, "targets")) {
		rt := replTarget{selects: []*selector{parseSelector(structField(t, "select"))}}
		if rt.selects[0] == nil {
			continue
		}
		for _, rj := range items(structField(t, "reject")) {
			if s := parseSelector(rj); s != nil {
				rt.rejects = append(rt.rejects, s)
			}
		}
		for _, fp := range stringItems(structField(t, "fieldPaths")) {
			rt.paths = append(rt.paths, kyamlutils.SmarterPathSplitter(fp.Value, "."))
		}
		r.targets = append(r.targets, rt)
	}
	return r
}

// forObject returns the entry as it may rewrite values of the object, nil
// when it may rewrite none: an image entry may rewrite any, a replicas
// entry those of the object it names, a replacement those of the objects
// a target selects and none rejects, at that target's field paths only
// (the copy it returns keeps those targets). Matching is as lenient as
// for patches (patchDoc.targets); a value is only credited to an entry
// that may have written it (writes).
func (r *rewrite) forObject(oi *objInfo) *rewrite {
	switch r.kind {
	case rewriteReplicas:
		// Kustomize's replicas field specs: spec.replicas of these kinds
		// only (a Rollout or a custom resource of that name keeps its own).
		if !slices.Contains(replicaKinds, oi.kind) || !slices.Contains(oi.names, r.name) {
			return nil
		}
	case rewriteReplacement:
		var targets []replTarget
		for _, t := range r.targets {
			sel := slices.ContainsFunc(t.selects, func(s *selector) bool { return (&patchDoc{target: s}).targets(oi) })
			rej := slices.ContainsFunc(t.rejects, func(s *selector) bool { return (&patchDoc{target: s}).targets(oi) })
			if sel && !rej {
				targets = append(targets, t)
			}
		}
		if len(targets) == 0 {
			return nil
		}
		c := *r
		c.targets = targets
		return &c
	}
	return r
}

// replicaKinds are the kinds whose spec.replicas kustomize's replicas
// entries set.
var replicaKinds = []string{"Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"}

// writes reports whether the entry may have written the scalar v at path,
// which its origin (or a patch) had as before (pre, nil when unknown).
//
// A value that the origin already had is still the entry's when the entry
// surely applied, since it writes its value whatever was there: a replicas
// entry of the object (forObject), an image entry of a container whose
// image the entry names. Editing the origin would change nothing.
func (r *rewrite) writes(path []step, v *yaml.Node, pre *yaml.Node) bool {
	if v.Kind != yaml.ScalarNode {
		return false
	}
	unchanged := pre != nil && pre.Value == v.Value
	switch r.kind {
	case rewriteReplicas:
		return len(path) == 2 && path[0].key == "spec" && path[1].key == "replicas" && v.Value == r.value
	case rewriteImage:
		if len(path) == 0 || path[len(path)-1].key != "image" || (unchanged && !containerImage(path)) {
			return false
		}
		name, tag, digest := util.SplitImageName(v.Value)
		if pre != nil {
			if n, _, _ := util.SplitImageName(pre.Value); n != r.name {
				return false
			}
		}
		switch {
		case r.newName != "" && name != r.newName,
			r.newName == "" && name != r.name,
			r.digest != "" && digest != r.digest,
			r.newTag != "" && tag != r.newTag,
			r.newTag == "" && r.digest == "" && r.tagSuffix != "" && !strings.HasSuffix(tag, r.tagSuffix):
			return false
		}
		return true
	case rewriteReplacement:
		if unchanged || r.hasValue && !strings.Contains(v.Value, r.value) {
			return false
		}
		for _, t := range r.targets {
			for _, fp := range t.paths {
				if fieldPathMatches(fp, path) {
					return true
				}
			}
		}
	}
	return false
}

// containerImage reports whether path is the image of an item of a list
// of containers or initContainers, wherever the list is: kustomize's image
// entries rewrite every such image they name.
func containerImage(path []step) bool {
	n := len(path)
	return n >= 3 && path[n-1].key == "image" && path[n-1].index < 0 && path[n-2].index >= 0 &&
		(path[n-3].key == "containers" || path[n-3].key == "initContainers") && path[n-3].index < 0
}

// fieldPathMatches reports whether a kustomize field path (split) names
// path: a key, "*", an index, or a "[key=value]" item selector ("[=value]"
// for an item of a list of scalars).
func fieldPathMatches(fp []string, path []step) bool {
	if len(fp) != len(path) {
		return false
	}
	for i, tok := range fp {
		s := path[i]
		switch {
		case tok == "*":
		case s.index < 0:
			if tok != s.key {
				return false
			}
		case strings.HasPrefix(tok, "[") && strings.HasSuffix(tok, "]"):
			k, val, ok := strings.Cut(tok[1:len(tok)-1], "=")
			it := deref(s.item)
			switch {
			case !ok || it == nil:
				return false
			case k == "":
				if it.Kind != yaml.ScalarNode || it.Value != val {
					return false
				}
			default:
				if f := yamlpath.Field(it, k); f == nil || f.Value != val {
					return false
				}
			}
		default:
			if tok != strconv.Itoa(s.index) {
				return false
			}
		}
	}
	return true
}

// rewritten returns the entry that rewrote the scalar v at path, whose
// origin node is ov, or nil.
func (m *mapper) rewritten(v, ov *yaml.Node, path []step) *rewrite {
	if v.Kind != yaml.ScalarNode || len(m.rewrites) == 0 || identity(path) {
		return nil
	}
	pre := m.before(ov, path)
	for _, r := range m.rewrites {
		if r.writes(path, v, pre) {
			return r
		}
	}
	return nil
}

// before returns the value at path before a transformer rewrote it, as far
// as the files tell: the origin's, else that of a patch that has the path.
func (m *mapper) before(ov *yaml.Node, path []step) *yaml.Node {
	if ov != nil {
		return ov
	}
	for _, p := range m.patches {
		for _, pv := range p.lookups(path, true) {
			if pv.Kind == yaml.ScalarNode {
				return pv
			}
		}
	}
	return nil
}

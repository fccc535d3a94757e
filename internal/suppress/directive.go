package suppress

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The annotations read on an object's own metadata.
const (
	// AnnotationIgnore lists rule IDs or names, comma-separated, suppressed on
	// the whole object.
	AnnotationIgnore = "meshlint.io/ignore"
	// AnnotationReason says why; AnnotationIgnore without it is reported.
	AnnotationReason = "meshlint.io/ignore-reason"
	// AnnotationGalley is istioctl analyze's: IST codes, comma-separated, or
	// "*".
	AnnotationGalley = "galley.istio.io/analyze-suppress"
)

// Source tells where a directive is written.
type Source int

// Directive sources.
const (
	// Comment is a "# meshlint:ignore ID[,ID] reason" YAML comment.
	Comment Source = iota
	// Annotation is the meshlint.io/ignore annotation.
	Annotation
	// Galley is the galley.istio.io/analyze-suppress annotation.
	Galley
)

func (s Source) String() string {
	switch s {
	case Annotation:
		return AnnotationIgnore
	case Galley:
		return AnnotationGalley
	}
	return "meshlint:ignore"
}

// Directive is one suppression written in the input.
type Directive struct {
	Source Source
	// Object is the object the directive is written in.
	Object *manifest.Object
	// Pos is where the directive is written: the comment's line (its column
	// is the commented node's, since YAML comments keep no column), or the
	// annotation's value.
	Pos manifest.Pos
	// Names are the rule IDs or names as written; IST codes for Galley.
	Names []string
	// Reason is the text after the names ("--" dropped), or the
	// meshlint.io/ignore-reason annotation. Galley directives have none.
	Reason string

	// problems are what is wrong with the directive as written.
	problems []problem
	// named are the rules the directive names, resolved.
	named []*rules.Rule
	// resolved holds the rule of each of Names, nil where a name is
	// unknown or is MR901's.
	resolved []*rules.Rule
	// raw is the comment line as YAML gives it, trimmed: a fix finds it
	// in the file's line to learn its column, which YAML does not keep.
	raw string
	// below marks a foot comment, detached a head comment separated from
	// its node by a blank line: both cover nothing.
	below, detached bool
	// all is set for a Galley "*".
	all bool
	// used records the rules the directive suppressed a finding of.
	used map[*rules.Rule]bool
}

// problem is one thing wrong with a directive.
type problem struct {
	msg string
	// unknown is the index in Names of the unknown name the problem is
	// about, or -1.
	unknown int
	// spaced marks a Galley code written with spaces around it.
	spaced bool
}

// addProblem records a problem of the directive and returns it, for the
// caller to say what it is about.
func (d *Directive) addProblem(format string, args ...any) *problem {
	d.problems = append(d.problems, problem{msg: fmt.Sprintf(format, args...), unknown: -1})
	return &d.problems[len(d.problems)-1]
}

// Justification is the directive's reason, or for a Galley directive the
// annotation it came from, as SARIF's suppression justification.
func (d *Directive) Justification() string {
	if d.Source == Galley {
		return AnnotationGalley + ": " + strings.Join(d.Names, ",")
	}
	return d.Reason
}

// String renders the directive as written, for messages.
func (d *Directive) String() string {
	return strings.TrimSpace(d.Source.String() + " " + strings.Join(d.Names, ","))
}

var (
	directiveLine = regexp.MustCompile(`^#+\s*meshlint:(\S*)(.*)$`)
	// trailingComment ends a reason: a fixture's "# want:", or any remark
	// written after the reason as a further comment.
	trailingComment = regexp.MustCompile(`\s#\s`)
	nameList        = regexp.MustCompile(`^[A-Za-z0-9][^\s,]*(?:\s*,\s*[A-Za-z0-9][^\s,]*)*`)
)

// parseComment reads the directives of one comment of node n. line is the
// line of the comment's first line; below marks a foot comment, which
// covers nothing.
func parseComment(o *manifest.Object, n *yaml.Node, text string, line int, below bool) []*Directive {
	var out []*Directive
	for i, l := range strings.Split(text, "\n") {
		m := directiveLine.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		d := &Directive{Source: Comment, Object: o, Pos: o.Pos(manifest.Loc{Line: manifest.Clamp32(line + i), Col: manifest.Clamp32(n.Column), EndCol: manifest.Clamp32(n.Column + 1)}), raw: strings.TrimSpace(l)}
		if below {
			// A foot comment's lines are not known: point at the node
			// yaml.v3 attached it to (the entry before it, or the one
			// after a blank line).
			d.Pos.Loc = manifest.LocOf(n)
		}
		if m[1] != "ignore" {
			d.addProblem("unknown directive meshlint:%s: the only one is meshlint:ignore ID[,ID] reason", m[1])
			out = append(out, d)
			continue
		}
		d.Names, d.Reason = parseArgs(m[2])
		if below {
			d.below = true
			d.addProblem("%s is not on the line of a node or directly above one, so it covers nothing: write it there, with no blank line in between", d)
		}
		out = append(out, d)
	}
	return out
}

// parseArgs splits "MR101,MR102 -- reason" into names and reason. Names are
// separated by commas, with optional spaces around them; the reason is the
// rest, with a leading "--" dropped.
func parseArgs(s string) (names []string, reason string) {
	if loc := trailingComment.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	s = strings.TrimSpace(s)
	list := nameList.FindString(s)
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			names = append(names, p)
		}
	}
	rest := strings.TrimLeft(s[len(list):], ", \t")
	return names, strings.TrimSpace(strings.TrimPrefix(rest, "--"))
}

// commentDirectives collects the comment directives of an object, by the
// node that carries them, walking every node once. Aliases are not
// followed: their nodes are reached where they are anchored.
func commentDirectives(o *manifest.Object, root *yaml.Node) (map[*yaml.Node][]*Directive, []*Directive) {
	var byNode map[*yaml.Node][]*Directive // most objects have none
	var list []*Directive
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		var ds []*Directive
		if n.HeadComment != "" {
			// The head comment ends on the line above the node.
			ds = append(ds, headDirectives(o, n)...)
		}
		if n.LineComment != "" {
			ds = append(ds, parseComment(o, n, n.LineComment, n.Line, false)...)
		}
		if n.FootComment != "" {
			list = append(list, parseComment(o, n, n.FootComment, n.Line, true)...)
		}
		if len(ds) > 0 {
			if byNode == nil {
				byNode = map[*yaml.Node][]*Directive{}
			}
			byNode[n] = ds
			list = append(list, ds...)
		}
		if n.Kind == yaml.AliasNode {
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	return byNode, list
}

// headDirectives reads the directives of n's head comment. Only the block
// of comment lines directly above the node counts: a directive separated
// from the node by a blank line covers nothing, and is reported.
func headDirectives(o *manifest.Object, n *yaml.Node) []*Directive {
	lines := strings.Split(n.HeadComment, "\n")
	first := len(lines)
	for first > 0 && strings.TrimSpace(lines[first-1]) != "" {
		first--
	}
	top := n.Line - len(lines)
	ds := parseComment(o, n, strings.Join(lines[first:], "\n"), top+first, false)
	for _, d := range parseComment(o, n, strings.Join(lines[:first], "\n"), top, false) {
		if d.Source == Comment && len(d.problems) == 0 {
			d.detached = true
			d.addProblem("%s is separated from the node below by a blank line and covers nothing: remove the blank line", d)
		}
		ds = append(ds, d)
	}
	return ds
}

// annotationDirectives reads meshlint.io/ignore and the Galley annotation
// of the object's own metadata.
func annotationDirectives(o *manifest.Object) []*Directive {
	var out []*Directive
	value, hasIgnore := o.Annotations[AnnotationIgnore]
	reason, hasReason := o.Annotations[AnnotationReason]
	if hasIgnore {
		d := &Directive{Source: Annotation, Object: o, Pos: o.Pos(annotationLoc(o, AnnotationIgnore)), Reason: strings.TrimSpace(reason)}
		for _, p := range strings.Split(value, ",") {
			p = strings.TrimSpace(p)
			if strings.ContainsAny(p, " \t") {
				d.addProblem("%s lists rules only, not %q: write the reason in the %s annotation", AnnotationIgnore, p, AnnotationReason)
				continue
			}
			if p != "" {
				d.Names = append(d.Names, p)
			}
		}
		out = append(out, d)
	} else if hasReason {
		d := &Directive{Source: Annotation, Object: o, Pos: o.Pos(annotationLoc(o, AnnotationReason)), Reason: reason}
		d.addProblem("%s without %s suppresses nothing", AnnotationReason, AnnotationIgnore)
		out = append(out, d)
	}
	if value, ok := o.Annotations[AnnotationGalley]; ok {
		d := &Directive{Source: Galley, Object: o, Pos: o.Pos(annotationLoc(o, AnnotationGalley))}
		for _, p := range strings.Split(value, ",") {
			// istioctl splits on "," without trimming, so " IST0132"
			// suppresses nothing there. Honour the intent, but say so.
			if t := strings.TrimSpace(p); t != p && t != "" {
				d.addProblem("%s: istioctl does not trim spaces, so it ignores %q; write the codes without spaces", AnnotationGalley, p).spaced = true
				p = t
			}
			if p == "*" {
				d.all = true
			}
			if p != "" {
				d.Names = append(d.Names, p)
			}
		}
		out = append(out, d)
	}
	return out
}

// annotationLoc finds the value of annotation key in the object's metadata,
// or falls back to the object's name.
func annotationLoc(o *manifest.Object, key string) manifest.Loc {
	if n := yamlpath.Field(yamlpath.Field(yamlpath.Field(o.Root(), "metadata"), "annotations"), key); n != nil {
		return manifest.LocOf(n)
	}
	return o.NameLoc
}

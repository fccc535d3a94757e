// Package suppress applies the suppressions written in the input to the
// findings of a run, after every rule has run:
//
//   - a comment "# meshlint:ignore ID[,ID] reason" on the line of a node, or
//     on the lines directly above it, covers that node and everything below
//     it (above a mapping key: the key's entry; on the object's first line:
//     the whole object);
//   - the annotations meshlint.io/ignore: "ID,ID" and
//     meshlint.io/ignore-reason cover the whole object;
//   - Istio's galley.istio.io/analyze-suppress: "IST0101,IST0132" (or "*")
//     covers the rules whose Related list holds one of the codes (or any IST
//     code).
//
// IDs may be rule IDs or names. A directive without a reason, one naming an
// unknown rule, and one that suppressed nothing are reported as findings of
// rule MR901 (rules/meta), whose own Run reports nothing: only this pass
// can see which directive matched which finding.
package suppress

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/meta"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Options say which rules exist and which ran.
type Options struct {
	// Registry resolves the IDs and names directives are written with
	// (rules/all.Rules). A name it does not know is reported. When nil,
	// names resolve against Ran and unknown ones are passed over, which
	// suits a run that does not know every rule (the fixture harness).
	Registry []*rules.Rule
	// Ran lists the rules that ran. A directive is reported as unused only
	// for rules that ran, so that --disable does not make it look stale;
	// MR901 findings are made only when meta.SuppressionInvalid ran.
	Ran []*rules.Rule
	// Severity overrides default severities by rule ID, as for rules.Run.
	Severity map[string]rules.Severity
	// Source returns the content of a file as findings name it, or nil.
	// MR901 fixes need it: YAML keeps no column for comments, so a
	// directive is found in its line of the file. Without it, or for a
	// line that does not hold what was parsed, findings get no fix.
	Source func(file string) []byte
}

// Suppressed is a finding left out, and the directive that left it out.
type Suppressed struct {
	Finding *rules.Finding
	By      *Directive
}

// Result is the outcome of Apply.
type Result struct {
	// Kept are the findings no directive covers, in their original order.
	Kept []*rules.Finding
	// Suppressed are the others, in their original order.
	Suppressed []Suppressed
	// Invalid are the MR901 findings about the directives themselves,
	// sorted.
	Invalid []*rules.Finding
	// Directives lists every directive read, by object and position.
	Directives []*Directive
}

// Findings returns the findings to report: Kept and Invalid, sorted.
func (r *Result) Findings() []*rules.Finding {
	out := make([]*rules.Finding, 0, len(r.Kept)+len(r.Invalid))
	out = append(append(out, r.Kept...), r.Invalid...)
	rules.Sort(out)
	return out
}

// objectDirectives are the directives of one object, indexed for lookup.
type objectDirectives struct {
	// byNode holds comment directives by the node that carries them.
	byNode map[*yaml.Node][]*Directive
	// whole holds the directives that cover the whole object: comments on
	// the root node and on its first line, and annotations, innermost first.
	whole []*Directive
}

// Apply splits findings into kept and suppressed ones and checks the
// directives of objs. Findings of objects not in objs are kept.
func Apply(objs []*manifest.Object, findings []*rules.Finding, opts Options) *Result {
	res := &Result{}
	byObject := make(map[*manifest.Object]*objectDirectives, len(objs))
	resolve := resolver(opts)
	for _, o := range objs {
		od, list := collect(o)
		for _, d := range list {
			d.resolve(resolve, opts.Registry != nil)
		}
		if len(list) > 0 {
			byObject[o] = od
			res.Directives = append(res.Directives, list...)
		}
	}
	for _, f := range findings {
		// A finding on an object the graph derives (Flagger's) is in the
		// YAML of the object it comes from, and so are its directives.
		od := byObject[graph.Origin(f.Object)]
		if od == nil {
			res.Kept = append(res.Kept, f)
			continue
		}
		if d := od.match(f); d != nil {
			res.Suppressed = append(res.Suppressed, Suppressed{Finding: f, By: d})
		} else {
			res.Kept = append(res.Kept, f)
		}
	}
	if ran(opts.Ran, meta.SuppressionInvalid) {
		res.Invalid = invalid(res.Directives, opts, newSources(opts.Source))
		rules.Sort(res.Invalid)
	}
	return res
}

func rootIfDirectives(o *manifest.Object) *yaml.Node {
	if o.NoDirectives {
		return nil
	}
	return o.Root()
}

// collect reads every directive of o.
func collect(o *manifest.Object) (*objectDirectives, []*Directive) {
	od := &objectDirectives{}
	var list []*Directive
	// Only a file with a "meshlint:" comment can hold comment directives;
	// the others need not be walked (nor read again, if the loader
	// dropped their nodes).
	if root := rootIfDirectives(o); root != nil {
		od.byNode, list = commentDirectives(o, root)
		// The object's first line: the root node, and the first entry's
		// key and value (the head comment above "apiVersion:", or a
		// comment after "apiVersion: v1").
		od.whole = append(od.whole, od.byNode[root]...)
		if root.Kind == yaml.MappingNode && len(root.Content) >= 2 {
			od.whole = append(od.whole, od.byNode[root.Content[0]]...)
			if v := root.Content[1]; v.Line == root.Line {
				od.whole = append(od.whole, od.byNode[v]...)
			}
		}
	}
	ann := annotationDirectives(o)
	od.whole = append(od.whole, ann...)
	return od, append(list, ann...)
}

// match returns the innermost directive covering f and marks every
// directive that covers it as used (a redundant directive is not stale).
func (od *objectDirectives) match(f *rules.Finding) *Directive {
	var candidates []*Directive
	o := graph.Origin(f.Object)
	if o.Pos(f.Pos.Loc).File == f.Pos.File {
		steps := yamlpath.Locate(o.Root(), int(f.Pos.Line), int(f.Pos.Col))
		for i := len(steps) - 1; i > 0; i-- {
			candidates = append(candidates, od.byNode[steps[i].Node]...)
			if steps[i].Key != nil {
				candidates = append(candidates, od.byNode[steps[i].Key]...)
			}
		}
	}
	candidates = append(candidates, od.whole...)
	var first *Directive
	for _, d := range candidates {
		if d.Covers(f.Rule) {
			d.used[f.Rule] = true
			if first == nil {
				first = d
			}
		}
	}
	return first
}

// Covers reports whether the directive suppresses findings of r.
func (d *Directive) Covers(r *rules.Rule) bool {
	if d.below || d.detached {
		return false
	}
	if d.Source == Galley {
		for _, rel := range r.Related {
			if !strings.HasPrefix(rel, "IST") {
				continue
			}
			if d.all {
				return true
			}
			for _, n := range d.Names {
				if n == rel {
					return true
				}
			}
		}
		return false
	}
	for _, c := range d.named {
		if c == r {
			return true
		}
	}
	return false
}

// resolve turns the directive's names into rules and notes the ones that
// cannot be resolved. Galley codes are matched against Related instead.
func (d *Directive) resolve(resolve func(string) *rules.Rule, strict bool) {
	d.used = map[*rules.Rule]bool{}
	if d.Source == Galley {
		return
	}
	if len(d.Names) == 0 && len(d.problems) == 0 {
		d.addProblem("%s names no rule: write %s ID[,ID] reason", d.Source, d.Source)
	}
	d.resolved = make([]*rules.Rule, len(d.Names))
	for i, n := range d.Names {
		r := resolve(n)
		switch {
		case r == meta.SuppressionInvalid:
			d.addProblem("%s cannot suppress %s findings: fix the directive, or disable %s", d, r.ID, r.ID)
		case r != nil:
			d.named = append(d.named, r)
			d.resolved[i] = r
		case strict:
			d.addProblem("%s: no rule %q; `meshlint rules` lists them", d, n).unknown = i
		}
	}
}

// invalid reports the problems of every directive as MR901 findings, with
// the fixes the files read through src allow.
func invalid(ds []*Directive, opts Options, src *sources) []*rules.Finding {
	r := meta.SuppressionInvalid
	sev := r.Severity
	if s, ok := opts.Severity[r.ID]; ok {
		sev = s
	}
	var out []*rules.Finding
	ds = written(ds)
	report := func(d *Directive, format string, args ...any) *rules.Finding {
		f := &rules.Finding{Rule: r, Severity: sev, Message: fmt.Sprintf(format, args...), Pos: d.Pos, Object: d.Object}
		out = append(out, f)
		return f
	}
	for _, d := range ds {
		for _, p := range d.problems {
			f := report(d, "%s", p.msg)
			switch {
			case p.unknown >= 0:
				f.Fixes = src.renameFix(d, p.unknown, opts.Registry)
			case p.spaced:
				f.Fixes = src.galleyFix(d)
			}
		}
		if d.Source == Galley || d.below || d.detached {
			// Galley: no reason field, and codes may name checks only
			// istioctl has. The others are reported as misplaced already.
			continue
		}
		if len(d.Names) > 0 && d.Reason == "" {
			if d.Source == Annotation {
				report(d, "%s has no reason: say why in the %s annotation", d, AnnotationReason)
			} else {
				report(d, "%s has no reason: say why the finding is acceptable after the rule list", d)
			}
		}
		var stale []string
		staleRule := map[*rules.Rule]bool{}
		used := false
		for _, c := range d.named {
			if !d.used[c] && ran(opts.Ran, c) && !staleRule[c] {
				stale = append(stale, c.ID)
				staleRule[c] = true
			}
			used = used || d.used[c]
		}
		if len(stale) > 0 {
			where := "on this node or below it"
			if d.Source == Annotation {
				where = "on this object"
			}
			what := "suppressed nothing"
			if used {
				what = "suppressed no " + strings.Join(stale, " or ") + " finding"
			}
			f := report(d, "%s %s: no %s finding %s; remove it, or move it to the node the finding is reported at", d, what, strings.Join(stale, " or "), where)
			f.Fixes = src.removeFix(d, staleRule)
		}
	}
	return out
}

// written returns one directive per place the directives of ds are
// written. A kustomize base that several overlays build is read once per
// overlay, and each rendering of its objects carries the base's
// directives, at the same place: a directive there is stale only for the
// rules that no rendering used it for, and what is wrong with it is said
// once. The first rendering's directive stands for the others, with their
// uses added to its own.
func written(ds []*Directive) []*Directive {
	type place struct {
		pos    manifest.Pos
		source Source
		raw    string
	}
	first := make(map[place]*Directive, len(ds))
	out := ds[:0:0]
	for _, d := range ds {
		k := place{d.Pos, d.Source, d.raw}
		if f := first[k]; f != nil {
			for r := range d.used {
				f.used[r] = true
			}
			continue
		}
		first[k] = d
		out = append(out, d)
	}
	return out
}

// resolver looks names up in the registry, or in the rules that ran.
func resolver(opts Options) func(string) *rules.Rule {
	rs := opts.Registry
	if rs == nil {
		rs = opts.Ran
	}
	return func(name string) *rules.Rule { return rules.Find(rs, name) }
}

func ran(rs []*rules.Rule, r *rules.Rule) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

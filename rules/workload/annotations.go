package workload

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"istio.io/api/annotation"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The annotation list is istio.io/api's annotation package at the pinned
// module version (go.mod), so it follows the Istio release meshlint
// targets.
var istioAnnotations = func() map[string]*annotation.Instance {
	m := map[string]*annotation.Instance{}
	for _, a := range annotation.AllResourceAnnotations() {
		m[a.Name] = a
	}
	return m
}()

// unlistedAnnotations are annotations Istio reads (or writes) that
// istio.io/api's list does not have yet, so that MR719 does not call them
// unknown. No other rule checks them.
var unlistedAnnotations = map[string]bool{
	// A waypoint's opt-in to an x-forwarded-client-cert built from the
	// client's identity, on its pods (set through the Gateway's
	// infrastructure annotations): pilot's listener_waypoint.go reads
	// it (xfccClientIdentityAnnotation, to be moved to istio.io/api).
	"ambient.istio.io/xfcc-include-client-identity": true,
	// The injector writes it on pods whose proxy sets
	// ENVOY_SECURE_MERGED_METRICS_PORT, and keeps a value set by the
	// user (applySecurePrometheusAnnotation, pkg/kube/inject/webhook.go).
	"prometheus.istio.io/secure-port": true,
}

// knownAnnotation reports whether Istio knows annotation key.
func knownAnnotation(key string) bool {
	return istioAnnotations[key] != nil || unlistedAnnotations[key]
}

var annotationKinds = append([]kinds.Kind{kinds.Namespace, kinds.Service}, kinds.Workloads()...)

// annotationInputs are the kinds the annotation rules read: those of
// annotationKinds, and Experiments, whose templates are sites too
// (experimentSites).
var annotationInputs = append(slices.Clone(annotationKinds), kinds.Experiment)

// istioAnnotation reports whether key is in Istio's annotation namespace, as
// istioctl analyze decides it.
func istioAnnotation(key string) bool {
	if key == "kubernetes.io/ingress.class" {
		return true
	}
	prefix, _, ok := strings.Cut(key, "/")
	if !ok || !strings.HasSuffix(prefix, "istio.io") {
		return false
	}
	switch key {
	case "sidecar.istio.io/status", "gateway.istio.io/controller-version", "istio.io/rev":
		return false
	}
	return true
}

type annotationUse struct {
	site graph.AnnotationSite
	key  string
	inst *annotation.Instance
	// at is set for a site that graph.AnnotationSites does not list
	// (experimentSites): where its metadata is.
	at *templateAt
}

// templateAt is a pod template's metadata that graph.AnnotationSites
// does not know: its path from the object's root, its name for messages,
// and the template's location, for a key the path does not find.
type templateAt struct {
	path []any // keys (string) and sequence indices (int)
	name string
	loc  manifest.Loc
}

// loc returns the location of the annotation's key, or of its site when
// the key is not found.
func (u annotationUse) loc() manifest.Loc {
	loc, _ := u.keyLoc()
	return loc
}

// keyLoc returns loc and whether it is exactly the annotation's key scalar
// of the site's annotations, as written in the mapping or in a mapping it
// merges (<<): not when the key is not found, nor when a kustomize
// transformer added it.
func (u annotationUse) keyLoc() (loc manifest.Loc, exact bool) {
	if u.at == nil {
		// KeyLoc falls back to the object's name, which no key is at.
		loc = u.site.KeyLoc(u.key)
		return loc, loc != u.site.Obj.NameLoc && !atKind(u.site.Obj, loc)
	}
	n := u.site.Obj.Root()
	for _, step := range u.at.path {
		switch step := step.(type) {
		case string:
			n = yamlpath.Field(n, step)
		case int:
			if n == nil || n.Kind != yaml.SequenceNode || step >= len(n.Content) {
				return u.at.loc, false
			}
			n = n.Content[step]
		}
	}
	if k, _ := yamlpath.Lookup(yamlpath.Field(n, "annotations"), u.key); k != nil {
		loc = manifest.LocOf(k)
		return loc, !atKind(u.site.Obj, loc)
	}
	return u.at.loc, false
}

// atKind reports whether loc is the position of o's kind, which the nodes
// of a kustomize build that a transformer added (commonAnnotations) are
// given: no file holds such a key.
func atKind(o *manifest.Object, loc manifest.Loc) bool {
	return loc.Line == o.KindLoc.Line && loc.Col == o.KindLoc.Col
}

// where names the annotations' site in messages.
func (u annotationUse) where() string {
	if u.at != nil {
		return u.at.name
	}
	return siteName(u.site)
}

type sitesKey struct{}

// annotationSites returns the annotation sites of annotationKinds, listed
// once per run for the rules that read them.
func annotationSites(p *rules.Pass) []graph.AnnotationSite {
	return p.Memo(sitesKey{}, func() any { return p.Graph.AnnotationSites(annotationKinds...) }).([]graph.AnnotationSite)
}

type usesKey struct{}

// istioAnnotationUses lists the Istio annotations of every site, sorted by
// key within a site, those of experimentSites last. The list is shared by
// the rules of a run: do not modify it.
func istioAnnotationUses(p *rules.Pass) []annotationUse {
	return p.Memo(usesKey{}, func() any {
		uses := listIstioAnnotationUses(annotationSites(p), nil)
		sites, at := experimentSites(p.Graph)
		return append(uses, listIstioAnnotationUses(sites, at)...)
	}).([]annotationUse)
}

// experimentSites returns the pod templates of Argo Rollouts that
// graph.AnnotationSites does not list, with where each is: the templates
// of Experiments, whose pods the Experiment controller runs, the template
// of a PodTemplate that a Rollout's workloadRef names, whose pods the
// Rollout runs, and the metadata of the templates of Rollouts' experiment
// steps, whose labels and annotations Argo sets on the pods of the step
// (GetExperimentFromTemplate). Findings are at those templates.
func experimentSites(g *graph.Graph) ([]graph.AnnotationSite, []*templateAt) {
	var sites []graph.AnnotationSite
	var at []*templateAt
	seen := map[*manifest.Object]bool{}
	for _, e := range g.Experiments {
		for i := range e.Spec.Templates {
			t := &e.Spec.Templates[i]
			m := t.Template.Metadata
			sites = append(sites, graph.AnnotationSite{Obj: e.Obj, Kind: kinds.Pod, Template: true, Annotations: m.Annotations, Labels: m.Labels})
			at = append(at, &templateAt{
				path: []any{"spec", "templates", i, "template", "metadata"},
				name: fmt.Sprintf("the pod template of template %q of Experiment %s/%s", t.Name.V, e.Namespace(), e.Name()),
				loc:  t.Loc,
			})
		}
	}
	for _, r := range g.Rollouts {
		if w := r.Ref; w != nil && w.Obj.Kind == kinds.PodTemplate && w.Obj.Group == kinds.GroupCore && !seen[w.Obj] {
			// Its template is at the top, not under spec.
			seen[w.Obj] = true
			m := w.Spec.Metadata
			sites = append(sites, graph.AnnotationSite{Obj: w.Obj, Kind: kinds.Pod, Template: true, Annotations: m.Annotations, Labels: m.Labels})
			at = append(at, &templateAt{
				path: []any{"template", "metadata"},
				name: fmt.Sprintf("the pod template of PodTemplate %s/%s", w.Namespace(), w.Name()),
				loc:  w.Obj.NameLoc,
			})
		}
		c := r.Spec.Strategy.Canary
		if c == nil {
			continue
		}
		for i := range c.Steps {
			e := c.Steps[i].Experiment
			if e == nil {
				continue
			}
			for j := range e.Templates {
				t := &e.Templates[j]
				sites = append(sites, graph.AnnotationSite{Obj: r.Obj, Kind: kinds.Pod, Template: true,
					Annotations: t.Metadata.Annotations, Labels: t.Metadata.Labels})
				at = append(at, &templateAt{
					path: []any{"spec", "strategy", "canary", "steps", i, "experiment", "templates", j, "metadata"},
					name: fmt.Sprintf("experiment template %q of Rollout %s/%s", t.Name.V, r.Namespace(), r.Name()),
					loc:  t.Loc,
				})
			}
		}
	}
	return sites, at
}

// listIstioAnnotationUses lists the Istio annotations of sites; at, when
// not nil, tells where each site is.
func listIstioAnnotationUses(sites []graph.AnnotationSite, at []*templateAt) []annotationUse {
	var out []annotationUse
	for i, s := range sites {
		keys := make([]string, 0, len(s.Annotations))
		for k := range s.Annotations {
			if istioAnnotation(k) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			u := annotationUse{site: s, key: k, inst: istioAnnotations[k]}
			if at != nil {
				u.at = at[i]
			}
			out = append(out, u)
		}
	}
	return out
}

func siteName(s graph.AnnotationSite) string {
	name := kinds.Qualified(s.Obj.Group, s.Obj.Kind) + " " + s.Obj.Namespace + "/" + s.Obj.Name
	if s.Obj.Kind == kinds.Namespace && s.Obj.Group == kinds.GroupCore {
		name = "Namespace " + s.Obj.Name
	}
	if s.Template {
		name = "the pod template of " + name
	}
	return name
}

const annotationDocNote = `The list of annotations, their deprecation and the resources each applies to come from
istio.io/api's annotation package, at the version meshlint is built with. Checked are Namespaces,
Services, Pods, the metadata of workloads (Deployments and the other pod controllers, and the
custom resources of other operators with a pod template at ` + "`spec.template`" + `, such as
OpenKruise's CloneSet or Knative's Service) and, unlike istioctl analyze, which only sees
running Pods, the metadata of their pod templates, including the pod templates of Argo Rollouts
Experiments, of the PodTemplates a Rollout's ` + "`workloadRef`" + ` names, and the ` + "`metadata`" + ` of the
templates of a Rollout's experiment steps, which Argo Rollouts sets on the pods of the step.`

// AnnotationUnknown reports Istio annotations that do not exist.
var AnnotationUnknown = &rules.Rule{
	ID:      "MR719",
	Name:    "annotation-unknown",
	Summary: "annotation in an Istio namespace is not an annotation Istio knows",
	Fix:     "renames a misspelt annotation to the one Istio annotation it most likely means",
	Doc: `Istio ignores annotations it does not know, so a misspelled ` + "`sidecar.istio.io/proxyCpu`" + ` or
` + "`proxy.istio.io/configs`" + ` silently does nothing.

Besides istio.io/api's list, ` + "`ambient.istio.io/xfcc-include-client-identity`" + ` (read on waypoint pods) and
` + "`prometheus.istio.io/secure-port`" + ` (written by the injector) are known.

Fix the name. The message names the annotation meant when exactly one annotation Istio knows
is close (the same name in other case, or at most 2 edits away), and ` + "`meshlint --fix`" + ` renames
the key to it, unless the same metadata already has that annotation or another misspelling of
it (which value was meant is not clear), when the annotations are under a YAML anchor (an
alias may read them elsewhere), or when no one file holds the key as it was read. A key that a
kustomization's ` + "`commonAnnotations`" + ` adds is renamed in the kustomization, unless the key is
written elsewhere too (the object's file, another kustomization, a patch), where renaming one
would leave the other.

` + annotationDocNote,
	Bad:      webWithPodAnnotations("sidecar.istio.io/proxyCpu: 200m"),
	Good:     webWithPodAnnotations("sidecar.istio.io/proxyCPU: 200m"),
	Severity: rules.Warning,
	Inputs:   annotationInputs,
	Related:  []string{"IST0108"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		for _, u := range istioAnnotationUses(p) {
			if knownAnnotation(u.key) {
				continue
			}
			near, ok := nearAnnotation(u.key)
			if !ok {
				p.Reportf(u.site.Obj, u.loc(), "annotation %q of %s is not an Istio annotation: Istio ignores it", u.key, u.where())
				continue
			}
			f := p.Reportf(u.site.Obj, u.loc(), "annotation %q of %s is not an Istio annotation: Istio ignores it; did you mean %q?", u.key, u.where(), near)
			if fix, ok := renameAnnotationFix(p.Graph, u, near); ok {
				f.Fixes = []rules.Fix{fix}
			}
		}
		return nil
	},
}

// annotationNames are the names of istioAnnotations and
// unlistedAnnotations, for nearAnnotation.
var annotationNames = slices.Sorted(maps.Keys(knownAnnotationNames()))

func knownAnnotationNames() map[string]bool {
	m := maps.Clone(unlistedAnnotations)
	for k := range istioAnnotations {
		m[k] = true
	}
	return m
}

// nearAnnotation returns the one known annotation that key is a likely
// misspelling of (suggest.Closest: in other case, or at most 2 edits away).
func nearAnnotation(key string) (string, bool) {
	return suggest.Closest(key, annotationNames)
}

// renameAnnotationFix renames the unknown annotation of u to near. ok is
// false when the site already has near (renaming would duplicate it, and
// which value was meant is not clear), when another unknown key of the
// site is a misspelling of near too, when the key is not found exactly
// (keyLoc), and when it is not rewritable (rules.Rewritable).
func renameAnnotationFix(g *graph.Graph, u annotationUse, near string) (rules.Fix, bool) {
	if _, has := u.site.Annotations[near]; has {
		return rules.Fix{}, false
	}
	for k := range u.site.Annotations {
		if k == u.key || !istioAnnotation(k) || knownAnnotation(k) {
			continue
		}
		if other, ok := nearAnnotation(k); ok && other == near {
			return rules.Fix{}, false
		}
	}
	loc, ok := u.keyLoc()
	if !ok || !rules.Rewritable(g, u.site.Obj, loc) {
		return rules.Fix{}, false
	}
	return rules.Fix{
		Message: fmt.Sprintf("Rename annotation %s to %s", u.key, near),
		Edits:   []rules.Edit{rules.ReplaceValue(u.site.Obj, loc, u.key, near)},
	}, true
}

// AnnotationMisplaced reports Istio annotations on a kind they do not
// apply to.
var AnnotationMisplaced = &rules.Rule{
	ID:      "MR720",
	Name:    "annotation-misplaced",
	Summary: "annotation of Istio is set on a kind of object it does not apply to",
	Fix:     "moves a pod annotation from the workload's metadata to its pod template",
	Doc: `Each Istio annotation is read from some kinds of objects only. The common mistake is a pod
annotation (` + "`sidecar.istio.io/proxyCPU`" + `, ` + "`proxy.istio.io/config`" + `, ` + "`traffic.sidecar.istio.io/...`" + `)
written on the Deployment's own metadata instead of its pod template: the injector never sees
it. A pod annotation that the pod template carries too, with the same value (as kustomize's
` + "`commonAnnotations`" + ` writes it), reaches the pods, and is not reported.

Move the annotation to the object it applies to (for pod annotations:
` + "`spec.template.metadata.annotations`" + `, a CronJob's
` + "`spec.jobTemplate.spec.template.metadata.annotations`" + `). ` + annotationDocNote + `

` + "`meshlint --fix`" + ` moves a pod annotation of a workload's block ` + "`metadata.annotations`" + ` into
its pod template's ` + "`metadata.annotations`" + ` (before its first entry, or as a new ` + "`annotations`" + `
mapping of the template's metadata), with the other pod annotations of the object, taking the
` + "`annotations`" + ` line along when nothing stays. It does not when the entry is not alone on its
line as ` + "`key: value`" + ` with one-line values, plain or quoted without escapes, has a trailing
comment or a meshlint directive, when the metadata or the template's annotations are in flow
style, when anything on the way is anchored, an alias, tagged or merged (` + "`<<`" + `), when the
template has the annotation already (which value was meant is not clear), or when a kustomize
patch wrote the object.`,
	Bad: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations: {proxy.istio.io/config: "holdApplicationUntilProxyStarts: true"}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web}]
`,
	Good:     webWithPodAnnotations(`proxy.istio.io/config: "holdApplicationUntilProxyStarts: true"`),
	Severity: rules.Warning,
	Inputs:   annotationInputs,
	Related:  []string{"IST0107"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		var objs []*manifest.Object
		moves := map[*manifest.Object]map[string]*rules.Finding{}
		uses := istioAnnotationUses(p)
		// What the pod templates carry: a pod annotation on the workload's
		// metadata that its template has too, with the same value (as
		// kustomize's commonAnnotations writes it), reaches the pods; the
		// copy Istio ignores is harmless. Only the workload's own template
		// (u.at == nil): the templates of a Rollout's experiment steps are
		// other pods'.
		inTemplate := map[*manifest.Object]map[string]string{}
		for _, u := range uses {
			if u.site.Template && u.at == nil {
				inTemplate[u.site.Obj] = u.site.Annotations
			}
		}
		for _, u := range uses {
			if u.inst == nil || appliesTo(u.inst, u.site.Kind) {
				continue
			}
			if v, ok := inTemplate[u.site.Obj][u.key]; ok && !u.site.Template && appliesTo(u.inst, kinds.Pod) && v == u.site.Annotations[u.key] {
				continue
			}
			var where []string
			for _, r := range u.inst.Resources {
				where = append(where, r.String())
			}
			msg := "annotation %q of %s applies to %s only: Istio does not read it here"
			move := graph.HasPodTemplate(u.site.Obj) && !u.site.Template && appliesTo(u.inst, kinds.Pod)
			args := []any{u.key, u.where(), strings.Join(where, ", ")}
			if move {
				msg += "; move it to %s.metadata.annotations"
				args = append(args, strings.Join(graph.PodTemplatePath(u.site.Obj), "."))
			}
			f := p.Reportf(u.site.Obj, u.loc(), msg, args...)
			if move {
				o := u.site.Obj
				if moves[o] == nil {
					objs = append(objs, o)
					moves[o] = map[string]*rules.Finding{}
				}
				moves[o][u.key] = f
			}
		}
		// One fix per object: the fixes of two of its annotations would
		// insert at the same place, and conflict.
		for _, o := range objs {
			fix, moved, ok := moveAnnotationsFix(p.Graph, o, moves[o])
			if !ok {
				continue
			}
			for _, k := range moved {
				moves[o][k].Fixes = []rules.Fix{fix}
			}
		}
		return nil
	},
}

// moveAnnotationsFix moves the entries of keys (the findings that say to
// move them) from the block annotations of o's metadata into its pod
// template's. It returns the fix and the keys it moves, in the order they
// are written; ok is false when none can be moved. An entry is moved as
// its line is written, so only entries that are alone on their line and
// whose text the nodes tell exactly (movedEntry) are; the removals check
// the text they take away (Edit.Old), so that a comment the parser did not
// keep makes the applier refuse the fix rather than drop it.
func moveAnnotationsFix(g *graph.Graph, o *manifest.Object, keys map[string]*rules.Finding) (fix rules.Fix, moved []string, ok bool) {
	if len(o.Sources) > 0 {
		return rules.Fix{}, nil, false // a kustomize patch: edits may span files
	}
	root := o.Root()
	meta := blockField(root, "metadata")
	annKey, ann := plainLookup(meta, "annotations")
	tmpl := root
	for _, k := range graph.PodTemplatePath(o) {
		tmpl = blockField(tmpl, k)
	}
	tmplMetaKey, tmplMeta := plainLookup(tmpl, "metadata")
	if !blockMapping(ann) || !blockMapping(tmplMeta) || len(tmplMeta.Content) == 0 {
		return rules.Fix{}, nil, false
	}
	_, tmplAnn := plainLookup(tmplMeta, "annotations")
	if hasKey(tmplMeta, "annotations") && (!blockMapping(tmplAnn) || len(tmplAnn.Content) == 0) {
		return rules.Fix{}, nil, false
	}
	var edits []rules.Edit
	var lines []string
	for i := 0; i+1 < len(ann.Content); i += 2 {
		k, v := ann.Content[i], ann.Content[i+1]
		if keys[k.Value] == nil {
			continue
		}
		if hasKey(tmplAnn, k.Value) {
			continue // which value was meant is not clear
		}
		text, rm, ok := movedEntry(g, o, k, v)
		if !ok {
			continue
		}
		moved = append(moved, k.Value)
		lines = append(lines, text)
		edits = append(edits, rm...)
	}
	if len(moved) == 0 {
		return rules.Fix{}, nil, false
	}
	if len(moved) == len(ann.Content)/2 {
		// Nothing stays: the annotations line goes too, which only a line
		// of the key alone may. The key is expected as written: quoted,
		// "annotations": means the same.
		keyText, ok := scalarText(annKey)
		if !ok || annKey.Line >= ann.Line || hasDirective(annKey) || !rules.Rewritable(g, o, manifest.LocOf(annKey)) {
			return rules.Fix{}, nil, false
		}
		edits = append(edits, rules.Edit{
			Pos: manifest.Pos{File: o.File, Loc: manifest.LineCol(annKey.Line, 1)},
			End: manifest.LineCol(annKey.Line+1, 1),
			Old: strings.Repeat(" ", annKey.Column-1) + keyText + ":\n",
		})
	}
	// The new lines go before the first entry of the template's
	// annotations, or as a new annotations mapping before the first key of
	// its metadata, one indentation step (that of the metadata's keys)
	// further in.
	first := tmplMeta.Content[0]
	indent := strings.Repeat(" ", first.Column-1)
	var b strings.Builder
	if tmplAnn != nil {
		first = tmplAnn.Content[0]
		indent = strings.Repeat(" ", first.Column-1)
		for _, l := range lines {
			b.WriteString(indent + l + "\n")
		}
	} else {
		step := first.Column - tmplMetaKey.Column
		if step < 1 {
			return rules.Fix{}, nil, false
		}
		b.WriteString(indent + "annotations:\n")
		for _, l := range lines {
			b.WriteString(indent + strings.Repeat(" ", step) + l + "\n")
		}
	}
	if first.Column < 2 || first.Kind != yaml.ScalarNode || atKind(o, manifest.LocOf(first)) || !rules.Rewritable(g, o, manifest.LocOf(first)) {
		return rules.Fix{}, nil, false
	}
	edits = append(edits, rules.Edit{
		Pos:     manifest.Pos{File: o.File, Loc: manifest.LineCol(first.Line, 1)},
		End:     manifest.LineCol(first.Line, first.Column),
		NewText: b.String() + indent,
		Old:     indent,
	})
	msg := "Move annotation %s to %s.metadata.annotations"
	if len(moved) > 1 {
		msg = "Move annotations %s to %s.metadata.annotations"
	}
	return rules.Fix{Message: fmt.Sprintf(msg, strings.Join(moved, ", "), strings.Join(graph.PodTemplatePath(o), ".")), Edits: edits}, moved, true
}

// movedEntry returns the text of the annotation entry k: v after its
// indentation, and the edits that remove its line. ok is false unless the
// entry is alone on its line, key and value one-line scalars, plain or
// quoted without escapes, so that the nodes tell the line's text; not when
// it is anchored, tagged or carries a meshlint directive (which would then
// apply to another line).
//
// The line goes in two edits, the second from the value's last character
// to the next line, both checked with Old: one edit ending at the value
// would let the applier's keepCommentColumn take a trailing comment into
// it, and the second's Old fails on a comment the parser did not keep.
func movedEntry(g *graph.Graph, o *manifest.Object, k, v *yaml.Node) (text string, edits []rules.Edit, ok bool) {
	if k.Line != v.Line || k.Column < 2 || hasDirective(k) || hasDirective(v) {
		return "", nil, false
	}
	kt, ok1 := scalarText(k)
	vt, ok2 := scalarText(v)
	if !ok1 || !ok2 || vt == "" {
		return "", nil, false
	}
	kl, vl := manifest.LocOf(k), manifest.LocOf(v)
	gap := v.Column - int(kl.EndCol) - 1
	if gap < 1 || atKind(o, kl) || !rules.Rewritable(g, o, kl) || !rules.Rewritable(g, o, vl) {
		return "", nil, false
	}
	text = kt + ":" + strings.Repeat(" ", gap) + vt
	last, size := utf8.DecodeLastRuneInString(vt)
	lastCol := v.Column + utf8.RuneCountInString(vt) - 1
	return text, []rules.Edit{
		{
			Pos: manifest.Pos{File: o.File, Loc: manifest.LineCol(k.Line, 1)},
			End: manifest.LineCol(k.Line, lastCol),
			Old: strings.Repeat(" ", k.Column-1) + text[:len(text)-size],
		},
		{
			Pos: manifest.Pos{File: o.File, Loc: manifest.LineCol(k.Line, lastCol)},
			End: manifest.LineCol(k.Line+1, 1),
			Old: string(last) + "\n",
		},
	}, true
}

// scalarText returns the text of scalar n as written, when it is one line,
// plain or quoted without escapes, and has no anchor or tag.
func scalarText(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Anchor != "" || n.Style&yaml.TaggedStyle != 0 || strings.ContainsAny(n.Value, "\n\r\t") {
		return "", false
	}
	switch n.Style {
	case 0:
		return n.Value, true
	case yaml.SingleQuotedStyle:
		return "'" + n.Value + "'", !strings.Contains(n.Value, "'")
	case yaml.DoubleQuotedStyle:
		return `"` + n.Value + `"`, !strings.ContainsAny(n.Value, `"\`)
	}
	return "", false
}

// hasDirective reports whether a comment of n holds a meshlint directive.
func hasDirective(n *yaml.Node) bool {
	return strings.Contains(n.HeadComment+n.LineComment+n.FootComment, "meshlint:")
}

// plainLookup returns the key and value of key in mapping n as written
// there: nil when n is not a mapping, is anchored or tagged, or merges
// another (<<), and when the key or value is an alias or carries an
// anchor or tag. Rewriting such nodes would change what others read.
func plainLookup(n *yaml.Node, key string) (k, v *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode || n.Anchor != "" || n.Style&yaml.TaggedStyle != 0 || yamlpath.HasMerge(n) {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value != key {
			continue
		}
		if k.Anchor != "" || k.Style&yaml.TaggedStyle != 0 || v.Kind == yaml.AliasNode || v.Anchor != "" || v.Style&yaml.TaggedStyle != 0 {
			return nil, nil
		}
		return k, v
	}
	return nil, nil
}

// hasKey reports whether mapping n has an entry of key of its own (n
// merges none: blockMapping).
func hasKey(n *yaml.Node, key string) bool {
	if n == nil {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind != yaml.ScalarNode || k.Value == key {
			return true // an alias key may be it
		}
	}
	return false
}

// blockField returns the value of key in n when it is a block mapping that
// plainLookup finds.
func blockField(n *yaml.Node, key string) *yaml.Node {
	if _, v := plainLookup(n, key); blockMapping(v) {
		return v
	}
	return nil
}

// blockMapping reports whether n is a mapping in block style, without merge
// keys, anchor or tag.
func blockMapping(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 &&
		n.Anchor == "" && n.Style&yaml.TaggedStyle == 0 && !yamlpath.HasMerge(n)
}

func appliesTo(a *annotation.Instance, k kinds.Kind) bool {
	for _, r := range a.Resources {
		if r == annotation.Any || r.String() == string(k) {
			return true
		}
	}
	return false
}

// deprecatedInstead says what replaces a deprecated annotation, for those
// whose replacement Istio documents; the rest are sent to their
// documentation.
func deprecatedInstead(key string) string {
	switch key {
	case "sidecar.istio.io/inject":
		return "set the pod label sidecar.istio.io/inject instead"
	case "sidecar.istio.io/discoveryAddress":
		return "set discoveryAddress in the annotation proxy.istio.io/config instead"
	case "sidecar.istio.io/statsInclusionPrefixes":
		return "set proxyStatsMatcher.inclusionPrefixes in the annotation proxy.istio.io/config instead"
	case "sidecar.istio.io/statsInclusionRegexps":
		return "set proxyStatsMatcher.inclusionRegexps in the annotation proxy.istio.io/config instead"
	case "sidecar.istio.io/statsInclusionSuffixes":
		return "set proxyStatsMatcher.inclusionSuffixes in the annotation proxy.istio.io/config instead"
	case "traffic.sidecar.istio.io/kubevirtInterfaces":
		return "use the annotation istio.io/reroute-virtual-interfaces instead"
	}
	return "replace it as its Istio documentation says"
}

// AnnotationDeprecated reports deprecated Istio annotations.
var AnnotationDeprecated = &rules.Rule{
	ID:      "MR721",
	Name:    "annotation-deprecated",
	Summary: "annotation of Istio is deprecated",
	Doc: `Deprecated annotations still work for now but will be removed; most have a replacement in
` + "`proxy.istio.io/config`" + ` or in a label (` + "`sidecar.istio.io/inject`" + ` is a label on pods, not an
annotation; the annotation is not reported when the label is also set).

Replace the annotation as its documentation says. ` + annotationDocNote,
	Bad: webWithPodAnnotations(`sidecar.istio.io/extraStatTags: "user_agent"`),
	Good: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web}]
`,
	Severity: rules.Info,
	Inputs:   annotationInputs,
	Related:  []string{"IST0135"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		for _, u := range istioAnnotationUses(p) {
			if u.inst == nil || !u.inst.Deprecated {
				continue
			}
			if _, label := u.site.Labels[u.key]; label && u.key == "sidecar.istio.io/inject" {
				continue
			}
			p.Reportf(u.site.Obj, u.loc(), "annotation %q of %s is deprecated and may be removed in a later Istio release; %s", u.key, u.where(), deprecatedInstead(u.key))
		}
		return nil
	},
}

package all

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules/ruletest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestUnreadValues checks what the cache counts on to keep the graph
// rules' findings of the last run after an edit of values no graph rule
// reads (graph.UnreadSpans: those of UnreadValues, and the values of
// objects the loader passes over): in every input of TestMetamorphic, written
// in block style (which alone has such values: the fixtures are mostly
// in flow style), every such value is changed (to a value of another
// length, so that a finding that pointed at one would move its end), and
// each graph rule must find exactly the same: messages, positions,
// related locations and fixes.
func TestUnreadValues(t *testing.T) {
	var n metaCounts
	n.floor(t, "values", 400, 1000, 2000)
	eachBlockInput(t, func(t *testing.T, in *metaInput, block map[string][]byte) {
		files, values := changeValues(t, in, block, graph.UnreadSpans, func(sp graph.Span) string { return otherValue(sp.Node.Tag, sp.Node.Value) })
		if values == 0 {
			return
		}
		n.compare(t, in, block, files, nil, values, "the unread values")
	})
}

// metaCounts are what a metamorphic test of the cache changed: inputs,
// values, and graph findings compared.
type metaCounts struct{ inputs, values, findings atomic.Int64 }

// floor logs the counts at the end of the test, and fails it when they
// are below these floors: it would have lost its point.
func (n *metaCounts) floor(t *testing.T, values string, inputs, vals, findings int64) {
	t.Cleanup(func() {
		t.Logf("%d inputs changed, %d %s, %d graph findings compared", n.inputs.Load(), n.values.Load(), values, n.findings.Load())
		if n.inputs.Load() < inputs || n.values.Load() < vals || n.findings.Load() < findings {
			t.Errorf("only %d inputs changed, %d %s, %d findings compared: the test lost its point", n.inputs.Load(), n.values.Load(), values, n.findings.Load())
		}
	})
}

// compare lints in as before and after, its files with values changed
// (what), and fails unless the graph rules but skip find exactly the
// same: messages, positions, related locations and fixes. An input that
// may not load (foreign) is left out when before does not.
func (n *metaCounts) compare(t *testing.T, in *metaInput, before, after map[string][]byte, skip []string, values int, what string) {
	t.Helper()
	base, err := in.graphFindings(t, before, skip)
	if err != nil {
		if in.foreign {
			return
		}
		t.Fatalf("before %s changed: %v\n%s", what, err, dumpTree(before))
	}
	got, err := in.graphFindings(t, after, skip)
	if err != nil {
		t.Fatalf("with %s changed: %v\n%s", what, err, dumpTree(after))
	}
	n.inputs.Add(1)
	n.values.Add(int64(values))
	n.findings.Add(int64(len(base)))
	if !slices.Equal(base, got) {
		t.Errorf("changing %s changes the graph findings:\n%s\n%s", what, multisetDiff(base, got), dumpTree(after))
	}
}

// eachBlockInput runs check, in parallel, on every input of
// TestMetamorphic, written in block style (which alone has values
// ReadDigest and WeightDigest cut out: the fixtures are mostly in flow
// style), or as it is when it cannot be.
func eachBlockInput(t *testing.T, check func(t *testing.T, in *metaInput, block map[string][]byte)) {
	for _, in := range metaInputs(t) {
		t.Run(in.name, func(t *testing.T) {
			t.Parallel()
			block := restyleWith(yamlStyle{})(t, in.files)
			if block == nil {
				block = in.files
			}
			check(t, in, block)
		})
	}
}

// changeValues returns files, those of in, with the value of every span
// of spans changed to what value says, and how many there were.
func changeValues(t *testing.T, in *metaInput, files map[string][]byte, spans func(*manifest.File) []graph.Span, value func(graph.Span) string) (map[string][]byte, int) {
	return rewrite(t, in, files, func(f *manifest.File) ([]byte, int) {
		spans := spans(f)
		if len(spans) == 0 {
			return nil, 0
		}
		var b []byte
		at := 0
		for _, sp := range spans {
			b = append(b, f.Data[at:sp.From]...)
			b = append(b, value(sp)...)
			at = sp.To
		}
		b = append(b, f.Data[at:]...)
		if bytes.Equal(b, f.Data) {
			t.Errorf("%s: the values changed, yet not the bytes", f.Name)
		}
		return b, len(spans)
	})
}

// rewrite loads files as in's input, with their nodes, and returns them
// with the bytes edit returns for each file read from disk (nil: none),
// and the sum of the counts it returns; none when that is 0 or the input
// does not load. edit runs in the loader's workers.
func rewrite(t *testing.T, in *metaInput, files map[string][]byte, edit func(f *manifest.File) ([]byte, int)) (map[string][]byte, int) {
	dir := t.TempDir()
	text := map[string]string{}
	for name, b := range files {
		text[name] = string(b)
	}
	ruletest.WriteTree(t, dir, text)
	var mu sync.Mutex
	out := map[string][]byte{}
	n := 0
	res := manifest.Load([]string{"."}, manifest.Options{Namespace: in.namespace, Dir: dir, PerFile: func(f *manifest.File) []*manifest.Error {
		if f.Data == nil {
			return nil
		}
		b, k := edit(f)
		if b == nil {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		out[strings.ReplaceAll(f.Name, `\`, "/")] = b
		n += k
		return nil
	}})
	if n == 0 || len(res.Errors) > 0 {
		return nil, 0
	}
	changed := maps.Clone(files)
	for name, b := range out {
		if _, ok := changed[name]; !ok {
			t.Fatalf("changed a file %s the input does not have", name)
		}
		changed[name] = b
	}
	return changed, n
}

// otherValue is a value of the same type as value, of another length,
// that is no Flagger's or proxy's image.
func otherValue(tag, value string) string {
	if tag == "!!int" {
		if value == "17" {
			return "170"
		}
		return "17"
	}
	if value == "example.invalid/changed:1.0" {
		return "example.invalid/changed:2.0.0"
	}
	return "example.invalid/changed:1.0"
}

// graphFindings lints files as TestMetamorphic does, and renders the
// graph rules' findings whole, but those of the rules of skip: rule,
// severity, object, position, message, related locations and fixes.
func (in *metaInput) graphFindings(t *testing.T, files map[string][]byte, skip []string) ([]string, error) {
	t.Helper()
	res, _, err := in.run(t, files)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range res.Findings {
		if f.Rule.Local || slices.Contains(skip, f.Rule.ID) {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s %s %+v: %s", f.Rule.ID, f.Severity, f.Object.Ref(), f.Pos, f.Message)
		for _, r := range f.Related {
			fmt.Fprintf(&b, "\n    related %+v: %s", r.Pos, r.Message)
		}
		for _, fx := range f.Fixes {
			fmt.Fprintf(&b, "\n    fix %q %+v %+v", fx.Message, fx.Edits, fx.NewFiles)
		}
		out = append(out, b.String())
	}
	return out, nil
}

// TestUnreadAnnotationValues checks, as TestUnreadValues does, the values
// of annotations the graph does not read (graph.ReadAnnotation), on
// every input of TestMetamorphic: the inputs have few such annotations,
// so one is added to the metadata of every object and of every workload's
// pod template written in block style (checksum/meshlint-test, then
// kubectl.kubernetes.io/restartedAt, then argocd.argoproj.io/sync-wave),
// and the findings with its values changed are compared with those with
// it as added.
func TestUnreadAnnotationValues(t *testing.T) {
	var n metaCounts
	n.floor(t, "annotations added and changed", 1200, 4500, 6000)
	eachBlockInput(t, func(t *testing.T, in *metaInput, block map[string][]byte) {
		// One of no domain the graph reads, one of a domain it reads but
		// that it does not (graph.ignoredAnnotations), one of Argo CD's.
		for _, key := range []string{"checksum/meshlint-test", "kubectl.kubernetes.io/restartedAt", "argocd.argoproj.io/sync-wave"} {
			compareAdded(t, &n, in, block, "annotations", key, true)
		}
	})
}

// TestUnreadLabelValues checks the same of the labels of an object's own
// metadata (not a pod's or a namespace's) that graph.ReadLabel leaves
// out: helm.sh/chart is added to every object's metadata. Those of pods
// and namespaces get it too, and keep its value: it must not be cut out
// there.
func TestUnreadLabelValues(t *testing.T) {
	var n metaCounts
	n.floor(t, "labels added and changed", 400, 1000, 2000)
	eachBlockInput(t, func(t *testing.T, in *metaInput, block map[string][]byte) {
		compareAdded(t, &n, in, block, "labels", "helm.sh/chart", false)
	})
}

// TestUnreadReleaseValues checks the same of the release labels of pods
// (graph.ReleaseLabel), which no graph rule reads unless a file names
// them elsewhere (graph.NamesRelease): helm.sh/chart is added to the
// labels of every object and every pod template, in the inputs that do
// not name it.
func TestUnreadReleaseValues(t *testing.T) {
	var n metaCounts
	n.floor(t, "labels added and changed", 400, 1500, 2000)
	eachBlockInput(t, func(t *testing.T, in *metaInput, block map[string][]byte) {
		named := false
		rewrite(t, in, block, func(f *manifest.File) ([]byte, int) {
			if graph.NamesRelease(f) {
				named = true // written by the loader's workers, read after
			}
			return nil, 0
		})
		if !named {
			compareAdded(t, &n, in, block, "labels", "helm.sh/chart", true)
		}
	})
}

// compareAdded adds key: a0 to the field (annotations or labels) of the
// metadata of every object of block, and of every pod template when
// templates is true (addMetadata), changes the unread values, those
// added each to a value of its own, and compares the graph findings
// (metaCounts.compare).
func compareAdded(t *testing.T, n *metaCounts, in *metaInput, block map[string][]byte, field, key string, templates bool) {
	t.Helper()
	with, added := addMetadata(t, in, block, field, key, templates)
	if added == 0 {
		return
	}
	// cut counts the values added that were cut out; the edit runs in
	// the loader's workers.
	var cut atomic.Int64
	files, _ := changeValues(t, in, with, graph.UnreadSpans, func(sp graph.Span) string {
		if sp.Node.Value == "a0" {
			// Each its own value, so that what compares them finds
			// them different.
			return fmt.Sprintf("b17-longer-%d", cut.Add(1))
		}
		return otherValue(sp.Node.Tag, sp.Node.Value)
	})
	switch {
	case files == nil && field == "annotations":
		t.Fatalf("no value to change after adding %d %s\n%s", added, field, dumpTree(with))
	case files == nil:
		return // no label that is cut out: only those of pods, namespaces and Gateways
	}
	n.compare(t, in, with, files, nil, int(cut.Load()), "the values of the "+field+" added")
}

// addMetadata returns files with key: a0 added to the field (annotations
// or labels) of every metadata mapping of an object, and of a workload's
// pod template when templates is true, written in block style in a file
// of the input (not a kustomize build's), and how many it added.
func addMetadata(t *testing.T, in *metaInput, files map[string][]byte, name, key string, templates bool) (map[string][]byte, int) {
	return rewrite(t, in, files, func(f *manifest.File) ([]byte, int) {
		// The line each addition goes before, and what it is.
		at := map[int]string{}
		add := func(meta *yaml.Node) {
			if meta == nil || meta.Kind != yaml.MappingNode || meta.Style&yaml.FlowStyle != 0 || len(meta.Content) == 0 || meta.Anchor != "" {
				return
			}
			first := meta.Content[0]
			indent := strings.Repeat(" ", first.Column-1)
			for i := 0; i+1 < len(meta.Content); i += 2 {
				if meta.Content[i].Value != name {
					continue
				}
				m := meta.Content[i+1]
				if m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 || len(m.Content) == 0 || m.Anchor != "" {
					return
				}
				k := m.Content[0]
				at[k.Line] = strings.Repeat(" ", k.Column-1) + key + ": a0\n"
				return
			}
			at[first.Line] = indent + name + ":\n" + indent + "  " + key + ": a0\n"
		}
		for _, o := range f.Objects {
			if o.Node == nil || len(o.Sources) > 0 {
				continue
			}
			add(yamlpath.Field(o.Node, "metadata"))
			if templates && graph.HasPodTemplate(o) {
				tmpl := o.Node
				for _, k := range graph.PodTemplatePath(o) {
					tmpl = yamlpath.Field(tmpl, k)
				}
				add(yamlpath.Field(tmpl, "metadata"))
			}
		}
		if len(at) == 0 {
			return nil, 0
		}
		var b strings.Builder
		for i, l := range strings.SplitAfter(string(f.Data), "\n") {
			b.WriteString(at[i+1])
			b.WriteString(l)
		}
		return []byte(b.String()), len(at)
	})
}

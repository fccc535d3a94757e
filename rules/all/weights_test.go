package all

import (
	"slices"
	"sync/atomic"
	"testing"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// TestWeightValues checks what the cache counts on to run only
// rules.WeightReaders again after an edit of route weights (and of values
// no graph rule reads): in every input of TestMetamorphic, written in
// block style, every span of graph.WeightSpans is changed, twice: the
// weights to 0 (170 where they were 0), then to -7; the unread values as
// TestUnreadValues changes them, and every graph rule but the readers
// must find exactly the same.
func TestWeightValues(t *testing.T) {
	inputs := metaInputs(t)
	var changed, weights, compared atomic.Int64
	t.Cleanup(func() {
		t.Logf("%d inputs changed, %d weights, %d graph findings compared", changed.Load(), weights.Load(), compared.Load())
		if changed.Load() < 80 || weights.Load() < 250 || compared.Load() < 300 {
			t.Errorf("only %d inputs changed, %d weights, %d findings compared: the test lost its point", changed.Load(), weights.Load(), compared.Load())
		}
	})
	readers := rules.WeightReaders()
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			t.Parallel()
			block := restyleWith(yamlStyle{})(t, in.files)
			if block == nil {
				block = in.files
			}
			var base []string
			for _, to := range []func(string) string{
				func(v string) string { return map[bool]string{true: "170", false: "0"}[v == "0"] },
				func(string) string { return "-7" },
			} {
				files, n := changeValues(t, in, block, weightSpans, func(sp graph.Span) string {
					if sp.Node.Tag == weightTag {
						weights.Add(1)
						return to(sp.Node.Value)
					}
					return otherValue(sp.Node.Tag, sp.Node.Value)
				})
				if n == 0 {
					return
				}
				if base == nil {
					var err error
					if base, err = in.graphFindings(t, block, readers); err != nil {
						if in.foreign {
							return
						}
						t.Fatalf("as written: %v", err)
					}
				}
				got, err := in.graphFindings(t, files, readers)
				if err != nil {
					t.Fatalf("with the weights changed: %v\n%s", err, dumpTree(files))
				}
				changed.Add(1)
				compared.Add(int64(len(base)))
				if !slices.Equal(base, got) {
					t.Errorf("changing the weights changes the findings of rules that do not read them:\n%s\n%s", multisetDiff(base, got), dumpTree(files))
				}
			}
		})
	}
}

// weightTag marks, in the nodes weightSpans returns, those of weights.
const weightTag = "weight"

// weightSpans returns graph.WeightSpans of f, and no span when f has no
// weight; the weights' nodes are copies tagged weightTag.
func weightSpans(f *manifest.File) []graph.Span {
	isWeight := map[int]bool{}
	for _, o := range f.Objects {
		for _, n := range graph.WeightValues(o) {
			isWeight[n.Line] = true
		}
	}
	if len(isWeight) == 0 {
		return nil
	}
	spans := graph.WeightSpans(f)
	for i, sp := range spans {
		if isWeight[sp.Node.Line] {
			n := *sp.Node
			n.Tag = weightTag
			spans[i].Node = &n
		}
	}
	return spans
}

// TestWeightReadersRunAlone checks that each rule of rules.WeightReaders
// exists, runs on the graph, and declares Deps that a run on some
// partitions can give it (rules.Reached: TestDepsHold checks them), so
// that the cache can run it on the partitions of files whose weights
// changed.
func TestWeightReadersRunAlone(t *testing.T) {
	for _, id := range rules.WeightReaders() {
		r := rules.Find(Rules, id)
		switch {
		case r == nil:
			t.Errorf("rules.WeightReaders names %s, which is no rule", id)
		case r.Local:
			t.Errorf("%s is Local: the local rules read each changed file again anyway", id)
		case r.Deps == 0 || r.Deps&^rules.Reached != 0:
			t.Errorf("%s declares Deps %v, which a run on some partitions cannot give it", id, r.Deps)
		}
	}
}

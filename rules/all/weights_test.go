package all

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// TestWeightValues checks what the cache counts on to run only
// rules.WeightReaders again after an edit of route weights (and of values
// no graph rule reads): in every input of TestMetamorphic, written in
// block style, every span of graph.WeightSpans is changed, twice: a
// VirtualService's weights to 0 (170 where they were 0), then to -7; a
// Gateway API route's to 170, then 3, but 0 gains a comment and a negative one
// becomes -70 (the digest keeps their sign); the unread values as
// TestUnreadValues changes them. Every graph rule but the readers must
// find exactly the same.
func TestWeightValues(t *testing.T) {
	var n metaCounts
	n.floor(t, "weights", 80, 250, 300)
	readers := rules.WeightReaders()
	eachBlockInput(t, func(t *testing.T, in *metaInput, block map[string][]byte) {
		for _, to := range []struct {
			free     func(string) string
			positive string
		}{
			{func(v string) string { return map[bool]string{true: "170", false: "0"}[v == "0"] }, "170"},
			{func(string) string { return "-7" }, "3"},
		} {
			// changeValues calls value in the loader's workers.
			var weights atomic.Int64
			files, changed := changeValues(t, in, block, weightSpans, func(sp graph.Span) string {
				if sp.Node.Tag == weightTag && sp.Signed {
					// Of the same sign, which the digest keeps.
					weights.Add(1)
					return signedWeight(sp.Node.Value, to.positive)
				}
				if sp.Node.Tag == weightTag {
					weights.Add(1)
					return to.free(sp.Node.Value)
				}
				return otherValue(sp.Node.Tag, sp.Node.Value)
			})
			if changed == 0 {
				return
			}
			n.compare(t, in, block, files, readers, int(weights.Load()), "the weights, for the rules that do not read them,")
		}
	})
}

// signedWeight returns a weight of the sign of v: v with a comment when it
// is 0, -70 when
// it is negative, else positive (or 17 when v is positive already).
func signedWeight(v, positive string) string {
	switch {
	case strings.TrimLeft(strings.TrimLeft(v, "+-"), "0") == "":
		return v + " # still none"
	case strings.HasPrefix(v, "-"):
		return "-70"
	case v == positive:
		return "17"
	}
	return positive
}

// weightTag marks, in the nodes weightSpans returns, those of weights.
const weightTag = "weight"

// weightSpans returns graph.WeightSpans of f, and no span when f has no
// weight; the weights' nodes are copies tagged weightTag.
func weightSpans(f *manifest.File) []graph.Span {
	isWeight := map[int]bool{}
	for _, o := range f.Objects {
		ws, _ := graph.WeightValues(o)
		for _, n := range ws {
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

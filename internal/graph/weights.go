package graph

import (
	"crypto/sha256"
	"slices"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The weights of a VirtualService's route destinations are, after the
// values no graph rule reads (unread.go), what a manifests repository
// changes most often: a canary shifted from 90/10 to 80/20 by hand. Only
// two graph rules read them, route-weights-not-100 and
// route-weight-invalid (rules.WeightReaders), whose findings about an
// object read nothing outside its namespace: after an edit of weights
// alone, those two can run on the namespaces of the edited files, and
// every other graph rule keeps its findings of the last run (lintcache).
// TestWeightValues (rules/all) changes every weight of every fixture and
// compares the other rules' findings; TestWeightReaders fails when code
// starts to read weights elsewhere.

// WeightValues returns the scalar nodes of the weights of o's route
// destinations, when o is an Istio VirtualService: spec.http, spec.tcp
// and spec.tls, each item's route, each destination's weight, all in
// block style and reached without an alias, an anchor or a merge key
// (UnreadValues says why).
func WeightValues(o *manifest.Object) []*yaml.Node {
	if o.Node == nil || o.Kind != kinds.VirtualService || o.Group != kinds.GroupIstioNetworking {
		return nil
	}
	spec, plain := plainLookup(o.Node, "spec", true)
	var out []*yaml.Node
	for _, list := range []string{"http", "tcp", "tls"} {
		routes, ok := plainLookup(spec, list, plain)
		items, _ := blockItems(routes)
		if !ok {
			continue
		}
		for _, r := range items {
			dests, _ := blockItems(field(r, "route"))
			for _, d := range dests {
				out = appendScalar(out, field(d, "weight"))
			}
		}
	}
	return out
}

// WeightSpans returns the spans of f's values that UnreadSpans returns
// and of those of WeightValues, in order, cut as UnreadSpans cuts.
func WeightSpans(f *manifest.File) []Span {
	data := f.Data
	lines := lineStarts(data)
	out := UnreadSpans(f)
	n := len(out)
	for _, o := range f.Objects {
		for _, v := range WeightValues(o) {
			if from, to, ok := valueSpan(data, lines, v); ok {
				out = append(out, Span{From: from, To: to, Node: v})
			}
		}
	}
	if len(out) == n {
		return out
	}
	slices.SortFunc(out, func(a, b Span) int { return a.From - b.From })
	kept := out[:0]
	for _, sp := range out {
		if len(kept) == 0 || sp.From >= kept[len(kept)-1].To {
			kept = append(kept, sp)
		}
	}
	return kept
}

// WeightDigest returns the SHA-256 of the bytes of f, a file read with
// its nodes, with the spans of WeightSpans cut out, as ReadDigest cuts
// those of UnreadSpans: two versions of a file with the same WeightDigest
// differ only in values no graph rule reads and in route weights.
func WeightDigest(f *manifest.File) [32]byte {
	return digestCut(f.Data, WeightSpans(f))
}

// digestCut returns the SHA-256 of data with each span cut out.
func digestCut(data []byte, spans []Span) [32]byte {
	h := sha256.New()
	at := 0
	for _, sp := range spans {
		h.Write(data[at:sp.From])
		// NUL, which the loader refuses in YAML, marks the cut.
		h.Write([]byte{0})
		at = sp.To
	}
	h.Write(data[at:])
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d
}

package graph

import (
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The weights of a route's destinations are, after the values no graph
// rule reads (unread.go), what a manifests repository changes most often:
// a canary shifted from 90/10 to 80/20 by hand. Only three graph rules
// read them, route-weights-not-100 and route-weight-invalid for a
// VirtualService, gatewayapi-backend-weights for a Gateway API route
// (rules.WeightReaders), whose findings about an object read nothing
// outside its namespace; the other rules read of a Gateway API weight
// only whether it is 0, above or below (a backend of weight 0 gets no
// traffic), which WeightDigest keeps. After an edit of weights alone, the
// readers can run on the namespaces of the edited files, and every other
// graph rule keeps its findings of the last run (lintcache).
// TestWeightValues (rules/all) changes every weight of every fixture and
// compares the other rules' findings; TestWeightReaders fails when code
// starts to read weights elsewhere.

// WeightValues returns the scalar nodes of the weights of o's route
// destinations: of an Istio VirtualService, spec.http, spec.tcp and
// spec.tls, each item's route, each destination's weight; of a Gateway
// API route, spec.rules, each rule's backendRefs, each one's weight, an
// integer (signed: the digest keeps its sign). All are in block style and
// reached without an alias, an anchor or a merge key (UnreadValues says
// why).
func WeightValues(o *manifest.Object) (weights []*yaml.Node, signed bool) {
	if o.Node == nil {
		return nil, false
	}
	var lists []string
	var dests string
	switch {
	case o.Kind == kinds.VirtualService && o.Group == kinds.GroupIstioNetworking:
		lists, dests = []string{"http", "tcp", "tls"}, "route"
	case o.Group == kinds.GroupGatewayAPI && (o.Kind == kinds.HTTPRoute || o.Kind == kinds.GRPCRoute || o.Kind == kinds.TCPRoute || o.Kind == kinds.TLSRoute || o.Kind == kinds.UDPRoute):
		lists, dests, signed = []string{"rules"}, "backendRefs", true
	default:
		return nil, false
	}
	spec, plain := plainLookup(o.Node, "spec", true)
	var out []*yaml.Node
	for _, list := range lists {
		routes, ok := plainLookup(spec, list, plain)
		items, _ := blockItems(routes)
		if !ok {
			continue
		}
		for _, r := range items {
			ds, _ := blockItems(field(r, dests))
			for _, d := range ds {
				w := field(d, "weight")
				if signed && w != nil {
					if _, err := strconv.ParseInt(w.Value, 10, 64); err != nil || w.Style != 0 {
						continue
					}
				}
				out = appendScalar(out, w)
			}
		}
	}
	return out, signed
}

// WeightSpans returns the spans of f's values that UnreadSpans returns
// and of those of WeightValues, in order, cut as UnreadSpans cuts.
func WeightSpans(f *manifest.File) []Span {
	spans, _ := weightSpans(f, UnreadSpans(f))
	return spans
}

// weightSpans returns unread, the spans of UnreadSpans of f, with those of
// its weights, in order, and whether it has any of the latter.
func weightSpans(f *manifest.File, unread []Span) ([]Span, bool) {
	var lines []int
	// Clipped: appending must not write into unread's array.
	out := slices.Clip(unread)
	for _, o := range f.Objects {
		ws, signed := WeightValues(o)
		for _, v := range ws {
			if lines == nil {
				lines = lineStarts(f.Data)
			}
			if from, to, ok := valueSpan(f.Data, lines, v); ok {
				out = append(out, Span{From: from, To: to, Node: v, Signed: signed})
			}
		}
	}
	if len(out) == len(unread) {
		return unread, false
	}
	return inOrder(out), true
}

// Digest is what the cache keeps of a file to tell an edit no graph rule
// sees from others (Digests).
type Digest struct {
	// Read is ReadDigest, Weights WeightDigest.
	Read, Weights [32]byte
	// Release is ReleaseDigest: the values of the release labels of its
	// pods, which Read leaves out. NamesRelease is true when the file
	// names a release label elsewhere (NamesRelease): a selector may
	// read them, and an edit of them counts only when no file does.
	Release      [32]byte
	NamesRelease bool
}

// Digests returns the Digest of f, reading its values once, and hashing
// it once when it has no weights.
func Digests(f *manifest.File) Digest {
	unread := UnreadSpans(f)
	d := Digest{Read: digestCut(f.Data, unread), Release: releaseDigest(f.Data, unread), NamesRelease: NamesRelease(f)}
	d.Weights = d.Read
	if spans, ok := weightSpans(f, unread); ok {
		d.Weights = digestCut(f.Data, spans)
	}
	return d
}

// WeightDigest returns the SHA-256 of the bytes of f, a file read with
// its nodes, with the spans of WeightSpans cut out, as ReadDigest cuts
// those of UnreadSpans, but for the sign of a signed weight: two versions
// of a file with the same WeightDigest differ only in values no graph
// rule reads and in route weights, and their Gateway API weights are 0,
// positive or negative alike.
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
		if sp.Signed {
			h.Write([]byte{sign(sp.Node.Value)})
		}
		at = sp.To
	}
	h.Write(data[at:])
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d
}

// sign returns '0', '+' or '-' for an integer's sign.
func sign(v string) byte {
	switch {
	case strings.TrimLeft(strings.TrimLeft(v, "+-"), "0") == "":
		return '0'
	case strings.HasPrefix(v, "-"):
		return '-'
	}
	return '+'
}

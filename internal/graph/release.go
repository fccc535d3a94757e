package graph

import (
	"bytes"
	"crypto/sha256"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// A Helm chart's release changes the labels helm.sh/chart and
// app.kubernetes.io/version of every object it renders, and since Helm's
// own scaffold gives pods the same labels, of every pod template too.
// Labels of pods are what selectors read, by any key, so their values
// are not unread values as those of an object's own labels are
// (labelValues): they are unread only as long as no selector of the input
// names the label. ReadDigest leaves the values of these release labels of
// pods out, ReleaseDigest hashes them alone, and NamesRelease tells
// whether a file names them anywhere else, as a selector would: the cache
// counts an edit of them as unread only when no file of the input does.
// The graph and the rules read these labels of pods only through the
// input's selectors (TestReleaseReaders); what reads a pod's labels whole
// leaves them out (ReleaseLabel), and TestUnreadReleaseValues (rules/all)
// checks the findings.

// releaseLabels are the labels ReleaseLabel names.
var releaseLabels = []string{"helm.sh/chart", "app.kubernetes.io/version"}

// ReleaseLabel reports whether key is a label whose value a chart's
// release changes on every pod: helm.sh/chart or app.kubernetes.io/version.
// A selector that names one stops selecting at the next release, so the
// fixes meshlint writes leave them out.
func ReleaseLabel(key string) bool {
	return key == releaseLabels[0] || key == releaseLabels[1]
}

// ReleaseValues returns the values of the release labels (ReleaseLabel)
// of the pods of o, a Pod or a workload with a pod template, each a
// single-line scalar in block style reached without an alias or an
// anchor; none when the labels are not a block mapping of plain keys.
func ReleaseValues(o *manifest.Object) []*yaml.Node {
	return mappingLeaves(field(podMetadata(o), "labels"), func(k string) bool { return !ReleaseLabel(k) })
}

// podMetadata returns the metadata of the pods of o, an object with its
// nodes: a Pod's own, or a workload's pod template's, when reached
// plainly (plainLookup); nil otherwise.
func podMetadata(o *manifest.Object) *yaml.Node {
	if o.Node == nil || !HasPodTemplate(o) && (o.Group != kinds.GroupCore || o.Kind != kinds.Pod) {
		return nil
	}
	tmpl, plain := podTemplate(o)
	if !plain {
		return nil
	}
	return field(tmpl, "metadata")
}

// ReleaseDigest returns the SHA-256 of the values of the release labels of
// the pods of f, a file read with its nodes, in order (the spans of
// UnreadSpans marked Release), or zero when it has none.
func ReleaseDigest(f *manifest.File) [32]byte {
	return releaseDigest(f.Data, UnreadSpans(f))
}

func releaseDigest(data []byte, spans []Span) [32]byte {
	h := sha256.New()
	n := 0
	for _, sp := range spans {
		if sp.Release {
			h.Write(data[sp.From:sp.To])
			h.Write([]byte{0})
			n++
		}
	}
	var d [32]byte
	if n > 0 {
		copy(d[:], h.Sum(nil))
	}
	return d
}

// NamesRelease reports whether the bytes of f, a file read with its
// nodes, name a release label anywhere but as the plain key of a label of
// an object's metadata or of a pod template's: in a selector, a flag, a
// comment or anything else. Only such a file could make the graph read
// the release labels of pods.
func NamesRelease(f *manifest.File) bool {
	n := 0
	for _, k := range releaseLabels {
		n += bytes.Count(f.Data, []byte(k))
	}
	if n == 0 {
		return false
	}
	for _, o := range f.Objects {
		metas := []*yaml.Node{field(o.Node, "metadata")}
		if pm := podMetadata(o); pm != nil && pm != metas[0] {
			metas = append(metas, pm)
		}
		for _, m := range metas {
			l := field(m, "labels")
			if l == nil || l.Kind != yaml.MappingNode {
				continue
			}
			for i := 0; i+1 < len(l.Content); i += 2 {
				// A plain key is written as its value: its bytes are one
				// of those counted.
				if k := l.Content[i]; k.Kind == yaml.ScalarNode && k.Style == 0 && ReleaseLabel(k.Value) {
					n--
				}
			}
		}
	}
	return n > 0
}

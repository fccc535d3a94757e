// Package manifest loads Kubernetes manifests from files, directories and
// stdin into objects that remember where every node came from.
package manifest

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Loc is a position inside a file: 1-based line and column (in Unicode code
// points, as yaml.v3 counts them), and the column just past the node's text on
// its first line.
type Loc struct {
	Line, Col, EndCol int32
}

// IsZero reports whether the location is unset.
func (l Loc) IsZero() bool { return l.Line == 0 }

// LineCol returns the location of a line and column counted in int, with no
// end column.
func LineCol(line, col int) Loc { return Loc{Line: Clamp32(line), Col: Clamp32(col)} }

// Clamp32 converts a line or column to Loc's int32, saturating: only a file
// over 2 GiB (--max-file-size raised) has a line or column past
// math.MaxInt32, and pointing at the file's last representable line beats
// wrapping to a negative one.
func Clamp32(n int) int32 { return int32(min(max(n, math.MinInt32), math.MaxInt32)) } //nolint:gosec // G115: clamped

// LocOf returns the location of a YAML node. For a scalar the end column
// covers its text, including quotes.
func LocOf(n *yaml.Node) Loc {
	if n == nil {
		return Loc{}
	}
	l := Loc{Line: Clamp32(n.Line), Col: Clamp32(n.Column), EndCol: Clamp32(n.Column + 1)}
	if n.Kind == yaml.ScalarNode {
		w := utf8.RuneCountInString(n.Value)
		switch n.Style {
		case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
			w += 2
		case yaml.LiteralStyle, yaml.FoldedStyle:
			w = 1
		}
		if w < 1 {
			w = 1
		}
		l.EndCol = Clamp32(n.Column + w)
	}
	return l
}

// Pos is a location in a named file.
type Pos struct {
	File string
	Loc
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Object is one Kubernetes object read from a manifest. A large tree has
// hundreds of thousands: the fields narrower than a word come last, so that
// they share words instead of each being padded to one.
type Object struct {
	APIVersion string
	Group      string
	Kind       kinds.Kind
	Name       string
	// Namespace is the object's namespace, or the default namespace of the
	// run when the manifest does not set one.
	Namespace   string
	Labels      map[string]string
	Annotations map[string]string
	// OwnerKind and OwnerName name the object's owner from
	// metadata.ownerReferences: the controller one, else the first.
	OwnerKind, OwnerName string

	File string
	// Node is the object's mapping node. Line numbers are absolute in File.
	Node *yaml.Node
	// Sources names the file of the nodes that come from another file than
	// File, by their line and column (EndCol zero): the patches of a
	// kustomize build. Each line:col of an object belongs to one file only.
	Sources map[Loc]string
	// Prepared holds what the graph extracted from Node before the loader
	// dropped it (graph.Prepare).
	Prepared any

	// seq is the object's index among the objects of its file, and src
	// the file to read Node again from once it has been dropped.
	seq int
	src *diskFile

	// KindLoc and NameLoc point at the kind and metadata.name values, the
	// natural place to report a finding about the whole object.
	KindLoc, NameLoc Loc
	// Doc is the 0-based index of the YAML document within File.
	Doc int32
	// NamespaceSet is false when Namespace was defaulted.
	NamespaceSet bool
	// NoDirectives is set by the loader when the object's file has no
	// "meshlint:" comment, so that suppressions need not walk its nodes.
	NoDirectives bool
}

// directiveMark starts every suppression comment.
const directiveMark = "meshlint:"

// Root returns the object's mapping node. When the loader has dropped it
// (Options.DropNodes), Root reads and parses the file again, once per file;
// it returns nil when the file has changed since, or cannot be read.
func (o *Object) Root() *yaml.Node {
	if o.Node != nil || o.src == nil {
		return o.Node
	}
	objs := o.src.objects()
	if o.seq >= len(objs) {
		return nil
	}
	again := objs[o.seq]
	if again.Kind != o.Kind || again.Name != o.Name || again.Namespace != o.Namespace {
		return nil
	}
	return again.Node
}

// diskFile is a file the loader read, to read again on demand.
type diskFile struct {
	path, name, namespace string

	once sync.Once
	objs []*Object
}

func (s *diskFile) objects() []*Object {
	s.once.Do(func() {
		data, err := os.ReadFile(s.path)
		if err != nil {
			return
		}
		docs, _ := parseFile(s.name, data, bytes.Contains(data, []byte(directiveMark)), nil)
		for _, d := range docs {
			if checkAliases(s.name, d.index, d.node) != nil {
				continue
			}
			// The errors were reported when the file was first read.
			objs, _ := objectsIn(s.name, d.index, d.node, s.namespace, map[string]int{}, nil, false)
			s.objs = append(s.objs, objs...)
		}
	})
	return s.objs
}

// RNode wraps the object's node for kyaml's helpers.
func (o *Object) RNode() *yaml.RNode { return yaml.NewRNode(o.Root()) }

// Pos returns the position of loc in the object's file (or in the file
// Sources names for it).
func (o *Object) Pos(loc Loc) Pos {
	if f, ok := o.Sources[Loc{Line: loc.Line, Col: loc.Col}]; ok {
		return Pos{File: f, Loc: loc}
	}
	return Pos{File: o.File, Loc: loc}
}

// Ref names the object as kind namespace/name.
func (o *Object) Ref() string { return fmt.Sprintf("%s %s/%s", o.Kind, o.Namespace, o.Name) }

// Spec returns the object's spec node, or nil, also when the loader has
// dropped the nodes: the graph reads what it prepared then instead, and
// reading the file again for it would cost what dropping saved.
func (o *Object) Spec() *yaml.Node { return yamlpath.Field(o.Node, "spec") }

// deref resolves an alias node to its anchor's node.
func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// Error is a problem that kept meshlint from reading part of the input. It
// always names a file, and a line when one is known.
type Error struct {
	File string
	Loc
	Msg string
	Err error
	// notObject is set for a document that does not try to be a Kubernetes
	// object (no apiVersion, kind or metadata): a file of only those, met
	// in a directory walk, is some other tool's YAML and is skipped.
	notObject bool
}

func (e *Error) Error() string {
	msg := e.Msg
	if e.Err != nil {
		if msg != "" {
			msg += ": "
		}
		msg += e.Err.Error()
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, msg)
	}
	return fmt.Sprintf("%s: %s", e.File, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// errorWire is an Error as the cache stores it: Err as its text, since
// encoding/gob can encode an interface value only of a registered type,
// and decoding errors wrap whatever the decoder returned.
type errorWire struct {
	File      string
	Loc       Loc
	Msg, Err  string
	HasErr    bool
	NotObject bool
}

// GobEncode lets the cache keep an Error whatever its Err is; the Err it
// decodes has the same text, and no chain to unwrap.
func (e *Error) GobEncode() ([]byte, error) {
	w := errorWire{File: e.File, Loc: e.Loc, Msg: e.Msg, NotObject: e.notObject}
	if e.Err != nil {
		w.Err, w.HasErr = e.Err.Error(), true
	}
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(w)
	return b.Bytes(), err
}

// GobDecode reads what GobEncode wrote.
func (e *Error) GobDecode(data []byte) error {
	var w errorWire
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&w); err != nil {
		return err
	}
	*e = Error{File: w.File, Loc: w.Loc, Msg: w.Msg, notObject: w.NotObject}
	if w.HasErr {
		e.Err = errors.New(w.Err)
	}
	return nil
}

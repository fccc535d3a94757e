// Package baseline records the findings of a run in a file and later
// reports only the findings that are not in it, so that a team can adopt
// meshlint on a large tree and fail only on new problems.
//
// Findings are matched by a fingerprint that survives unrelated edits: the
// rule, the object's identity and the path of the finding's node within the
// object. Lines, files and messages are left out, so adding documents or
// lines above a finding, moving an object to another file, reordering files
// and rewording a message (or a number in it) keep the fingerprint; renaming
// the object or moving the offending field changes it.
package baseline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
)

// Version is the format version written to baseline files. Read refuses
// other versions: a fingerprint recipe change would otherwise silently
// match nothing and report every finding as new.
const Version = 1

// File is a baseline file.
type File struct {
	Version int `json:"version"`
	// Findings are the recorded findings, sorted by object, path and rule.
	Findings []Entry `json:"findings"`
}

// Entry is one recorded finding. Only Fingerprint is matched; the other
// fields are there for the people who read and review the file.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	Object      string `json:"object"`
	Path        string `json:"path"`
	Message     string `json:"message"`
}

// Fingerprint returns a finding's identity, independent of lines, files
// and message: the first 16 hex digits of a SHA-256 over the rule ID, the
// object's API group, kind, namespace (as resolved for the run) and name,
// and the path of the finding's node within the object (such as
// .spec.http[0].route[1].weight). The API version is left out so that
// moving from v1beta1 to v1 keeps it. Two findings of one rule at one node
// share a fingerprint; Fingerprints tells them apart.
func Fingerprint(f *rules.Finding) string {
	parts := []string{"meshlint/v1", f.Rule.ID}
	if o := f.Object; o != nil {
		parts = append(parts, o.Group, string(o.Kind), o.Namespace, o.Name, Path(f))
	} else {
		// Not produced by today's rules; keep such a finding stable at least
		// within its file.
		parts = append(parts, f.Pos.File, f.Message)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:8])
}

// Fingerprints returns the fingerprints of fs, in order, made unique by
// appending ":1", ":2"… to the second and later findings that share one (as
// GitHub does for its own line hashes). Pass the findings in their report
// order (rules.Sort).
func Fingerprints(fs []*rules.Finding) []string {
	out := make([]string, len(fs))
	seen := map[string]int{}
	for i, f := range fs {
		fp := Fingerprint(f)
		if n := seen[fp]; n > 0 {
			out[i] = fmt.Sprintf("%s:%d", fp, n)
		} else {
			out[i] = fp
		}
		seen[fp]++
	}
	return out
}

// Path returns the path of the finding's node within its object, "" for
// the object itself or when the finding is in another file.
func Path(f *rules.Finding) string {
	o := f.Object
	if o == nil || o.Root() == nil || o.Pos(f.Pos.Loc).File != f.Pos.File {
		return ""
	}
	return yamlpath.Path(o.Root(), int(f.Pos.Line), int(f.Pos.Col))
}

// ObjectName names an object for people: Kind.group namespace/name, the
// group left out for the core group and the namespace for cluster-scoped
// objects. A Namespace is cluster-scoped too, although the loader files it
// under itself so that it sits with its objects: "Namespace shop", not
// "Namespace shop/shop".
func ObjectName(f *rules.Finding) string {
	o := f.Object
	if o == nil {
		return f.Pos.File
	}
	kind := string(o.Kind)
	if o.Group != "" {
		kind += "." + o.Group
	}
	if o.Namespace == "" || o.Kind == kinds.Namespace && o.Group == kinds.GroupCore {
		return kind + " " + o.Name
	}
	return kind + " " + o.Namespace + "/" + o.Name
}

// New records findings (in report order).
func New(fs []*rules.Finding) *File {
	b := &File{Version: Version, Findings: make([]Entry, 0, len(fs))}
	for i, fp := range Fingerprints(fs) {
		f := fs[i]
		path := Path(f)
		if path == "" {
			path = "."
		}
		b.Findings = append(b.Findings, Entry{Fingerprint: fp, Rule: f.Rule.ID, Object: ObjectName(f), Path: path, Message: f.Message})
	}
	sort.SliceStable(b.Findings, func(i, j int) bool {
		x, y := b.Findings[i], b.Findings[j]
		if x.Object != y.Object {
			return x.Object < y.Object
		}
		if x.Path != y.Path {
			return x.Path < y.Path
		}
		if x.Rule != y.Rule {
			return x.Rule < y.Rule
		}
		return x.Fingerprint < y.Fingerprint
	})
	return b
}

// Write writes the baseline as indented JSON.
func (b *File) Write(w io.Writer) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// WriteFile writes the baseline to path.
func (b *File) WriteFile(path string) error {
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	return nil
}

// Read reads a baseline.
func Read(r io.Reader) (*File, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var b File
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("not a meshlint baseline: %w", err)
	}
	if b.Version != Version {
		return nil, fmt.Errorf("baseline version %d is not supported (want %d): write it again with --write-baseline", b.Version, Version)
	}
	return &b, nil
}

// ReadFile reads the baseline at path.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	b, err := Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Filter returns the findings of fs (in report order) that are not in the
// baseline, how many were, and the entries that matched nothing: findings
// fixed (or changed beyond recognition) since the baseline was written.
func (b *File) Filter(fs []*rules.Finding) (fresh []*rules.Finding, matched int, stale []Entry) {
	known := make(map[string]bool, len(b.Findings))
	for _, e := range b.Findings {
		known[e.Fingerprint] = true
	}
	seen := make(map[string]bool, len(fs))
	for i, fp := range Fingerprints(fs) {
		if known[fp] {
			matched++
			seen[fp] = true
			continue
		}
		fresh = append(fresh, fs[i])
	}
	for _, e := range b.Findings {
		if !seen[e.Fingerprint] {
			stale = append(stale, e)
		}
	}
	return fresh, matched, stale
}

// Package fix applies the fixes that rules attach to their findings.
//
// An edit is a byte-precise replacement of the text between two line:column
// positions of a file (columns in code points, as yaml.v3 counts them), so
// fixes are applied as text edits on the file's own bytes: comments,
// quoting, indentation and key order stay exactly as they were. YAML is only
// parsed to check that a changed or new file still reads.
//
// As in go/analysis, a finding's fixes are alternatives and only the first
// is applied. A fix is applied whole or not at all. It is skipped, with a
// reason, when
//   - one of its edits overlaps an edit of a fix applied before it (fixes
//     are taken in the findings' order; an identical edit is not a
//     conflict, it is made once),
//   - the text at an edit is not the Old text the rule expected: the file
//     changed, or a position mapped back from a kustomize build points at
//     text that kustomize transformed,
//   - its file is not a regular file (standard input can only be diffed),
//   - a file it would create exists, sits in a directory that does not,
//     or in a directory that holds a kustomization (kustomize would not
//     read it: the kustomization lists its resources),
//   - or the file it edits or creates would no longer parse as YAML.
package fix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Options say where the files are.
type Options struct {
	// Dir is the working directory, which relative file names start from.
	Dir string
	// Stdin holds standard input, when the run read it: fixes of
	// manifest.StdinName are then computed on it, for a diff. Without it
	// they are skipped. Files named so are never written.
	Stdin []byte
}

// File is a file the fixes change or create.
type File struct {
	// Name is the file's name as the findings give it.
	Name string
	// Old is the content read, empty for a file the fixes create.
	Old []byte
	// New is the content after the fixes.
	New []byte
	// Create is true for a file the fixes create.
	Create bool
}

// Outcome is the fate of one finding's fix.
type Outcome struct {
	Finding *rules.Finding
	Fix     *rules.Fix
	// Reason says why the fix was skipped; empty when it was applied.
	Reason string
}

// Result is what applying a run's fixes would do.
type Result struct {
	// Files are the files changed or created, sorted by name.
	Files []*File
	// Applied and Skipped are the fixes taken and left, in findings order.
	Applied, Skipped []Outcome
}

// span is an edit resolved to byte offsets in its file.
type span struct {
	file       string
	start, end int
	text       string
	// owner is the index of the finding whose fix holds the edit.
	owner int
}

// fileCache reads each file once.
type fileCache struct {
	opts  Options
	data  map[string][]byte
	errs  map[string]error
	kusts map[string]bool
}

func (c *fileCache) path(name string) string {
	if filepath.IsAbs(name) || c.opts.Dir == "" {
		return name
	}
	return filepath.Join(c.opts.Dir, name)
}

func (c *fileCache) read(name string) ([]byte, error) {
	if d, ok := c.data[name]; ok {
		return d, nil
	}
	if err, ok := c.errs[name]; ok {
		return nil, err
	}
	var data []byte
	var err error
	switch {
	case name == manifest.StdinName && c.opts.Stdin != nil:
		data = c.opts.Stdin
	case name == manifest.StdinName:
		err = errors.New("standard input cannot be fixed in place")
	default:
		var st os.FileInfo
		if st, err = os.Stat(c.path(name)); err == nil && !st.Mode().IsRegular() {
			err = fmt.Errorf("%s is not a regular file", name)
		}
		if err == nil {
			data, err = os.ReadFile(c.path(name))
		}
	}
	if err != nil {
		c.errs[name] = err
		return nil, err
	}
	c.data[name] = data
	return data, nil
}

// kustomized reports whether dir holds a kustomization file.
func (c *fileCache) kustomized(dir string) bool {
	if k, ok := c.kusts[dir]; ok {
		return k
	}
	k := false
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		if st, err := os.Stat(filepath.Join(c.path(dir), n)); err == nil && st.Mode().IsRegular() {
			k = true
			break
		}
	}
	c.kusts[dir] = k
	return k
}

// Plan works out what applying the first fix of every finding would do,
// without writing anything. Findings are taken in order: when two fixes
// conflict, the first one wins.
func Plan(findings []*rules.Finding, opts Options) *Result {
	c := &fileCache{opts: opts, data: map[string][]byte{}, errs: map[string]error{}, kusts: map[string]bool{}}
	// A fix whose result does not parse is excluded, and the plan made
	// again without it, until every file parses.
	excluded := map[int]string{}
	for {
		r, bad := plan(c, findings, excluded)
		if len(bad) == 0 {
			return r
		}
		for i, reason := range bad {
			excluded[i] = reason
		}
	}
}

func plan(c *fileCache, findings []*rules.Finding, excluded map[int]string) (*Result, map[int]string) {
	r := &Result{}
	var accepted []span
	created := map[string]rules.NewFile{}
	createdBy := map[string][]int{}
	editedBy := map[string][]int{}
	status := map[int]string{}
	var order []int
	for i, f := range findings {
		if len(f.Fixes) == 0 {
			continue
		}
		fix := &f.Fixes[0]
		if len(fix.Edits) == 0 && len(fix.NewFiles) == 0 {
			continue
		}
		order = append(order, i)
		if reason, ok := excluded[i]; ok {
			status[i] = reason
			continue
		}
		spans, reason := resolve(c, fix, i)
		if reason == "" {
			reason = checkNewFiles(c, fix, created)
		}
		var fresh []span
		if reason == "" {
			fresh, reason = merge(accepted, spans, findings)
		}
		if reason != "" {
			status[i] = reason
			continue
		}
		accepted = append(accepted, fresh...)
		for _, s := range spans {
			editedBy[s.file] = appendOnce(editedBy[s.file], i)
		}
		for _, nf := range fix.NewFiles {
			created[nf.Path] = nf
			createdBy[nf.Path] = appendOnce(createdBy[nf.Path], i)
		}
	}

	bad := map[int]string{}
	byFile := map[string][]span{}
	for _, s := range accepted {
		byFile[s.file] = append(byFile[s.file], s)
	}
	for name, spans := range byFile {
		old, _ := c.read(name)
		updated := apply(old, spans)
		if err := parses(updated); err != nil && parses(old) == nil {
			for _, i := range editedBy[name] {
				bad[i] = fmt.Sprintf("%s would no longer parse: %v", name, err)
			}
			continue
		}
		r.Files = append(r.Files, &File{Name: name, Old: old, New: updated})
	}
	for name, nf := range created {
		if err := parses([]byte(nf.Content)); err != nil {
			for _, i := range createdBy[name] {
				bad[i] = fmt.Sprintf("the new file %s would not parse: %v", name, err)
			}
			continue
		}
		r.Files = append(r.Files, &File{Name: name, New: []byte(nf.Content), Create: true})
	}
	if len(bad) > 0 {
		return nil, bad
	}
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Name < r.Files[j].Name })
	for _, i := range order {
		o := Outcome{Finding: findings[i], Fix: &findings[i].Fixes[0], Reason: status[i]}
		if o.Reason == "" {
			r.Applied = append(r.Applied, o)
		} else {
			r.Skipped = append(r.Skipped, o)
		}
	}
	return r, nil
}

func appendOnce(is []int, i int) []int {
	if len(is) > 0 && is[len(is)-1] == i {
		return is
	}
	return append(is, i)
}

// resolve turns a fix's edits into byte spans, checking that each is in a
// readable file, at a valid position, over the text it expects, and that
// the fix's own edits do not overlap.
func resolve(c *fileCache, fix *rules.Fix, owner int) ([]span, string) {
	var spans []span
	for _, e := range fix.Edits {
		data, err := c.read(e.Pos.File)
		if err != nil {
			return nil, err.Error()
		}
		start, ok := offset(data, int(e.Pos.Line), int(e.Pos.Col))
		end := start
		if ok && !e.End.IsZero() {
			end, ok = offset(data, int(e.End.Line), int(e.End.Col))
		}
		if !ok || end < start {
			return nil, fmt.Sprintf("%s: no such position in the file", e.Pos)
		}
		text := e.NewText
		if e.Old != "" {
			q, ok := matchOld(string(data[start:end]), e.Old)
			if !ok {
				return nil, fmt.Sprintf("%s: the file holds %q where %q was expected", e.Pos, data[start:end], e.Old)
			}
			text = requote(q, text)
			end, text = keepCommentColumn(data, start, end, text)
		}
		spans = append(spans, span{file: e.Pos.File, start: start, end: end, text: text, owner: owner})
	}
	sortSpans(spans)
	var out []span
	for _, s := range spans {
		if n := len(out); n > 0 && s.file == out[n-1].file {
			p := out[n-1]
			if p.start == s.start && p.end == s.end && p.text == s.text {
				continue // one node reached twice through an alias
			}
			if overlap(p, s) {
				return nil, "its edits overlap each other"
			}
		}
		out = append(out, s)
	}
	return out, ""
}

// checkNewFiles checks that the files a fix creates can be created, and
// that no fix taken before creates one of them with other content.
func checkNewFiles(c *fileCache, fix *rules.Fix, created map[string]rules.NewFile) string {
	for _, nf := range fix.NewFiles {
		if prev, ok := created[nf.Path]; ok {
			if prev.Content != nf.Content {
				return fmt.Sprintf("another fix creates %s with other content", nf.Path)
			}
			continue
		}
		if nf.Path == manifest.StdinName || nf.Path == "" {
			return fmt.Sprintf("cannot create a file named %q", nf.Path)
		}
		if _, err := os.Lstat(c.path(nf.Path)); err == nil {
			return fmt.Sprintf("%s exists, and a fix never overwrites a file", nf.Path)
		} else if !errors.Is(err, os.ErrNotExist) {
			return err.Error()
		}
		dir := filepath.Dir(nf.Path)
		if st, err := os.Stat(c.path(dir)); err != nil || !st.IsDir() {
			return fmt.Sprintf("directory %s does not exist", dir)
		}
		if c.kustomized(dir) {
			return fmt.Sprintf("directory %s holds a kustomization, which would not read %s: create it and list it in the kustomization's resources by hand", dir, filepath.Base(nf.Path))
		}
	}
	return ""
}

// merge checks a fix's spans against those already accepted. It returns
// the spans to add (identical ones are made once), or why the fix
// conflicts.
func merge(accepted, spans []span, findings []*rules.Finding) ([]span, string) {
	var fresh []span
next:
	for _, s := range spans {
		for _, a := range accepted {
			if a.file != s.file {
				continue
			}
			if a.start == s.start && a.end == s.end && a.text == s.text {
				continue next
			}
			if overlap(a, s) {
				f := findings[a.owner]
				return nil, fmt.Sprintf("it overlaps the fix of %s at %s", f.Rule.ID, f.Pos)
			}
		}
		fresh = append(fresh, s)
	}
	return fresh, ""
}

// overlap reports whether two spans of one file touch the same text: they
// share a character, or one is an insertion strictly inside the other. Two
// insertions at one place overlap too: their order would be arbitrary.
func overlap(a, b span) bool {
	if a.start == a.end && b.start == b.end {
		return a.start == b.start
	}
	return a.start < b.end && b.start < a.end
}

func sortSpans(ss []span) {
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].file != ss[j].file {
			return ss[i].file < ss[j].file
		}
		if ss[i].start != ss[j].start {
			return ss[i].start < ss[j].start
		}
		return ss[i].end < ss[j].end
	})
}

// apply makes non-overlapping edits in data.
func apply(data []byte, spans []span) []byte {
	sortSpans(spans)
	var b bytes.Buffer
	last := 0
	for _, s := range spans {
		b.Write(data[last:s.start])
		b.WriteString(s.text)
		last = s.end
	}
	b.Write(data[last:])
	return b.Bytes()
}

// offset returns the byte offset of line:col (1-based; col in code points)
// in data. col may be just past the end of the line.
func offset(data []byte, line, col int) (int, bool) {
	if line < 1 || col < 1 {
		return 0, false
	}
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return 0, false
		}
		off += i + 1
	}
	for c := 1; c < col; c++ {
		if off >= len(data) || data[off] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return off, true
}

// matchOld reports whether text is old, plainly or quoted, and returns the
// quote character ("" when plain).
func matchOld(text, old string) (quote string, ok bool) {
	if text == old {
		return "", true
	}
	if n := len(text); n >= 2 && (text[0] == '"' || text[0] == '\'') && text[n-1] == text[0] && text[1:n-1] == old {
		return text[:1], true
	}
	return "", false
}

// keepCommentColumn keeps a comment that follows a one-line replacement on
// its line at its column, by taking the spaces before it into the edit and
// giving back as many as the replacement is narrower (at least one).
func keepCommentColumn(data []byte, start, end int, text string) (int, string) {
	if bytes.IndexByte(data[start:end], '\n') >= 0 || strings.Contains(text, "\n") {
		return end, text
	}
	n := 0
	for end+n < len(data) && data[end+n] == ' ' {
		n++
	}
	if n == 0 || end+n == len(data) || data[end+n] != '#' {
		return end, text
	}
	pad := n + utf8.RuneCount(data[start:end]) - utf8.RuneCountInString(text)
	return end + n, text + strings.Repeat(" ", max(1, pad))
}

// requote writes text in the quotes the replaced value had, when it needs
// no escaping in them.
func requote(quote, text string) string {
	switch {
	case quote == "'" && !strings.ContainsAny(text, "'\n"),
		quote == `"` && !strings.ContainsAny(text, "\"\\\n"):
		return quote + text + quote
	}
	return text
}

// parses checks that data is a stream of valid YAML documents.
func parses(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Write writes the changed files in place, keeping their permissions, and
// creates the new ones. A file that changed since Plan read it is left
// alone. It returns one error per file it could not write.
func (r *Result) Write(opts Options) []error {
	c := &fileCache{opts: opts}
	var errs []error
	for _, f := range r.Files {
		if err := write(c.path(f.Name), f); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.Name, err))
		}
	}
	return errs
}

func write(path string, f *File) error {
	if f.Name == manifest.StdinName {
		return errors.New("standard input cannot be fixed in place")
	}
	if f.Create {
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644) //nolint:gosec // G302: a new manifest, shared like the user's other files
		if err != nil {
			return err
		}
		_, err = out.Write(f.New)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	now, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(now, f.Old) {
		return errors.New("the file changed while meshlint ran; not fixed")
	}
	return os.WriteFile(path, f.New, st.Mode().Perm())
}

package fix

import (
	"fmt"
	"io"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// context is the number of unchanged lines shown around a change.
const context = 3

// Diff writes the changes as a unified diff, file by file: "--- name" and
// "+++ name" headers (a new file comes from /dev/null), so that `patch -p0`
// or `git apply -p0` in the working directory applies it.
func (r *Result) Diff(w io.Writer) error {
	for _, f := range r.Files {
		from := f.Name
		if f.Create {
			from = "/dev/null"
		}
		if _, err := io.WriteString(w, Unified(from, f.Name, string(f.Old), string(f.New))); err != nil {
			return err
		}
	}
	return nil
}

// line is one line of a diff: ' ' kept, '-' removed, '+' added. text keeps
// its line break, if it has one.
type line struct {
	op   byte
	text string
}

// Unified returns the unified diff of a and b, with the given names in the
// headers, or "" when they are equal. The line diff is go-diff's
// (diffmatchpatch in line mode); this only lays out the hunks.
func Unified(fromName, toName, a, b string) string {
	if a == b {
		return ""
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // the best diff, always the same
	ra, rb, lines := dmp.DiffLinesToRunes(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines)

	var ls []line
	for _, d := range diffs {
		op := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		for _, t := range splitLines(d.Text) {
			ls = append(ls, line{op, t})
		}
	}

	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", fromName, toName)
	for i := 0; i < len(ls); {
		if ls[i].op == ' ' {
			i++
			continue
		}
		// A hunk runs from context lines before the change to context
		// lines after the last change that is at most 2*context unchanged
		// lines from the one before it.
		start := max(0, i-context)
		end := i
		for j := i; j < len(ls) && j <= end+2*context+1; j++ {
			if ls[j].op != ' ' {
				end = j
			}
		}
		stop := min(len(ls), end+context+1)
		writeHunk(&out, ls, start, stop)
		i = stop
	}
	return out.String()
}

// writeHunk writes lines [start, stop) as one hunk.
func writeHunk(out *strings.Builder, ls []line, start, stop int) {
	var oldBefore, newBefore, oldN, newN int
	for _, l := range ls[:start] {
		if l.op != '+' {
			oldBefore++
		}
		if l.op != '-' {
			newBefore++
		}
	}
	for _, l := range ls[start:stop] {
		if l.op != '+' {
			oldN++
		}
		if l.op != '-' {
			newN++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(oldBefore, oldN), hunkRange(newBefore, newN))
	for _, l := range ls[start:stop] {
		out.WriteByte(l.op)
		out.WriteString(l.text)
		if !strings.HasSuffix(l.text, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats a hunk's start line and length; an empty range starts
// at the line before it.
func hunkRange(before, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", before)
	}
	return fmt.Sprintf("%d,%d", before+1, n)
}

// splitLines splits text after each line break.
func splitLines(text string) []string {
	var out []string
	for text != "" {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			return append(out, text)
		}
		out = append(out, text[:i+1])
		text = text[i+1:]
	}
	return out
}

package reporter

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/fatih/color"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"golang.org/x/text/width"
)

// WriteText writes findings for people, grouped by file: each as
// "file:line:col: severity ID message", then the source line (when
// Report.Source has it) with a caret line under the node, then related
// locations and the fixes on offer, indented:
//
//	deploy/routes.yaml:12:15: warning MR101 route weights add up to 110, not 100: …
//	          weight: 90
//	                  ^~
//	    deploy/routes.yaml:14:15: note: the other weight
//
// Input errors go with the file they belong to, as "file:line:col: error:
// message"; meshlint's own failures come after the files, and a summary
// line ends the output. Colour is used only when opts.Color is set.
func WriteText(w io.Writer, r *Report, opts Options) error {
	st := newTextStyle(opts.Color)
	tw := &textWriter{r: r, st: st, lines: map[string][]string{}}

	type item struct {
		file      string
		line, col int32
		err       *manifest.Error
		f         *rules.Finding
	}
	var items []item
	for _, e := range r.Errors {
		items = append(items, item{file: e.File, line: e.Line, col: e.Col, err: e})
	}
	for _, f := range r.Findings {
		items = append(items, item{file: f.Pos.File, line: f.Pos.Line, col: f.Pos.Col, f: f})
	}
	// Errors come first on a tie: an unreadable document explains what
	// follows it.
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.file != b.file {
			return a.file < b.file
		}
		if a.line != b.line {
			return a.line < b.line
		}
		if a.col != b.col {
			return a.col < b.col
		}
		return a.err != nil && b.err == nil
	})

	var b bytes.Buffer
	for i, it := range items {
		if i > 0 && it.file != items[i-1].file {
			b.WriteByte('\n')
		}
		if it.err != nil {
			tw.inputError(&b, it.err)
		} else {
			tw.finding(&b, it.f)
		}
	}
	if len(r.Internal) > 0 {
		if len(items) > 0 {
			b.WriteByte('\n')
		}
		for _, err := range r.Internal {
			fmt.Fprintf(&b, "%s: %s %s\n", toolName(r), st.err.Sprint("internal error:"), indent(err.Error(), "    "))
		}
	}
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(st.bold.Sprint(summarize(r).String()))
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// textStyle holds the colours of text output. Every value is switched on or
// off explicitly, so fatih/color's global NoColor (and its reading of
// NO_COLOR and the terminal) plays no part: the CLI decides.
type textStyle struct {
	bold, err, warning, info, caret, id *color.Color
}

func newTextStyle(on bool) *textStyle {
	st := &textStyle{
		bold:    color.New(color.Bold),
		err:     color.New(color.FgRed, color.Bold),
		warning: color.New(color.FgYellow, color.Bold),
		info:    color.New(color.FgCyan, color.Bold),
		caret:   color.New(color.FgGreen, color.Bold),
		id:      color.New(color.Faint),
	}
	for _, c := range []*color.Color{st.bold, st.err, st.warning, st.info, st.caret, st.id} {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return st
}

func (st *textStyle) severity(s rules.Severity) *color.Color {
	switch s {
	case rules.Error:
		return st.err
	case rules.Warning:
		return st.warning
	}
	return st.info
}

type textWriter struct {
	r     *Report
	st    *textStyle
	lines map[string][]string // file → lines, nil when unavailable
}

func (tw *textWriter) finding(b *bytes.Buffer, f *rules.Finding) {
	st := tw.st
	fmt.Fprintf(b, "%s: %s %s %s\n", st.bold.Sprint(posString(f.Pos.File, f.Pos.Loc)),
		st.severity(f.Severity).Sprint(f.Severity), st.id.Sprint(f.Rule.ID), indent(f.Message, "    "))
	tw.snippet(b, f.Pos.File, f.Pos.Loc)
	for _, rel := range f.Related {
		fmt.Fprintf(b, "    %s: note: %s\n", posString(rel.Pos.File, rel.Pos.Loc), indent(rel.Message, "        "))
	}
	for _, fix := range f.Fixes {
		fmt.Fprintf(b, "    fix: %s\n", indent(fix.Message, "        "))
	}
}

func (tw *textWriter) inputError(b *bytes.Buffer, e *manifest.Error) {
	fmt.Fprintf(b, "%s: %s %s\n", tw.st.bold.Sprint(posString(e.File, e.Loc)), tw.st.err.Sprint("error:"), indent(errorMessage(e), "    "))
	tw.snippet(b, e.File, e.Loc)
}

// posString is file, file:line or file:line:col, whatever is known.
func posString(file string, l manifest.Loc) string {
	switch {
	case l.Line == 0:
		return file
	case l.Col == 0:
		return file + ":" + strconv.Itoa(int(l.Line))
	}
	return fmt.Sprintf("%s:%d:%d", file, l.Line, l.Col)
}

// snippet writes the source line of l, indented, and a caret line under
// l.Col..l.EndCol. It writes nothing when the source is unavailable.
func (tw *textWriter) snippet(b *bytes.Buffer, file string, l manifest.Loc) {
	if l.Line == 0 {
		return
	}
	lines, ok := tw.lines[file]
	if !ok {
		if tw.r.Source != nil {
			if src := tw.r.Source(file); src != nil {
				lines = strings.Split(string(src), "\n")
			}
		}
		tw.lines[file] = lines
	}
	if int(l.Line) > len(lines) {
		return
	}
	text, caret := caretLines(strings.TrimSuffix(lines[l.Line-1], "\r"), int(l.Col), int(endCol(l)))
	pad := strings.TrimRight(caret, "^~")
	fmt.Fprintf(b, "    %s\n    %s%s\n", text, pad, tw.st.caret.Sprint(caret[len(pad):]))
}

// indent prefixes the continuation lines of a multi-line message, so that
// they cannot pass for findings of their own.
func indent(msg, prefix string) string {
	return strings.ReplaceAll(msg, "\n", "\n"+prefix)
}

// tabWidth is the tab stop that tabs in source lines are expanded to.
const tabWidth = 4

// caretLines returns line as it is displayed (tabs expanded to spaces,
// control characters replaced) and a line with "^~~~" under the code points
// col..end-1 (1-based, end exclusive). Positions are counted in code points,
// as yaml.v3 counts columns, and drawn in terminal cells: East Asian wide
// characters take two, combining marks none.
func caretLines(line string, col, end int) (text, caret string) {
	runes := []rune(line)
	// start[i] is the display cell where rune i begins; start[len] the end.
	start := make([]int, len(runes)+1)
	var out strings.Builder
	cell := 0
	for i, r := range runes {
		start[i] = cell
		switch {
		case r == '\t':
			n := tabWidth - cell%tabWidth
			out.WriteString(strings.Repeat(" ", n))
			cell += n
		case unicode.IsControl(r):
			out.WriteRune(unicode.ReplacementChar)
			cell++
		default:
			out.WriteRune(r)
			cell += runeWidth(r)
		}
	}
	start[len(runes)] = cell

	// Clamp to the line: a column past its end points just after it.
	col = min(max(col, 1), len(runes)+1)
	end = min(max(end, col+1), len(runes)+1)
	from := start[col-1]
	n := max(start[end-1]-from, 1) // at least one caret, even past the end
	return out.String(), strings.Repeat(" ", from) + "^" + strings.Repeat("~", n-1)
}

// runeWidth is the number of terminal cells r takes.
func runeWidth(r rune) int {
	if r == '\u200d' || 0xfe00 <= r && r <= 0xfe0f || unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0 // zero-width joiner, variation selectors, combining marks
	}
	if k := width.LookupRune(r).Kind(); k == width.EastAsianWide || k == width.EastAsianFullwidth {
		return 2
	}
	return 1
}

func toolName(r *Report) string {
	if r.Tool != "" {
		return r.Tool
	}
	return "meshlint"
}

package reporter

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// WriteGitHub writes GitHub Actions workflow commands, one per finding or
// input error, which the runner turns into annotations on the files:
//
//	::warning file=deploy/routes.yaml,line=14,endLine=14,col=15,endColumn=17,title=MR101 route-weights-not-100::message
//
// GitHub keeps only the first 10 annotations of each level per step, so the
// most severe come first: input errors, meshlint's internal errors and
// error findings as ::error, then warnings as ::warning, then info as
// ::notice; within a level the report's order is kept. Related locations
// and fixes are appended to the message on lines of their own. Every
// command is written, since the runner also prints each one to the log,
// but when a level has more than GitHub annotates a plain line says how
// many were left out, as GitHub drops them silently. A plain summary line
// ends the output; the runner prints it to the log.
func WriteGitHub(w io.Writer, r *Report) error {
	var errs, warnings, notices levelBuffer
	for _, e := range r.Errors {
		githubCommand(&errs, "error", r.at(), e.File, e.Loc, "input error", errorMessage(e))
	}
	for _, err := range r.Internal {
		githubCommand(&errs, "error", where{}, "", manifest.Loc{}, toolName(r)+" internal error", err.Error())
	}
	for _, f := range r.Findings {
		b, level := &notices, "notice"
		switch f.Severity {
		case rules.Error:
			b, level = &errs, "error"
		case rules.Warning:
			b, level = &warnings, "warning"
		}
		msg := f.Message
		for _, rel := range f.Related {
			msg += "\n" + posString(displayPath(r.at(), rel.Pos.File), rel.Pos.Loc) + ": " + rel.Message
		}
		for _, fix := range f.Fixes {
			msg += "\nfix: " + fix.Message
		}
		githubCommand(b, level, r.at(), f.Pos.File, f.Pos.Loc, f.Rule.ID+" "+f.Rule.Name, msg)
	}
	var out bytes.Buffer
	out.Write(errs.Bytes())
	out.Write(warnings.Bytes())
	out.Write(notices.Bytes())
	if more := moreThanAnnotated([3]int{errs.n, warnings.n, notices.n}); more != "" {
		fmt.Fprintf(&out, "%s: %s not annotated: GitHub shows at most %d annotations of each level per step\n", toolName(r), more, githubAnnotationLimit)
	}
	fmt.Fprintf(&out, "%s: %s\n", toolName(r), summarize(r))
	_, err := w.Write(out.Bytes())
	return err
}

// githubAnnotationLimit is how many annotations of each level (error,
// warning, notice) GitHub keeps per step; it drops the others silently.
const githubAnnotationLimit = 10

// levelBuffer holds the commands of one level, and counts them.
type levelBuffer struct {
	bytes.Buffer
	n int
}

// moreThanAnnotated reads like "6 more errors and 1 more warning": how many
// commands of each level (error, warning, notice) GitHub leaves without an
// annotation; "" when it annotates them all.
func moreThanAnnotated(counts [3]int) string {
	nouns := [3]string{"error", "warning", "notice"}
	var parts []string
	for i, n := range counts {
		if d := n - githubAnnotationLimit; d > 0 {
			parts = append(parts, wording.Count(d, "more "+nouns[i], "more "+nouns[i]+"s"))
		}
	}
	return wording.List(parts)
}

// githubCommand writes one ::level …::message command. file may be "" (no
// file property) and loc zero (no line properties).
func githubCommand(b *levelBuffer, level string, w where, file string, loc manifest.Loc, title, msg string) {
	b.n++
	var props []string
	switch file {
	case "":
	case manifest.StdinName:
		// No file to attach the annotation to, so that GitHub would place
		// it on the workflow: the message says where.
		if loc.Line > 0 {
			msg = posString(file, loc) + ": " + msg
		}
		loc = manifest.Loc{}
	default:
		props = append(props, "file="+escapeProperty(displayPath(w, file)))
	}
	if loc.Line > 0 {
		line := strconv.Itoa(int(loc.Line))
		props = append(props, "line="+line, "endLine="+line)
		if loc.Col > 0 {
			props = append(props, "col="+strconv.Itoa(int(loc.Col)), "endColumn="+strconv.Itoa(int(endCol(loc))))
		}
	}
	if title != "" {
		props = append(props, "title="+escapeProperty(title))
	}
	b.WriteString("::" + level)
	if len(props) > 0 {
		b.WriteString(" " + strings.Join(props, ","))
	}
	b.WriteString("::" + escapeData(msg) + "\n")
}

// The escaping of actions/toolkit (escapeData, escapeProperty), which the
// runner undoes: a message cannot end the command early with a newline, and
// a property value cannot end the property list with a comma or colon.
var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func escapeData(s string) string     { return dataEscaper.Replace(s) }
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

package reporter

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// summary counts what a report holds.
type summary struct {
	Errors, Warnings, Info    int
	Files, Objects            int
	InputErrors, InternalErrs int
	Suppressed                int
}

func summarize(r *Report) summary {
	s := summary{
		Files:        r.Files,
		Objects:      r.Objects,
		InputErrors:  len(r.Errors),
		InternalErrs: len(r.Internal),
		Suppressed:   r.Suppressed,
	}
	for _, f := range r.Findings {
		switch f.Severity {
		case rules.Error:
			s.Errors++
		case rules.Warning:
			s.Warnings++
		default:
			s.Info++
		}
	}
	return s
}

// String reads like "3 errors, 2 warnings, 1 info in 12 files (45
// objects); 2 input errors; 1 suppressed". Zero counts after the first part
// are left out.
func (s summary) String() string {
	var b strings.Builder
	if s.Errors+s.Warnings+s.Info == 0 {
		b.WriteString("no findings")
	} else {
		fmt.Fprintf(&b, "%s, %s, %d info",
			wording.Count(s.Errors, "error", "errors"), wording.Count(s.Warnings, "warning", "warnings"), s.Info)
	}
	fmt.Fprintf(&b, " in %s (%s)", wording.Count(s.Files, "file", "files"), wording.Count(s.Objects, "object", "objects"))
	if s.InputErrors > 0 {
		fmt.Fprintf(&b, "; %s", wording.Count(s.InputErrors, "input error", "input errors"))
	}
	if s.InternalErrs > 0 {
		fmt.Fprintf(&b, "; %s", wording.Count(s.InternalErrs, "internal error", "internal errors"))
	}
	if s.Suppressed > 0 {
		fmt.Fprintf(&b, "; %d suppressed", s.Suppressed)
	}
	return b.String()
}

// errorMessage is an input error's message without its "file:line:col: "
// prefix, which every format writes in its own way.
func errorMessage(e *manifest.Error) string {
	msg := e.Msg
	if e.Err != nil {
		if msg != "" {
			msg += ": "
		}
		msg += e.Err.Error()
	}
	if msg == "" {
		msg = "cannot read input"
	}
	return msg
}

// endCol is the column just past a location's text on its first line, at
// least one past its start so that every region covers a character.
func endCol(l manifest.Loc) int32 {
	if l.Col == 0 {
		return 0
	}
	return manifest.Clamp32(max(int(l.EndCol), int(l.Col)+1))
}

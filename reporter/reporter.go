// Package reporter writes a run's findings and errors as text, JSON, SARIF
// 2.1.0, GitHub workflow commands or an HTML page. Every writer is a pure
// function of the Report, so outputs are reproducible and golden-testable.
package reporter

import (
	"fmt"
	"io"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/topology"
	"github.com/meshlint/meshlint/rules"
)

// Report is everything a run produced.
type Report struct {
	// Tool and Version name meshlint in machine-readable outputs.
	Tool, Version string
	// Rules is the registry, for SARIF rule descriptors.
	Rules []*rules.Rule
	// Findings are sorted by file, line and column.
	Findings []*rules.Finding
	// Errors are inputs that could not be read or decoded.
	Errors []*manifest.Error
	// Internal are meshlint's own failures (a rule that broke).
	Internal []error
	// Root is the directory that the file paths of SARIF (as %SRCROOT%)
	// and GitHub annotations are relative to: the command gives the top of
	// the git work tree, else the working directory. Dir is the directory
	// the findings' relative file names are relative to, when it is not
	// Root.
	Root, Dir string
	// Files and Objects count what was read; Suppressed counts findings
	// left out by suppressions.
	Files, Objects, Suppressed int
	// SuppressedFindings, when set (--include-suppressed), are written to
	// SARIF after Findings, marked as suppressed in source. The other
	// formats only count them (Suppressed).
	SuppressedFindings []SuppressedFinding
	// Source returns a file's content for snippets (nil if unavailable,
	// e.g. for stdin once consumed).
	Source func(file string) []byte
	// Topology is the request path of the mesh, which the HTML report
	// draws; nil when the run did not extract it (the other formats do
	// not need it).
	Topology *topology.Topology
}

// SuppressedFinding is a finding that a suppression left out, and why.
type SuppressedFinding struct {
	Finding       *rules.Finding
	Justification string
}

// Options tune the human-oriented writers.
type Options struct {
	// Color turns on ANSI colours in text output.
	Color bool
}

// Formats lists the output formats.
var Formats = []string{"text", "json", "sarif", "github", "html"}

// Write writes r in the named format.
func Write(w io.Writer, format string, r *Report, opts Options) error {
	switch format {
	case "text":
		return WriteText(w, r, opts)
	case "json":
		return WriteJSON(w, r)
	case "sarif":
		return WriteSARIF(w, r)
	case "github":
		return WriteGitHub(w, r)
	case "html":
		return WriteHTML(w, r)
	}
	return fmt.Errorf("unknown format %q (want one of text, json, sarif, github, html)", format)
}

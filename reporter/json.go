package reporter

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// WriteJSON writes the report as one indented JSON document, with a final
// newline, in meshlint's JSON format version 1. docs/json-format.md documents
// it for users; keep the two in step. Within a version fields are only ever
// added; renaming, removing or retyping one bumps "version".
//
//	{
//	  "version": 1,
//	  "tool": {"name": "meshlint", "version": "0.1.0"},
//	  "findings": [
//	    {
//	      "rule": "MR101",                 // stable rule ID
//	      "name": "route-weights-not-100", // rule name
//	      "severity": "warning",           // "error" | "warning" | "info", after configuration
//	      "message": "…",
//	      "file": "deploy/routes.yaml",    // as given on the command line, or "<stdin>"
//	      "line": 14,                      // 1-based
//	      "column": 15,                    // 1-based, in Unicode code points
//	      "endColumn": 17,                 // exclusive, on the same line
//	      "object": {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
//	                 "namespace": "shop", "name": "reviews"},   // or null
//	      "fingerprint": "0123456789abcdef", // survives line moves, see Fingerprints
//	      "related": [{"file": "…", "line": 3, "column": 9, "endColumn": 16, "message": "…"}],
//	      "fixes": [{"message": "…", "edits": [{"file": "…", "line": 14, "column": 15,
//	                 "endLine": 14, "endColumn": 17, "newText": "10"}],
//	                 // files the fix creates; it never overwrites one
//	                 "newFiles": [{"file": "…", "content": "…"}]}]
//	    }
//	  ],
//	  // input that could not be read; line and columns are 0 when unknown
//	  "errors": [{"file": "broken.yaml", "line": 3, "column": 5, "endColumn": 9, "message": "…"}],
//	  // meshlint's own failures (a rule that broke): the results are incomplete
//	  "internalErrors": ["rule MR999 (…): …"],
//	  "summary": {"errors": 1, "warnings": 2, "info": 0, "files": 3, "objects": 7,
//	              "inputErrors": 1, "internalErrors": 0, "suppressed": 0}
//	}
//
// Every array is present, empty rather than null. Findings are in the
// report's order (file, line, column); errors in the order the loader
// found them.
func WriteJSON(w io.Writer, r *Report) error {
	s := summarize(r)
	out := jsonReport{
		Version:        JSONVersion,
		Tool:           jsonTool{Name: toolName(r), Version: r.Version},
		Findings:       []jsonFinding{},
		Errors:         []jsonError{},
		InternalErrors: []string{},
		Summary: jsonSummary{
			Errors: s.Errors, Warnings: s.Warnings, Info: s.Info,
			Files: s.Files, Objects: s.Objects,
			InputErrors: s.InputErrors, InternalErrors: s.InternalErrs, Suppressed: s.Suppressed,
		},
	}
	fps := Fingerprints(r)
	for i, f := range r.Findings {
		out.Findings = append(out.Findings, jsonFindingOf(f, fps[i]))
	}
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, jsonError{File: e.File, Line: e.Line, Column: e.Col, EndColumn: endCol(e.Loc), Message: errorMessage(e)})
	}
	for _, err := range r.Internal {
		out.InternalErrors = append(out.InternalErrors, err.Error())
	}
	return writeIndentedJSON(w, out)
}

// JSONVersion is the version of the JSON format WriteJSON writes.
const JSONVersion = 1

type jsonReport struct {
	Version        int           `json:"version"`
	Tool           jsonTool      `json:"tool"`
	Findings       []jsonFinding `json:"findings"`
	Errors         []jsonError   `json:"errors"`
	InternalErrors []string      `json:"internalErrors"`
	Summary        jsonSummary   `json:"summary"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonFinding struct {
	Rule        string        `json:"rule"`
	Name        string        `json:"name"`
	Severity    string        `json:"severity"`
	Message     string        `json:"message"`
	File        string        `json:"file"`
	Line        int32         `json:"line"`
	Column      int32         `json:"column"`
	EndColumn   int32         `json:"endColumn"`
	Object      *jsonObject   `json:"object"`
	Fingerprint string        `json:"fingerprint"`
	Related     []jsonRelated `json:"related"`
	Fixes       []jsonFix     `json:"fixes"`
}

type jsonObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
}

type jsonRelated struct {
	File      string `json:"file"`
	Line      int32  `json:"line"`
	Column    int32  `json:"column"`
	EndColumn int32  `json:"endColumn"`
	Message   string `json:"message"`
}

type jsonFix struct {
	Message  string        `json:"message"`
	Edits    []jsonEdit    `json:"edits"`
	NewFiles []jsonNewFile `json:"newFiles"`
}

type jsonNewFile struct {
	File    string `json:"file"`
	Content string `json:"content"`
}

type jsonEdit struct {
	File      string `json:"file"`
	Line      int32  `json:"line"`
	Column    int32  `json:"column"`
	EndLine   int32  `json:"endLine"`
	EndColumn int32  `json:"endColumn"`
	NewText   string `json:"newText"`
}

type jsonError struct {
	File      string `json:"file"`
	Line      int32  `json:"line"`
	Column    int32  `json:"column"`
	EndColumn int32  `json:"endColumn"`
	Message   string `json:"message"`
}

type jsonSummary struct {
	Errors         int `json:"errors"`
	Warnings       int `json:"warnings"`
	Info           int `json:"info"`
	Files          int `json:"files"`
	Objects        int `json:"objects"`
	InputErrors    int `json:"inputErrors"`
	InternalErrors int `json:"internalErrors"`
	Suppressed     int `json:"suppressed"`
}

func jsonFindingOf(f *rules.Finding, fingerprint string) jsonFinding {
	jf := jsonFinding{
		Rule:        f.Rule.ID,
		Name:        f.Rule.Name,
		Severity:    f.Severity.String(),
		Message:     f.Message,
		File:        f.Pos.File,
		Line:        f.Pos.Line,
		Column:      f.Pos.Col,
		EndColumn:   endCol(f.Pos.Loc),
		Fingerprint: fingerprint,
		Related:     []jsonRelated{},
		Fixes:       []jsonFix{},
	}
	if o := f.Object; o != nil {
		jf.Object = &jsonObject{APIVersion: o.APIVersion, Kind: string(o.Kind), Namespace: o.Namespace, Name: o.Name}
	}
	for _, rel := range f.Related {
		jf.Related = append(jf.Related, jsonRelated{
			File: rel.Pos.File, Line: rel.Pos.Line, Column: rel.Pos.Col, EndColumn: endCol(rel.Pos.Loc),
			Message: rel.Message,
		})
	}
	for _, fix := range f.Fixes {
		jfix := jsonFix{Message: fix.Message, Edits: []jsonEdit{}, NewFiles: []jsonNewFile{}}
		for _, e := range fix.Edits {
			end := editEnd(e)
			jfix.Edits = append(jfix.Edits, jsonEdit{
				File: e.Pos.File, Line: e.Pos.Line, Column: e.Pos.Col,
				EndLine: end.Line, EndColumn: end.Col, NewText: e.NewText,
			})
		}
		for _, nf := range fix.NewFiles {
			jfix.NewFiles = append(jfix.NewFiles, jsonNewFile{File: nf.Path, Content: nf.Content})
		}
		jf.Fixes = append(jf.Fixes, jfix)
	}
	return jf
}

// editEnd is where an edit's replaced text ends; an unset end means an
// insertion at the edit's position.
func editEnd(e rules.Edit) manifest.Loc {
	if e.End.IsZero() {
		return e.Pos.Loc
	}
	return e.End
}

// writeIndentedJSON writes v indented by two spaces, without escaping <, >
// and & (nobody embeds this in HTML, and "<stdin>" should read as such).
func writeIndentedJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

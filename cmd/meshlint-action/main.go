// Command meshlint-action is the logic of meshlint's GitHub Action
// (action.yml at the repository root). It is not meant to be run by hand.
//
//	meshlint-action split [-lines] [--] STRING
//
// prints the words of STRING, each followed by a NUL byte, so that a bash
// step can read them into an array: by default the words a POSIX shell
// would make of it (blanks separate words, single and double quotes and
// backslashes work as in sh, nothing is expanded); with -lines, its
// non-blank lines, trimmed. Unbalanced quotes are an error (exit 2).
//
//	meshlint-action report -report FILE -exit-code N [flags]
//
// reads the JSON report meshlint wrote (docs/json-format.md) and
//
//   - prints workflow commands that GitHub turns into annotations, the most
//     severe first (input errors, meshlint's internal errors, error
//     findings, then warnings, then info as notices), at most -max-annotations
//     of each level because GitHub shows no more per step, and says how many
//     were left out;
//   - prints every finding as a plain line in a collapsed log group;
//   - appends a Markdown summary to $GITHUB_STEP_SUMMARY: the counts, then a
//     table of at most -max-rows findings in the same order;
//   - appends the outputs sarif-file, errors, warnings, info and exit-code to
//     $GITHUB_OUTPUT.
//
// When meshlint wrote no report (it could not start, exit code 2), report
// says so in an annotation and the summary, and still writes the outputs.
// report exits 0 when it wrote all this, whatever meshlint's exit code; the
// action exits with meshlint's code afterwards. It exits 2 when it could
// not do its part, or when meshlint exited 0 without a report.
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/wording"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

const usage = `usage:
  meshlint-action split [-lines] [--] STRING
  meshlint-action report -report FILE -exit-code N [flags]
`

// run runs the command. A message it writes goes to the runner (stdout)
// or the log (stderr); when that write fails there is no one left to
// tell, so messages discard their write error and the exit code says what
// went wrong.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "split":
		return cmdSplit(args[1:], stdout, stderr)
	case "report":
		return cmdReport(args[1:], stdout, stderr, getenv)
	}
	fmt.Fprintf(stderr, "meshlint-action: unknown command %q\n%s", args[0], usage)
	return 2
}

// ---- split ----

func cmdSplit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("meshlint-action split", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lines := fs.Bool("lines", false, "split into trimmed non-blank lines instead of shell words")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, "meshlint-action split: want one argument\n")
		return 2
	}
	var words []string
	if *lines {
		words = splitLines(fs.Arg(0))
	} else {
		var err error
		if words, err = splitWords(fs.Arg(0)); err != nil {
			fmt.Fprintf(stderr, "meshlint-action: args: %v\n", err)
			return 2
		}
	}
	var b bytes.Buffer
	for _, w := range words {
		b.WriteString(w)
		b.WriteByte(0)
	}
	if _, err := stdout.Write(b.Bytes()); err != nil {
		fmt.Fprintf(stderr, "meshlint-action: %v\n", err)
		return 2
	}
	return 0
}

// splitLines returns the non-blank lines of s, trimmed of surrounding
// white space (which takes care of CRLF too).
func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// splitWords splits s into words as a POSIX shell does, without any
// expansion: blanks (space, tab, newline, CR) separate words; 'single
// quotes' keep everything; "double quotes" keep everything except that a
// backslash escapes ", \, $ and `; outside quotes a backslash escapes any
// character.
func splitWords(s string) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case '\'':
			inWord = true
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			if j == len(rs) {
				return nil, errors.New("unterminated single quote")
			}
			cur.WriteString(string(rs[i+1 : j]))
			i = j
		case '"':
			inWord = true
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) && strings.ContainsRune("\"\\$`", rs[j+1]) {
					j++
				}
				cur.WriteRune(rs[j])
			}
			if j == len(rs) {
				return nil, errors.New("unterminated double quote")
			}
			i = j
		case '\\':
			inWord = true
			if i+1 < len(rs) {
				i++
				if rs[i] != '\n' { // backslash-newline joins lines
					cur.WriteRune(rs[i])
				}
			}
		default:
			inWord = true
			cur.WriteRune(c)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// ---- report ----

// The subset of meshlint's JSON format (version 1) that the action reads.
type report struct {
	Version int `json:"version"`
	Tool    struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"tool"`
	Findings       []finding    `json:"findings"`
	Errors         []inputError `json:"errors"`
	InternalErrors []string     `json:"internalErrors"`
	Summary        struct {
		Errors         int `json:"errors"`
		Warnings       int `json:"warnings"`
		Info           int `json:"info"`
		Files          int `json:"files"`
		Objects        int `json:"objects"`
		InputErrors    int `json:"inputErrors"`
		InternalErrors int `json:"internalErrors"`
		Suppressed     int `json:"suppressed"`
	} `json:"summary"`
}

type finding struct {
	Rule      string `json:"rule"`
	Name      string `json:"name"`
	Severity  string `json:"severity"`
	Message   string `json:"message"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndColumn int    `json:"endColumn"`
	Related   []struct {
		File    string `json:"file"`
		Line    int    `json:"line"`
		Column  int    `json:"column"`
		Message string `json:"message"`
	} `json:"related"`
	Fixes []struct {
		Message string `json:"message"`
	} `json:"fixes"`
}

type inputError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// jsonVersion is the version of meshlint's JSON format this command reads.
const jsonVersion = 1

const stdinName = "<stdin>"

// Annotation levels, most severe first.
const (
	levelError = iota
	levelWarning
	levelNotice
	nLevels
)

var (
	levelCommand = [nLevels]string{"error", "warning", "notice"}
	levelNoun    = [nLevels][2]string{{"error", "errors"}, {"warning", "warnings"}, {"notice", "notices"}}
)

// item is one line of the report, finding or error, as the action shows it.
type item struct {
	level     int
	severity  string // as the summary table shows it
	title     string // rule ID and name, "input error", …
	file      string // display path; "" when none
	line, col int
	endCol    int
	message   string   // first line
	extra     []string // related locations and fixes, one per line
}

type reportFlags struct {
	report         string
	exitCode       int
	failOn         string
	sarifFile      string
	annotations    bool
	summary        bool
	maxAnnotations int
	maxRows        int
	root           string
}

func cmdReport(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("meshlint-action report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f reportFlags
	fs.StringVar(&f.report, "report", "", "the JSON report meshlint wrote (required)")
	fs.IntVar(&f.exitCode, "exit-code", -1, "meshlint's exit code (required)")
	fs.StringVar(&f.failOn, "fail-on", "", "the --fail-on level meshlint ran with, if any, for the summary")
	fs.StringVar(&f.sarifFile, "sarif-file", "", "the SARIF file meshlint wrote, for the outputs and the summary")
	fs.BoolVar(&f.annotations, "annotations", true, "print workflow commands for annotations")
	fs.BoolVar(&f.summary, "summary", true, "append a Markdown summary to $GITHUB_STEP_SUMMARY")
	fs.IntVar(&f.maxAnnotations, "max-annotations", 10, "annotations of each level (GitHub shows at most 10 per step)")
	fs.IntVar(&f.maxRows, "max-rows", 50, "rows of the summary table")
	fs.StringVar(&f.root, "root", "", "show absolute paths under this directory relative to it (default $GITHUB_WORKSPACE, else the working directory)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if f.report == "" || f.exitCode < 0 || fs.NArg() > 0 {
		fmt.Fprint(stderr, "meshlint-action report: -report and -exit-code are required, and nothing else\n")
		return 2
	}
	if f.root == "" {
		f.root = getenv("GITHUB_WORKSPACE")
	}
	if f.root == "" {
		f.root, _ = os.Getwd()
	}

	rep, err := readReport(f.report)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stdout, "::error title=meshlint action::%s\n", escapeData(err.Error()))
		return 2
	}
	var out bytes.Buffer
	code := 0
	if rep == nil {
		// meshlint stopped before writing anything: a usage or
		// configuration error it has explained on stderr.
		msg := fmt.Sprintf("meshlint wrote no report (exit code %d); its error is in the log above", f.exitCode)
		fmt.Fprintf(&out, "::error title=meshlint::%s\n", escapeData(msg))
		if f.exitCode == 0 {
			code = 2
		}
	} else {
		items := itemsOf(rep, f.root)
		if f.annotations {
			writeAnnotations(&out, items, f.maxAnnotations)
		}
		writeListing(&out, items)
		fmt.Fprintf(&out, "meshlint: %s\n", countsLine(rep))
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintf(stderr, "meshlint-action: %v\n", err)
		return 2
	}

	if f.summary {
		if err := appendEnvFile(getenv, stderr, "GITHUB_STEP_SUMMARY", summaryMarkdown(rep, &f)); err != nil {
			fmt.Fprintf(stdout, "::error title=meshlint action::job summary: %s\n", escapeData(err.Error()))
			code = 2
		}
	}
	if err := appendEnvFile(getenv, stderr, "GITHUB_OUTPUT", outputs(rep, &f)); err != nil {
		fmt.Fprintf(stdout, "::error title=meshlint action::outputs: %s\n", escapeData(err.Error()))
		code = 2
	}
	return code
}

// readReport reads and decodes the JSON report. A missing file gives an
// error wrapping os.ErrNotExist.
func readReport(name string) (*report, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read meshlint's JSON report %s: %w", name, err)
	}
	if r.Version != jsonVersion {
		return nil, fmt.Errorf("meshlint's JSON report %s has version %d; this action reads version %d", name, r.Version, jsonVersion)
	}
	return &r, nil
}

// itemsOf lists the report's input errors, internal errors and findings,
// most severe first: input errors, internal errors, error findings,
// warnings, info. Within a level the report's order is kept.
func itemsOf(r *report, root string) []item {
	var byLevel [nLevels][]item
	for _, e := range r.Errors {
		byLevel[levelError] = append(byLevel[levelError], item{
			level: levelError, severity: "error", title: "input error",
			file: displayPath(root, e.File), line: e.Line, col: e.Column, message: e.Message,
		})
	}
	for _, e := range r.InternalErrors {
		byLevel[levelError] = append(byLevel[levelError], item{
			level: levelError, severity: "error", title: "meshlint internal error", message: e,
		})
	}
	for _, fd := range r.Findings {
		lv := levelNotice
		switch fd.Severity {
		case "error":
			lv = levelError
		case "warning":
			lv = levelWarning
		}
		it := item{
			level: lv, severity: fd.Severity, title: strings.TrimSpace(fd.Rule + " " + fd.Name),
			file: displayPath(root, fd.File), line: fd.Line, col: fd.Column, endCol: fd.EndColumn,
			message: fd.Message,
		}
		for _, rel := range fd.Related {
			it.extra = append(it.extra, position(displayPath(root, rel.File), rel.Line, rel.Column)+": "+rel.Message)
		}
		for _, fix := range fd.Fixes {
			it.extra = append(it.extra, "fix: "+fix.Message)
		}
		byLevel[lv] = append(byLevel[lv], it)
	}
	var all []item
	for _, l := range byLevel {
		all = append(all, l...)
	}
	return all
}

// displayPath is the file name annotations and the summary use: relative
// to root when the file is an absolute path inside it (GitHub wants
// repository-relative paths), otherwise as meshlint reported it, with
// forward slashes. Standard input has no file.
func displayPath(root, file string) string {
	if file == "" || file == stdinName {
		return ""
	}
	if filepath.IsAbs(file) && root != "" {
		if rel, err := filepath.Rel(root, file); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(file)
}

// position reads "file:line:col", leaving out what is unknown.
func position(file string, line, col int) string {
	if file == "" {
		file = stdinName
	}
	if line <= 0 {
		return file
	}
	if col <= 0 {
		return file + ":" + strconv.Itoa(line)
	}
	return file + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

// annotationCounts returns how many items of each level there are and how
// many of them get an annotation.
func annotationCounts(items []item, limit int) (total, shown [nLevels]int) {
	for _, it := range items {
		total[it.level]++
	}
	for l := range total {
		shown[l] = min(total[l], max(limit, 0))
	}
	return total, shown
}

// writeAnnotations prints one workflow command per item, the first max of
// each level (items come most severe first), then a line saying how many
// were left out.
func writeAnnotations(w *bytes.Buffer, items []item, limit int) {
	total, shown := annotationCounts(items, limit)
	var n [nLevels]int
	for _, it := range items {
		if n[it.level] >= shown[it.level] {
			continue
		}
		n[it.level]++
		writeCommand(w, it)
	}
	if more := moreText(total, shown); more != "" {
		fmt.Fprintf(w, "meshlint: %s not annotated: GitHub shows at most %d annotations of each level per step. The list below, the job summary and the SARIF file have every finding.\n", more, limit)
	}
}

// moreText reads like "6 more errors and 1 more warning", or "" when
// nothing was left out.
func moreText(total, shown [nLevels]int) string {
	var parts []string
	for l := range total {
		if d := total[l] - shown[l]; d > 0 {
			noun := levelNoun[l][1]
			if d == 1 {
				noun = levelNoun[l][0]
			}
			parts = append(parts, fmt.Sprintf("%d more %s", d, noun))
		}
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// writeCommand writes ::level file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message.
func writeCommand(w *bytes.Buffer, it item) {
	var props []string
	if it.file != "" {
		props = append(props, "file="+escapeProperty(it.file))
	}
	if it.line > 0 {
		line := strconv.Itoa(it.line)
		props = append(props, "line="+line, "endLine="+line)
		if it.col > 0 {
			end := it.endCol
			if end <= it.col {
				end = it.col + 1
			}
			props = append(props, "col="+strconv.Itoa(it.col), "endColumn="+strconv.Itoa(end))
		}
	}
	if it.title != "" {
		props = append(props, "title="+escapeProperty(it.title))
	}
	w.WriteString("::" + levelCommand[it.level])
	if len(props) > 0 {
		w.WriteString(" " + strings.Join(props, ","))
	}
	msg := strings.Join(append([]string{it.message}, it.extra...), "\n")
	w.WriteString("::" + escapeData(msg) + "\n")
}

// The escaping of actions/toolkit (escapeData, escapeProperty), which the
// runner undoes.
var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func escapeData(s string) string     { return dataEscaper.Replace(s) }
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

// writeListing prints every item as a plain line in a collapsed log group.
// Workflow commands are stopped meanwhile, so that no text from the
// manifests can be taken for one.
func writeListing(w *bytes.Buffer, items []item) {
	if len(items) == 0 {
		return
	}
	noun := "findings and errors"
	if len(items) == 1 {
		noun = "finding or error"
	}
	fmt.Fprintf(w, "::group::meshlint: %d %s\n", len(items), noun)
	token := stopToken()
	fmt.Fprintf(w, "::stop-commands::%s\n", token)
	for _, it := range items {
		fmt.Fprintf(w, "%s: %s %s: %s\n", position(it.file, it.line, it.col), it.severity, it.title, oneLine(it.message))
		for _, x := range it.extra {
			fmt.Fprintf(w, "    %s\n", oneLine(x))
		}
	}
	fmt.Fprintf(w, "::%s::\n", token)
	w.WriteString("::endgroup::\n")
}

func stopToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "meshlint-action-stop-commands"
	}
	return "meshlint-" + hex.EncodeToString(b)
}

func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// countsLine reads like "3 errors, 2 warnings, 1 info in 12 files (45
// objects); 2 input errors; 1 suppressed", as meshlint's own summary line.
func countsLine(r *report) string {
	s := r.Summary
	var b strings.Builder
	if s.Errors+s.Warnings+s.Info == 0 {
		b.WriteString("no findings")
	} else {
		fmt.Fprintf(&b, "%s, %s, %d info", wording.Count(s.Errors, "error", "errors"), wording.Count(s.Warnings, "warning", "warnings"), s.Info)
	}
	fmt.Fprintf(&b, " in %s (%s)", wording.Count(s.Files, "file", "files"), wording.Count(s.Objects, "object", "objects"))
	if s.InputErrors > 0 {
		fmt.Fprintf(&b, "; %s", wording.Count(s.InputErrors, "input error", "input errors"))
	}
	if s.InternalErrors > 0 {
		fmt.Fprintf(&b, "; %s", wording.Count(s.InternalErrors, "internal error", "internal errors"))
	}
	if s.Suppressed > 0 {
		fmt.Fprintf(&b, "; %d suppressed", s.Suppressed)
	}
	return b.String()
}

// verdict says in a few words what meshlint's exit code means.
func verdict(code int, failOn string) string {
	switch code {
	case 0:
		return "✅ meshlint passed"
	case 1:
		if failOn == "" {
			return "❌ meshlint failed: findings at or above its fail-on level"
		}
		return fmt.Sprintf("❌ meshlint failed: findings at or above `--fail-on %s`", mdEscape(failOn))
	case 2:
		return "❌ meshlint could not check everything (exit code 2)"
	}
	return fmt.Sprintf("❌ meshlint exited with code %d", code)
}

// summaryMarkdown is the job summary: a heading with the verdict, a table of
// counts, a note on annotations left out, and a table of the findings.
func summaryMarkdown(r *report, f *reportFlags) string {
	var b strings.Builder
	b.WriteString("## meshlint\n\n")
	b.WriteString(verdict(f.exitCode, f.failOn) + "\n\n")
	if r == nil {
		b.WriteString("meshlint wrote no report: it stopped before linting, and its error is in the step's log.\n\n")
		return b.String()
	}
	fmt.Fprintf(&b, "%s.\n\n", mdEscape(countsLine(r)))
	s := r.Summary
	b.WriteString("| Severity | Count |\n|---|---:|\n")
	if s.InputErrors > 0 {
		fmt.Fprintf(&b, "| Input errors | %d |\n", s.InputErrors)
	}
	if s.InternalErrors > 0 {
		fmt.Fprintf(&b, "| Internal errors | %d |\n", s.InternalErrors)
	}
	fmt.Fprintf(&b, "| Errors | %d |\n| Warnings | %d |\n| Info | %d |\n", s.Errors, s.Warnings, s.Info)
	if s.Suppressed > 0 {
		fmt.Fprintf(&b, "| Suppressed | %d |\n", s.Suppressed)
	}
	b.WriteString("\n")

	items := itemsOf(r, f.root)
	if len(items) == 0 {
		return b.String()
	}
	if f.annotations {
		total, shown := annotationCounts(items, f.maxAnnotations)
		if more := moreText(total, shown); more != "" {
			fmt.Fprintf(&b, "Annotations show the first %d of each level (GitHub shows no more per step): %s are only in this table, the step's log and the SARIF file.\n\n", f.maxAnnotations, more)
		}
	}
	b.WriteString("| Severity | Rule | Location | Message |\n|---|---|---|---|\n")
	rows := min(len(items), max(f.maxRows, 0))
	for _, it := range items[:rows] {
		msg := mdEscape(it.message)
		for _, x := range it.extra {
			msg += "<br>" + mdEscape(x)
		}
		loc := ""
		if it.file != "" || it.line > 0 {
			loc = mdEscape(position(it.file, it.line, 0))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdEscape(it.severity), mdEscape(it.title), loc, msg)
	}
	if rows < len(items) {
		where := "the step's log"
		if f.sarifFile != "" {
			where += " and the SARIF file " + mdEscape(f.sarifFile)
		}
		fmt.Fprintf(&b, "\n_%d more not shown (the table stops at %d rows); %s list every one._\n", len(items)-rows, rows, where)
	}
	b.WriteString("\n")
	return b.String()
}

// mdEscape makes s literal text inside a Markdown table cell: Markdown's
// punctuation is backslash-escaped (the pipe would end the cell), HTML
// special characters become entities, and line breaks become <br>.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "~", `\~`,
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"\r\n", "<br>", "\n", "<br>", "\r", "<br>",
)

func mdEscape(s string) string { return mdEscaper.Replace(s) }

// outputs is the text appended to $GITHUB_OUTPUT. The counts are left out
// when there is no report.
func outputs(r *report, f *reportFlags) string {
	var b strings.Builder
	put := func(name, value string) {
		if strings.ContainsAny(value, "\r\n") {
			delim := "EOF_" + stopToken()
			fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", name, delim, value, delim)
			return
		}
		fmt.Fprintf(&b, "%s=%s\n", name, value)
	}
	put("sarif-file", f.sarifFile)
	put("exit-code", strconv.Itoa(f.exitCode))
	if r != nil {
		put("errors", strconv.Itoa(r.Summary.Errors))
		put("warnings", strconv.Itoa(r.Summary.Warnings))
		put("info", strconv.Itoa(r.Summary.Info))
	}
	return b.String()
}

// appendEnvFile appends text to the file named by the environment variable
// name. An unset variable (a run outside GitHub Actions) is not an error:
// the text is skipped with a note on stderr.
func appendEnvFile(getenv func(string) string, stderr io.Writer, name, text string) error {
	path := getenv(name)
	if path == "" {
		fmt.Fprintf(stderr, "meshlint-action: $%s is not set; skipped\n", name)
		return nil
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644) //nolint:gosec // G302: the runner's own file, which it creates and reads back
	if err != nil {
		return err
	}
	_, err = fh.WriteString(text)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}

package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// outputSet are the reports a run writes: each --format, and the file the
// --output after it names, or stdout. An --output names the file of the
// first format without one among those the last --format flag gave (a
// comma list gives several), so that `--format github --format sarif
// --output x.sarif` writes SARIF to x.sarif and the annotations to
// stdout. An --output given before any --format, or when those formats
// all have a file, goes to the first format left without one once every
// flag is read (pair).
type outputSet struct {
	formats []string
	files   []string // by format: "" for stdout
	group   int      // the first format the last --format flag gave
	spare   []string // outputs not paired yet
}

// formatFlag is the --format flag of r.
type formatFlag struct{ r *outputSet }

func (v formatFlag) String() string {
	if v.r == nil {
		return ""
	}
	return strings.Join(v.r.formats, ",")
}

func (v formatFlag) Set(s string) error {
	v.r.group = len(v.r.formats)
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			v.r.formats = append(v.r.formats, p)
			v.r.files = append(v.r.files, "")
		}
	}
	return nil
}

// outputFlag is the --output flag of r.
type outputFlag struct{ r *outputSet }

func (v outputFlag) String() string { return "" }

func (v outputFlag) Set(s string) error {
	for i := v.r.group; i < len(v.r.formats); i++ {
		if v.r.files[i] == "" {
			v.r.files[i] = s
			return nil
		}
	}
	v.r.spare = append(v.r.spare, s)
	return nil
}

// pair ends reading the flags: the outputs not paired yet go to the
// formats without a file, in order. With no --format at all, each output
// takes the format its extension names (formatOf), so that `--output
// meshlint.sarif` does not write text into a .sarif file; with no output
// either, text goes to stdout.
func (r *outputSet) pair() error {
	if len(r.formats) == 0 {
		if len(r.spare) == 0 {
			r.formats, r.files = []string{"text"}, []string{""}
			return nil
		}
		for _, f := range r.spare {
			r.formats, r.files = append(r.formats, formatOf(f)), append(r.files, f)
		}
		r.spare = nil
		return nil
	}
	for i := range r.files {
		if len(r.spare) > 0 && r.files[i] == "" {
			r.files[i], r.spare = r.spare[0], r.spare[1:]
		}
	}
	if len(r.spare) > 0 {
		return errors.New("more --output than --format flags")
	}
	stdout := 0
	for _, f := range r.files {
		if f == "" {
			stdout++
		}
	}
	if stdout > 1 {
		return errors.New("several formats would go to stdout; give each extra --format an --output file")
	}
	return nil
}

// mismatches says which outputs got a format other than the one their
// file's extension names (`--output meshlint.sarif --format github` pairs
// the two, and writes annotations into the .sarif file): the flags'
// order decides, so the mistake is easy and the upload that reads the
// file fails far from it.
func (r *outputSet) mismatches() []string {
	var out []string
	for i, f := range r.files {
		if want := formatOf(f); f != "" && want != "text" && want != r.formats[i] {
			out = append(out, fmt.Sprintf("--output %s gets --format %s, not %s: is an --output before the --format it belongs to?", f, r.formats[i], want))
		}
	}
	return out
}

// formatOf is the format an output file's extension names: .sarif (also
// .sarif.json, GitHub's own examples' name), .json and .html; any other
// file gets text.
func formatOf(file string) string {
	name := strings.ToLower(filepath.Base(file))
	switch {
	case strings.HasSuffix(name, ".sarif"), strings.HasSuffix(name, ".sarif.json"):
		return "sarif"
	case strings.HasSuffix(name, ".json"):
		return "json"
	case strings.HasSuffix(name, ".html"), strings.HasSuffix(name, ".htm"):
		return "html"
	}
	return "text"
}

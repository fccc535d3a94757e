package cli

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/meshlint/meshlint/internal/fix"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// fixFlags turn on autofix: --fix applies the first fix of each reported
// finding to the files, --diff prints them as a unified diff instead.
type fixFlags struct {
	fix, diff bool
}

func (f *fixFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.fix, "fix", false, "apply the suggested fixes to the files in place, then report what remains")
	fs.BoolVar(&f.diff, "diff", false, "print the suggested fixes as a unified diff on stdout instead of the report, and change nothing")
}

// check refuses --fix on standard input, which has no file to rewrite.
func (f *fixFlags) check(env *Env, paths []string) int {
	if f.fix && !f.diff && contains(paths, "-") {
		fmt.Fprintln(env.Stderr, "meshlint: --fix cannot rewrite standard input; use --diff to see the fixes")
		return ExitError
	}
	return 0
}

// fixes applies (--fix) or prints (--diff) the fixes of the reported
// findings, and says on stderr what it did and which fixes it skipped.
// When --fix wrote files, rerun holds the paths to lint again: the same
// ones, plus the files the fixes created where the paths do not cover them.
// code is ExitError when a file could not be written or the diff not
// printed.
func (f *fixFlags) fixes(env *Env, findings []*rules.Finding, stdin []byte, paths []string) (rerun []string, code int) {
	opts := fix.Options{Dir: env.Dir, Stdin: stdin}
	res := fix.Plan(findings, opts)
	for _, s := range res.Skipped {
		fmt.Fprintf(env.Stderr, "meshlint: %s: %s fix not applied (%s): %s\n", s.Finding.Pos, s.Finding.Rule.ID, s.Fix.Message, s.Reason)
	}
	created := 0
	for _, file := range res.Files {
		if file.Create {
			created++
		}
	}
	summary := fmt.Sprintf("%s to %s", wording.Count(len(res.Applied), "fix", "fixes"), wording.Count(len(res.Files), "file", "files"))
	if created > 0 {
		summary += fmt.Sprintf(" (%d new)", created)
	}
	if f.diff {
		if err := res.Diff(env.Stdout); err != nil {
			fmt.Fprintf(env.Stderr, "meshlint: write the diff: %v\n", err)
			return nil, ExitError
		}
		fmt.Fprintf(env.Stderr, "meshlint: the diff holds %s\n", summary)
		return nil, 0
	}
	if len(res.Files) == 0 {
		return nil, 0
	}
	errs := res.Write(opts)
	for _, err := range errs {
		fmt.Fprintf(env.Stderr, "meshlint: %v\n", err)
		code = ExitError
	}
	if len(errs) == len(res.Files) {
		return nil, code
	}
	fmt.Fprintf(env.Stderr, "meshlint: applied %s\n", summary)
	f.fix = false // lint once more, and only once
	rerun = append([]string(nil), paths...)
	for _, file := range res.Files {
		if file.Create && !covered(env.Dir, paths, file.Name) {
			rerun = append(rerun, file.Name)
		}
	}
	return rerun, code
}

// covered reports whether linting paths reads file: one of them is the
// file or a directory above it.
func covered(dir string, paths []string, file string) bool {
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(dir, p)
	}
	f := abs(file)
	for _, p := range paths {
		if p == "-" {
			continue
		}
		a := abs(p)
		if f == a || strings.HasPrefix(f, strings.TrimSuffix(a, string(filepath.Separator))+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

package cli

import (
	"flag"
	"fmt"
	"path/filepath"

	"github.com/meshlint/meshlint/internal/baseline"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/suppress"
	"github.com/meshlint/meshlint/reporter"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
)

// filterFlags choose what happens to findings between the rules and the
// report: suppressions written in the input, then the baseline.
type filterFlags struct {
	baseline, writeBaseline string
	includeSuppressed       bool
}

func (f *filterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.baseline, "baseline", "", "report only findings that are not in this baseline file")
	fs.StringVar(&f.writeBaseline, "write-baseline", "", "record every finding in this baseline file, and report none of them")
	fs.BoolVar(&f.includeSuppressed, "include-suppressed", false, "write suppressed findings to SARIF, marked as suppressed (GitHub ignores the mark)")
}

// filtered is what remains of a run's findings.
type filtered struct {
	// findings are reported.
	findings []*rules.Finding
	// nsuppressed counts the findings suppressions left out; suppressed
	// holds them with --include-suppressed, for SARIF.
	nsuppressed int
	suppressed  []reporter.SuppressedFinding
}

// filter applies the input's suppressions to findings, then the baseline;
// ran are the rules that ran, severity the configured severities, source
// reads a file as findings name it. A baseline that cannot be read or
// written is an error (exit 2).
func (f *filterFlags) filter(env *Env, verbose bool, objs []*manifest.Object, findings []*rules.Finding, ran []*rules.Rule, severity map[string]rules.Severity, source func(string) []byte) (*filtered, error) {
	sup := suppress.Apply(objs, findings, suppress.Options{Registry: all.Rules, Ran: ran, Severity: severity, Source: source})
	out := &filtered{findings: sup.Findings(), nsuppressed: len(sup.Suppressed)}
	if f.includeSuppressed {
		for _, s := range sup.Suppressed {
			out.suppressed = append(out.suppressed, reporter.SuppressedFinding{Finding: s.Finding, Justification: s.By.Justification()})
		}
	}
	switch {
	case f.writeBaseline != "":
		b := baseline.New(out.findings)
		if err := b.WriteFile(f.path(env, f.writeBaseline)); err != nil {
			return nil, err
		}
		fmt.Fprintf(env.Stderr, "meshlint: wrote %d findings to baseline %s\n", len(b.Findings), f.writeBaseline)
		out.findings = nil
	case f.baseline != "":
		b, err := baseline.ReadFile(f.path(env, f.baseline))
		if err != nil {
			return nil, err
		}
		var matched int
		var stale []baseline.Entry
		out.findings, matched, stale = b.Filter(out.findings)
		if verbose {
			fmt.Fprintf(env.Stderr, "meshlint: baseline %s: %d findings left out, %d entries no longer found (fixed?)\n", f.baseline, matched, len(stale))
		}
	}
	return out, nil
}

func (f *filterFlags) path(env *Env, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(env.Dir, p)
}

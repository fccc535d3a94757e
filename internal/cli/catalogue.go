package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/meshlint/meshlint/internal/ruledoc"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
)

// ruleJSON is the stable shape of `meshlint rules --format json`.
type ruleJSON struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Severity string   `json:"severity"`
	Summary  string   `json:"summary"`
	Related  []string `json:"related"`
	Inputs   []string `json:"inputs"`
	// Fix says what --fix does for the rule's findings; absent when it
	// has no fix.
	Fix string `json:"fix,omitempty"`
}

func cmdRules(args []string, env *Env) int {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	format := fs.String("format", "text", "output format: text or json")
	if err := fs.Parse(args); err != nil {
		return ExitError
	}
	switch *format {
	case "json":
		out := make([]ruleJSON, 0, len(all.Rules))
		for _, r := range all.Rules {
			j := ruleJSON{ID: r.ID, Name: r.Name, Severity: r.Severity.String(), Summary: r.Summary, Related: r.Related, Inputs: []string{}, Fix: r.Fix}
			if j.Related == nil {
				j.Related = []string{}
			}
			for _, k := range r.Inputs {
				j.Inputs = append(j.Inputs, string(k))
			}
			out = append(out, j)
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(env.Stderr, "meshlint: %v\n", err)
			return ExitError
		}
	case "text":
		// Every line has cells, so tw holds all of them until Flush, which
		// returns the error of writing them out.
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tFIX\tNAME\tSUMMARY")
		for _, r := range all.Rules {
			fix := "-"
			if r.Fix != "" {
				fix = "fix"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, fix, r.Name, r.Summary)
		}
		if err := tw.Flush(); err != nil {
			return ExitError
		}
	default:
		fmt.Fprintf(env.Stderr, "meshlint rules: unknown format %q (want text or json)\n", *format)
		return ExitError
	}
	return ExitClean
}

func cmdExplain(args []string, env *Env) int {
	if len(args) != 1 {
		fmt.Fprintln(env.Stderr, "usage: meshlint explain RULE (an ID such as MR101, or a name)")
		return ExitError
	}
	r := rules.Find(all.Rules, args[0])
	if r == nil {
		fmt.Fprintf(env.Stderr, "meshlint explain: no rule %q; `meshlint rules` lists them\n", args[0])
		return ExitError
	}
	return writeStdout(env, ruledoc.Page(r))
}

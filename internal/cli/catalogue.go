package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/meshlint/meshlint/internal/ruledoc"
	"github.com/meshlint/meshlint/internal/suggest"
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
	fs := flag.NewFlagSet("meshlint rules", flag.ContinueOnError)
	format := fs.String("format", "text", "output format: text or json")
	pos, code, ok := parseFlags(fs, args, env, "meshlint rules -h", func(w io.Writer) {
		fmt.Fprint(w, "Usage: meshlint rules [--format json]\n\nLists the rules. `meshlint explain RULE` shows one.\n\nFlags:\n")
		printFlags(fs, w)
	})
	if !ok {
		return code
	}
	if len(pos) > 0 {
		// `meshlint rules MR101` would otherwise list every rule.
		fmt.Fprintf(env.Stderr, "meshlint rules: takes no arguments, got %q; `meshlint explain RULE` shows one rule\n", pos[0])
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

const explainUsage = "usage: meshlint explain RULE (an ID such as MR101, or a name)\n"

func cmdExplain(args []string, env *Env) int {
	if len(args) == 1 && contains([]string{"-h", "-help", "--help", "help"}, args[0]) {
		return writeStdout(env, explainUsage)
	}
	if len(args) != 1 {
		fmt.Fprint(env.Stderr, explainUsage)
		return ExitError
	}
	r := rules.Find(all.Rules, args[0])
	if r == nil {
		// An istioctl or Kiali code (IST0101, KIA1104), as in an
		// analyze-suppress annotation: name the rules that cover it.
		var covering []string
		for _, r := range all.Rules {
			if contains(r.Related, strings.ToUpper(args[0])) {
				covering = append(covering, r.ID+" "+r.Name)
			}
		}
		if len(covering) > 0 {
			fmt.Fprintf(env.Stderr, "meshlint explain: %s is not a meshlint rule; these rules cover it: %s\n", args[0], strings.Join(covering, ", "))
		} else {
			fmt.Fprintf(env.Stderr, "meshlint explain: %s\n", noRule(args[0]))
		}
		return ExitError
	}
	return writeStdout(env, ruledoc.Page(r))
}

// noRule says that no rule is called n, with the rule meant when that is
// clear: a name or ID a typo away, or the one name holding every word of n
// ("gateway-unresolved" for gateway-ref-unresolved).
func noRule(n string) string {
	var names []string
	for _, r := range all.Rules {
		names = append(names, r.ID, r.Name)
	}
	meant, ok := suggest.Closest(n, names)
	if !ok {
		words := strings.Split(strings.ToLower(n), "-")
		for _, r := range all.Rules {
			if r.Name != n && len(words) > 1 && containsAll(strings.Split(r.Name, "-"), words) {
				if meant != "" {
					meant = ""
					break
				}
				meant = r.Name
			}
		}
	}
	if meant != "" {
		return fmt.Sprintf("no rule %q (did you mean %s?); `meshlint rules` lists them", n, meant)
	}
	return fmt.Sprintf("no rule %q; `meshlint rules` lists them", n)
}

// containsAll reports whether every word is in have.
func containsAll(have, words []string) bool {
	for _, w := range words {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

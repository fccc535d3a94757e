package ruledoc

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/rules"
)

//go:embed codes.tsv
var codesTSV string

//go:embed coverage_notes.md
var coverageNotes string

// Code is a message code of istioctl analyze or Kiali.
type Code struct {
	ID, Name, Level string
	// Why says why meshlint has no rule for the code; empty when a rule
	// lists it in Related.
	Why string
}

// Codes returns every IST and KIA code, in the order of codes.tsv.
func Codes() []Code {
	var out []Code
	for _, line := range strings.Split(codesTSV, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		for len(f) < 4 {
			f = append(f, "")
		}
		out = append(out, Code{ID: f[0], Name: f[1], Level: f[2], Why: f[3]})
	}
	return out
}

// Coverage checks the codes against the rules' Related lists and returns
// the problems: a code that no rule covers and no reason explains, a reason
// for a code a rule covers, and a Related code that is not a known code.
func Coverage(rs []*rules.Rule) []string {
	by := coveredBy(rs)
	known := map[string]bool{}
	var problems []string
	for _, c := range Codes() {
		known[c.ID] = true
		switch {
		case len(by[c.ID]) == 0 && c.Why == "":
			problems = append(problems, fmt.Sprintf("%s (%s) has no rule and no reason in codes.tsv", c.ID, c.Name))
		case len(by[c.ID]) > 0 && c.Why != "":
			problems = append(problems, fmt.Sprintf("%s is covered by %s but codes.tsv still gives a reason", c.ID, strings.Join(by[c.ID], ", ")))
		}
	}
	for _, r := range rs {
		for _, rel := range r.Related {
			if !known[rel] {
				problems = append(problems, fmt.Sprintf("%s lists unknown code %s", r.ID, rel))
			}
		}
	}
	return problems
}

func coveredBy(rs []*rules.Rule) map[string][]string {
	by := map[string][]string{}
	for _, r := range rs {
		for _, rel := range r.Related {
			by[rel] = append(by[rel], r.ID+" "+r.Name)
		}
	}
	for _, v := range by {
		sort.Strings(v)
	}
	return by
}

// CoveragePage renders docs/coverage.md.
func CoveragePage(rs []*rules.Rule) string {
	by := coveredBy(rs)
	var b strings.Builder
	b.WriteString("# Coverage of istioctl analyze and Kiali\n\n")
	b.WriteString("One row per message code of `istioctl analyze` (IST) and of Kiali's validations (KIA): the\n")
	b.WriteString("meshlint rules that cover it (a rule covers a code when it lists it in its `related`\n")
	b.WriteString("metadata), or why meshlint has none.\n\n")
	b.WriteString("Beyond the codes, meshlint is held to the messages istioctl analyze's own analyzer tests\n")
	b.WriteString("expect, on those tests' inputs: see [fixtures/istioctl](../fixtures/istioctl/README.md), whose\n")
	b.WriteString("`differences.tsv` explains each message meshlint deliberately does not report the same way.\n")
	b.WriteString("Three more suites hold it to the projects' own expectations, each with its differences listed:\n\n")
	b.WriteString("- the Gateway API conformance suite's status assertions:\n")
	b.WriteString("  [fixtures/gatewayapi-conformance](../fixtures/gatewayapi-conformance/README.md);\n")
	b.WriteString("- the statuses Istio's own Gateway API controller writes in its golden tests:\n")
	b.WriteString("  [fixtures/istio-gateway-status](../fixtures/istio-gateway-status/README.md);\n")
	b.WriteString("- the connections the network-policy-api conformance suites assert, for the reach engine:\n")
	b.WriteString("  [fixtures/netpol-conformance](../fixtures/netpol-conformance/README.md).\n\n")
	var ist, kia, covered, total int
	for _, c := range Codes() {
		total++
		if len(by[c.ID]) > 0 {
			covered++
		}
		if strings.HasPrefix(c.ID, "IST") {
			ist++
		} else {
			kia++
		}
	}
	fmt.Fprintf(&b, "%d codes (%d IST, %d KIA); %d covered by a rule.\n\n", total, ist, kia, covered)
	for _, tool := range []struct{ prefix, title string }{{"IST", "istioctl analyze"}, {"KIA", "Kiali"}} {
		fmt.Fprintf(&b, "## %s\n\n| Code | Name | Level | meshlint |\n|---|---|---|---|\n", tool.title)
		for _, c := range Codes() {
			if !strings.HasPrefix(c.ID, tool.prefix) {
				continue
			}
			cell := c.Why
			if rs := by[c.ID]; len(rs) > 0 {
				var links []string
				for _, r := range rs {
					id, name, _ := strings.Cut(r, " ")
					links = append(links, fmt.Sprintf("[%s](rules/%s.md) %s", id, id, name))
				}
				cell = strings.Join(links, "<br>")
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.ID, strings.ReplaceAll(c.Name, "|", `\|`), c.Level, cell)
		}
		b.WriteString("\n")
	}
	b.WriteString(coverageNotes)
	b.WriteString("\n<!-- Generated from internal/ruledoc/codes.tsv, coverage_notes.md and the rule registry by `make generate`; do not edit. -->\n")
	return b.String()
}

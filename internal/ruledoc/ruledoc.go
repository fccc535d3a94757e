// Package ruledoc renders rule metadata as Markdown: the docs/rules pages
// and the text of `meshlint explain`. The registry is the only source.
package ruledoc

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/rules"
)

// Page renders one rule's documentation page.
func Page(r *rules.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s\n\n", r.ID, r.Name)
	fmt.Fprintf(&b, "%s.\n\n", capitalize(r.Summary))
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| Default severity | %s |\n", r.Severity)
	var in []string
	for _, k := range r.Inputs {
		// Istio's Gateway and the Gateway API's have one name.
		if !slices.Contains(in, string(k)) {
			in = append(in, string(k))
		}
	}
	fmt.Fprintf(&b, "| Reads | %s |\n", strings.Join(in, ", "))
	if len(r.Related) > 0 {
		fmt.Fprintf(&b, "| Equivalent checks | %s |\n", strings.Join(r.Related, ", "))
	} else {
		fmt.Fprintf(&b, "| Equivalent checks | none: istioctl analyze and Kiali do not check this |\n")
	}
	if r.Fix != "" {
		fmt.Fprintf(&b, "| Autofix | `meshlint --fix` %s ([autofix.md](../autofix.md)) |\n", r.Fix)
	}
	fmt.Fprintf(&b, "\n## Why\n\n%s\n", strings.TrimSpace(r.Doc))
	fmt.Fprintf(&b, "\n## Fails\n\n```yaml\n%s\n```\n", strings.TrimRight(r.Bad, "\n"))
	fmt.Fprintf(&b, "\n## Passes\n\n```yaml\n%s\n```\n", strings.TrimRight(r.Good, "\n"))
	fmt.Fprintf(&b, "\n## Silence it\n\nDisable the rule with `--disable %s`.\n", r.ID)
	b.WriteString("\n<!-- Generated from the rule's metadata by `make generate`; do not edit. -->\n")
	return b.String()
}

// Index renders the catalogue page listing every rule.
func Index(rs []*rules.Rule) string {
	var b strings.Builder
	b.WriteString("# meshlint rules\n\n")
	b.WriteString("| ID | Name | Severity | Summary | Equivalent checks | Autofix |\n|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fix := ""
		if r.Fix != "" {
			fix = "yes"
		}
		fmt.Fprintf(&b, "| [%s](%s.md) | %s | %s | %s | %s | %s |\n", r.ID, r.ID, r.Name, r.Severity, r.Summary, strings.Join(r.Related, ", "), fix)
	}
	b.WriteString("\n<!-- Generated from the rule registry by `make generate`; do not edit. -->\n")
	return b.String()
}

// Files returns every docs/rules file by name.
func Files(rs []*rules.Rule) map[string]string {
	out := map[string]string{"README.md": Index(rs)}
	for _, r := range rs {
		out[r.ID+".md"] = Page(r)
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

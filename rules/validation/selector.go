package validation

import (
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// labelProblem is a label of a workload selector that Istio refuses: loc
// and where are the key or the value at fault, what says why in
// meshlint's words and cel gives the CRD's CEL message for the same
// mistake.
type labelProblem struct {
	loc   manifest.Loc
	where string
	what  string
	cel   string
}

// selectorLabelProblems returns the labels of a workload selector (the
// matchLabels or labels mapping) that validateWorkloadSelector and
// ValidateAlphaWorkloadSelector (pkg/config/validation/validation.go)
// refuse: an empty key, or a "*" in a key or a value, which people write
// hoping for a wildcard, while selectors match labels exactly. The CRDs
// refuse the same through CEL rules, except that those on
// workloadSelector.labels (ServiceEntry, Sidecar, EnvoyFilter) look at
// the values only; the rules that mirror those webhooks report all of it,
// and cel gives the messages of the matchLabels rules, for MR001.
func selectorLabelProblems(labels node) []labelProblem {
	var out []labelProblem
	for e := range labels.entries() {
		switch {
		case e.key == "":
			out = append(out, labelProblem{e.keyLoc, keyPath(labels, e.key), "has an empty key", "key must not be empty"})
		case strings.Contains(e.key, "*"):
			out = append(out, labelProblem{e.keyLoc, keyPath(labels, e.key), "key " + strconv.Quote(e.key) + " has a wildcard, which a selector does not support (labels match exactly)", "wildcard not allowed in label key match"})
		}
		if v, ok := e.val.str(); ok && strings.Contains(v, "*") {
			out = append(out, labelProblem{e.val.loc(), e.val.where(), "value " + strconv.Quote(v) + " of " + strconv.Quote(e.key) + " has a wildcard, which a selector does not support (labels match exactly)", "wildcard not allowed in label value match"})
		}
	}
	return out
}

// checkSelectorLabels reports the selectorLabelProblems of labels for a
// rule that mirrors the webhook, rejects naming what Istio rejects.
func checkSelectorLabels(p *rules.Pass, o *manifest.Object, labels node, rejects string) {
	for _, lp := range selectorLabelProblems(labels) {
		p.Reportf(o, lp.loc, "%s %s; %s", labels.where(), lp.what, rejects)
	}
}

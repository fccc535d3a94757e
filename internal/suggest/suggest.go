// Package suggest finds the name that a reference which resolves to
// nothing most likely meant, for "did you mean" messages and for fixes
// that correct the reference.
package suggest

import (
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// MinLen is the shortest name that Closest corrects by edits: shorter
// names (v1, v2, prod, dev) are often all valid and a few edits apart, so
// an edit says nothing about which was meant.
const MinLen = 6

// MaxEdits is the most insertions, deletions and substitutions that
// Closest accepts between a name and what it meant.
const MaxEdits = 2

// Distance is the Levenshtein distance between a and b, by code point.
func Distance(a, b string) int { return levenshtein.ComputeDistance(a, b) }

// Closest returns the one candidate that name is a likely misspelling of:
// the candidate equal to name in another case, or else, for a name of at
// least MinLen characters, the candidate at most MaxEdits edits away, in
// any case. ok is false when there is no such candidate or more than one
// (then what was meant is not clear), and when name is a candidate itself.
// Candidates may repeat.
//
// Two names that differ only in "ingress" against "egress"
// (istio-ingressgateway, istio-egressgateway) are two edits apart but
// never a typo of each other: they name opposite directions of traffic,
// and a reference moved from one to the other would expose a route or cut
// it off.
func Closest(name string, candidates []string) (match string, ok bool) {
	var folded, near []string
	lname := strings.ToLower(name)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		switch {
		case c == name:
			return "", false
		case lc == lname:
			folded = appendNew(folded, c)
		case utf8.RuneCountInString(name) >= MinLen && Distance(lname, lc) <= MaxEdits && !directions(lname, lc):
			near = appendNew(near, c)
		}
	}
	switch {
	case len(folded) == 1:
		return folded[0], true
	case len(folded) == 0 && len(near) == 1:
		return near[0], true
	}
	return "", false
}

func appendNew(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// directions reports whether a and b, in lower case, differ only in
// "ingress" against "egress".
func directions(a, b string) bool {
	return strings.ReplaceAll(a, "ingress", "egress") == strings.ReplaceAll(b, "ingress", "egress")
}

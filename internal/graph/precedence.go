package graph

import (
	"strings"
	"time"
)

// ComparePrecedence orders two Gateway API objects that compete (the
// ListenerSets of a Gateway, policies on one target) as the API orders
// them: the oldest by metadata.creationTimestamp first, then by
// "{namespace}/{name}". An object without a creation time (the API server
// sets it, and manifests seldom carry one) is taken as not created yet,
// so after every object that has one. Comparing times only when both
// objects have one would not be an order: a(2025) < m(none) < z(2020) <
// a(2025).
func ComparePrecedence(aCreated time.Time, aName string, bCreated time.Time, bName string) int {
	if aCreated.IsZero() != bCreated.IsZero() {
		if aCreated.IsZero() {
			return 1
		}
		return -1
	}
	if c := aCreated.Compare(bCreated); c != 0 {
		return c
	}
	return strings.Compare(aName, bName)
}

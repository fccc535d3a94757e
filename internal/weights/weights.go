// Package weights formats traffic splits: relative weights shown as the
// percentages of traffic they really send, as Istio and the Gateway API
// apply them (weight / sum of weights).
package weights

import (
	"fmt"
	"strings"
)

// Percent formats w/sum as a percentage with at most one decimal.
func Percent(w, sum int64) string {
	s := fmt.Sprintf("%.1f", float64(w)*100/float64(sum))
	return strings.TrimSuffix(s, ".0") + "%"
}

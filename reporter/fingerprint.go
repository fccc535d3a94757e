package reporter

import "github.com/meshlint/meshlint/internal/baseline"

// FingerprintKey names meshlint's fingerprint in SARIF partialFingerprints.
// SARIF wants versioned hierarchical keys; bump the version if the recipe
// in internal/baseline ever changes, since consumers compare values across
// runs.
const FingerprintKey = "meshlint/v1"

// Fingerprints returns a stable identity for each finding of r, in order.
// It is the baseline's fingerprint (rule, object identity and the YAML path
// of the node, never the line, file or message), so that a SARIF alert, a
// JSON finding and a baseline entry agree on what "the same finding" is.
func Fingerprints(r *Report) []string { return baseline.Fingerprints(r.Findings) }

package reporter

import (
	"encoding/json"
	"testing"
)

// TestSARIFSuppressed checks --include-suppressed: suppressed findings
// follow the others, marked inSource with their justification, and the
// log still matches the schema.
func TestSARIFSuppressed(t *testing.T) {
	r := fixtureReport(t)
	plain := write(t, "sarif", r, Options{})
	kept := r.Findings[1:]
	r.Findings = kept
	r.SuppressedFindings = []SuppressedFinding{{Finding: fixtureReport(t).Findings[0], Justification: "owned by the platform team"}}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID       string `json:"ruleId"`
				Suppressions []struct {
					Kind, Status, Justification string
				} `json:"suppressions"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(write(t, "sarif", r, Options{}), &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res) != len(kept)+1 {
		t.Fatalf("%d results, want %d", len(res), len(kept)+1)
	}
	for _, x := range res[:len(kept)] {
		if x.Suppressions != nil {
			t.Errorf("kept result %s has suppressions", x.RuleID)
		}
	}
	last := res[len(kept)]
	if len(last.Suppressions) != 1 || last.Suppressions[0].Kind != "inSource" || last.Suppressions[0].Status != "accepted" || last.Suppressions[0].Justification != "owned by the platform team" {
		t.Errorf("suppressed result: %+v", last.Suppressions)
	}
	// The suppressed finding keeps the fingerprint it has when reported.
	var before struct {
		Runs []struct {
			Results []struct {
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(plain, &before); err != nil {
		t.Fatal(err)
	}
	if got, want := last.PartialFingerprints[FingerprintKey], before.Runs[0].Results[0].PartialFingerprints[FingerprintKey]; got != want {
		t.Errorf("suppressed fingerprint %s, want %s", got, want)
	}
}

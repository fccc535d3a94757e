package reporter

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// sarifRulesView is the part of a SARIF log that ties results to rules.
type sarifRulesView struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID                   string `json:"id"`
					Name                 string `json:"name"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
		} `json:"results"`
	} `json:"runs"`
}

// TestSARIFRuleIndex checks that every result's ruleIndex names the
// descriptor of its ruleId, once each, also for rules that Report.Rules
// does not list and that only a suppressed finding reports: GitHub takes
// the rule from ruleIndex, so a wrong index files the alert under another
// rule.
func TestSARIFRuleIndex(t *testing.T) {
	reported := fixtureReport(t)
	suppressedOnly := fixtureReport(t)
	// The unlisted rule's finding is only suppressed here.
	var kept []SuppressedFinding
	fs := suppressedOnly.Findings[:0:0]
	for _, f := range suppressedOnly.Findings {
		if f.Rule == ruleUnlisted {
			kept = append(kept, SuppressedFinding{Finding: f, Justification: "test"})
			continue
		}
		fs = append(fs, f)
	}
	if len(kept) == 0 {
		t.Fatal("the fixture has no finding of the unlisted rule")
	}
	suppressedOnly.Findings, suppressedOnly.SuppressedFindings = fs, kept

	for name, r := range map[string]*Report{"reported": reported, "suppressed": suppressedOnly} {
		var log sarifRulesView
		if err := json.Unmarshal(write(t, "sarif", r, Options{}), &log); err != nil {
			t.Fatal(err)
		}
		run := log.Runs[0]
		seen := map[string]bool{}
		for _, d := range run.Tool.Driver.Rules {
			if seen[d.ID] {
				t.Errorf("%s: rule %s described twice", name, d.ID)
			}
			seen[d.ID] = true
			if d.Name == "" || d.Name == d.ID || d.DefaultConfiguration.Level == "" {
				t.Errorf("%s: rule %s: name %q, level %q", name, d.ID, d.Name, d.DefaultConfiguration.Level)
			}
		}
		if len(run.Results) != len(r.Findings)+len(r.SuppressedFindings) {
			t.Fatalf("%s: %d results", name, len(run.Results))
		}
		for _, res := range run.Results {
			if res.RuleIndex < 0 || res.RuleIndex >= len(run.Tool.Driver.Rules) {
				t.Errorf("%s: %s: ruleIndex %d out of range", name, res.RuleID, res.RuleIndex)
				continue
			}
			if got := run.Tool.Driver.Rules[res.RuleIndex].ID; got != res.RuleID {
				t.Errorf("%s: result of %s has ruleIndex %d, which describes %s", name, res.RuleID, res.RuleIndex, got)
			}
		}
	}
}

// TestSARIFRuleTags checks that rules reading only Istio's telemetry and
// extension kinds are tagged "istio", not "kubernetes": code scanning
// filters on these tags.
func TestSARIFRuleTags(t *testing.T) {
	for _, tc := range []struct {
		inputs []kinds.Kind
		want   []string
	}{
		{[]kinds.Kind{kinds.Telemetry}, []string{"istio", "telemetry"}},
		{[]kinds.Kind{kinds.WasmPlugin, kinds.TrafficExtension}, []string{"istio", "wasmplugin", "trafficextension"}},
		{[]kinds.Kind{kinds.Telemetry, kinds.Service}, []string{"istio", "kubernetes", "telemetry", "service"}},
		{[]kinds.Kind{kinds.NetworkPolicy}, []string{"kubernetes", "networkpolicy"}},
	} {
		if got := ruleTags(&rules.Rule{Inputs: tc.inputs}); !slices.Equal(got, tc.want) {
			t.Errorf("ruleTags(%v) = %q, want %q", tc.inputs, got, tc.want)
		}
	}
}

package cli

import (
	"bufio"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// istioMissingFeatures are the conformance features Istio does not claim
// (skippedExtendedFeatures, pilot/pkg/config/kube/gateway/supported_features.go
// of istio.io/istio): an assertion that the suite makes only if a feature
// is claimed, or only if it is not, is judged as for Istio.
var istioMissingFeatures = map[string]bool{
	"SupportGatewayBackendClientCertificate":               true,
	"SupportGatewayHTTPSListenerDetectMisdirectedRequests": true,
	"SupportUDPRoute": true,
}

// conformanceClass is the GatewayClass the harness substitutes for the
// suite's {GATEWAY_CLASS_NAME}; gatewayclass.yaml declares it, with Istio's
// controllerName.
const conformanceClass = "gateway-conformance"

// TestGatewayAPIConformance runs meshlint over the manifests of the Gateway
// API conformance tests (fixtures/gatewayapi-conformance, copied from
// sigs.k8s.io/gateway-api/conformance) and compares its findings with the
// status conditions those tests assert. Each case lints the suite's base
// manifests, the objects the suite creates in code (programmatic.yaml), the
// GatewayClass and the test's own manifests, with --closed-world: the suite
// applies exactly these objects to an empty cluster, so whatever they do
// not hold does not exist.
//
// conditions.tsv maps each asserted condition (subject, type, status,
// reason) to the rules meant to report it. For a condition mapped to rules,
// a finding of one of them must be on the condition's object: otherwise it
// is a miss. Conditions asserted after the test changed the cluster, or
// that the suite would not assert for Istio, are skipped. An MR6xx finding
// on an object for which the case asserts no condition mapped to that rule
// is an extra, when it is an error or says that a route is not accepted.
// Findings on base objects that the base alone gets are counted once, in
// the case "(base)". Every miss and extra must be listed, with the reason,
// in differences.tsv, and every line of that file must still happen; every
// asserted condition must be in conditions.tsv, and every line of it used.
func TestGatewayAPIConformance(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "fixtures", "gatewayapi-conformance")
	cases := readConformanceCases(t, filepath.Join(dir, "cases.tsv"))
	mapping := readConditionRules(t, filepath.Join(dir, "conditions.tsv"))
	// A finding below error counts as an extra when it says that a route
	// is not accepted: MR607 does at the parentRef, with the reason.
	claims := func(f conformanceFinding) bool {
		return f.Severity == "error" || strings.Contains(f.Message, "(NoMatchingListenerHostname)")
	}

	// The suite fills in the placeholders as it applies the manifests
	// (conformance/utils/kubernetes/apply.go): the lint reads copies.
	tmp := t.TempDir()
	prepare := func(rel string) string {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.NewReplacer("{GATEWAY_CLASS_NAME}", conformanceClass,
			"{GATEWAY_CONTROLLER_NAME}", "istio.io/gateway-controller").Replace(string(data))
		out := filepath.Join(tmp, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return out
	}
	setup := []string{prepare(filepath.Join("base", "manifests.yaml")), prepare("programmatic.yaml"), prepare("gatewayclass.yaml")}

	used := map[string]bool{}
	got := map[string]bool{}
	expected, found, skipped, notIstio, uncovered := 0, 0, 0, 0, 0
	baseFindings := map[string]bool{}
	for _, c := range append([]conformanceCase{{name: "(base)"}}, cases...) {
		args := []string{"--format", "json", "--closed-world", "--fail-on", "none", "--no-config"}
		args = append(args, setup...)
		for _, m := range c.manifests {
			args = append(args, prepare(filepath.Join("tests", m)))
		}
		r := run(t, root, "", args...)
		if r.code != ExitClean {
			t.Errorf("%s: meshlint %s: exit %d\n%s", c.name, strings.Join(args, " "), r.code, r.stderr)
			continue
		}
		var out struct {
			Findings []conformanceFinding
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.name == "(base)" {
			for _, f := range out.Findings {
				baseFindings[f.Rule+" "+f.object()] = true
			}
		}
		// The rules each object is expected to get.
		wanted := map[string]map[string]bool{}
		for _, cond := range c.conditions {
			if slices.Contains(cond.notes(), "after-mutation") {
				// The test changed the cluster before asserting: the
				// manifests show the state before the change.
				skipped++
				continue
			}
			if !cond.forIstio() {
				notIstio++
				continue
			}
			ids, ok := mapping[cond.key()]
			used[cond.key()] = true
			if !ok {
				t.Errorf("%s: condition %s is not in conditions.tsv: map it to rules, or to none with the reason", c.name, cond.key())
				continue
			}
			if len(ids) == 0 {
				uncovered++
				continue
			}
			obj := cond.object()
			if wanted[obj] == nil {
				wanted[obj] = map[string]bool{}
			}
			for _, id := range ids {
				wanted[obj][id] = true
			}
			expected++
			if slices.ContainsFunc(out.Findings, func(f conformanceFinding) bool {
				return f.object() == obj && slices.Contains(ids, f.Rule) && reports(f, cond.reason)
			}) {
				found++
				continue
			}
			got[strings.Join([]string{c.name, "miss", cond.what(), obj}, "\t")] = true
		}
		for _, f := range out.Findings {
			if !strings.HasPrefix(f.Rule, "MR6") || !claims(f) || wanted[f.object()][f.Rule] {
				continue
			}
			if c.name != "(base)" && baseFindings[f.Rule+" "+f.object()] {
				continue
			}
			got[strings.Join([]string{c.name, "extra", f.Rule, f.object()}, "\t")] = true
		}
	}

	for _, k := range slices.Sorted(maps.Keys(mapping)) {
		if !used[k] {
			t.Errorf("fixtures/gatewayapi-conformance/conditions.tsv maps a condition that no case asserts; remove it:\n%s", k)
		}
	}
	listed := readDifferences(t, filepath.Join(dir, "differences.tsv"))
	for _, g := range slices.Sorted(maps.Keys(got)) {
		if _, ok := listed[g]; !ok {
			t.Errorf("difference from the Gateway API conformance tests not in fixtures/gatewayapi-conformance/differences.tsv (fix meshlint, or list it with the reason):\n%s", g)
		}
	}
	for _, l := range slices.Sorted(maps.Keys(listed)) {
		if !got[l] {
			t.Errorf("fixtures/gatewayapi-conformance/differences.tsv lists a difference that no longer happens; remove it:\n%s", l)
		}
	}
	t.Logf("%d cases; %d of %d asserted conditions that rules cover found, %d without a rule (conditions.tsv says why), %d asserted after the test changed the cluster, %d not for Istio; %d differences listed",
		len(cases), found, expected, uncovered, skipped, notIstio, len(listed))
}

// reports reports whether a finding of a rule mapped to a condition with
// reason stands for it: an error does, and a finding below error that
// names the reason in parentheses (MR607's NoMatchingListenerHostname,
// MR616's InvalidRouteKinds). Another warning of the rule on the object,
// such as MR614's on an expired certificate that is served, does not.
func reports(f conformanceFinding, reason string) bool {
	return f.Severity == "error" || strings.Contains(f.Message, "("+reason+")")
}

type conformanceFinding struct {
	Rule, Severity, Message string
	Object                  struct{ Kind, Namespace, Name string }
}

func (f conformanceFinding) object() string {
	return f.Object.Kind + " " + f.Object.Namespace + "/" + f.Object.Name
}

type conformanceCase struct {
	name       string
	manifests  []string
	conditions []conformanceCondition
}

// conformanceCondition is a line of cases.tsv: a condition a test asserts.
type conformanceCondition struct {
	kind, name, where, typ, status, reason, note string
}

// subject is what the condition is about: a Route (of any kind), a Gateway,
// a Gateway's Listener, or another kind and its listeners.
func (c conformanceCondition) subject() string {
	s := c.kind
	if strings.HasSuffix(s, "Route") {
		s = "Route"
	}
	if strings.HasPrefix(c.where, "listener ") {
		if s == "Gateway" {
			return "Listener"
		}
		return s + "Listener"
	}
	return s
}

func (c conformanceCondition) key() string {
	return strings.Join([]string{c.subject(), c.typ, c.status, c.reason}, "\t")
}

func (c conformanceCondition) object() string { return c.kind + " " + c.name }

func (c conformanceCondition) notes() []string {
	if c.note == "" {
		return nil
	}
	return strings.Split(c.note, ",")
}

// forIstio reports whether the suite makes the assertion for Istio, which
// claims every feature but istioMissingFeatures.
func (c conformanceCondition) forIstio() bool {
	for _, n := range c.notes() {
		if f, ok := strings.CutPrefix(n, "if "); ok && istioMissingFeatures[f] {
			return false
		}
		if f, ok := strings.CutPrefix(n, "unless "); ok && !istioMissingFeatures[f] {
			return false
		}
	}
	return true
}

// what names the condition in differences.tsv: "Accepted=False
// NoMatchingParent (parent ns/gw)".
func (c conformanceCondition) what() string {
	s := c.typ + "=" + c.status + " " + c.reason
	if c.where != "-" {
		s += " (" + c.where + ")"
	}
	return s
}

func readConformanceCases(t *testing.T, path string) []conformanceCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []conformanceCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fs := strings.Split(sc.Text(), "\t")
		switch {
		case fs[0] == "case" && len(fs) == 3:
			cases = append(cases, conformanceCase{name: fs[1], manifests: strings.Split(fs[2], ",")})
		case fs[0] == "" && len(fs) == 8 && len(cases) > 0:
			c := &cases[len(cases)-1]
			c.conditions = append(c.conditions, conformanceCondition{fs[1], fs[2], fs[3], fs[4], fs[5], fs[6], fs[7]})
		default:
			t.Fatalf("%s:%d: malformed line %q", path, n, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// readConditionRules reads conditions.tsv: "subject, type, status, reason,
// rules, reason for no rule" lines, rules comma-separated or "-"; # starts a
// comment.
func readConditionRules(t *testing.T, path string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for n, l := range strings.Split(string(data), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fs := strings.Split(l, "\t")
		if len(fs) != 6 || fs[4] == "-" && fs[5] == "" {
			t.Fatalf("%s:%d: want subject, type, status, reason, rules (or -) and why, tab-separated; a condition without rules needs the why", path, n+1)
		}
		key := strings.Join(fs[:4], "\t")
		if _, dup := out[key]; dup {
			t.Fatalf("%s:%d: listed twice", path, n+1)
		}
		var ids []string
		if fs[4] != "-" {
			ids = strings.Split(fs[4], ",")
		}
		out[key] = ids
	}
	return out
}

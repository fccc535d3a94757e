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

	"github.com/meshlint/meshlint/rules/all"
)

// TestIstioctlParity runs meshlint over the inputs of istioctl analyze's own
// analyzer tests (fixtures/istioctl, copied from istio/istio) and compares
// its findings with the messages those tests expect. For each message
// whose IST code some rule lists in Related, a finding of such a rule must
// be on the message's resource: otherwise it is a miss. A finding of those
// rules on a resource the case does not name, or an error finding on a case
// that expects nothing, is an extra. Every miss and extra must be listed,
// with the reason, in fixtures/istioctl/differences.tsv, and every line of
// that file must still happen: the test fails both when meshlint loses a
// check istioctl has and when a listed difference goes away.
func TestIstioctlParity(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("fixtures", "istioctl")
	cases := readIstioctlCases(t, filepath.Join(root, dir, "cases.tsv"))
	codes := readCodeNames(t, filepath.Join(root, "internal", "ruledoc", "codes.tsv"))
	rulesOf := map[string][]string{} // IST code -> rule IDs
	for _, r := range all.Rules {
		for _, c := range r.Related {
			rulesOf[c] = append(rulesOf[c], r.ID)
		}
	}
	// The codes each analyzer reports, over all its cases, say which rules
	// a case that expects nothing is about.
	analyzerCodes := map[string]map[string]bool{}
	for _, c := range cases {
		for _, m := range c.expected {
			if analyzerCodes[c.analyzer] == nil {
				analyzerCodes[c.analyzer] = map[string]bool{}
			}
			analyzerCodes[c.analyzer][codes[m.message]] = true
		}
	}

	got := map[string]bool{}
	expected, found := 0, 0
	for _, c := range cases {
		args := []string{"--format", "json", "--closed-world", "--fail-on", "none", "--no-config"}
		if c.meshConfig != "" {
			args = append(args, "--mesh-config", filepath.ToSlash(filepath.Join(dir, c.meshConfig)))
		}
		for _, in := range c.inputs {
			args = append(args, filepath.ToSlash(filepath.Join(dir, in)))
		}
		// istioctl analyze adds a default ingress gateway (AddDefaultResources).
		args = append(args, filepath.ToSlash(filepath.Join(dir, "defaults.yaml")))
		r := run(t, root, "", args...)
		if r.code != ExitClean {
			t.Errorf("%s: meshlint %s: exit %d\n%s", c.key, strings.Join(args, " "), r.code, r.stderr)
			continue
		}
		var out struct {
			Findings []struct {
				Rule, Severity string
				Object         struct{ Kind, Namespace, Name string }
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("%s: %v", c.key, err)
		}
		caseRules := map[string]bool{}
		named := map[string]bool{} // "Kind/name" of the expected messages
		for _, m := range c.expected {
			kind, ns, name := m.resource()
			named[kind+"/"+name] = true
			code := codes[m.message]
			ids := rulesOf[code]
			for _, id := range ids {
				caseRules[id] = true
			}
			if len(ids) == 0 {
				continue // a code meshlint has no rule for (docs/coverage.md says why)
			}
			expected++
			if slices.ContainsFunc(out.Findings, func(f struct {
				Rule, Severity string
				Object         struct{ Kind, Namespace, Name string }
			}) bool {
				return slices.Contains(ids, f.Rule) && f.Object.Kind == kind && f.Object.Name == name && (ns == "" || f.Object.Namespace == ns)
			}) {
				found++
				continue
			}
			got[strings.Join([]string{c.key, "miss", m.message, m.res}, "\t")] = true
		}
		if len(c.expected) == 0 {
			for code := range analyzerCodes[c.analyzer] {
				for _, id := range rulesOf[code] {
					caseRules[id] = true
				}
			}
		}
		for _, f := range out.Findings {
			if !caseRules[f.Rule] || named[f.Object.Kind+"/"+f.Object.Name] || len(c.expected) == 0 && f.Severity != "error" {
				continue
			}
			got[strings.Join([]string{c.key, "extra", f.Rule, f.Object.Kind + " " + f.Object.Namespace + "/" + f.Object.Name}, "\t")] = true
		}
	}

	listed := readDifferences(t, filepath.Join(root, dir, "differences.tsv"))
	for _, g := range slices.Sorted(maps.Keys(got)) {
		if _, ok := listed[g]; !ok {
			t.Errorf("difference from istioctl analyze not in %s/differences.tsv (fix meshlint, or list it with the reason):\n%s", dir, g)
		}
	}
	for _, l := range slices.Sorted(maps.Keys(listed)) {
		if !got[l] {
			t.Errorf("%s/differences.tsv lists a difference that no longer happens; remove it:\n%s", dir, l)
		}
	}
	t.Logf("%d of %d messages of covered codes found; %d differences listed", found, expected, len(listed))
}

type istioctlCase struct {
	key, analyzer, meshConfig string
	inputs                    []string
	expected                  []istioctlMessage
}

type istioctlMessage struct{ message, res string }

// resource splits "Kind ns/name" or "Kind name".
func (m istioctlMessage) resource() (kind, ns, name string) {
	kind, rest, _ := strings.Cut(m.res, " ")
	ns, name, ok := strings.Cut(rest, "/")
	if !ok {
		return kind, "", rest
	}
	return kind, ns, name
}

func readIstioctlCases(t *testing.T, path string) []istioctlCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []istioctlCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Split(sc.Text(), "\t")
		switch {
		case fields[0] == "case" && len(fields) == 6:
			inputs := strings.Split(fields[5], ",")
			// Two cases may share a name: the first input tells them apart.
			cases = append(cases, istioctlCase{key: fields[1] + " (" + filepath.Base(inputs[0]) + ")",
				analyzer: fields[2], meshConfig: fields[3], inputs: inputs})
		case fields[0] == "" && len(fields) == 3 && len(cases) > 0:
			c := &cases[len(cases)-1]
			c.expected = append(c.expected, istioctlMessage{fields[1], fields[2]})
		default:
			t.Fatalf("%s:%d: malformed line %q", path, n, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// readCodeNames maps istioctl message names to their IST codes.
func readCodeNames(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		fs := strings.Split(l, "\t")
		if len(fs) >= 2 && strings.HasPrefix(fs[0], "IST") {
			out[fs[1]] = fs[0]
		}
	}
	return out
}

// readDifferences reads the listed differences: "case, miss or extra,
// message or rule, resource, reason" lines; # starts a comment.
func readDifferences(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for n, l := range strings.Split(string(data), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fs := strings.Split(l, "\t")
		if len(fs) != 5 || fs[4] == "" {
			t.Fatalf("%s:%d: want case, miss or extra, message or rule, resource and a reason, tab-separated", path, n+1)
		}
		key := strings.Join(fs[:4], "\t")
		if _, dup := out[key]; dup {
			t.Fatalf("%s:%d: listed twice", path, n+1)
		}
		out[key] = fs[4]
	}
	return out
}

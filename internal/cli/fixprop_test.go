package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/rules/all"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestFixEveryFixture checks the autofixes on every input the repository
// has, not only on the goldens of fixtures/fix: each rule's fixtures (as
// written, and without their "# want:" comments, which are no part of a
// real input and sit on the very lines fixes edit), each rule's Bad
// example, the realworld trees and the kustomize tree. Every rule runs on
// each input, so a fixture written for one rule also tests the fixes of
// the others. Where a finding carries a fix, --fix runs on a copy until it
// has nothing left to apply, and then:
//
//   - no finding appears that was not there before (compared by rule and
//     fingerprint, or by rule, object and message: see below), but for
//     those followsFromFix explains;
//   - after each run, no rule whose fix it applied at an object reports
//     that object with a fix again, but for findings whose fix the run
//     skipped (a fix that does not fix);
//   - the applier refuses no fix but for the reasons skipReasonOK accepts;
//   - the files still load: no input error that was not there before (new
//     MR001 schema findings are new findings);
//   - a second --fix changes nothing (unless the first skipped fixes that
//     overlapped applied ones), and reports what the first one did.
func TestFixEveryFixture(t *testing.T) {
	applied := map[string]bool{} // rules whose fix some input applied
	for _, in := range fixInputs(t) {
		t.Run(in.name, func(t *testing.T) {
			for _, r := range checkFixProperty(t, in) {
				applied[r] = true
			}
		})
	}
	// The inputs are wide enough only if they exercise every fix.
	for _, r := range all.Rules {
		if r.Fix != "" && !applied[r.ID] && !t.Failed() {
			t.Errorf("no input applies the fix of %s; add a fixture where it %s", r.ID, r.Fix)
		}
	}
}

// fixInput is one tree linted by TestFixEveryFixture.
type fixInput struct {
	name  string
	files map[string]string // by slash-separated path
	args  []string          // lint settings, the same for every run
	mesh  string            // a MeshConfig passed with --mesh-config, or ""
	paths []string
}

func fixInputs(t *testing.T) []fixInput {
	t.Helper()
	root := filepath.Join("..", "..")
	var ins []fixInput

	// Each rule's fixtures, run with the settings their "# fixture:" lines
	// ask for (ruletest.ParseOptions), and its Bad example.
	err := ruletest.EachFixture(filepath.Join(root, "fixtures", "rules"), func(id, fixture string, files map[string][]byte) {
		in := fixInput{name: "rules/" + id + "/" + fixture, files: map[string]string{}, paths: []string{"."}}
		var text strings.Builder
		bare := map[string]string{}
		for name, data := range files {
			in.files[name] = string(data)
			bare[name] = wantComment.ReplaceAllString(string(data), "")
			text.Write(data)
			text.WriteByte('\n')
		}
		in.args, in.mesh = fixtureSettings(t, in.name, text.String())
		ins = append(ins, in)
		if !equalTrees(bare, in.files) {
			ins = append(ins, fixInput{name: in.name + "/without-wants", files: bare, args: in.args, mesh: in.mesh, paths: in.paths})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all.Rules {
		in := fixInput{name: "bad/" + r.ID, files: map[string]string{"bad.yaml": r.Bad}, paths: []string{"."}}
		in.args, in.mesh = fixtureSettings(t, in.name, r.Bad)
		ins = append(ins, in)
	}

	// The realworld trees, with the settings TestRealworld uses.
	for _, rc := range realworldCases {
		tree := filepath.Join(root, "fixtures", "realworld", rc.tree)
		in := fixInput{name: "realworld/" + rc.name, files: copyTree(t, tree), paths: []string{"."}}
		in.args = []string{"--no-config"}
		if _, ok := in.files[".meshlint.yaml"]; ok {
			in.args = []string{"--config", ".meshlint.yaml"}
		}
		in.args = append(in.args, rc.args...)
		ins = append(ins, in)
	}

	// The kustomize tree: linted whole, and the overlay alone, as
	// TestKustomizeOverlay does; the overlay's fix edits its patch.
	kust := copyTree(t, filepath.Join(root, "fixtures", "kustomize"))
	ins = append(ins,
		fixInput{name: "kustomize", files: kust, args: []string{"--no-config"}, paths: []string{"."}},
		fixInput{name: "kustomize/overlays/prod", files: kust, args: []string{"--no-config"}, paths: []string{"overlays/prod"}},
	)
	return ins
}

// wantComment is a "# want:" comment of a fixture (see package ruletest),
// with the spaces before it.
var wantComment = regexp.MustCompile(`(?m)[ \t]*#\s*want:.*$`)

// copyTree reads the files of a fixture tree, leaving out the expected
// outputs of TestRealworld, which are not input.
func copyTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := readTree(t, dir)
	for name := range files {
		if strings.HasPrefix(filepath.Base(name), "expected") && strings.HasSuffix(name, ".txt") {
			delete(files, name)
		}
	}
	return files
}

// fixtureSettings turns the "# fixture:" lines of a fixture (see package
// ruletest) into lint flags and a MeshConfig. also= needs nothing, since
// every rule runs. An unknown option fails, so that a new one is not
// silently run with the wrong settings.
func fixtureSettings(t *testing.T, name, text string) (args []string, mesh string) {
	t.Helper()
	args = []string{"--no-config"}
	var providers, accessLog []string
	autoMTLS, scopeGateways := true, false
	var cfgFile, flagger string
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "# fixture:")
		if !ok {
			continue
		}
		for _, f := range strings.Fields(rest) {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "closed-world":
				args = append(args, "--closed-world")
			case "root-namespace":
				args = append(args, "--root-namespace", v)
			case "namespace":
				args = append(args, "--namespace", v)
			case "auto-mtls":
				autoMTLS = v != "false"
			case "providers":
				for _, p := range strings.Split(v, ",") {
					n, typ, _ := strings.Cut(p, ":")
					providers = append(providers, fmt.Sprintf("- name: %s\n  %s: {}\n", n, typ))
				}
			case "default-access-log":
				accessLog = append(accessLog, strings.Split(v, ",")...)
			case "scope-gateway-to-namespace":
				scopeGateways = true
			case "flagger-mesh-provider":
				// Neither a flag nor a MeshConfig field: the
				// configuration file's, written outside the linted tree.
				flagger += "  mesh-provider: " + v + "\n"
			case "flagger-selector-labels":
				flagger += "  selector-labels: [" + strings.ReplaceAll(v, ",", ", ") + "]\n"
			case "kubernetes-version":
				cfgFile += "kubernetes:\n  version: \"" + v + "\"\n"
			case "also":
			default:
				t.Fatalf("%s: fixture option %q: say how to pass it to the command", name, k)
			}
		}
	}
	if flagger != "" {
		cfgFile += "flagger:\n" + flagger
	}
	if cfgFile != "" {
		cfg := filepath.Join(t.TempDir(), ".meshlint.yaml")
		if err := os.WriteFile(cfg, []byte(cfgFile), 0o644); err != nil {
			t.Fatal(err)
		}
		args[0] = "--config" // in place of --no-config
		args = slices.Insert(args, 1, cfg)
	}
	if !autoMTLS {
		mesh += "enableAutoMtls: false\n"
	}
	if len(providers) > 0 {
		mesh += "extensionProviders:\n" + strings.Join(providers, "")
	}
	if len(accessLog) > 0 {
		mesh += "defaultProviders:\n  accessLogging: [" + strings.Join(accessLog, ", ") + "]\n"
	}
	if scopeGateways {
		// Not a MeshConfig field: an IstioOperator carries it in istiod's
		// environment, beside the MeshConfig.
		mc := "  meshConfig: {}\n"
		if mesh != "" {
			mc = "  meshConfig:\n    " + strings.ReplaceAll(strings.TrimSuffix(mesh, "\n"), "\n", "\n    ") + "\n"
		}
		mesh = "kind: IstioOperator\nspec:\n" + mc +
			"  components:\n    pilot:\n      k8s:\n        env: [{name: PILOT_SCOPE_GATEWAY_TO_NAMESPACE, value: \"true\"}]\n"
	}
	return args, mesh
}

// propFinding is a finding of the JSON report, with what the property
// compares.
type propFinding struct {
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	Message     string `json:"message"`
	Fingerprint string `json:"fingerprint"`
	Object      *struct {
		Kind, Namespace, Name string
	} `json:"object"`
	Fixes []struct {
		Message string `json:"message"`
	} `json:"fixes"`
}

func (f propFinding) key() string { return f.Rule + " " + f.Fingerprint }

func (f propFinding) object() string {
	if f.Object == nil {
		return f.File
	}
	return f.Object.Kind + " " + f.Object.Namespace + "/" + f.Object.Name
}

func (f propFinding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s %s", f.File, f.Line, f.Column, f.Rule, f.Message)
}

// reportLines lists findings with their fingerprints and fixes, to compare
// two reports.
func reportLines(fs []propFinding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s [%s] %d fixes\n", f, f.Fingerprint, len(f.Fixes))
	}
	return b.String()
}

type propReport struct {
	Findings []propFinding `json:"findings"`
	Errors   []struct {
		File    string `json:"file"`
		Line    int    `json:"line"`
		Message string `json:"message"`
	} `json:"errors"`
}

func parseReport(t *testing.T, what string, r result) propReport {
	t.Helper()
	if r.code == ExitError {
		t.Fatalf("%s: exit %d\nstderr:\n%s", what, r.code, r.stderr)
	}
	var rep propReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s\nstderr:\n%s", what, err, r.stdout, r.stderr)
	}
	return rep
}

// skipReason returns why a --fix run whose stderr is stderr did not apply
// the fix of f, and whether it skipped it.
func skipReason(stderr string, f propFinding) (string, bool) {
	prefix := fmt.Sprintf("meshlint: %s:%d:%d: %s fix not applied (%s): ", f.File, f.Line, f.Column, f.Rule, f.Fixes[0].Message)
	for _, line := range strings.Split(stderr, "\n") {
		if reason, ok := strings.CutPrefix(line, prefix); ok {
			return reason, true
		}
	}
	return "", false
}

// overlaps tells the skip reason of a fix that overlaps one applied before
// it, which the next --fix may apply.
func overlaps(reason string) bool {
	return strings.HasPrefix(reason, "it overlaps the fix of ") || strings.HasPrefix(reason, "another fix creates ")
}

// commentKept is the applier's refusal of MR720's move of an annotation
// line that ends in a comment: the fast parser keeps no comments, so the
// rule cannot tell the line's text, and the removal's Old ends at the value
// (see movedEntry in rules/workload).
var commentKept = regexp.MustCompile(`^\S+: the file holds "(\\.|.)\s+#.*\\n" where "(\\.|.)\\n" was expected$`)

// skipReasonOK reports whether the applier may refuse the fix of f for
// reason on an unchanged copy of the input. Other refusals mean the rule
// offered a fix that cannot apply: Old text that is not in the file, an
// edit past the end, a result that does not parse.
func skipReasonOK(f propFinding, reason string) bool {
	switch {
	case overlaps(reason):
		return true
	case strings.Contains(reason, " holds a kustomization, which would not read "):
		// The new file would need listing in the kustomization, which a
		// fix does not edit; the message says to do it by hand.
		return true
	case strings.HasSuffix(reason, " exists, and a fix never overwrites a file"):
		return true
	case f.Rule == "MR720" && commentKept.MatchString(reason):
		return true
	}
	return false
}

func checkFixProperty(t *testing.T, in fixInput) (appliedRules []string) {
	dir := t.TempDir()
	ruletest.WriteTree(t, dir, in.files)
	args := append([]string{}, in.args...)
	if in.mesh != "" {
		// Outside the linted tree, so that it is not linted as input.
		mesh := filepath.Join(t.TempDir(), "mesh.yaml")
		if err := os.WriteFile(mesh, []byte(in.mesh), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--mesh-config", mesh)
	}
	lint := func(extra ...string) result {
		a := append(append([]string{}, args...), "--format", "json", "--fail-on", "none")
		return run(t, dir, "", append(append(a, extra...), in.paths...)...)
	}

	before := parseReport(t, "lint", lint())
	if !slices.ContainsFunc(before.Findings, func(f propFinding) bool { return len(f.Fixes) > 0 }) {
		return nil
	}

	// Run --fix until it applies nothing. Each run applies the fixes of
	// the findings it starts from (the report of the run before), but
	// those it skips.
	var applied []propFinding
	from, tree := before, readTree(t, dir)
	prevOverlapped := false // whether the run before skipped a fix for an overlap
	var r result
	for n := 1; ; n++ {
		r = lint("--fix")
		after := parseReport(t, fmt.Sprintf("--fix #%d", n), r)
		again := readTree(t, dir)
		overlapped := false
		fixedAt := map[string]bool{}   // rule and object of the fixes applied
		skippedAt := map[string]bool{} // fingerprint, and rule, object and message, of those skipped
		for _, f := range from.Findings {
			if len(f.Fixes) == 0 {
				continue
			}
			reason, skipped := skipReason(r.stderr, f)
			switch {
			case !skipped:
				applied = append(applied, f)
				fixedAt[f.Rule+" "+f.object()] = true
				if !slices.Contains(appliedRules, f.Rule) {
					appliedRules = append(appliedRules, f.Rule)
				}
				continue
			case !skipReasonOK(f, reason):
				t.Errorf("the applier refuses the fix of %s (%s): %s", f, f.Fixes[0].Message, reason)
			default:
				overlapped = overlapped || overlaps(reason)
			}
			skippedAt[f.key()] = true
			skippedAt[f.Rule+" "+f.object()+" "+f.Message] = true
		}
		// No fix that does not fix: a rule whose fix was applied at an
		// object reports it with a fix again only for a finding whose fix
		// was skipped.
		for _, f := range after.Findings {
			if len(f.Fixes) > 0 && fixedAt[f.Rule+" "+f.object()] && !skippedAt[f.key()] && !skippedAt[f.Rule+" "+f.object()+" "+f.Message] {
				t.Errorf("--fix #%d applied a fix of %s at %s, which still reports it with a fix: %s", n, f.Rule, f.object(), f)
			}
		}
		if t.Failed() {
			logTree(t, tree, again)
			return appliedRules
		}
		changed := !equalTrees(again, tree) || strings.Contains(r.stderr, "meshlint: applied ")
		if !changed {
			if got, want := reportLines(after.Findings), reportLines(from.Findings); got != want {
				t.Errorf("--fix reported\n%s\na run that applies nothing reports\n%s", want, got)
			}
			break
		}
		if n > 1 && !prevOverlapped {
			t.Errorf("--fix #%d changed the files again, though --fix #%d skipped no fix for an overlap:\n%s", n, n-1, r.stderr)
			logTree(t, tree, again)
			return appliedRules
		}
		if n == 5 {
			t.Errorf("--fix still changes the files after %d runs:\n%s", n, r.stderr)
			return appliedRules
		}
		from, tree, prevOverlapped = after, again, overlapped
	}
	after := from

	// No new finding, but for those that follow from a fix by design. A
	// finding is new when neither its fingerprint nor its rule, object and
	// message were reported before: the fingerprint alone is not stable
	// under edits. Its path names the node at the finding's position, and
	// at the first key of a block mapping, where the mapping starts too, it
	// names the mapping (.metadata.annotations rather than
	// .metadata.annotations["k"]); a fix that writes a key before it (MR720
	// moving an annotation into the template's annotations) changes it.
	had := map[string]bool{}
	for _, f := range before.Findings {
		had[f.key()] = true
		had[f.Rule+" "+f.object()+" "+f.Message] = true
	}
	for _, f := range after.Findings {
		if !had[f.key()] && !had[f.Rule+" "+f.object()+" "+f.Message] && !followsFromFix(f, applied) {
			t.Errorf("new finding after --fix: %s", f)
		}
	}

	// The files still load.
	hadErr := map[string]bool{}
	for _, e := range before.Errors {
		hadErr[e.File+": "+e.Message] = true
	}
	for _, e := range after.Errors {
		if !hadErr[e.File+": "+e.Message] {
			t.Errorf("input error after --fix: %s:%d: %s", e.File, e.Line, e.Message)
		}
	}

	if t.Failed() {
		logTree(t, in.files, tree)
	}
	return appliedRules
}

// renamedAnnotation reads the annotation name a fix of MR719 writes.
var renamedAnnotation = regexp.MustCompile(`^Rename annotation \S+ to (\S+)$`)

// deniedEgress reads the file and namespace of the egress default deny
// that a fix of MR402 creates from the fix's message.
var deniedEgress = regexp.MustCompile(`^Create (\S+) with a default-deny egress NetworkPolicy for namespace ([^\s,;]+)[,;]`)

// followsFromFix reports whether new finding f is one that an applied fix
// brings by design, so that it is not a fault of the fix. The default
// denies of MR401 and MR402 have no excuse for the reachability rules
// (MR501, MR502, MR504, MR506): their files also allow the traffic the
// input declares, so that those find nothing newly blocked.
//
//   - MR402 writes its file next to the namespace's manifests. When the
//     namespace has no Namespace object, MR401 reports it at its first
//     object, which may now be the new file; and it names the new egress
//     deny as a near miss for ingress. That is MR401's finding of before,
//     moved: its fix, withheld before (a Gateway's pods, say, have clients
//     no allow can name), is still withheld.
//   - MR719 renames a misspelt annotation to the Istio annotation it
//     means. Istio ignored the misspelt one, and so did the rules that
//     judge an annotation's status; once it is spelt right, MR721
//     (deprecated) and MR757 (alpha) may report it, as they would have had
//     it been written right.
func followsFromFix(f propFinding, applied []propFinding) bool {
	for _, a := range applied {
		if m := deniedEgress.FindStringSubmatch(a.Fixes[0].Message); a.Rule == "MR402" && f.Rule == "MR401" && len(f.Fixes) == 0 && m != nil &&
			filepath.ToSlash(f.File) == filepath.ToSlash(m[1]) && strings.HasPrefix(f.Message, "namespace "+m[2]+" has no default-deny ingress NetworkPolicy ") {
			return true
		}
		if a.Rule != "MR719" || (f.Rule != "MR721" && f.Rule != "MR757") || a.object() != f.object() {
			continue
		}
		if m := renamedAnnotation.FindStringSubmatch(a.Fixes[0].Message); m != nil && strings.Contains(f.Message, fmt.Sprintf("annotation %q ", m[1])) {
			return true
		}
	}
	return false
}

// logTree logs the files that differ between two trees, for the reader of
// a failure.
func logTree(t *testing.T, from, to map[string]string) {
	t.Helper()
	for _, name := range sortedKeys(from, to) {
		if from[name] != to[name] {
			t.Logf("%s before:\n%s\nafter:\n%s", name, from[name], to[name])
		}
	}
}

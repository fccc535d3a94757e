package main

import (
	"fmt"
	"html"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/schema"
)

// validateFiles loads files and returns every violation as
// "file:line: message", with file relative to base. Load errors fail the
// test when strict.
func validateFiles(t *testing.T, base string, paths []string, strict bool) (objects int, out []string) {
	t.Helper()
	v := schema.NewValidator()
	for _, p := range paths {
		res := manifest.Load([]string{p}, manifest.Options{})
		for _, e := range res.Errors {
			if strict {
				t.Errorf("load: %v", e)
			}
		}
		for _, o := range res.Objects {
			objects++
			vs, err := v.Check(o)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(base, p)
			for _, x := range vs {
				out = append(out, fmt.Sprintf("%s:%d: %s", rel, x.Loc.Line, x.Msg))
			}
		}
	}
	sort.Strings(out)
	return objects, out
}

// placeholderEnum matches the violation of an enum field that a round-trip
// fixture fills, as it fills every string, with "<field>Value".
var placeholderEnum = regexp.MustCompile(`: "[a-zA-Z]+Value" is not one of `)

// TestKubernetesRoundTripFixtures validates k8s.io/api's round-trip
// fixtures, which set every field of their kind, against the embedded
// schemas: the derived and copied schemas must accept all of them, except
// for the placeholders in enum fields.
func TestKubernetesRoundTripFixtures(t *testing.T) {
	m, err := moduleDir("k8s.io/api")
	if err != nil {
		t.Skip(err)
	}
	dir := filepath.Join(m.Dir, "testdata", "HEAD")
	var paths []string
	for _, name := range []string{
		"core.v1.Namespace", "core.v1.Service", "core.v1.Pod",
		"core.v1.Secret", "core.v1.ServiceAccount", "core.v1.ConfigMap", "core.v1.PodTemplate", "core.v1.ReplicationController",
		"apps.v1.Deployment", "apps.v1.StatefulSet", "apps.v1.DaemonSet", "apps.v1.ReplicaSet",
		"batch.v1.Job", "batch.v1.CronJob", "networking.k8s.io.v1.NetworkPolicy", "networking.k8s.io.v1.Ingress", "networking.k8s.io.v1.IngressClass",
		"admissionregistration.k8s.io.v1.MutatingWebhookConfiguration", "admissionregistration.k8s.io.v1.ValidatingWebhookConfiguration",
	} {
		paths = append(paths, filepath.Join(dir, name+".yaml"))
	}
	if len(paths) != len(derivedKinds) {
		t.Errorf("%d fixtures for %d derived kinds: add the new kind's", len(paths), len(derivedKinds))
	}
	n, got := validateFiles(t, dir, paths, true)
	if n != len(paths) {
		t.Errorf("validated %d objects, want %d", n, len(paths))
	}
	enums := 0
	for _, g := range got {
		if placeholderEnum.MatchString(g) {
			enums++
			continue
		}
		t.Error(g)
	}
	if enums == 0 {
		t.Error("no enum field refused its placeholder: the schemas have lost their enums")
	}
}

var yamlBlock = regexp.MustCompile(`(?s)<pre><code class="language-yaml">(.*?)</code></pre>`)

// TestIstioDocExamples validates the YAML examples of istio.io/api's
// reference pages (*.pb.html) for the networking, security, telemetry and
// extensions kinds. They are valid except for the ones listed here, which
// are mistakes in the documentation. Examples that are not YAML (elided with "...") are
// skipped.
func TestIstioDocExamples(t *testing.T) {
	m, err := moduleDir("istio.io/api")
	if err != nil {
		t.Skip(err)
	}
	var pages []string
	for _, dir := range []string{"networking", "security", "telemetry", "extensions"} {
		p, _ := filepath.Glob(filepath.Join(m.Dir, dir, "*", "*.pb.html"))
		pages = append(pages, p...)
	}
	tmp := t.TempDir()
	var paths []string
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for i, b := range yamlBlock.FindAllSubmatch(data, -1) {
			y := html.UnescapeString(string(b[1]))
			if !strings.Contains(y, "apiVersion:") || !strings.Contains(y, "kind:") {
				continue
			}
			rel, _ := filepath.Rel(m.Dir, page)
			name := strings.NewReplacer("/", "_", ".pb.html", "").Replace(filepath.ToSlash(rel))
			p := filepath.Join(tmp, fmt.Sprintf("%s_%d.yaml", name, i))
			if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
	}
	n, got := validateFiles(t, tmp, paths, false)
	if n < 90 {
		t.Errorf("only %d example objects found", n)
	}
	want := []string{
		`networking_v1alpha3_virtual_service_18.yaml:14: unknown field "prefix_rewrite" in spec.http[0].redirect (did you mean "prefixRewrite"?)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestGatewayAPIExamples validates the examples of the gateway-api module
// (examples/standard and examples/experimental), written by the API's
// authors, against the embedded schemas: every one must be accepted, or a
// user's manifest written like it would be reported wrongly.
func TestGatewayAPIExamples(t *testing.T) {
	m, err := moduleDir("sigs.k8s.io/gateway-api")
	if err != nil {
		t.Skip(err)
	}
	dir := filepath.Join(m.Dir, "examples")
	var paths []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	n, got := validateFiles(t, dir, paths, false)
	if n < 100 {
		t.Errorf("validated %d objects in %d files, want at least 100", n, len(paths))
	}
	for _, g := range got {
		t.Error(g)
	}
}

// markdownBlock is a fenced code block of a Markdown page.
var markdownBlock = regexp.MustCompile("(?s)```\\w*\\n(.*?)```")

// TestFlaggerDocExamples validates the Canaries of Flagger's documentation
// (docs/gitbook of the flagger module) against the embedded schema. Blocks
// that show part of a Canary (without a name, or without one of the fields
// the CRD requires: targetRef, service and analysis; the FAQ's snippets)
// are passed over; every whole one must be accepted.
func TestFlaggerDocExamples(t *testing.T) {
	m, err := moduleDir("github.com/fluxcd/flagger")
	if err != nil {
		t.Skip(err)
	}
	tmp := t.TempDir()
	var paths []string
	err = filepath.WalkDir(filepath.Join(m.Dir, "docs", "gitbook"), func(page string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(page, ".md") {
			return err
		}
		data, err := os.ReadFile(page)
		if err != nil {
			return err
		}
		for i, b := range markdownBlock.FindAllSubmatch(data, -1) {
			for j, doc := range strings.Split(string(b[1]), "\n---\n") {
				if !strings.Contains(doc, "apiVersion: flagger.app/") || !strings.Contains(doc, "kind: Canary") ||
					!strings.Contains(doc, "  name: ") || !strings.Contains(doc, "targetRef:") ||
					!strings.Contains(doc, "service:") || !strings.Contains(doc, "analysis:") {
					continue
				}
				p := filepath.Join(tmp, fmt.Sprintf("%s_%d_%d.yaml", strings.TrimSuffix(filepath.Base(page), ".md"), i, j))
				if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
					return err
				}
				paths = append(paths, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, got := validateFiles(t, tmp, paths, false)
	if n < 20 {
		t.Errorf("only %d example Canaries found", n)
	}
	for _, g := range got {
		t.Error(g)
	}
}

// argoExamples is a copy of the YAML examples of Argo Rollouts v1.10.2
// (testdata/argo-rollouts-v1.10.2/README.md names the source).
const argoExamples = "testdata/argo-rollouts-v1.10.2/examples"

// TestArgoRolloutsExamples validates the objects of Argo Rollouts'
// examples, written by its authors, against the embedded schemas: the
// Rollouts, AnalysisTemplates, ClusterAnalysisTemplates and Experiments, and
// the Kubernetes objects beside them, must all be accepted, but for the one
// mistake listed here: an unquoted {{...}} placeholder, which YAML reads as
// a mapping where the API server wants a string.
func TestArgoRolloutsExamples(t *testing.T) {
	dir := filepath.FromSlash(argoExamples)
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{dir}, manifest.Options{})
	count := map[kinds.Kind]int{}
	for _, o := range res.Objects {
		if o.Group == kinds.GroupArgo {
			count[o.Kind]++
		}
	}
	want := map[kinds.Kind]int{kinds.Rollout: 21, "AnalysisTemplate": 6, "ClusterAnalysisTemplate": 1, kinds.Experiment: 1}
	if !maps.Equal(count, want) {
		t.Errorf("the examples hold %v objects of %s, want %v", count, kinds.GroupArgo, want)
	}
	_, got := validateFiles(t, dir, paths, false)
	mistakes := []string{
		`traffic-management/rollout-linkerd.yaml:101: spec.metrics[0].provider.job.spec.template.metadata.annotations["linkerd.io/inject"]: expected string, got mapping`,
	}
	if strings.Join(got, "\n") != strings.Join(mistakes, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(mistakes, "\n"))
	}
}

package manifest

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// This file proves that meshlint never lets kustomize reach the network or
// run a program: every build below runs the real kustomize (runKustomize is
// left alone), with an HTTP transport that records each request and fails,
// and with fake git, helm and kustomize programs first in PATH that record
// their run and exit 1. A case passes only if meshlint refused the entry at
// its file:line:col and neither was reached: the test detects an attempted
// fetch or clone, it does not rely on the network being absent.

// fetchRecorder is an http.RoundTripper that records the URLs kustomize
// asks for and fails every request.
type fetchRecorder struct {
	mu   sync.Mutex
	urls []string
}

func (f *fetchRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.urls = append(f.urls, r.URL.String())
	return nil, errors.New("meshlint test: network access attempted")
}

func (f *fetchRecorder) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.urls...)
}

// kOffline installs the recorder as the transport of every http.Client
// without one (kustomize's file loader makes a bare &http.Client{},
// api/internal/loader/fileloader.go, httpClientGetContent), and fake
// programs first in PATH (kustomize finds git with exec.LookPath,
// api/internal/git/gitrunner.go). It returns the recorder and the file the
// programs write to when they run.
func kOffline(t *testing.T) (rec *fetchRecorder, ran string) {
	t.Helper()
	rec = &fetchRecorder{}
	savedDefault, savedClient := http.DefaultTransport, http.DefaultClient.Transport
	http.DefaultTransport, http.DefaultClient.Transport = rec, rec
	t.Cleanup(func() { http.DefaultTransport, http.DefaultClient.Transport = savedDefault, savedClient })

	bin := t.TempDir()
	ran = filepath.Join(t.TempDir(), "ran")
	for _, p := range []string{"git", "helm", "helmV3", "kustomize", "docker", "podman"} {
		script := fmt.Sprintf("#!/bin/sh\necho %s \"$@\" >> '%s'\nexit 1\n", p, ran)
		if err := os.WriteFile(filepath.Join(bin, p), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return rec, ran
}

// kNothingReached fails the test if kustomize fetched or ran anything.
func kNothingReached(t *testing.T, rec *fetchRecorder, ran string) {
	t.Helper()
	if urls := rec.seen(); len(urls) > 0 {
		t.Errorf("kustomize tried to fetch %q", urls)
	}
	if b, err := os.ReadFile(ran); err == nil {
		t.Errorf("kustomize ran a program: %s", b)
	}
}

// The remote references of each kind kustomize accepts: files it fetches
// over HTTP (loader.IsRemoteFile: a URL whose scheme, in any case, is http
// or https) and repositories it clones with git (git.NewRepoSpecFromURL:
// http(s)://, ssh://, file://, a git:: prefix, github.com, user@host:path).
var kRemotes = []struct{ name, url string }{
	{"https", "https://example.com/org/repo/p.yaml"},
	{"http", "http://example.com/org/repo/p.yaml"},
	{"HTTPS upper case", "HTTPS://EXAMPLE.COM/org/repo/p.yaml"},
	{"https without slashes", "https:/example.com/org/repo/p.yaml"},
	{"git::", "git::https://example.com/org/repo//dir?ref=v1"},
	{"github.com", "github.com/org/repo//dir?ref=v1"},
	{"GitHub.com", "GitHub.com/org/repo/dir"},
	{"ssh", "ssh://git@example.com/org/repo.git//dir"},
	{"scp-like", "git@example.com:org/repo.git//dir"},
	{"scp-like user", "deploy@example.com:org/repo//dir?ref=main"},
	{"file", "file:///srv/git/repo.git//dir"},
}

// kOfflineCase is one kustomization layout; @URL@ in its files stands for the
// remote reference. The refusal must be at the scalar holding @URL@ in file at,
// saying want.
type kOfflineCase struct {
	name  string
	files map[string]string
	at    string
	want  string
	// key, when set, is the key the refusal is at: the field refused
	// whatever its value.
	key string
	// keyed is set for a generator's files, where key=path splits at
	// "=": a reference with "=" in it is a key and a local path to
	// kustomize (generators.ParseFileSource), nothing it fetches.
	keyed bool
}

const kRemoteRefused = `remote [a-zA-Z ]+ ".*" is not supported: meshlint builds kustomizations offline`

func kOfflineCases() []kOfflineCase {
	k := "k/kustomization.yaml"
	kust := func(name, body string, more ...string) kOfflineCase {
		files := map[string]string{k: body}
		for i := 0; i+1 < len(more); i += 2 {
			files[more[i]] = more[i+1]
		}
		return kOfflineCase{name: name, files: files, at: k, want: kRemoteRefused}
	}
	in := func(c kOfflineCase, file string) kOfflineCase { c.at = file; return c }
	patchTransformer := "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: p\n%s: @URL@\ntarget:\n  kind: VirtualService\n"
	cases := []kOfflineCase{}
	// Fields of types.Kustomization that name a file, a directory or a
	// URL, in the case written in kustomize's JSON tags and in others
	// encoding/json folds onto them (bytes.EqualFold: ſ is s).
	for _, f := range []string{"resources", "Resources", "RESOURCES", "reſources", "bases", "Bases", "components", "Components",
		"crds", "CRDs", "configurations", "Configurations", "patchesStrategicMerge", "PatchesStrategicMerge",
		"generators", "Generators", "transformers", "TRANSFORMERS", "validators", "Validators"} {
		cases = append(cases, kust(f, "resources:\n- vs.yaml\n"+f+":\n- @URL@\n"))
	}
	for _, f := range []string{"patches", "Patches", "PATCHES"} {
		for _, p := range []string{"path", "Path", "PATH"} {
			cases = append(cases, kust(f+"/"+p, "resources:\n- vs.yaml\n"+f+":\n- "+p+": @URL@\n  target:\n    kind: VirtualService\n"))
		}
	}
	for _, f := range []string{"patchesJson6902", "PatchesJSON6902"} {
		for _, p := range []string{"path", "Path"} {
			cases = append(cases, kust(f+"/"+p, "resources:\n- vs.yaml\n"+f+":\n- target:\n    kind: VirtualService\n    name: reviews\n  "+p+": @URL@\n"))
		}
	}
	for _, f := range []string{"replacements", "Replacements"} {
		for _, p := range []string{"path", "pATh"} {
			cases = append(cases, kust(f+"/"+p, "resources:\n- vs.yaml\n"+f+":\n- "+p+": @URL@\n"))
		}
	}
	for _, f := range []string{"openapi", "OpenAPI"} {
		cases = append(cases, kust(f+"/path", "resources:\n- vs.yaml\n"+f+":\n  path: @URL@\n"))
	}
	for _, g := range []string{"configMapGenerator", "ConfigMapGenerator", "secretGenerator", "SECRETGENERATOR"} {
		for _, f := range []string{"files", "Files", "envs", "ENVS"} {
			cases = append(cases, kust(g+"/"+f, "resources:\n- vs.yaml\n"+g+":\n- name: c\n  "+f+":\n  - @URL@\n"))
		}
		for _, f := range []string{"env", "Env"} {
			cases = append(cases, kust(g+"/"+f, "resources:\n- vs.yaml\n"+g+":\n- name: c\n  "+f+": @URL@\n"))
		}
		cases = append(cases, kust(g+"/files key=", "resources:\n- vs.yaml\n"+g+":\n- name: c\n  files:\n  - key=@URL@\n"))
	}
	cases = append(cases,
		kust("patches merged from an anchor", "resources:\n- vs.yaml\npatches:\n- <<:\n    path: @URL@\n  target:\n    kind: VirtualService\n"),
		in(kust("base of a base", "resources:\n- ../base\n", "base/kustomization.yaml", "resources:\n- vs.yaml\n- @URL@\n"), "base/kustomization.yaml"),
		in(kust("patch of a component", "resources:\n- vs.yaml\ncomponents:\n- ../comp\n",
			"comp/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: @URL@\n"), "comp/kustomization.yaml"),
		// A generator that is not a configuration is a path, even on
		// two lines (configureExternalGenerators: NewResMapFromBytes
		// fails, then accumulateResources, then loader.New).
		kust("generator path with a newline", "resources:\n- vs.yaml\ngenerators:\n- \"@URL@\\n\"\n"),
		kust("transformer path with a newline", "resources:\n- vs.yaml\ntransformers:\n- |\n  @URL@\n"),
	)
	// Builtin plugin configurations name files that the plugin loads with
	// the kustomization's loader, which fetches http(s) URLs: inline, in
	// a file, and in the resources of a directory used as a plugin entry.
	plugins := map[string]string{
		"PatchTransformer path":                    fmt.Sprintf(patchTransformer, "path"),
		"PatchTransformer Path":                    fmt.Sprintf(patchTransformer, "Path"),
		"PatchJson6902Transformer path":            "apiVersion: builtin\nkind: PatchJson6902Transformer\nmetadata:\n  name: p\ntarget:\n  kind: VirtualService\n  name: reviews\npath: @URL@\n",
		"PatchStrategicMergeTransformer paths":     "apiVersion: builtin\nkind: PatchStrategicMergeTransformer\nmetadata:\n  name: p\npaths:\n- @URL@\n",
		"PatchStrategicMergeTransformer Paths":     "apiVersion: builtin\nkind: PatchStrategicMergeTransformer\nmetadata:\n  name: p\nPaths:\n- @URL@\n",
		"ReplacementTransformer path":              "apiVersion: builtin\nkind: ReplacementTransformer\nmetadata:\n  name: r\nreplacements:\n- path: @URL@\n",
		"ReplacementTransformer Replacements/PATH": "apiVersion: builtin\nkind: ReplacementTransformer\nmetadata:\n  name: r\nReplacements:\n- PATH: @URL@\n",
		"ConfigMapGenerator files":                 "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: c\nfiles:\n- @URL@\n",
		"ConfigMapGenerator Files key=":            "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: c\nFiles:\n- key=@URL@\n",
		"ConfigMapGenerator envs":                  "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: c\nenvs:\n- @URL@\n",
		"SecretGenerator env":                      "apiVersion: builtin\nkind: SecretGenerator\nmetadata:\n  name: s\nenv: @URL@\n",
		"SecretGenerator ENVS":                     "apiVersion: builtin\nkind: SecretGenerator\nmetadata:\n  name: s\nENVS:\n- @URL@\n",
		"ValueAddTransformer targetFilePath":       "apiVersion: builtin\nkind: ValueAddTransformer\nmetadata:\n  name: v\nvalue: x\ntargetFilePath: @URL@\n",
		"ValueAddTransformer TargetFilePath":       "apiVersion: builtin\nkind: ValueAddTransformer\nmetadata:\n  name: v\nvalue: x\nTargetFilePath: @URL@\n",
	}
	for name, cfg := range plugins {
		field := "transformers"
		if strings.Contains(name, "Generator") {
			field = "generators"
		}
		cases = append(cases,
			in(kust(name+" in a file", "resources:\n- vs.yaml\n"+field+":\n- plugin.yaml\n", "k/plugin.yaml", cfg), "k/plugin.yaml"),
			kust(name+" inline", "resources:\n- vs.yaml\n"+field+":\n- |\n"+indent(cfg, "  ")),
			in(kust(name+" in a plugin directory", "resources:\n- vs.yaml\n"+field+":\n- plugins\n",
				"k/plugins/kustomization.yaml", "resources:\n- plugin.yaml\n", "k/plugins/plugin.yaml", cfg), "k/plugins/plugin.yaml"),
		)
	}
	// Helm runs a program, and helm pulls charts: refused by field.
	for _, f := range []string{"helmCharts", "HelmCharts"} {
		c := kust(f, "resources:\n- vs.yaml\n"+f+":\n- name: istiod\n  repo: @URL@\n  valuesFile: @URL@\n")
		c.want, c.key = `helm chart inflation \(`+f+`\) is not supported: it runs helm`, f
		cases = append(cases, c)
	}
	c := kust("helmGlobals", "resources:\n- vs.yaml\nhelmGlobals:\n  chartHome: @URL@\n")
	c.want, c.key = `helm chart inflation \(helmGlobals\) is not supported`, "helmGlobals"
	cases = append(cases, c)
	c = kust("helmChartInflationGenerator", "resources:\n- vs.yaml\nhelmChartInflationGenerator:\n- chartName: x\n  chartRepoUrl: @URL@\n")
	c.want, c.key = `helm chart inflation \(helmChartInflationGenerator\) is not supported`, "helmChartInflationGenerator"
	cases = append(cases, c)
	c = in(kust("HelmChartInflationGenerator plugin", "resources:\n- vs.yaml\ngenerators:\n- helm.yaml\n",
		"k/helm.yaml", "apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata:\n  name: h\nchartName: x\nchartRepoUrl: @URL@\n"), "k/helm.yaml")
	c.want, c.key = `helm chart inflation \(HelmChartInflationGenerator\) is not supported`, "kind"
	cases = append(cases, c)
	for i := range cases {
		cases[i].keyed = strings.Contains(strings.ToLower(cases[i].name), "files")
	}
	return cases
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+by) + "\n"
}

// kExpectedAt returns where the refusal must be: the start of the scalar
// in file whose value holds url, or the key named key (the value of a
// plugin's kind).
func kExpectedAt(t *testing.T, dir, file, url, key string) (line, col int32) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	rn, err := yaml.Parse(string(data))
	if err != nil {
		t.Fatal(err)
	}
	var find func(n *yaml.Node) *yaml.Node
	find = func(n *yaml.Node) *yaml.Node {
		if key == "" && n.Kind == yaml.ScalarNode && strings.Contains(n.Value, url) {
			return n
		}
		for i, c := range n.Content {
			if key != "" && n.Kind == yaml.MappingNode && i%2 == 0 && c.Value == key {
				if key == "kind" {
					return n.Content[i+1] // a plugin is refused at its kind
				}
				return c
			}
			if f := find(c); f != nil {
				return f
			}
		}
		return nil
	}
	n := find(rn.YNode())
	if n == nil {
		t.Fatalf("%s: no scalar holds %s", file, url)
	}
	return int32(n.Line), int32(n.Column)
}

// TestKustomizeNeverFetches builds, with the real kustomize, every entry
// kind of a kustomization and of the builtin plugin configurations that
// names a file, a directory or a URL, with each kind of remote reference,
// and checks that meshlint refuses it at its place before kustomize
// fetches or runs anything.
func TestKustomizeNeverFetches(t *testing.T) {
	rec, ran := kOffline(t)
	for _, tc := range kOfflineCases() {
		for _, r := range kRemotes {
			t.Run(tc.name+"/"+r.name, func(t *testing.T) {
				files := map[string]string{"k/vs.yaml": kTestVS, "base/vs.yaml": kTestVS}
				for p, c := range tc.files {
					files[p] = strings.ReplaceAll(c, "@URL@", r.url)
				}
				dir := kWriteTree(t, files)
				line, col := kExpectedAt(t, dir, tc.at, r.url, tc.key)
				res := Load([]string{"k"}, Options{Dir: dir})
				kNothingReached(t, rec, ran)
				rec.urls = nil
				_ = os.Remove(ran)
				if tc.keyed && strings.Contains(r.url, "=") {
					return
				}
				if len(res.Objects) > 0 {
					t.Errorf("%d objects from a build that must be refused", len(res.Objects))
				}
				want := regexp.MustCompile(tc.want)
				for _, e := range res.Errors {
					if e.File == filepath.FromSlash(tc.at) && e.Line == line && e.Col == col && want.MatchString(e.Msg) {
						return
					}
				}
				t.Errorf("want an error at %s:%d:%d matching %q; got:\n%v", tc.at, line, col, tc.want, res.Errors)
			})
		}
	}
}

// TestKustomizePluginDirTransforms builds the one kind of path that no
// check of the files can see: a plugin directory whose own kustomization
// patches, or labels with fields of its own, turn a plugin's local path
// into a URL, known only once kustomize has built the directory (and
// fetched there, before meshlint refused it so). Such a directory is
// refused at the field; one that only names, labels and annotates its
// configurations builds.
func TestKustomizePluginDirTransforms(t *testing.T) {
	const plugin = "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: p\npath: p.yaml\ntarget:\n  kind: VirtualService\n"
	for _, tc := range []struct {
		name, dir, want string
	}{{
		name: "a patch",
		dir:  "resources:\n- plugin.yaml\npatches:\n- target:\n    kind: PatchTransformer\n  patch: '[{\"op\": \"replace\", \"path\": \"/path\", \"value\": \"https://example.com/p.yaml\"}]'\n",
		want: "k/plugins/kustomization.yaml:3:1: patches in k/plugins is not supported: kustomize builds the plugin configurations there",
	}, {
		name: "a replacement, in another case",
		dir:  "resources:\n- plugin.yaml\nReplacements:\n- source: {kind: PatchTransformer, fieldPath: metadata.name}\n  targets: [{select: {kind: PatchTransformer}, fieldPaths: [path]}]\n",
		want: "k/plugins/kustomization.yaml:3:1: Replacements in k/plugins is not supported",
	}, {
		name: "labels with fields of their own",
		dir:  "resources:\n- plugin.yaml\nlabels:\n- pairs: {x: \"https://example.com/p.yaml\"}\n  fields: [{path: path, kind: PatchTransformer}]\n",
		want: "k/plugins/kustomization.yaml:3:1: labels in k/plugins is not supported",
	}, {
		name: "names, labels and annotations only",
		dir:  "resources:\n- plugin.yaml\nnamePrefix: x-\ncommonLabels: {a: b}\nlabels:\n- pairs: {c: d}\ncommonAnnotations: {e: f}\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			rec, ran := kOffline(t)
			dir := kWriteTree(t, map[string]string{
				"k/kustomization.yaml":         "resources:\n- vs.yaml\ntransformers:\n- plugins\n",
				"k/vs.yaml":                    kTestVS,
				"k/p.yaml":                     "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\nspec:\n  hosts: [ratings]\n",
				"k/plugins/kustomization.yaml": tc.dir,
				"k/plugins/plugin.yaml":        plugin,
			})
			res := Load([]string{"k"}, Options{Dir: dir})
			kNothingReached(t, rec, ran)
			if tc.want == "" {
				if len(res.Errors) > 0 || len(res.Objects) != 1 {
					t.Fatalf("%d objects, errors %v; want the patched VirtualService", len(res.Objects), res.Errors)
				}
				return
			}
			if len(res.Objects) > 0 || len(res.Errors) != 1 || !strings.HasPrefix(res.Errors[0].Error(), tc.want) {
				t.Fatalf("%d objects, errors %v; want only %q...", len(res.Objects), res.Errors, tc.want)
			}
		})
	}
}

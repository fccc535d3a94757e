package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// repoDir returns a folder of the repository, from internal/cli.
func repoDir(t *testing.T, rel string) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var cacheStats = regexp.MustCompile(`meshlint: cache: (\d+) files unchanged \((\d+) known by their stat data\), (\d+) read`)

// cachedRun lints dir with the cache in cacheDir and returns the result
// and the number of files taken from the cache and read.
func cachedRun(t *testing.T, dir, cacheDir string, args ...string) (r result, hits, misses string) {
	r, hits, _, misses = statRun(t, dir, cacheDir, args...)
	return r, hits, misses
}

// statRun is cachedRun that also returns the number of files the cache
// knew by their stat data, without reading them.
func statRun(t *testing.T, dir, cacheDir string, args ...string) (r result, hits, unread, misses string) {
	t.Helper()
	r = run(t, dir, "", append([]string{"--cache-dir", cacheDir, "-v"}, args...)...)
	m := cacheStats.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no cache statistics in stderr:\n%s", r.stderr)
	}
	return r, m[1], m[2], m[3]
}

// TestCacheSameOutput checks that a run from a warm cache reports exactly
// what a run without it reports, on trees that draw findings of every
// kind, fixes and suppressions included.
func TestCacheSameOutput(t *testing.T) {
	for _, tree := range []string{"examples", "fixtures/realworld/bookinfo", "fixtures/realworld/platform", "fixtures/rules", "fixtures/reach"} {
		t.Run(tree, func(t *testing.T) {
			dir := repoDir(t, tree)
			cacheDir := t.TempDir()
			for _, format := range []string{"json", "sarif"} {
				plain := run(t, dir, "", "--format", format, ".")
				cold, _, _ := cachedRun(t, dir, cacheDir, "--format", format, ".")
				warm, hits, misses := cachedRun(t, dir, cacheDir, "--format", format, ".")
				if misses != "0" || hits == "0" {
					t.Errorf("warm run: %s files from the cache, %s read; want all from the cache", hits, misses)
				}
				// The tree has not changed since: the warm run took its
				// findings from the record of the cold one, unless a file
				// was edited just before (not known by its stat data).
				if settled(t, dir) && !strings.Contains(warm.stderr, "findings are reported again") {
					t.Errorf("warm run: the record of the cold run was not reused:\n%s", warm.stderr)
				}
				for name, r := range map[string]result{"cold": cold, "warm": warm} {
					if r.code != plain.code || r.stdout != plain.stdout {
						t.Errorf("%s cache, --format %s: exit %d and output differ from the run without cache (exit %d)", name, format, r.code, plain.code)
					}
				}
			}
		})
	}
}

// TestCacheChangedFile edits one file of a cached tree: only that file is
// read again, and the findings are those of the edited tree.
func TestCacheChangedFile(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	copyDir(t, repoDir(t, "examples/shop"), dir)
	cachedRun(t, dir, cacheDir, ".")
	file := filepath.Join(dir, "reviews.yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "weight: 20", "weight: 10", 1)
	if edited == string(b) {
		t.Fatal("reviews.yaml has no weight: 20 to edit")
	}
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	got, hits, misses := cachedRun(t, dir, cacheDir, "--format", "json", ".")
	if misses != "1" {
		t.Errorf("after editing one file: %s files from the cache, %s read; want 1 read", hits, misses)
	}
	want := run(t, dir, "", "--format", "json", ".")
	if got.stdout != want.stdout || got.code != want.code {
		t.Errorf("findings after the edit differ from a run without cache:\n%s\nwant:\n%s", got.stdout, want.stdout)
	}
	// That run rewrote only the edited file's shard; the cache it left is
	// whole.
	again, _, misses := cachedRun(t, dir, cacheDir, "--format", "json", ".")
	if misses != "0" || again.stdout != want.stdout {
		t.Errorf("the run after the edit: %s files read, output equal: %v", misses, again.stdout == want.stdout)
	}
}

// TestCacheNotTrusted damages the cache file and the run record in
// several ways, and runs with other settings: each time the cache is
// ignored, with a warning for damage, and the output is that of a run
// without it. A damaged record alone leaves the cache file in use.
func TestCacheNotTrusted(t *testing.T) {
	dir := repoDir(t, "examples")
	want := run(t, dir, "", "--format", "json", ".")
	for _, c := range []struct {
		name    string
		damage  func(b []byte) []byte
		pattern string // the files damaged, in the cache folder
		args    []string
		warn    string
	}{
		{name: "flipped byte", damage: func(b []byte) []byte { b[len(b)/2] ^= 0x55; return b }, warn: "checksum mismatch"},
		{name: "truncated", damage: func(b []byte) []byte { return b[:len(b)-100] }, warn: "truncated"},
		{name: "not a cache", damage: func([]byte) []byte { return []byte("hello\n") }, warn: "not a meshlint cache file"},
		{name: "empty", damage: func([]byte) []byte { return nil }, warn: "not a meshlint cache file"},
		{name: "other settings", args: []string{"--namespace", "other"}, warn: "with other settings"},
		{name: "record flipped byte", pattern: "*.run", damage: func(b []byte) []byte { b[len(b)/2] ^= 0x55; return b }, warn: "checksum mismatch"},
		{name: "record not a record", pattern: "*.run", damage: func([]byte) []byte { return []byte("hello\n") }, warn: "not a meshlint run record"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cacheDir := t.TempDir()
			cachedRun(t, dir, cacheDir, ".")
			if c.pattern == "" {
				c.pattern = "*.cache*" // the cache file and the record
			}
			files, _ := filepath.Glob(filepath.Join(cacheDir, c.pattern))
			if len(files) == 0 {
				t.Fatalf("no file %s in the cache folder", c.pattern)
			}
			for _, file := range files {
				if c.damage == nil {
					break
				}
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, c.damage(b), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, hits, _ := cachedRun(t, dir, cacheDir, append(c.args, "--format", "json", ".")...)
			if strings.Contains(got.stderr, "findings are reported again") {
				t.Errorf("the run reused a damaged record or one made with other settings")
			}
			if record := c.pattern == "*.run"; record != (hits != "0") {
				t.Errorf("%s files came from the cache file, with damage to %s", hits, c.pattern)
			}
			// A cache made with other settings (or by another version:
			// every upgrade) is no damage: said under -v, not warned of.
			stale := c.damage == nil
			if said := strings.Contains(got.stderr, "cache ignored"); said == stale || !strings.Contains(got.stderr, c.warn) {
				t.Errorf("stale %v: no warning, or one too many, naming %q:\n%s", stale, c.warn, got.stderr)
			}
			if stale && !strings.Contains(got.stderr, "cache: started afresh") {
				t.Errorf("-v does not say the cache was started afresh:\n%s", got.stderr)
			}
			if c.args == nil && (got.stdout != want.stdout || got.code != want.code) {
				t.Errorf("output from an ignored cache differs from a run without it")
			}
			// The run replaced the bad cache with a good one.
			if _, hits, _ := cachedRun(t, dir, cacheDir, append(c.args, ".")...); hits == "0" {
				t.Errorf("the next run did not use the rewritten cache")
			}
		})
	}
}

// TestCacheKubernetesVersion changes kubernetes.version in the
// configuration file between two runs over the same files: it changes
// what MR027 refuses and which NetworkPolicies the graph keeps, so the
// cache, whose key holds the mesh settings, starts afresh, and the output
// is that of a run without it. The file's path stays the same, which is
// part of the key too.
func TestCacheKubernetesVersion(t *testing.T) {
	dir, cacheDir := repoDir(t, "examples"), t.TempDir()
	cfg := filepath.Join(t.TempDir(), ".meshlint.yaml")
	setVersion := func(v string) {
		t.Helper()
		if err := os.WriteFile(cfg, []byte("kubernetes:\n  version: \""+v+"\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	setVersion("1.37")
	cachedRun(t, dir, cacheDir, "--config", cfg, ".")
	if _, hits, _ := cachedRun(t, dir, cacheDir, "--config", cfg, "."); hits == "0" {
		t.Fatal("the second run with the same settings did not use the cache")
	}
	setVersion("1.35")
	got, hits, _ := cachedRun(t, dir, cacheDir, "--config", cfg, "--format", "json", ".")
	if hits != "0" || !strings.Contains(got.stderr, "cache: started afresh") {
		t.Errorf("after kubernetes.version changed: %s files from the cache, want the cache started afresh:\n%s", hits, got.stderr)
	}
	if want := run(t, dir, "", "--config", cfg, "--format", "json", "."); got.stdout != want.stdout || got.code != want.code {
		t.Errorf("output after kubernetes.version changed differs from a run without the cache")
	}
}

// TestCacheStatIndex checks that the cache knows a file that has not
// changed by its stat data, without reading it, once the file has
// settled; and that an edit is still seen when it keeps the file's size
// and modification time.
func TestCacheStatIndex(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	copyDir(t, repoDir(t, "examples/shop"), dir)
	cachedRun(t, dir, cacheDir, ".")
	// The files were written just before that run: an edit in the same
	// timestamp tick would not show in their stat data, so they are read.
	if _, hits, unread, _ := statRun(t, dir, cacheDir, "."); unread != "0" || hits == "0" {
		t.Fatalf("files written just before the cached run: %s known by stat data of %s unchanged; want 0", unread, hits)
	}
	time.Sleep(2100 * time.Millisecond)
	statRun(t, dir, cacheDir, ".") // records them settled
	want := run(t, dir, "", "--format", "json", ".")
	got, hits, unread, misses := statRun(t, dir, cacheDir, "--format", "json", ".")
	if unread != hits || misses != "0" || got.stdout != want.stdout || got.code != want.code {
		t.Fatalf("settled files: %s of %s unchanged known by stat data, %s read, output equal: %v", unread, hits, misses, got.stdout == want.stdout)
	}

	file := filepath.Join(dir, "reviews.yaml")
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "weight: 20", "weight: 10", 1)
	if edited == string(b) || len(edited) != len(b) {
		t.Fatal("reviews.yaml has no weight: 20 to edit")
	}
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" {
		// Only the inode change time, which no one can set, shows the edit.
		if err := os.Chtimes(file, info.ModTime(), info.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
	want = run(t, dir, "", "--format", "json", ".")
	got, _, _, misses = statRun(t, dir, cacheDir, "--format", "json", ".")
	if misses != "1" || got.stdout != want.stdout || got.code != want.code {
		t.Errorf("after an edit that kept size and modification time: %s files read, want 1; output equal: %v", misses, got.stdout == want.stdout)
	}
}

// TestCacheRunRecord checks when a run takes its whole result from the
// record of the last one: only when no directory it walked and no file it
// read has changed by their stat data. A file added, deleted or edited,
// a file named alone (its kustomization is not watched) and another set
// of rules each make the run read the input again, and its output is
// always that of a run without the cache.
func TestCacheRunRecord(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	copyDir(t, repoDir(t, "examples/shop"), dir)
	if err := os.Mkdir(filepath.Join(dir, "more"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Files changed just before a run are not known by their stat data.
	time.Sleep(2100 * time.Millisecond)
	const reused = "findings are reported again"
	check := func(step string, wantReuse bool, args ...string) string {
		t.Helper()
		args = append([]string{"--format", "json"}, args...)
		got, _, _ := cachedRun(t, dir, cacheDir, args...)
		want := run(t, dir, "", args...)
		if got.stdout != want.stdout || got.code != want.code {
			t.Fatalf("%s: output differs from a run without the cache (exit %d, want %d):\n%s", step, got.code, want.code, firstDifference(got.stdout, want.stdout))
		}
		if r := strings.Contains(got.stderr, reused); r != wantReuse {
			t.Fatalf("%s: reused the last run: %v, want %v\n%s", step, r, wantReuse, got.stderr)
		}
		return got.stderr
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check("first run", false, ".")
	check("nothing changed", true, ".")
	check("nothing changed, a graph rule disabled", false, "--disable", "MR101", ".")
	check("back to every rule", false, ".")
	check("nothing changed again", true, ".")

	// Files touched, their bytes the same (git checkout, a save without a
	// change): read again, and the last run still reported.
	reviews := filepath.Join(dir, "reviews.yaml")
	now := time.Now()
	if err := os.Chtimes(reviews, now, now); err != nil {
		t.Fatal(err)
	}
	check("a file touched", true, ".")
	if _, hits, unread, _ := statRun(t, dir, cacheDir, "."); hits == unread {
		t.Fatalf("a file touched just now: all %s files known by their stat data", hits)
	}
	// Once it has settled, the record holds its new stat data.
	old := now.Add(-time.Hour)
	if err := os.Chtimes(reviews, old, old); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // its ctime settles
	check("the touched file settled", true, ".")
	if _, hits, unread, _ := statRun(t, dir, cacheDir, "."); hits != unread {
		t.Fatalf("after the touched file settled: %s files known by their stat data, want all %s", unread, hits)
	}

	// A new file in a subfolder: only the folder's stat data show it.
	write("more/canary.yaml", `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: canary
  namespace: shop
spec:
  hosts: [canary]
  http:
  - route:
    - destination: {host: canary, subset: v1}
      weight: 60
    - destination: {host: canary, subset: v2}
      weight: 50
`)
	check("a file added", false, ".")
	time.Sleep(2100 * time.Millisecond)
	// The folder changed, and since: its entries are the same.
	check("the added file settled", true, ".")
	check("nothing changed since", true, ".")
	if err := os.Remove(filepath.Join(dir, "more", "canary.yaml")); err != nil {
		t.Fatal(err)
	}
	check("a file deleted", false, ".")
	time.Sleep(2100 * time.Millisecond)
	check("the deletion settled", true, ".")
	check("nothing changed since the deletion", true, ".")
	b, err := os.ReadFile(filepath.Join(dir, "reviews.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Route weights: the rules that read them run again on the file's
	// namespace, and the rest is kept.
	write("reviews.yaml", strings.Replace(string(b), "weight: 20", "weight: 30", 1))
	if says := check("a weight edited", true, "."); !strings.Contains(says, "the rules that read weights (MR101, MR102, MR608) ran again on 1 partition") {
		t.Errorf("a weight edited: want the weight readers run again on the namespace\n%s", says)
	}
	if r, _, _ := cachedRun(t, dir, cacheDir, "-v", "."); !strings.Contains(r.stderr, "nothing changed since the last run") {
		t.Errorf("the run after: want the last run reused\n%s", r.stderr)
	}
	b, err = os.ReadFile(filepath.Join(dir, "reviews.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write("reviews.yaml", strings.Replace(string(b), "weight: 30", "weight: 30 # meshlint:disable MR101", 1))
	check("a suppression after a weight", false, ".")
	write("reviews.yaml", strings.Replace(string(b), "containerPort: 9080", "containerPort: 9081", 1))
	check("a file edited", false, ".")

	// A new image tag, saved as sed -i and many editors save, by renaming
	// a new file over the old: the folder changes, not its entries, and
	// the graph rules read nothing of an image that is no proxy's or
	// Flagger's. The local rules read the file again; the rest is kept.
	replace := func(from, to string) {
		t.Helper()
		b, err := os.ReadFile(reviews)
		if err != nil || !bytes.Contains(b, []byte(from)) {
			t.Fatalf("reviews.yaml holds no %q (%v)", from, err)
		}
		tmp := filepath.Join(dir, ".reviews.yaml.tmp")
		if err := os.WriteFile(tmp, bytes.Replace(b, []byte(from), []byte(to), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, reviews); err != nil {
			t.Fatal(err)
		}
	}
	replace("image: example/reviews:1.20-v1", "image: example/reviews:1.21.3-v1")
	check("an image edited, the file replaced", true, ".")
	if r, _, _ := cachedRun(t, dir, cacheDir, "-v", "."); !strings.Contains(r.stderr, "nothing changed since the last run") {
		t.Errorf("the run after: want the last run reused\n%s", r.stderr)
	}
	replace("image: example/reviews:1.21.3-v1", "image: example/reviews:1.21.3-v1 # meshlint:disable MR104")
	check("a suppression after an image", false, ".")
	replace("image: example/reviews:1.21.3-v1 # meshlint:disable MR104", "image: ghcr.io/fluxcd/flagger:1.36.1")
	check("Flagger's image", false, ".")
	check("a file named alone", false, "reviews.yaml")
	check("a file named alone, again", false, "reviews.yaml")
}

// TestCacheReleaseLabels checks the release labels of pods (Helm's
// helm.sh/chart and app.kubernetes.io/version of a pod template): an edit
// of their values keeps the last run's graph findings while no file
// names them elsewhere, and does not once a NetworkPolicy selects by one.
func TestCacheReleaseLabels(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	web := filepath.Join(dir, "web.yaml")
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	release := func(from, to string) {
		t.Helper()
		b, err := os.ReadFile(web)
		if err != nil || bytes.Count(b, []byte(from)) != 2 {
			t.Fatalf("web.yaml holds %q not twice (%v)", from, err)
		}
		write("web.yaml", strings.ReplaceAll(string(b), from, to))
	}
	check := func(step string, wantReuse bool) {
		t.Helper()
		got, _, _ := cachedRun(t, dir, cacheDir, "--format", "json", ".")
		want := run(t, dir, "", "--format", "json", ".")
		if got.stdout != want.stdout || got.code != want.code {
			t.Fatalf("%s: output differs from a run without the cache (exit %d, want %d):\n%s", step, got.code, want.code, firstDifference(got.stdout, want.stdout))
		}
		if r := strings.Contains(got.stderr, "changed only in values"); r != wantReuse {
			t.Fatalf("%s: kept the last run's graph findings: %v, want %v\n%s", step, r, wantReuse, got.stderr)
		}
	}
	write("web.yaml", releaseWeb)
	time.Sleep(2100 * time.Millisecond) // settled: known by the stat data
	check("first run", false)
	release("web-2.0.0", "web-2.1.0")
	check("a chart released", true)
	// A policy that selects by the label: the graph reads its values.
	write("np.yaml", strings.ReplaceAll(releasePolicy, "CHART", "web-2.1.0"))
	check("a policy added", false)
	time.Sleep(2100 * time.Millisecond)
	release("web-2.1.0", "web-2.2.0")
	check("a chart released under the policy", false)
}

// releaseWeb is a workload of a Helm chart, labelled with its release;
// releasePolicy a NetworkPolicy selecting the pods of the release CHART.
const (
	releaseWeb = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
    helm.sh/chart: web-2.0.0
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        helm.sh/chart: web-2.0.0
        app.kubernetes.io/version: "2.0"
    spec:
      containers:
      - name: web
        image: example/web:2.0
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
`
	releasePolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-release
  namespace: shop
spec:
  podSelector:
    matchLabels:
      helm.sh/chart: CHART
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {}
`
)

// settled reports whether nothing in the tree dir changed in the last
// five seconds: the cache knows such files by their stat data.
func settled(t *testing.T, dir string) bool {
	t.Helper()
	recent := time.Now().Add(-5 * time.Second)
	ok := true
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		ok = ok && info.ModTime().Before(recent)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestCacheWriteFailsOnce checks that a cache folder that cannot be made is
// a warning, each said once and with its prefix, and not a failed run.
func TestCacheWriteFailsOnce(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, repoDir(t, "examples/shop"), dir)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "--cache-dir", filepath.Join(file, "cache"), "--format", "json", ".")
	want := run(t, dir, "", "--format", "json", ".")
	if r.code != want.code || r.stdout != want.stdout {
		t.Errorf("exit %d, want %d; output differs from a run without the cache", r.code, want.code)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.HasPrefix(line, "meshlint: warning: ") || seen[line] {
			t.Errorf("stderr line %q: want each warning once, prefixed\n%s", line, r.stderr)
		}
		seen[line] = true
	}
	if !strings.Contains(r.stderr, "writing the cache") {
		t.Errorf("no warning about writing the cache:\n%s", r.stderr)
	}
}

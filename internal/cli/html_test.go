package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHTMLCache checks that a run from a warm cache draws the mesh as a
// run without the cache does: the record of the last run holds findings,
// not the graph, so an HTML run must not take the record's shortcuts.
func TestHTMLCache(t *testing.T) {
	dir := repoDir(t, "examples")
	plain := run(t, dir, "", "--format", "html", ".")
	if !strings.Contains(plain.stdout, `<g class="node`) {
		t.Fatalf("the page of examples/ draws no node:\n%s", plain.stdout)
	}
	cacheDir := t.TempDir()
	cachedRun(t, dir, cacheDir, "--format", "json", ".")
	warm, _, _ := cachedRun(t, dir, cacheDir, "--format", "json", ".")
	if settled(t, dir) && !strings.Contains(warm.stderr, "findings are reported again") {
		t.Fatalf("the json run did not reuse the record, so this test checks nothing:\n%s", warm.stderr)
	}
	for _, name := range []string{"first", "second"} {
		html, hits, _ := cachedRun(t, dir, cacheDir, "--format", "html", ".")
		if hits == "0" {
			t.Errorf("%s html run: no file taken from the cache", name)
		}
		if html.code != plain.code || html.stdout != plain.stdout {
			t.Errorf("%s html run from the cache: exit %d, and the page differs from the run without cache (exit %d):\n%s",
				name, html.code, plain.code, html.stdout)
		}
	}
}

// TestHTMLInputs checks the page for standard input and for input that
// cannot be read: both are listed, and the rest is still drawn.
func TestHTMLInputs(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoDir(t, "examples"), "shop", "ratings.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, t.TempDir(), string(src), "--format", "html", "-")
	for _, want := range []string{`&lt;stdin&gt;:44:17`, `data-label="shop/ratings"`, `MR103`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdin: the page has no %s", want)
		}
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ratings.yaml"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("apiVersion: v1\nkind: Service\nmetadata: name: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report.html")
	r = run(t, dir, "", "--output", "report.html", ".")
	if r.code != ExitError {
		t.Errorf("exit %d with an unreadable file, want %d", r.code, ExitError)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("--output report.html: %v", err)
	}
	for _, want := range []string{`id="input-errors"`, `broken.yaml:3:`, `data-label="shop/ratings"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("broken input: the page has no %s", want)
		}
	}
}

// TestHTMLHashInChromium checks that a hash that is not valid
// percent-encoding, as a user types it (#q=100%), does not stop the
// page's script: the filters are still set up and applied.
func TestHTMLHashInChromium(t *testing.T) {
	bin := ""
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no Chromium found")
	}
	tmp := t.TempDir()
	page := filepath.Join(tmp, "report.html")
	if r := run(t, repoDir(t, "examples"), "", "--format", "html", "--output", page, "."); r.code != ExitFindings {
		t.Fatalf("meshlint examples/: exit %d, want %d\n%s", r.code, ExitFindings, r.stderr)
	}
	for hash, shown := range map[string]string{"#q=100%": "0 of 12 findings shown", "#rule=MR103&q=%E0%A4%A": "0 of 12 findings shown", "#ns=shop&q=MR1%30": "5 of 12 findings shown"} {
		dom, _ := chromium(t, bin, tmp, "--dump-dom", "file://"+filepath.ToSlash(page)+hash)
		if m := regexp.MustCompile(`data-error="[^"]*"`).FindString(dom); m != "" {
			t.Errorf("%s: the page's script failed: %s", hash, m)
		}
		if !strings.Contains(dom, `data-ready="1"`) || !strings.Contains(dom, shown) {
			t.Errorf("%s: the page is not ready or does not say %q", hash, shown)
		}
	}
}

package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromiumNames are the names Chromium goes by: Debian's package, other
// distributions', Google's build.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}

// consoleLine is how Chromium logs a console message (any level, an
// uncaught exception and a Content Security Policy violation included)
// with --enable-logging=stderr: `[…:INFO:CONSOLE:12] "message", source: …`
// (older versions: CONSOLE(12)).
var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)

// TestHTMLInChromium opens the HTML report of examples/ in headless
// Chromium: the page must run its script without any console message (it
// logs nothing, so any message is an error, a blocked load or a CSP
// violation), show every finding and the mesh drawing, apply a filter
// given in its URL, and render; the screenshot goes to
// MESHLINT_SCREENSHOT_DIR when set. Without Chromium the test is skipped,
// unless MESHLINT_REQUIRE_CHROMIUM=1 (.ci/run sets it, and installs
// Debian's chromium package).
func TestHTMLInChromium(t *testing.T) {
	bin := chromiumBin(t)
	tmp := t.TempDir()
	page := filepath.Join(tmp, "report.html")
	r := run(t, repoDir(t, "examples"), "", "--format", "html", "--output", page, ".")
	if r.code != ExitFindings {
		t.Fatalf("meshlint examples/: exit %d, want %d\n%s", r.code, ExitFindings, r.stderr)
	}
	url := "file://" + filepath.ToSlash(page)

	// The DOM once the script ran, with a filter in the URL.
	dom, logs := chromium(t, bin, tmp, "--dump-dom", url+"#q=MR103")
	checkConsole(t, "--dump-dom", logs)
	for _, want := range []string{`data-ready="1"`, `<svg`, `data-label="shop/ratings"`, `class="node missing"`, "12 findings", "1 of 12 findings shown"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page has no %s", want)
		}
	}
	if strings.Contains(dom, "data-error=") {
		t.Errorf("the page's script failed: %s", regexp.MustCompile(`data-error="[^"]*"`).FindString(dom))
	}
	findings := regexp.MustCompile(`<li class="finding[^"]*" id="f\d+"[^>]*>`).FindAllString(dom, -1)
	shown := 0
	for _, li := range findings {
		if !strings.Contains(li, "hidden") {
			shown++
			if !strings.Contains(li, `data-rule="MR103"`) {
				t.Errorf("the filter #q=MR103 shows %s", li)
			}
		}
	}
	if len(findings) != 12 || shown != 1 {
		t.Errorf("%d findings in the page, %d shown by the filter #q=MR103; want 12 and 1", len(findings), shown)
	}

	// The screenshot.
	dir := os.Getenv("MESHLINT_SCREENSHOT_DIR")
	if dir == "" {
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot, err := filepath.Abs(filepath.Join(dir, "meshlint-report.png"))
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(shot)
	_, logs = chromium(t, bin, tmp, "--screenshot="+shot, "--window-size=1280,2000", url)
	checkConsole(t, "--screenshot", logs)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, logs)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
		t.Errorf("the screenshot %s is not a rendered page (%d bytes)", shot, len(png))
	}
	t.Logf("screenshot: %s", shot)
}

// chromiumBin returns the Chromium found on PATH, or skips the test (fails
// it with MESHLINT_REQUIRE_CHROMIUM=1).
func chromiumBin(t *testing.T) string {
	t.Helper()
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (" + strings.Join(chromiumNames, ", ") + "): the HTML report is not checked in a browser; apt-get install chromium"
	if os.Getenv("MESHLINT_REQUIRE_CHROMIUM") == "1" {
		t.Fatal(msg + " (MESHLINT_REQUIRE_CHROMIUM=1)")
	}
	t.Skip(msg)
	return ""
}

// hashSteps is a script appended to a copy of the report: it changes the
// address's hash and the filters, one step after the other (a hash change
// is an event, which the page handles after the step), and records after
// each step the hash, the "shown" line, the search box and the object
// whose findings alone are shown (clicked in the drawing) as the body's
// attribute data-t-NAME="hash|shown|search|object", for --dump-dom to
// show.
const hashSteps = `<script>
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var written = "";
  function record(name) {
    var only = byId("only").className === "on" ? byId("onlyname").textContent : "";
    document.body.setAttribute("data-t-" + name, location.hash + "|" + byId("shown").textContent + "|" + byId("q").value + "|" + only);
  }
  function set(id, v, ev) {
    byId(id).value = v;
    byId(id).dispatchEvent(new Event(ev));
  }
  var steps = [
    function () { record("load"); next(); },
    // A link to another filter, then back.
    function () { nav(function () { location.hash = "#ns=payments"; }, "link"); },
    function () { nav(function () { history.back(); }, "back"); },
    // The user's changes go to the address.
    function () { set("q", "", "input"); record("cleared"); next(); },
    function () { set("ns", "payments", "change"); record("ns"); next(); },
    function () { document.querySelector("input.sevbox[value=info]").click(); record("sev"); next(); },
    function () { set("q", "PostgreSQL port", "input"); record("typed"); written = location.hash; next(); },
    // What the page wrote opens the same view again.
    function () { nav(function () { location.hash = ""; }, "none"); },
    function () { nav(function () { location.hash = written; }, "again"); },
    function () { nav(function () { location.hash = "#q=100%"; }, "malformed"); },
    // A click on an object of the drawing goes to the address too, with
    // the other filters; a link drops it, and back brings it again.
    function () { set("q", "", "input"); record("reset"); next(); },
    function () { click('svg g[data-node="VirtualService/shop/productpage"]'); record("node"); next(); },
    function () { document.querySelector("input.sevbox[value=warning]").click(); record("nodesev"); next(); },
    function () { nav(function () { location.hash = "#ns=payments"; }, "nodelink"); },
    function () { nav(function () { history.back(); }, "nodeback"); },
    function () { click("#onlyclear"); record("showall"); next(); },
    // An object the drawing does not have, a key that is no object's, and
    // one that is not valid percent-encoding set no filter.
    function () { nav(function () { location.hash = "#node=Service/shop/nosuch"; }, "stale"); },
    function () { nav(function () { location.hash = "#node=__proto__&q=shop"; }, "proto"); },
    function () { nav(function () { location.hash = "#sev=error&node=VirtualService%2Fshop%2Fproductpage%"; }, "badnode"); },
    function () { document.body.setAttribute("data-t-done", "1"); }
  ];
  function next() { steps.shift()(); }
  function click(sel) {
    document.querySelector(sel).dispatchEvent(new MouseEvent("click", {bubbles: true}));
  }
  // The page's own listener, added first, has run when this one does.
  function nav(go, name) {
    window.addEventListener("hashchange", function h() {
      window.removeEventListener("hashchange", h);
      record(name);
      setTimeout(next, 0);
    });
    go();
  }
  window.addEventListener("load", function () { setTimeout(next, 0); });
})();
</script>
`

// TestHTMLHashChangeInChromium checks that the page follows its address: a
// change of the hash after the page opened (a link, the back button)
// applies the filters it names and resets the others, and a filter the
// user changes, the object clicked in the drawing included, is written to
// the hash, in the form the page reads back, when it opens from that
// address too. A copy of the report runs the steps of hashSteps;
// --virtual-time-budget lets their events run before the DOM is dumped.
func TestHTMLHashChangeInChromium(t *testing.T) {
	bin := chromiumBin(t)
	tmp := t.TempDir()
	page := filepath.Join(tmp, "report.html")
	if r := run(t, repoDir(t, "examples"), "", "--format", "html", "--output", page, "."); r.code != ExitFindings {
		t.Fatalf("meshlint examples/: exit %d, want %d\n%s", r.code, ExitFindings, r.stderr)
	}
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	steps := filepath.Join(tmp, "steps.html")
	if err := os.WriteFile(steps, []byte(strings.Replace(string(src), "</body>", hashSteps+"</body>", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	dom, logs := chromium(t, bin, tmp, "--virtual-time-budget=10000", "--dump-dom", "file://"+filepath.ToSlash(steps)+"#q=MR103")
	checkConsole(t, "--dump-dom", logs)
	if m := regexp.MustCompile(`data-error="[^"]*"`).FindString(dom); m != "" {
		t.Fatalf("the page's script failed: %s", m)
	}
	if !strings.Contains(dom, `data-t-done="1"`) {
		t.Fatalf("the steps did not all run:\n%s", regexp.MustCompile(`data-t-[a-z]+="[^"]*"`).FindAllString(dom, -1))
	}
	for _, c := range []struct{ step, want string }{
		{"load", "#q=MR103|1 of 12 findings shown|MR103|"},
		{"link", "#ns=payments|5 of 12 findings shown||"},
		{"back", "#q=MR103|1 of 12 findings shown|MR103|"},
		{"cleared", "|12 of 12 findings shown||"},
		{"ns", "#ns=payments|5 of 12 findings shown||"},
		{"sev", "#sev=error,warning&amp;ns=payments|3 of 12 findings shown||"},
		{"typed", "#sev=error,warning&amp;ns=payments&amp;q=PostgreSQL%20port|1 of 12 findings shown|PostgreSQL port|"},
		{"none", "|12 of 12 findings shown||"},
		{"again", "#sev=error,warning&amp;ns=payments&amp;q=PostgreSQL%20port|1 of 12 findings shown|PostgreSQL port|"},
		{"malformed", "#q=100%|0 of 12 findings shown|100%|"},
		{"reset", "|12 of 12 findings shown||"},
		{"node", "#node=VirtualService/shop/productpage|3 of 12 findings shown||VirtualService shop/productpage"},
		{"nodesev", "#sev=error,info&amp;node=VirtualService/shop/productpage|2 of 12 findings shown||VirtualService shop/productpage"},
		{"nodelink", "#ns=payments|5 of 12 findings shown||"},
		{"nodeback", "#sev=error,info&amp;node=VirtualService/shop/productpage|2 of 12 findings shown||VirtualService shop/productpage"},
		{"showall", "#sev=error,info|6 of 12 findings shown||"},
		{"stale", "#node=Service/shop/nosuch|12 of 12 findings shown||"},
		{"proto", "#node=__proto__&amp;q=shop|7 of 12 findings shown|shop|"}, // as #q=shop
		{"badnode", "#sev=error&amp;node=VirtualService%2Fshop%2Fproductpage%|4 of 12 findings shown||"},
	} {
		got := regexp.MustCompile(`data-t-` + c.step + `="([^"]*)"`).FindStringSubmatch(dom)
		if got == nil || got[1] != c.want {
			t.Errorf("after step %s: %q, want %q", c.step, got, c.want)
		}
	}

	// The page opened anew from the address the click wrote shows the
	// same: the object's findings alone, and which object.
	m := regexp.MustCompile(`data-t-nodesev="(#[^"|]*)\|`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatal("no address was written for the object clicked")
	}
	hash := strings.ReplaceAll(m[1], "&amp;", "&")
	dom, logs = chromium(t, bin, tmp, "--dump-dom", "file://"+filepath.ToSlash(page)+hash)
	checkConsole(t, "--dump-dom "+hash, logs)
	for _, want := range []string{`data-ready="1"`, "2 of 12 findings shown", `<span id="only" class="on">`, `<b id="onlyname">VirtualService shop/productpage</b>`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page opened at %s has no %s", hash, want)
		}
	}
	var shown []string
	for _, li := range regexp.MustCompile(`<li class="finding[^"]*" id="(f\d+)"[^>]*?( hidden="")?>`).FindAllStringSubmatch(dom, -1) {
		if li[2] == "" {
			shown = append(shown, li[1])
		}
	}
	if strings.Join(shown, " ") != "f6 f7" {
		t.Errorf("the page opened at %s shows findings %q, want f6 f7: the errors of shop/productpage", hash, shown)
	}
}

// chromium runs headless Chromium on args and returns its stdout and
// stderr. It is kept off the network: names resolve to nothing, and the
// background services that would call home are off.
func chromium(t *testing.T, bin, tmp string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	profile, err := os.MkdirTemp(tmp, "profile")
	if err != nil {
		t.Fatal(err)
	}
	base := []string{
		"--headless", "--disable-gpu", "--no-sandbox", "--enable-logging=stderr", "--v=0",
		"--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND",
	}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...) //nolint:gosec // G204: the browser found on PATH, on a page this test wrote
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "HOME="+tmp)
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// checkConsole fails the test for every console message Chromium logged.
func checkConsole(t *testing.T, run, logs string) {
	t.Helper()
	for _, line := range consoleLine.FindAllString(logs, -1) {
		t.Errorf("%s: console message: %s", run, line)
	}
}

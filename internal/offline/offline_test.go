// Package offline_test checks that meshlint never opens a network
// connection: no package of the module imports a networking package, and
// the built binary gives the same output inside a network namespace without
// interfaces as outside it.
package offline_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// banned are the standard packages that open connections. Dependencies
// (kustomize, kyaml) import some of them for features meshlint refuses
// (remote bases), so the check is on meshlint's own imports; the network
// namespace test covers the rest.
var banned = []string{"net", "net/http", "net/rpc", "net/smtp", "crypto/tls", "net/http/httputil"}

func TestNoNetworkImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "github.com/meshlint/meshlint/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	n := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		n++
		for _, imp := range p.Imports {
			for _, b := range banned {
				if imp == b {
					t.Errorf("%s imports %s: meshlint must never open a network connection", p.ImportPath, imp)
				}
			}
		}
	}
	if n < 10 {
		t.Fatalf("go list found only %d packages", n)
	}
}

// TestNoNetworkNamespace runs the binary over the example tree and the
// kustomize fixture inside `unshare -n` (a network namespace with only a
// downed loopback) and outside it: the outputs must be identical.
func TestNoNetworkNamespace(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare is not installed; skipping the network-namespace test")
	}
	if err := exec.Command("unshare", "-n", "true").Run(); err != nil {
		t.Skipf("unshare -n is not permitted here (%v); skipping the network-namespace test", err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "meshlint")
	build := exec.Command("go", "build", "-o", bin, "./cmd/meshlint")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	args := []string{"--color", "never", "--format", "json", "examples/"}
	if _, err := os.Stat(filepath.Join(root, "fixtures", "kustomize")); err == nil {
		args = append(args, "fixtures/kustomize/overlays/prod")
	}
	run := func(prefix ...string) (string, int) {
		cmdline := slices.Concat(prefix, []string{bin}, args)
		cmd := exec.Command(cmdline[0], cmdline[1:]...)
		cmd.Dir = root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), code
	}
	outside, codeOut := run()
	inside, codeIn := run("unshare", "-n")
	if codeOut != codeIn || outside != inside {
		t.Errorf("output differs without a network:\noutside (exit %d):\n%s\ninside (exit %d):\n%s", codeOut, outside, codeIn, inside)
	}
	if !strings.Contains(outside, `"rule": "MR101"`) {
		t.Errorf("the run found nothing, so the comparison proves little:\n%s", outside)
	}
}

package cli

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

type fakeExe struct {
	size int64
	mod  time.Time
}

func (f fakeExe) Name() string       { return "meshlint" }
func (f fakeExe) Size() int64        { return f.size }
func (f fakeExe) Mode() fs.FileMode  { return 0o755 }
func (f fakeExe) ModTime() time.Time { return f.mod }
func (f fakeExe) IsDir() bool        { return false }
func (f fakeExe) Sys() any           { return nil }

func TestBuildIdentity(t *testing.T) {
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	info := func(rev, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}, {Key: "GOOS", Value: "linux"},
		}}
	}
	base := buildIdentity("0.1.0-dev", info("abc", "false"), fakeExe{100, at})
	for name, other := range map[string]string{
		"another commit":   buildIdentity("0.1.0-dev", info("def", "false"), fakeExe{100, at}),
		"a modified tree":  buildIdentity("0.1.0-dev", info("abc", "true"), fakeExe{100, at}),
		"a new binary":     buildIdentity("0.1.0-dev", info("abc", "false"), fakeExe{100, at.Add(time.Second)}),
		"a binary resized": buildIdentity("0.1.0-dev", info("abc", "false"), fakeExe{101, at}),
	} {
		if other == base {
			t.Errorf("%s: the build identity %q does not change", name, base)
		}
	}
	if got := buildIdentity("0.1.0-dev", info("abc", "false"), fakeExe{100, at}); got != base {
		t.Errorf("the same build gives %q and %q", base, got)
	}
	if got := buildIdentity("1.2.0", info("abc", "true"), fakeExe{100, at}); got != "" {
		t.Errorf("a release is known by its version alone, got %q", got)
	}
}

// TestCacheNewBuild checks, with the built binary, that a development
// build does not trust the cache of the build before it: a new binary of
// the same version may have rules that find other things in the same
// files.
func TestCacheNewBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
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
	cacheDir := t.TempDir()
	run := func() string {
		cmd := exec.Command(bin, "-v", "--fail-on", "none", "--cache-dir", cacheDir, ".")
		cmd.Dir = filepath.Join(root, "examples")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
		return stderr.String()
	}
	run()
	if got := run(); !strings.Contains(got, "files unchanged") || strings.Contains(got, "cache ignored") {
		t.Fatalf("the second run of the same binary does not use the cache:\n%s", got)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(bin, later, later); err != nil {
		t.Fatal(err)
	}
	if got := run(); !strings.Contains(got, "started afresh") || !strings.Contains(got, "with other settings") {
		t.Errorf("a new build of the same version trusts the old build's cache:\n%s", got)
	}
}

package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tree")
	var stdout, stderr bytes.Buffer
	args := []string{"-namespaces", "1", "-services", "2", "-mistakes", "1", "-out", out}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr.String())
	}
	if got := stdout.String(); !strings.HasPrefix(got, "wrote 5 files, ") || strings.Count(got, "planted ") != 2 {
		t.Errorf("stdout:\n%s", got)
	}

	// A second run must not write into the tree unless told to.
	stdout.Reset()
	stderr.Reset()
	if code := run(args, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "not empty") {
		t.Errorf("second run: exit %d, stderr: %s", code, stderr.String())
	}
	if code := run(append(args, "-overwrite"), &stdout, &stderr); code != 0 {
		t.Errorf("-overwrite: exit %d, stderr: %s", code, stderr.String())
	}

	for _, bad := range [][]string{{}, {"-out", out, "extra"}, {"-nope"}} {
		if code := run(bad, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2", bad, code)
		}
	}
}

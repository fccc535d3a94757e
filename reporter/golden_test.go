package reporter

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden compares every writer's output with testdata/<case>.<ext>.golden.
// Run with -update to rewrite them, then review the diff.
func TestGolden(t *testing.T) {
	reports := []struct {
		name   string
		report func(testing.TB) *Report
	}{
		{"full", fixtureReport},
		{"empty", func(testing.TB) *Report { return emptyReport() }},
	}
	outputs := []struct {
		ext, format string
		opts        Options
	}{
		{"text", "text", Options{}},
		{"color.text", "text", Options{Color: true}},
		{"json", "json", Options{}},
		{"sarif", "sarif", Options{}},
		{"github", "github", Options{}},
		{"html", "html", Options{}},
	}
	for _, rc := range reports {
		for _, oc := range outputs {
			name := rc.name + "." + oc.ext
			t.Run(name, func(t *testing.T) {
				got := write(t, oc.format, rc.report(t), oc.opts)
				// Deterministic: a second run gives the same bytes.
				if again := write(t, oc.format, rc.report(t), oc.opts); !bytes.Equal(got, again) {
					t.Fatalf("two runs differ:\n%s\n---\n%s", got, again)
				}
				golden(t, filepath.Join("testdata", name+".golden"), got)
			})
		}
	}
}

// golden compares got with the file, or rewrites the file under -update. A
// missing golden file fails the test.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./reporter -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./reporter -update and review the diff)\n--- got\n%s\n--- want\n%s",
			file, got, want)
	}
}

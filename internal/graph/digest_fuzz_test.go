package graph

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
)

// FuzzDigests reads arbitrary bytes as a file, as a cached run reads a
// changed file, and checks what the cache keeps of it: the digests do not
// panic, the spans cut out are inside the file, in order and apart, each
// on one line, and a file's digests do not depend on the run.
func FuzzDigests(f *testing.F) {
	for _, s := range []string{unreadDeployment, unreadAnnotations, unreadDestinationRule, unreadConfigMap, unreadCanary, unreadRollout, weightedRoutes, weightedHTTPRoute} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		loadBytes(t, data, func(file *manifest.File) {
			if file.Data == nil {
				return
			}
			at := 0
			for _, sp := range WeightSpans(file) {
				if sp.From < at || sp.To < sp.From || sp.To > len(file.Data) {
					t.Fatalf("span %d-%d after %d, in %d bytes", sp.From, sp.To, at, len(file.Data))
				}
				for _, b := range file.Data[sp.From:sp.To] {
					if b == '\n' {
						t.Fatalf("span %d-%d holds a line break", sp.From, sp.To)
					}
				}
				at = sp.To
			}
			d := Digests(file)
			if d.Read != ReadDigest(file) || d.Weights != WeightDigest(file) || d.Release != ReleaseDigest(file) || d.NamesRelease != NamesRelease(file) {
				t.Fatal("Digests differs from ReadDigest, WeightDigest, ReleaseDigest and NamesRelease")
			}
		})
	})
}

// loadBytes loads data as a file, with its nodes, and gives it to read,
// whatever the loader finds wrong with it, which it returns.
func loadBytes(t *testing.T, data []byte, read func(f *manifest.File)) []*manifest.Error {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return manifest.Load([]string{"a.yaml"}, manifest.Options{Dir: dir, PerFile: func(f *manifest.File) []*manifest.Error {
		read(f)
		return nil
	}}).Errors
}

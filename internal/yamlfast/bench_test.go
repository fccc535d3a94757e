package yamlfast

import (
	"os"
	"testing"

	"github.com/meshlint/meshlint/internal/gentree"
	yaml "go.yaml.in/yaml/v3"
)

// The benchmarks keep the trees of a whole pass, as meshlint's loader does,
// so that the collector sees a live heap of the right size.

// benchTree returns the files of a generated tree of 2 namespaces of 100
// services each.
func benchTree(b *testing.B) [][]byte {
	b.Helper()
	dir := b.TempDir()
	if _, err := gentree.Generate(dir, gentree.Options{Namespaces: 2, Services: 100, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	var files [][]byte
	for _, f := range yamlFiles(b, dir) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	return files
}

func size(files [][]byte) int64 {
	var n int64
	for _, f := range files {
		n += int64(len(f))
	}
	return n
}

func BenchmarkParse(b *testing.B) {
	files := benchTree(b)
	b.SetBytes(size(files))
	b.ReportAllocs()
	kept := make([][]*yaml.Node, len(files))
	for b.Loop() {
		for i, f := range files {
			docs, ok := Parse(f)
			if !ok {
				b.Fatal("refused a generated file")
			}
			kept[i] = docs
		}
	}
}

func BenchmarkYAMLv3(b *testing.B) {
	files := benchTree(b)
	b.SetBytes(size(files))
	b.ReportAllocs()
	kept := make([][]*yaml.Node, len(files))
	for b.Loop() {
		for i, f := range files {
			docs, err := decodeV3(f)
			if err != nil {
				b.Fatal(err)
			}
			kept[i] = docs
		}
	}
}

package manifest

import (
	"testing"

	"github.com/meshlint/meshlint/internal/gentree"
)

// BenchmarkLoad loads a generated tree of 2 namespaces of 100 services,
// dropping the nodes as the command does.
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	if _, err := gentree.Generate(dir, gentree.Options{Namespaces: 2, Services: 100, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r := Load([]string{dir}, Options{DropNodes: true})
		if len(r.Errors) > 0 {
			b.Fatal(r.Errors[0])
		}
	}
}

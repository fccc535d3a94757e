package cli

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/gentree"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestCacheRandomEdits is the oracle that incremental runs will be held to
// (docs/incremental.md, step 1): it edits trees at random, one change at a
// time, and after each change compares a run with --cache against a run
// without it. Whatever the cache keeps or skips, it must never change what
// is reported. Today the cache reuses what each file read and reruns every
// graph rule; the oracle is green from the start, and every later step of
// the incremental design must keep it green.
//
// The trees are the examples, three fixture trees and a small generated
// tree with planted mistakes (internal/gentree).
//
// MESHLINT_ORACLE_EDITS sets the number of edits per tree (default 12),
// MESHLINT_ORACLE_SEED the seed (default 1); a failure names both.
func TestCacheRandomEdits(t *testing.T) {
	edits, seed := 12, uint64(1)
	if v, err := strconv.Atoi(os.Getenv("MESHLINT_ORACLE_EDITS")); err == nil && v > 0 {
		edits = v
	}
	if v, err := strconv.ParseUint(os.Getenv("MESHLINT_ORACLE_SEED"), 10, 64); err == nil {
		seed = v
	}
	// A generated tree with planted mistakes: namespaces that look alike,
	// a shared ingress, and a finding of every kind gentree plants.
	generated := t.TempDir()
	if _, err := gentree.Generate(generated, gentree.Options{Namespaces: 3, Services: 4, Seed: int64(seed), MistakeRate: 0.5}); err != nil {
		t.Fatal(err)
	}
	for i, tree := range []string{"examples", "fixtures/reach", "fixtures/realworld/platform", "fixtures/realworld/egress", generated} {
		name := strings.ReplaceAll(tree, "/", "_")
		if tree == generated {
			tree, name = "", "generated"
		}
		t.Run(name, func(t *testing.T) {
			dir, cacheDir := t.TempDir(), t.TempDir()
			src := generated
			if tree != "" {
				src = repoDir(t, tree)
			}
			ruletest.WriteTree(t, dir, readTree(t, src))
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			cached := []string{"--cache-dir", cacheDir, "--format", "json", "."}
			run(t, dir, "", cached...)
			for step := range edits {
				what := randomEdit(t, rng, dir)
				// An edit may break the settings (a MeshConfig file the
				// configuration names): both runs then fail alike.
				got := run(t, dir, "", cached...)
				want := run(t, dir, "", "--format", "json", ".")
				if got.stdout != want.stdout || got.code != want.code {
					t.Fatalf("seed %d, edit %d (%s): the cached run differs from a run without the cache (exit %d, want %d):\n%s",
						seed, step+1, what, got.code, want.code, firstDifference(got.stdout, want.stdout))
				}
			}
		})
	}
}

// scalarLine matches a "key: value" line whose value is a plain scalar.
var scalarLine = regexp.MustCompile(`^(\s*(?:- )?[\w./-]+: )([\w./-]+)(\s*(?:#.*)?)$`)

// randomEdit makes one random change to a YAML file of dir and says what
// it did: a value changed (a number moved by one, which keeps most sizes;
// a name given a suffix; or a value swapped for another of the tree, which
// can make a selector, host or reference match something else), a
// document deleted, a document copied under a new name into a new file, or
// a file rewritten unchanged (new stat data, same content).
func randomEdit(t *testing.T, rng *rand.Rand, dir string) string {
	t.Helper()
	var files []string
	var values []string
	for name, data := range readTree(t, dir) {
		if !strings.HasSuffix(name, ".yaml") || strings.HasPrefix(filepath.Base(name), ".") {
			continue // .meshlint.yaml would move the settings file out of reach
		}
		files = append(files, name)
		for _, l := range strings.Split(data, "\n") {
			if m := scalarLine.FindStringSubmatch(l); m != nil {
				values = append(values, m[2])
			}
		}
	}
	slices.Sort(files)
	slices.Sort(values)
	name := files[rng.IntN(len(files))]
	path := filepath.Join(dir, filepath.FromSlash(name))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data := string(b)
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs := strings.Split(data, "\n---\n")
	switch k := rng.IntN(10); {
	case k < 6:
		lines := strings.Split(data, "\n")
		var at []int
		for i, l := range lines {
			if scalarLine.MatchString(l) && !strings.Contains(l, "apiVersion:") && !strings.Contains(l, "kind:") {
				at = append(at, i)
			}
		}
		if len(at) == 0 {
			write(path, data)
			return "rewrote " + name + " unchanged"
		}
		i := at[rng.IntN(len(at))]
		m := scalarLine.FindStringSubmatch(lines[i])
		v := m[2]
		if n, err := strconv.Atoi(v); err == nil {
			v = strconv.Itoa(n + 1)
		} else if rng.IntN(2) == 0 {
			v += "x"
		} else {
			v = values[rng.IntN(len(values))]
		}
		lines[i] = m[1] + v + m[3]
		write(path, strings.Join(lines, "\n"))
		return fmt.Sprintf("%s:%d: %s -> %s", name, i+1, m[2], v)
	case k < 7 && len(docs) > 1:
		i := rng.IntN(len(docs))
		write(path, strings.Join(slices.Delete(docs, i, i+1), "\n---\n"))
		return fmt.Sprintf("deleted document %d of %s", i+1, name)
	case k < 9:
		doc := docs[rng.IntN(len(docs))]
		copyName := fmt.Sprintf("copy-%d.yaml", rng.IntN(1000))
		write(filepath.Join(filepath.Dir(path), copyName), regexp.MustCompile(`(?m)^(  name: )(\S+)`).ReplaceAllString(doc, "${1}${2}-copy"))
		return fmt.Sprintf("copied a document of %s to %s", name, copyName)
	}
	write(path, data)
	return "rewrote " + name + " unchanged"
}

// firstDifference shows where two outputs part.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  cached:   %s\n  uncached: %s", i+1, a, b)
		}
	}
	return "(equal)"
}

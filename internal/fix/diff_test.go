package fix

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"
	b := strings.Replace(strings.Replace(a, "\n3\n", "\nthree\n", 1), "\n17\n", "\n17\n17.5\n", 1)
	want := `--- a.yaml
+++ a.yaml
@@ -1,6 +1,6 @@
 1
 2
-3
+three
 4
 5
 6
@@ -15,6 +15,7 @@
 15
 16
 17
+17.5
 18
 19
 20
`
	if got := Unified("a.yaml", "a.yaml", a, b); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Changes 6 unchanged lines apart share a hunk.
	c := strings.Replace(strings.Replace(a, "\n3\n", "\nthree\n", 1), "\n10\n", "\nten\n", 1)
	if got := Unified("a", "a", a, c); strings.Count(got, "@@ -") != 1 {
		t.Errorf("one hunk expected:\n%s", got)
	}
	if got := Unified("a", "a", a, a); got != "" {
		t.Errorf("equal texts give %q", got)
	}
	if got, want := Unified("/dev/null", "n.yaml", "", "a: 1\n"), "--- /dev/null\n+++ n.yaml\n@@ -0,0 +1,1 @@\n+a: 1\n"; got != want {
		t.Errorf("new file:\n%s\nwant\n%s", got, want)
	}
	if got, want := Unified("a", "a", "x: 1", "x: 2"), "--- a\n+++ a\n@@ -1,1 +1,1 @@\n-x: 1\n\\ No newline at end of file\n+x: 2\n\\ No newline at end of file\n"; got != want {
		t.Errorf("no final newline:\n%s\nwant\n%s", got, want)
	}
}

// TestUnifiedRoundTrip applies random diffs back to their old text.
func TestUnifiedRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		var b strings.Builder
		for range rng.IntN(40) {
			fmt.Fprintf(&b, "line %d\n", rng.IntN(8))
		}
		s := b.String()
		if rng.IntN(4) == 0 {
			s = strings.TrimSuffix(s, "\n")
		}
		return s
	}
	for i := range 500 {
		a, b := text(), text()
		d := Unified("x", "x", a, b)
		got, err := patch(a, d)
		if err != nil || got != b {
			t.Fatalf("case %d: %v\nold %q\nnew %q\ndiff:\n%s\npatched %q", i, err, a, b, d, got)
		}
	}
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$`)

// patch applies a unified diff made by Unified to old, checking the
// context and the counts.
func patch(old, diff string) (string, error) {
	if diff == "" {
		return old, nil
	}
	oldLines := splitLines(old)
	var out []string
	next := 0 // the next old line to copy
	lines := strings.SplitAfter(diff, "\n")
	for i := 2; i < len(lines) && lines[i] != ""; {
		m := hunkHeader.FindStringSubmatch(strings.TrimSuffix(lines[i], "\n"))
		if m == nil {
			return "", fmt.Errorf("bad hunk header %q", lines[i])
		}
		start, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		newN, _ := strconv.Atoi(m[4])
		if n > 0 {
			start--
		}
		out = append(out, oldLines[next:start]...)
		next = start
		i++
		var seenOld, seenNew int
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			text := l[1:]
			if i+1 < len(lines) && lines[i+1] == "\\ No newline at end of file\n" {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if next >= len(oldLines) || oldLines[next] != text {
					return "", fmt.Errorf("context %q does not match", text)
				}
				next++
				seenOld++
				if l[0] == ' ' {
					out = append(out, text)
					seenNew++
				}
			case '+':
				out = append(out, text)
				seenNew++
			}
			i++
		}
		if seenOld != n || seenNew != newN {
			return "", fmt.Errorf("hunk counts %d,%d; saw %d,%d", n, newN, seenOld, seenNew)
		}
	}
	out = append(out, oldLines[next:]...)
	return strings.Join(out, ""), nil
}

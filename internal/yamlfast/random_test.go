package yamlfast

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Pieces of the lines randomDoc puts together: mostly what manifests hold,
// and some of what the parser must refuse or get exactly right.
var (
	randomKeys = []string{
		"name", "a", "b", "key with space", "'q'", `"dq"`, "1", "true", "~", "-k", "k:x",
		"x#y", "é", "<<", "? k", "&a k", "*a", "!t k", "[k]", "{k: v}", "''", `"a\"b"`,
	}
	randomValues = []string{
		"v", "1", "-1", "0x1F", "1.5", "1e3", ".5", "~", "null", "True", "yes", "2001-12-14",
		"10.0.0.0/8", "100m", "a b", "a:b", "a: b", "a #c", "a#c", "'s'", "'it''s'", `"d"`,
		`"e\n\t\x41"`, `"\/"`, "[]", "{}", "[a, b]", "[a, [b, c], {d: e}]", "{a: b, c: [d]}",
		"[a,]", "[a b, 'c']", "{a: b,}", "[a: b]", "{a}", "|", "|-", "|+", ">", ">-", "|2",
		"| # c", "- x", "-", ":", "?", "&x v", "*x", "!!str v", "%", "@", "`", "'open", `"open`,
		"[open", "é ☃", "-0b1", "0o17", "1_000", "+.inf", "v # c", "v  ", "''", `""`,
	}
	randomLines = []string{
		"", "# comment", "---", "--- # c", "...", "%YAML 1.1", "---x", "  ", "- ", "-",
		"- - a", "-\t", "a:\tb",
	}
)

// randomDoc writes a few lines of YAML-like text.
func randomDoc(r *rand.Rand) string {
	var lines []string
	for d := range 1 + r.IntN(3) {
		if d > 0 || r.IntN(3) == 0 {
			lines = append(lines, pick(r, []string{"---", "---", "--- # c", "---  "}))
		}
		if r.IntN(10) > 0 {
			if r.IntN(3) == 0 {
				lines = append(lines, randomSeq(r, 0, 0)...)
			} else {
				lines = append(lines, randomMap(r, 0, 0)...)
			}
		}
	}
	// Break some of them.
	for range r.IntN(3) {
		if len(lines) == 0 || r.IntN(2) == 0 {
			break
		}
		i := r.IntN(len(lines))
		switch r.IntN(5) {
		case 0:
			lines[i] = " " + lines[i]
		case 1:
			lines[i] = strings.TrimPrefix(lines[i], " ")
		case 2:
			lines[i] = pick(r, randomLines)
		case 3:
			if k := len(lines[i]); k > 0 {
				j := r.IntN(k)
				lines[i] = lines[i][:j] + lines[i][j+1:]
			}
		default:
			j := r.IntN(len(lines[i]) + 1)
			lines[i] = lines[i][:j] + pick(r, []string{":", " ", "#", "'", "\"", "-", "[", "]", "{", "}", ",", "|", "é"}) + lines[i][j:]
		}
	}
	s := strings.Join(lines, "\n")
	if r.IntN(10) > 0 {
		s += "\n"
	}
	return s
}

func pick(r *rand.Rand, s []string) string {
	return s[r.IntN(len(s))]
}

// filler returns comment and blank lines to put between others, mostly
// none.
func filler(r *rand.Rand, indent int) []string {
	switch r.IntN(12) {
	case 0:
		return []string{""}
	case 1:
		return []string{strings.Repeat(" ", r.IntN(indent+3)) + "# c"}
	case 2:
		return []string{strings.Repeat(" ", r.IntN(indent+3))}
	}
	return nil
}

func randomMap(r *rand.Rand, indent, depth int) []string {
	pad := strings.Repeat(" ", indent)
	var lines []string
	for range 1 + r.IntN(4) {
		lines = append(lines, filler(r, indent)...)
		key := pick(r, randomKeys)
		if r.IntN(3) > 0 {
			key = pick(r, []string{"name", "a", "b", "c", "image", "ports"})
		}
		switch k := r.IntN(10); {
		case depth < 4 && k < 2:
			lines = append(lines, pad+key+":")
			lines = append(lines, randomMap(r, indent+[]int{1, 2, 2, 4}[r.IntN(4)], depth+1)...)
		case depth < 4 && k < 4:
			lines = append(lines, pad+key+":")
			lines = append(lines, randomSeq(r, indent+[]int{0, 0, 2, 4}[r.IntN(4)], depth+1)...)
		case k < 5:
			lines = append(lines, pad+key+": "+pick(r, []string{"|", "|-", "|+", ">", ">-", ">+", "|2", "|1-", "| # c"}))
			lines = append(lines, randomText(r, indent)...)
		case k < 6:
			lines = append(lines, pad+key+":"+pick(r, []string{"", " ", " # c"}))
		default:
			line := pad + key + ": " + pick(r, randomValues)
			if r.IntN(5) == 0 {
				line += pick(r, []string{" # c", "  ", " #", "#c"})
			}
			lines = append(lines, line)
		}
	}
	return lines
}

func randomSeq(r *rand.Rand, indent, depth int) []string {
	pad := strings.Repeat(" ", indent)
	var lines []string
	for range 1 + r.IntN(4) {
		lines = append(lines, filler(r, indent)...)
		switch k := r.IntN(10); {
		case depth < 4 && k < 3:
			// A compact mapping or sequence.
			var sub []string
			if k < 2 {
				sub = randomMap(r, indent+2, depth+1)
			} else {
				sub = randomSeq(r, indent+2, depth+1)
			}
			sub[0] = pad + "- " + strings.TrimLeft(sub[0], " ")
			lines = append(lines, sub...)
		case depth < 4 && k < 4:
			lines = append(lines, pad+"-"+pick(r, []string{"", " ", " # c"}))
			lines = append(lines, randomMap(r, indent+2, depth+1)...)
		case k < 5:
			lines = append(lines, pad+"-"+pick(r, []string{"", " ", " # c"}))
		case k < 6:
			lines = append(lines, pad+"- "+pick(r, []string{"|", "|-", ">", "|+"}))
			lines = append(lines, randomText(r, indent)...)
		default:
			lines = append(lines, pad+"- "+pick(r, randomValues))
		}
	}
	return lines
}

// randomText returns the lines of a block scalar in a collection indented
// by indent.
func randomText(r *rand.Rand, indent int) []string {
	base := indent + 1 + r.IntN(3)
	var lines []string
	for range r.IntN(5) {
		switch r.IntN(6) {
		case 0:
			lines = append(lines, "")
		case 1:
			lines = append(lines, strings.Repeat(" ", base+r.IntN(3)))
		case 2:
			lines = append(lines, strings.Repeat(" ", base+1+r.IntN(2))+pick(r, randomValues))
		default:
			lines = append(lines, strings.Repeat(" ", base)+pick(r, randomValues))
		}
	}
	return lines
}

// TestRandomDocs compares Parse with yaml.v3 on random documents put
// together from pieces, which reach deeper into the subset than byte-wise
// fuzzing. YAMLFAST_RANDOM sets the number of documents.
func TestRandomDocs(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	if s := os.Getenv("YAMLFAST_RANDOM"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	taken, valid := 0, 0
	for range n {
		doc := randomDoc(r)
		if compare(t, "random", []byte(doc)) {
			taken++
			valid++
		} else if _, err := decodeV3([]byte(doc)); err == nil {
			valid++
			if os.Getenv("YAMLFAST_SHOW") != "" {
				t.Logf("refused valid %q", doc)
			}
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("Parse took %d of %d random documents, %d of which yaml.v3 decodes", taken, n, valid)
	if taken < n/20 {
		t.Errorf("Parse took only %d of %d random documents: the test no longer reaches the subset", taken, n)
	}
}

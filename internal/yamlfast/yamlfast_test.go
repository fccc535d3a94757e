package yamlfast

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/gentree"
)

// accepted are snippets Parse must take, and agree on with yaml.v3.
var accepted = []string{
	"",
	"\n\n",
	"# only a comment\n",
	"# c\n  # c\n",
	"a: 1\n",
	"a: 1",
	"a: 1\n---\n",
	"a: 1\n---",
	"a: 1\n--- # c\n# c",
	"---\n---\n",
	"---\n",
	"---",
	"--- \n# c",
	"---\na: 1\n---\nb: 2\n",
	"# head\n---\na: 1\n",
	"a: 1\n---\n\n---\nb: 1\n",
	"  a: 1\n  b:\n",
	"a:\nb: 1\n",
	"a:   # c\n  b: 1\n",
	"a:\n  # c\n\n  b: 1\n# c\nc: 2\n",
	"k:\n- \n-\n- a",
	"k:\n- a\n- b\nl: c\n",
	"k:\n  - a\n  - b\nl: c\n",
	"- a\n- b: 1\n  c: 2\n- - x\n  - y\n-\n  d: 3\n- # c\n  e: 4\n",
	"- - - a\n    - b\n  - c\n- d\n",
	"- a:\n  - x\n  b: 1\n",
	"-   a: 1\n    b: 2\n",
	"a: b\nc:\n  d: e\n  f:\n  - g\n  - h: i\n    j: k\n",
	"key with spaces: value with  spaces  \n",
	"a : 1\n'b' : 2\n\"c\": 3\n",
	"a: b#c\nd: e #f\ng: 'h'  # i\n",
	"url: http://example.com:8080/x?y=z#frag\n",
	"a: b:c\n",
	"a:: b\n",
	"-a: -b\n?a: ?b\n:a: :b\n",
	"a: ---x\n",
	"---x: 1\n",
	"a: [b, c]\n",
	"a: []\nb: {}\nc: [ ]\nd: { }\n",
	"a: [b, [c, d], {e: f}, 'g', \"h\"]\n",
	"a: {b: c, d: [e, f], 'g': h, \"i\" : j}\n",
	"a: [b,]\nc: {d: e,}\n",
	"a: [b c, d:e, -1, -x, 'a''b', \"\\t\"]\n",
	"a: [a:, b]\n",
	"a: [b] # c\n",
	"- [a, b]\n- {c: d}\n",
	"a: 'x'\nb: ''\nc: \"\"\nd: 'it''s'\ne: '\"'\nf: \"'\"\n",
	"a: \"\\0\\a\\b\\t\\n\\v\\f\\r\\e\\ \\\"\\\\\\N\\_\\L\\P\\x41\\u00e9\\U0001F600\\'\"\n",
	"a: ' lead and trail '\n",
	"a: |\n  x\n  y\n",
	"a: |-\n  x\n\n",
	"a: |+\n  x\n\n\n",
	"a: |\n  x\n\n\n",
	"a: |\n\n  x\n",
	"a: |\n    x\n     y\n    z\n",
	"a: |\n  x\n    y\n   \n  z\n",
	"a: |2\n   x\n  y\n",
	"a: |2-\n   x\n  y\n",
	"a: |-2\n   x\n",
	"a: | # c\n  x\n",
	"a: |\nb: 1\n",
	"a: |\n\nb: 1\n",
	"a: |+\n\nb: 1\n",
	"a: |\n  x",
	"a: |\n  x\n  ",
	"a: |\n    \nb: 1\n",
	"a: |\n  # not a comment\n  x\n# a comment\nb: 1\n",
	"- |\n  x\n- |-\n  y\n- a: |\n    z\n  b: >\n    w\n",
	"a: >\n  x\n  y\n\n  z\n   indented\n  back\n",
	"a: >-\n  x\n\n\n  y\n",
	"a: >+\n  x\n\n",
	"a: >\n   x\n     y\n   z\n",
	"a: 1\nb: 1.5\nc: 1e3\nd: 0x1F\ne: 0o17\nf: +5\ng: -1_\nh: .5\ni: .inf\nj: ~\nk: null\nl: Null\nm: yes\nn: on\no: 2001-12-14\np: 1_000\nq: 10.0.0.0/8\nr: 1.2\ns: true\nt: False\nu: NO\nv: 0777\nw: 089\nx: -0b101\ny: 0b-1\nz: 1e400\n",
	"a: 2001-12-14t21:59:43.10-05:00\nb: 2001-12-14 21:59:43.10\nc: 2002-12-14T21:59:43Z\nd: 2001-13-14\ne: -.INF\nf: +.nan\ng: .NaN\nh: 0.\ni: -0\nj: 00\nk: 9223372036854775808\nl: 18446744073709551616\nm: -9223372036854775809\nn: 1__0\no: _1\np: 0x_1F\nq: 1e\nr: +\ns: 0b\nt: 0o8\nu: 100m\nv: 128Mi\nw: 5xx\nx: 1.2.3\n",
	"1: a\ntrue: b\n~: c\n1.5: d\n",
	"a: 'x: y'\nb: \"# z\"\n",
	"a: é\nb: [é, x]\nc: 'é' # é\n\"é\": {é: x}\n",
	"a: ☃ b\n# ☃\nc: [☃☃, ☃]\n",
	"a: x\n\n\n",
	"a:\n  b:\n    c:\n      d: e\n  f: g\n",
	"- a:\n  - x\n  b: 1\n- c\n",
	"a: {é: [ü, x], 'ö': \"ä\"}\n",
	"a: \"\\U0010FFFF\\u00A0\\x7f\"\n",
	"- |1\n  x\n- >2\n    y\n",
	"a: |1\n  x\n",
	"a: >\n  x\n\n   y\n  z\n\n\n  w\n",
	"a   : b\n'c'   :\n",
	"- 'a' : 1\n  b: 2\n",
	"---\n  a: 1\n  b: [c]\n",
	"- - - \n",
	"a: -.5\nb: +1e3\nc: 1E-3\nd: 0B1\ne: 0X1f\nf: 0O7\ng: 1.\nh: -1.e2\n",
	// A key again, in another mapping or document.
	"a: {a: 1}\nb:\n  a: 2\n  b: [{a: 1}, {a: 2}]\n---\na: 3\n",
	"'<<': 1\nb: {'<<': 2}\n",
	longMapping(20, ""),
}

// longMapping returns a block mapping of n keys, and then extra.
func longMapping(n int, extra string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("k" + strconv.Itoa(i) + ": v\n")
	}
	return b.String() + extra
}

// refused are snippets Parse must refuse: outside the subset, or errors.
var refused = []string{
	"a: 1\r\n",
	"a:\t1\n",
	"\ufeffa: 1\n",
	"a: \x01\n",
	"a: \xff\n",
	"%YAML 1.1\n---\na: 1\n",
	"a: 1\n...\n",
	"--- a: 1\n",
	"--- |\n  x\n",
	"a: &x 1\nb: *x\n",
	"a: !!str 1\n",
	"? a\n: b\n",
	"<<: {a: 1}\n",
	"a: <<\n",
	"a: b\n  c\n",
	"- a\n  b\n",
	"a: 'b\n  c'\n",
	"a: \"b\n  c\"\n",
	"a: [b,\n  c]\n",
	"a: \"\\/\"\n",
	"a: \"\\q\"\n",
	"a: \"\\x4\"\n",
	"a: \"\\ud800\"\n",
	"a: \"\\U80000000\"\n",
	"a: \"\\U00110000\"\n",
	"a: b: c\n",
	"a: - b\n",
	"a: 1\n- b\n",
	"- a\nb: 1\n",
	"a:\n  - b\n  c: 1\n",
	"a: 1\n b: 2\n",
	"a:\n  b: 1\n c: 2\n",
	"a: [b: c]\n",
	"a: {b}\n",
	"a: {b: }\n",
	"a: {\"b\":c}\n",
	"a: [,]\n",
	"a: [b,,c]\n",
	"a: [b\n",
	"a: 'b'c\n",
	"a: 'b'#c\n",
	"a: |#c\n  x\n",
	"a: |0\n  x\n",
	"a: |x\n",
	"a: @b\n",
	"a: `b`\n",
	"a: %b\n",
	"a: ,b\n",
	"scalar\n",
	"[a, b]\n",
	"a\n",
	"a: 1\nb\n",
	"a:b\n",
	"'a'b: 1\n",
	strings.Repeat("k", 1100) + ": v\n",
	"a: |\n  x\n b\n",
	"a: |\n    x\n  y\n",
	"g: -\n",
	"a: |\n  x\n # c\n  y\n",
	"a: \"x\\\n  y\"\n",
	"- - a\n - b\n",
	"a: [b, c]: d\n",
	"a:\n  [b]\n",
	"a:\n  b\n",
	"a: |\n   \n  x\n",
	"a: [b]#c\n",
	"a: {b: c}}\n",
	"a: [b]]\n",
	"- a\n  - b\n",
	"---\n- a\n...\n",
	"a: 'b' 'c'\n",
	// A key written twice, which yaml.v3 leaves for the decoder to refuse.
	"a: 1\na: 2\n",
	"a: 1\nb: 2\n'a': 3\n",
	"x:\n- b: 1\n  c: 2\n  \"b\": 3\n",
	"a: {b: 1, b: 2}\n",
	"- {b: [{c: 1, d: 2, c: 3}]}\n",
	"'<<': 1\n\"<<\": 2\n",
	longMapping(20, "k17: again\n"),
	"a: 1\n---\nb: {x: 1}\nb: 2\n",
}

func TestAccepted(t *testing.T) {
	for _, s := range accepted {
		if !compare(t, "accepted", []byte(s)) {
			t.Errorf("refused %q", s)
		}
	}
}

func TestRefused(t *testing.T) {
	for _, s := range refused {
		if compare(t, "refused", []byte(s)) {
			t.Errorf("took %q", s)
		}
	}
}

func TestDeepNesting(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	if compare(t, "deep", []byte("a: "+deep+"\n")) {
		t.Error("took a flow sequence nested deeper than maxDepth")
	}
	var b strings.Builder
	for i := range maxDepth + 1 {
		b.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	b.WriteString(strings.Repeat(" ", maxDepth+1) + "k: v\n")
	if compare(t, "deep", []byte(b.String())) {
		t.Error("took a block mapping nested deeper than maxDepth")
	}
	key := strings.Repeat("k", maxKey)
	if !compare(t, "long key", []byte(key+": v\n")) {
		t.Error("refused a key of maxKey bytes")
	}
	if compare(t, "long key", []byte(key+"k: v\n")) {
		t.Error("took a key longer than maxKey")
	}
	ok := strings.Repeat("[", 50) + strings.Repeat("]", 50)
	if !compare(t, "nested", []byte("a: "+ok+"\n")) {
		t.Error("refused nested flow sequences")
	}
}

// moduleRoot is the repository's root, as the other tests find the
// fixtures: the package is two levels below it.
func moduleRoot(testing.TB) string { return filepath.Join("..", "..") }

// yamlFiles returns the .yaml and .yml files below dir.
func yamlFiles(t testing.TB, dir string) []string {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != dir && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// compareFiles compares Parse with yaml.v3 on every file and returns those
// Parse refused.
func compareFiles(t *testing.T, root string, files []string) (refused []string) {
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		if !compare(t, rel, data) {
			refused = append(refused, rel)
		}
	}
	return refused
}

func TestRepoFiles(t *testing.T) {
	root := moduleRoot(t)
	files := yamlFiles(t, root)
	if len(files) == 0 {
		t.Fatal("no YAML files in the module")
	}
	refused := compareFiles(t, root, files)
	fast := len(files) - len(refused)
	t.Logf("fast path: %d of %d files", fast, len(files))
	for _, f := range refused {
		t.Logf("refused: %s", f)
	}
	if fast*100 < len(files)*80 {
		t.Errorf("only %d of %d files take the fast path", fast, len(files))
	}
}

func TestGeneratedTrees(t *testing.T) {
	for _, opts := range []gentree.Options{
		{Namespaces: 2, Services: 8, Seed: 1},
		{Namespaces: 2, Services: 8, Seed: 2, MistakeRate: 0.6},
	} {
		dir := t.TempDir()
		if _, err := gentree.Generate(dir, opts); err != nil {
			t.Fatal(err)
		}
		files := yamlFiles(t, dir)
		if len(files) == 0 {
			t.Fatal("gentree wrote no YAML files")
		}
		for _, f := range compareFiles(t, dir, files) {
			t.Errorf("refused generated file %s", f)
		}
	}
}

func TestPlainASCII(t *testing.T) {
	want := func(w uint64) bool {
		for range 8 {
			c := byte(w)
			if (c < ' ' || c >= 0x7f) && c != '\n' {
				return false
			}
			w >>= 8
		}
		return true
	}
	// Every byte value in every position, among printable neighbours.
	for pos := range 8 {
		for c := range 256 {
			w := uint64(0x6161616161616161)
			w &^= 0xff << (8 * pos)
			w |= uint64(c) << (8 * pos)
			if got := plainASCII(w); got != want(w) {
				t.Errorf("plainASCII(%#x) = %v", w, got)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		w := r.Uint64()
		// Mostly printable bytes, so that both answers come up.
		w = w&0x3f3f3f3f3f3f3f3f | 0x4040404040404040
		for range r.IntN(3) {
			w ^= uint64(1+r.IntN(255)) << (8 * r.IntN(8))
		}
		if got := plainASCII(w); got != want(w) {
			t.Errorf("plainASCII(%#x) = %v", w, got)
		}
	}
}

// TestParseReusing parses every YAML file of the repository, large and
// small in turn, with one Slabs: each tree must be Parse's, although it is
// cut from the memory of the trees before it.
func TestParseReusing(t *testing.T) {
	files := yamlFiles(t, moduleRoot(t))
	var s Slabs
	reused := 0
	for round := range 2 {
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := Parse(data)
			got, ok2 := ParseReusing(&s, data)
			if ok != ok2 || !reflect.DeepEqual(want, got) {
				t.Fatalf("round %d, %s: ParseReusing differs from Parse", round, f)
			}
			if ok && s.nextNodes > 0 {
				reused++
			}
		}
	}
	if reused == 0 || len(s.nodes) == 0 {
		t.Fatal("no parse took its nodes from the slabs")
	}
	if len(s.nodes) > 64 {
		t.Errorf("%d node slabs for files parsed one at a time: slabs are not reused", len(s.nodes))
	}
}

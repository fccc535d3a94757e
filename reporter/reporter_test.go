package reporter

import (
	"bytes"
	"github.com/meshlint/meshlint/internal/baseline"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/fatih/color"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

func TestWriteUnknownFormat(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "xml", emptyReport(), Options{}); err == nil {
		t.Fatal("Write accepted an unknown format")
	}
	for _, f := range Formats {
		write(t, f, emptyReport(), Options{})
	}
}

func TestArtifactLocation(t *testing.T) {
	tests := []struct {
		root, file string
		uri, base  string
	}{
		{"/src/mesh", "deploy/a.yaml", "deploy/a.yaml", "%SRCROOT%"},
		{"/src/mesh", "./deploy/../a.yaml", "a.yaml", "%SRCROOT%"},
		{"/src/mesh", "/src/mesh/deploy/a.yaml", "deploy/a.yaml", "%SRCROOT%"},
		{"/src/mesh/", "/src/mesh/a.yaml", "a.yaml", "%SRCROOT%"},
		{"/src/mesh", "/src/mesh-other/a.yaml", "file:///src/mesh-other/a.yaml", ""},
		{"/src/mesh", "/elsewhere/a.yaml", "file:///elsewhere/a.yaml", ""},
		{"/src/mesh", "../other/a.yaml", "file:///src/other/a.yaml", ""},
		{"/src/mesh", "my dir/a b.yaml", "my%20dir/a%20b.yaml", "%SRCROOT%"},
		{"/src/mesh", "/src/mesh/100%.yaml", "100%25.yaml", "%SRCROOT%"},
		{"/src/mesh", "a:b.yaml", "./a:b.yaml", "%SRCROOT%"},
		{"/src/mesh", "/tmp/é.yaml", "file:///tmp/%C3%A9.yaml", ""},
		{"/src/mesh", "<stdin>", "%3Cstdin%3E", ""},
		{"C:/src/mesh", "C:/src/mesh/a.yaml", "a.yaml", "%SRCROOT%"},
		{"C:/src/mesh", "D:/x/a.yaml", "file:///D:/x/a.yaml", ""},
		{"", "deploy/a.yaml", "deploy/a.yaml", "%SRCROOT%"},
		{"", "/abs/a.yaml", "file:///abs/a.yaml", ""},
		{"", "../a.yaml", "../a.yaml", ""},
	}
	for _, tt := range tests {
		uri, base := artifactLocation(where{root: tt.root}, tt.file)
		if uri != tt.uri || base != tt.base {
			t.Errorf("artifactLocation(%q, %q) = %q, %q; want %q, %q", tt.root, tt.file, uri, base, tt.uri, tt.base)
		}
	}
	for root, want := range map[string]string{
		"/src/mesh": "file:///src/mesh/", "/src/mesh/": "file:///src/mesh/", "/": "file:///",
		"C:/src": "file:///C:/src/", "/a b": "file:///a%20b/", "relative": "", "": "",
	} {
		if got := rootURI(root); got != want {
			t.Errorf("rootURI(%q) = %q, want %q", root, got, want)
		}
	}
}

// TestSARIFRootless checks a report without a root: no originalUriBaseIds,
// and still a valid log.
func TestSARIFRootless(t *testing.T) {
	r := fixtureReport(t)
	r.Root = ""
	out := write(t, "sarif", r, Options{})
	if bytes.Contains(out, []byte("originalUriBaseIds")) {
		t.Errorf("originalUriBaseIds written without a root:\n%s", out)
	}
}

func TestCaretLines(t *testing.T) {
	tests := []struct {
		line     string
		col, end int
		text     string
		caret    string
	}{
		{"  weight: 90", 11, 13, "  weight: 90", "          ^~"},
		{"  weight: 90", 11, 0, "  weight: 90", "          ^"},    // no end: one caret
		{"  weight: 90", 11, 99, "  weight: 90", "          ^~"},  // end clamped to the line
		{"  weight: 90", 40, 41, "  weight: 90", "            ^"}, // past the end: just after it
		{"", 1, 2, "", "^"},                                         // empty line
		{"a:\tb", 4, 5, "a:  b", "    ^"},                           // tab to the next stop of 4
		{"\tx:\ty", 5, 6, "    x:  y", "        ^"},                 // two tabs
		{"k: 例え😀 v", 4, 7, "k: 例え😀 v", "   ^~~~~~"},                 // wide characters take two cells
		{"k: 例え😀 v", 8, 9, "k: 例え😀 v", "          ^"},               // after them
		{"k: cafe\u0301 x", 10, 11, "k: cafe\u0301 x", "        ^"}, // a combining accent takes none
		{"k: \x1b[31mred", 4, 5, "k: \ufffd[31mred", "   ^"},        // no terminal escapes from the input
	}
	for _, tt := range tests {
		text, caret := caretLines(tt.line, tt.col, tt.end)
		if text != tt.text || caret != tt.caret {
			t.Errorf("caretLines(%q, %d, %d) =\n%q\n%q\nwant\n%q\n%q", tt.line, tt.col, tt.end, text, caret, tt.text, tt.caret)
		}
	}
}

// TestColorIsLocal checks that Options.Color alone decides colour: neither
// fatih/color's global NoColor nor NO_COLOR (the CLI's business) changes it.
func TestColorIsLocal(t *testing.T) {
	saved := color.NoColor
	defer func() { color.NoColor = saved }()
	t.Setenv("NO_COLOR", "1")
	for _, global := range []bool{true, false} {
		color.NoColor = global
		if out := write(t, "text", fixtureReport(t), Options{Color: true}); !bytes.Contains(out, []byte("\x1b[")) {
			t.Errorf("NoColor=%v: Color: true wrote no colour", global)
		}
		if out := write(t, "text", fixtureReport(t), Options{}); bytes.Contains(out, []byte("\x1b[")) {
			t.Errorf("NoColor=%v: Color: false wrote colour", global)
		}
	}
}

func TestTextWithoutSource(t *testing.T) {
	r := fixtureReport(t)
	r.Source = nil
	out := string(write(t, "text", r, Options{}))
	if strings.Contains(out, "^") {
		t.Errorf("snippets written without sources:\n%s", out)
	}
	if !strings.Contains(out, "deploy/routes.yaml:13:44: error MR102 ") {
		t.Errorf("finding missing:\n%s", out)
	}
}

func TestGitHubEscaping(t *testing.T) {
	if got, want := escapeData("100% done\r\nnext: a,b"), "100%25 done%0D%0Anext: a,b"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
	if got, want := escapeProperty("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
	r := emptyReport()
	r.Findings = []*rules.Finding{{
		Rule: ruleSubset, Severity: rules.Error, Message: "two\nlines, 50%",
		Pos: manifest.Pos{File: "/src/mesh/odd,name:x.yaml", Loc: manifest.Loc{Line: 1, Col: 2, EndCol: 3}},
	}}
	want := "::error file=odd%2Cname%3Ax.yaml,line=1,endLine=1,col=2,endColumn=3," +
		"title=MR102 route-subset-undefined::two%0Alines, 50%25\n"
	if out := string(write(t, "github", r, Options{})); !strings.HasPrefix(out, want) {
		t.Errorf("got\n%s\nwant prefix\n%s", out, want)
	}
}

// TestGitHubOrder checks the most severe annotations come first and the
// report's order is kept within a level.
func TestGitHubOrder(t *testing.T) {
	var levels []string
	for _, line := range strings.Split(string(write(t, "github", fixtureReport(t), Options{})), "\n") {
		if cmd, _, ok := strings.Cut(strings.TrimPrefix(line, "::"), " "); ok && strings.HasPrefix(line, "::") {
			levels = append(levels, cmd)
		}
	}
	want := []string{"error", "error", "error", "error", "error", "error", "warning", "notice", "notice"}
	if !reflect.DeepEqual(levels, want) {
		t.Errorf("levels = %v, want %v", levels, want)
	}
}

func TestFingerprints(t *testing.T) {
	base := fixtureReport(t)
	fps := Fingerprints(base)

	// Lines added above every object, a reworded message and a new API
	// version leave fingerprints alone.
	savedRoutes, savedPeer := testSources[routesFile], testSources[peerFile]
	defer func() { testSources[routesFile], testSources[peerFile] = savedRoutes, savedPeer }()
	testSources[routesFile] = "# a new comment\n\n" + savedRoutes
	testSources[peerFile] = strings.Replace("# moved\n"+savedPeer, "security.istio.io/v1", "security.istio.io/v1beta1", 1)
	moved := fixtureReport(t)
	for _, f := range moved.Findings {
		f.Message += " (reworded)"
	}
	if got := Fingerprints(moved); !reflect.DeepEqual(got, fps) {
		t.Errorf("fingerprints changed when lines moved:\n%v\n%v", got, fps)
	}
	if moved.Findings[2].Pos.Line == base.Findings[2].Pos.Line {
		t.Fatal("the fixture did not move")
	}

	// Different findings have different fingerprints, and two findings of
	// one rule on one node are told apart by their order.
	seen := map[string]bool{}
	for _, fp := range fps {
		if seen[fp] {
			t.Errorf("duplicate fingerprint %s in %v", fp, fps)
		}
		seen[fp] = true
	}
	dup := *base.Findings[2]
	dup.Message = "another problem at the same node"
	base.Findings = append(base.Findings[:3], &dup)
	got := Fingerprints(base)
	if got[3] != got[2]+":1" {
		t.Errorf("second finding at one node: %q, want %q", got[3], got[2]+":1")
	}
	// The path matters, not just the object.
	other := *base.Findings[2]
	other.Pos.Line, other.Pos.Col = 14, 15 // route[1].weight
	if baseline.Fingerprint(&other) == baseline.Fingerprint(base.Findings[2]) {
		t.Error("two nodes of one object share a fingerprint")
	}
}

// TestJSONDocumented checks that every field of the JSON format appears in
// both descriptions of it: WriteJSON's doc comment and docs/json-format.md.
func TestJSONDocumented(t *testing.T) {
	var names []string
	var collect func(reflect.Type)
	collect = func(typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice:
			collect(typ.Elem())
		case reflect.Struct:
			for i := range typ.NumField() {
				f := typ.Field(i)
				names = append(names, strings.Split(f.Tag.Get("json"), ",")[0])
				collect(f.Type)
			}
		}
	}
	collect(reflect.TypeOf(jsonReport{}))
	for _, file := range []string{"json.go", "../docs/json-format.md"} {
		doc, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if !bytes.Contains(doc, []byte(`"`+name+`"`)) {
				t.Errorf("%s does not document the JSON field %q", file, name)
			}
		}
	}
}

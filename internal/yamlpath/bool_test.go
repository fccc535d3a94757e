package yamlpath

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/meshlint/meshlint/internal/yamlfast"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	k8syaml "sigs.k8s.io/yaml"
)

// TestBoolMatchesKubernetes checks Bool and KeyName against Kubernetes'
// own reading, sigs.k8s.io/yaml's YAMLToJSON, for the words of go-yaml
// v2's table and words close to them, in every scalar style, as values and
// as keys, through both parsers meshlint uses.
func TestBoolMatchesKubernetes(t *testing.T) {
	words := []string{
		"y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
		"n", "N", "no", "No", "NO", "off", "Off", "OFF",
		"true", "True", "TRUE", "false", "False", "FALSE",
		// Not booleans in either YAML version.
		"yES", "yeS", "oN", "nO", "oFF", "o", "t", "f", "T", "F", "ye", "yess", "onn", "1", "0", "x",
	}
	forms := []struct {
		name   string
		format string // a document whose mapping holds the word once
		key    bool   // the word is a key
	}{
		{"plain", "v: %s\n", false},
		{"flow", "{v: %s}\n", false},
		{"list", "v: [%s]\n", false},
		{"double-quoted", "v: \"%s\"\n", false},
		{"single-quoted", "v: '%s'\n", false},
		{"literal", "v: |\n  %s\n", false},
		{"tagged !!str", "v: !!str %s\n", false},
		{"key", "%s: x\n", true},
		{"quoted key", "\"%s\": x\n", true},
	}
	for _, w := range words {
		for _, f := range forms {
			src := fmt.Sprintf(f.format, w)
			js, err := k8syaml.YAMLToJSON([]byte(src))
			if err != nil {
				t.Fatalf("%q: YAMLToJSON: %v", src, err)
			}
			var m map[string]any
			if err := json.Unmarshal(js, &m); err != nil {
				t.Fatalf("%q: %s: %v", src, js, err)
			}
			for parser, doc := range parse(t, src) {
				mapping := doc.Content[0]
				if f.key {
					k := mapping.Content[0]
					want := ""
					for name := range m {
						want = name
					}
					if got := KeyName(k); got != want {
						t.Errorf("%s %s: KeyName = %q, Kubernetes names the key %q", parser, f.name, got, want)
					}
					continue
				}
				n := mapping.Content[1]
				kube := m["v"]
				if n.Kind == yaml.SequenceNode {
					n, kube = n.Content[0], kube.([]any)[0]
				}
				if f.name == "literal" {
					kube = fmt.Sprint(kube) // the block's text has a line break
				}
				wantV, wantOK := kube.(bool)
				gotV, gotOK := Bool(n)
				if gotV != wantV || gotOK != wantOK {
					t.Errorf("%s %s %q: Bool = %v, %v; Kubernetes reads %#v", parser, f.name, w, gotV, gotOK, kube)
				}
				_, only := YAML11Bool(n)
				if want := wantOK && n.ShortTag() == "!!str"; only != want {
					t.Errorf("%s %s %q: YAML11Bool ok = %v, want %v", parser, f.name, w, only, want)
				}
				if note := BoolNote(n); (note != "") != only {
					t.Errorf("%s %s %q: BoolNote = %q", parser, f.name, w, note)
				}
			}
		}
	}
}

// parse returns the document of src as yaml.v3 parses it and, when it
// takes it, as the fast parser does.
func parse(t *testing.T, src string) map[string]*yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	out := map[string]*yaml.Node{"yaml.v3": &doc}
	if docs, ok := yamlfast.Parse([]byte(src)); ok && len(docs) == 1 {
		out["yamlfast"] = docs[0]
	}
	return out
}

func TestBoolNote(t *testing.T) {
	for _, tc := range []struct {
		src, want string
	}{
		{"v: yes", "Kubernetes reads the unquoted yes as the boolean true"},
		{"v: OFF", "Kubernetes reads the unquoted OFF as the boolean false"},
		{"v: true", ""},
		{"v: 'on'", ""},
	} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(tc.src), &doc); err != nil {
			t.Fatal(err)
		}
		if got := BoolNote(doc.Content[0].Content[1]); got != tc.want {
			t.Errorf("%s: BoolNote = %q, want %q", tc.src, got, tc.want)
		}
	}
}

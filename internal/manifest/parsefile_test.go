package manifest

import (
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestParseFile checks which parser reads a file: comments are kept for a
// file with a directive (suppressions read them), and the fast parser's
// trees, which have none, are yaml.v3's otherwise, for plain and unusual
// YAML alike.
func TestParseFile(t *testing.T) {
	const doc = `# head
apiVersion: v1 # line
kind: Service
metadata:
  name: a
  labels: {app: a}
spec:
  ports:
  - port: 80
`
	fast, errs := parseFile("f.yaml", []byte(doc), false, nil)
	if len(errs) > 0 || len(fast) != 1 {
		t.Fatalf("fast: %d documents, errors %v", len(fast), errs)
	}
	if fast[0].node.Content[1].LineComment != "" {
		t.Errorf("the file without a directive kept its comments: it was not read by the fast parser")
	}
	slow, _ := parseFile("f.yaml", []byte(doc), true, nil)
	if slow[0].node.Content[1].LineComment != "# line" {
		t.Errorf("the comments of a file with a directive are lost")
	}
	clearComments(slow[0].node)
	if !reflect.DeepEqual(fast[0].node, slow[0].node) {
		t.Errorf("the fast parser's tree differs from yaml.v3's")
	}
	// An anchor is outside the fast parser's subset: yaml.v3 reads it.
	anchored := strings.Replace(doc, "{app: a}", "&l {app: a}", 1)
	docs, errs := parseFile("f.yaml", []byte(anchored), false, nil)
	if len(errs) > 0 || len(docs) != 1 || docs[0].node.Content[5].Content[3].Anchor != "l" {
		t.Errorf("an anchored file was not read by yaml.v3: %v", errs)
	}
	// A syntax error is yaml.v3's to report, with its line.
	_, errs = parseFile("f.yaml", []byte("a: [b\n"), false, nil)
	if len(errs) != 1 || errs[0].Line != 1 {
		t.Errorf("malformed file: errors %v", errs)
	}
}

func clearComments(n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		clearComments(c)
	}
}

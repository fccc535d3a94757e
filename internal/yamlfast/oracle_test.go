package yamlfast

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// decodeV3 decodes every document of data as meshlint's loader does.
func decodeV3(data []byte) (docs []*yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			docs, err = nil, fmt.Errorf("yaml.v3 panicked: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, &n)
	}
}

// diff says where the trees a (Parse's) and b (yaml.v3's) differ, comments
// aside, or returns "".
func diff(a, b *yaml.Node, path string) string {
	if a == nil || b == nil {
		if a != b {
			return fmt.Sprintf("%s: node %v, yaml.v3 %v", path, a, b)
		}
		return ""
	}
	ca, cb := *a, *b
	for _, n := range []*yaml.Node{&ca, &cb} {
		n.HeadComment, n.LineComment, n.FootComment = "", "", ""
		n.Content = nil
	}
	if !reflect.DeepEqual(ca, cb) {
		return fmt.Sprintf("%s: got %+v, yaml.v3 %+v", path, ca, cb)
	}
	if (a.Content == nil) != (b.Content == nil) || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: %d children (nil %v), yaml.v3 %d (nil %v)", path,
			len(a.Content), a.Content == nil, len(b.Content), b.Content == nil)
	}
	for i := range a.Content {
		if d := diff(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// compare checks Parse against yaml.v3 on data and reports whether Parse
// took it.
func compare(t testing.TB, name string, data []byte) bool {
	t.Helper()
	got, ok := Parse(data)
	if !ok {
		if got != nil {
			t.Errorf("%s: refused with %d documents", name, len(got))
		}
		return false
	}
	want, err := decodeV3(data)
	if err != nil {
		t.Errorf("%s: Parse took what yaml.v3 rejects: %v\n%q", name, err, data)
		return true
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d documents, yaml.v3 %d\n%q", name, len(got), len(want), data)
		return true
	}
	for i := range got {
		if d := diff(got[i], want[i], fmt.Sprintf("doc %d", i)); d != "" {
			t.Errorf("%s: %s\n%q", name, d, data)
			return true
		}
	}
	return true
}

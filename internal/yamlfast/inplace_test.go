package yamlfast

import (
	"bytes"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"unsafe"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestParseInPlace parses every YAML file of the repository, the accepted
// inputs and random documents from one buffer reused file after file, as
// the loader does: each tree must be Parse's, the input must be left as it
// was, and the scalars must be cut from the buffer rather than a copy.
func TestParseInPlace(t *testing.T) {
	var inputs [][]byte
	for _, f := range yamlFiles(t, moduleRoot(t)) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, data)
	}
	for _, s := range accepted {
		inputs = append(inputs, []byte(s))
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		inputs = append(inputs, []byte(randomDoc(r)))
	}
	var s Slabs
	var buf []byte
	shared := 0
	for i, data := range inputs {
		buf = append(buf[:0], data...)
		if cap(buf) == len(buf) {
			buf = append(buf, 0)[:len(data)]
		}
		want, ok := Parse(data)
		got, ok2 := ParseInPlace(&s, buf)
		if ok != ok2 || !reflect.DeepEqual(want, got) {
			t.Fatalf("input %d: ParseInPlace differs from Parse:\n%s", i, data)
		}
		if !bytes.Equal(buf, data) || ok && buf[:len(buf)+1][len(buf)] != 0 {
			t.Fatalf("input %d: ParseInPlace changed its input, or wrote no NUL after it", i)
		}
		if ok && scalarIn(got, buf[:cap(buf)]) {
			shared++
		}
	}
	if shared == 0 {
		t.Fatal("no scalar was cut from the buffer")
	}
}

// scalarIn reports whether a scalar of docs is cut from buf's memory.
func scalarIn(docs []*yaml.Node, buf []byte) bool {
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	var in func(n *yaml.Node) bool
	in = func(n *yaml.Node) bool {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(n.Value))); n.Value != "" && p >= start && p < start+uintptr(len(buf)) {
			return true
		}
		for _, c := range n.Content {
			if in(c) {
				return true
			}
		}
		return false
	}
	for _, d := range docs {
		if in(d) {
			return true
		}
	}
	return false
}

// TestParseInPlaceAllocs checks that ParseInPlace does not copy its input,
// and copies an input with no room for the NUL after it.
func TestParseInPlaceAllocs(t *testing.T) {
	doc := "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {app: a}\nspec:\n  ports:\n  - port: 80\n"
	roomy := append(make([]byte, 0, len(doc)+1), doc...)
	full := []byte(doc)[:len(doc):len(doc)]
	var s Slabs
	parse := func(f func(*Slabs, []byte) ([]*yaml.Node, bool), data []byte) float64 {
		return testing.AllocsPerRun(100, func() {
			if _, ok := f(&s, data); !ok {
				t.Fatal("refused")
			}
		})
	}
	copying, inPlace := parse(ParseReusing, roomy), parse(ParseInPlace, roomy)
	if inPlace != copying-1 {
		t.Errorf("ParseInPlace allocates %v times, ParseReusing %v: want one allocation less, the copy", inPlace, copying)
	}
	if got := parse(ParseInPlace, full); got != copying {
		t.Errorf("ParseInPlace of an input without room for the NUL allocates %v times, want %v (a copy)", got, copying)
	}
	docs, _ := ParseInPlace(&s, full)
	if scalarIn(docs, full) {
		t.Error("the scalars of an input without room for the NUL are cut from it")
	}
}

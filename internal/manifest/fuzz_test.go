package manifest

import (
	"bytes"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader as one whole file. It must
// never panic, and every error must name the file.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: x}\n",
		"a: [\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: y}\n",
		"a: &a [*a]\n",
		"\xef\xbb\xbfapiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: bom\r\n",
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: \xff\n",
		"- a\n- b\n",
		"{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"j\"}}",
		"---\n---\n...\n",
		"apiVersion: networking.istio.io/v1\nkind: VirtualServce\nmetadata: {name: t}\n",
		"apiVersion: v1\nkind: Service\nm: &m {name: s, labels: &l {a: b}}\nmetadata:\n  <<: *m\n  annotations: {<<: [*l, {c: d}], a: e}\n",
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels: {<<: [x]}\n",
		"a: &a {<<: *a}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := Load([]string{"-"}, Options{Stdin: bytes.NewReader(data), MaxFileSize: 1 << 20})
		for _, e := range res.Errors {
			if e.File != StdinName {
				t.Fatalf("error names %q, not the file: %v", e.File, e)
			}
			if e.Line < 0 || e.Col < 0 {
				t.Fatalf("negative position: %v", e)
			}
		}
		for _, o := range res.Objects {
			if o.File != StdinName || o.Node == nil {
				t.Fatalf("object without file or node: %+v", o)
			}
		}
	})
}

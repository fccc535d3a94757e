package yamlfast

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzAgreesWithYAMLv3 checks that whatever Parse takes, yaml.v3 decodes
// without error into the same trees.
func FuzzAgreesWithYAMLv3(f *testing.F) {
	for _, s := range accepted {
		f.Add([]byte(s))
	}
	for _, s := range refused {
		f.Add([]byte(s))
	}
	root := moduleRoot(f)
	for _, name := range []string{
		"examples/shop/productpage.yaml",
		"fixtures/rules/MR001/quiet-yaml-forms.yaml",
	} {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compare(t, "fuzz", data)
	})
}

package validation

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestBase64FieldsMatchSchemas checks base64Fields against the fields that
// the embedded Kubernetes schemas mark "format": "byte" (Go's []byte), so
// that a kind or field added to the schemas is not left unchecked.
func TestBase64FieldsMatchSchemas(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "schema", "kubernetes", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Kubernetes schemas: %v", err)
	}
	var got, want []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		gvk := doc["x-kubernetes-group-version-kind"].([]any)[0].(map[string]any)
		var walk func(s any, path []string)
		walk = func(s any, path []string) {
			m, _ := s.(map[string]any)
			if m["format"] == "byte" {
				want = append(want, gvk["group"].(string)+" "+gvk["kind"].(string)+" "+strings.Join(path, "."))
			}
			props, _ := m["properties"].(map[string]any)
			for k, v := range props {
				walk(v, append(slices.Clip(path), k))
			}
			if a, ok := m["additionalProperties"].(map[string]any); ok {
				walk(a, append(slices.Clip(path), "*"))
			}
			if it, ok := m["items"]; ok {
				walk(it, append(slices.Clip(path), "[]"))
			}
		}
		walk(doc, nil)
	}
	for _, f := range base64Fields {
		got = append(got, f.group+" "+string(f.kind)+" "+strings.Join(f.path, "."))
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("base64Fields:\n%s\nthe schemas' format byte fields:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

package config

import "testing"

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"vendor", "vendor", true},
		{"vendor", "vendor/a/b.yaml", true}, // a directory holds everything below it
		{"vendor", "src/vendor/a.yaml", false},
		{"vendor/", "vendor/a.yaml", true},
		{"./vendor", "vendor/a.yaml", true},
		{"*.yaml", "a.yaml", true},
		{"*.yaml", "dir/a.yaml", false}, // patterns are anchored: **/*.yaml goes deeper
		{"**/*.yaml", "a.yaml", true},
		{"**/*.yaml", "a/b/c.yaml", true},
		{"**/*.yaml", "a/b/c.json", false},
		{"a/**/z.yaml", "a/z.yaml", true},
		{"a/**/z.yaml", "a/b/c/z.yaml", true},
		{"a/**/z.yaml", "b/a/z.yaml", false},
		{"a/**", "a", true},
		{"a/**", "a/b/c", true},
		{"a/**/**/z", "a/z", true},
		{"**", "anything/at/all", true},
		{"apps/*/overlays", "apps/shop/overlays/prod/vs.yaml", true},
		{"apps/*/overlays", "apps/shop/base/vs.yaml", false},
		{"apps/*/overlays", "apps/a/b/overlays/vs.yaml", false},
		{"[a-c]?.yml", "b1.yml", true},
		{"[a-c]?.yml", "d1.yml", false},
		{"x", "", false},
	} {
		g, err := CompileGlob(tc.pattern)
		if err != nil {
			t.Errorf("CompileGlob(%q): %v", tc.pattern, err)
			continue
		}
		if got := g.Match(tc.path); got != tc.want {
			t.Errorf("%q.Match(%q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

func TestGlobErrors(t *testing.T) {
	for _, p := range []string{"", "  ", "[", "a/[b", "/abs", "../up", "a/../../b", ".", "a/.."} {
		if _, err := CompileGlob(p); err == nil {
			t.Errorf("CompileGlob(%q): no error", p)
		}
	}
}

package wording

import "testing"

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 files", 1: "1 file", 2: "2 files"} {
		if got := Count(n, "file", "files"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
	if Plural(1, "key", "keys") != "key" || Plural(3, "key", "keys") != "keys" {
		t.Error("Plural picks the wrong word")
	}
}

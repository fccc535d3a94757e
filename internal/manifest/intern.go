package manifest

import "unique"

// Intern returns the canonical copy of s. What is kept of 80,000 objects is
// mostly the same few thousand names, labels and values, each otherwise a
// string of its own; interning them also lets a scalar sliced out of a
// whole file be kept without keeping the file.
func Intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

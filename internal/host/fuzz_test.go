package host

import (
	"strings"
	"testing"
)

// FuzzMatches checks the algebra of host matching on arbitrary names:
// Matches is symmetric, SubsetOf implies Matches, every host matches itself
// and "*", and a wildcard only matches on a DNS-label boundary.
func FuzzMatches(f *testing.F) {
	for _, s := range [][2]string{
		{"*.example.com", "a.example.com"}, {"*.example.com", "example.com"},
		{"*.example.com", "badexample.com"}, {"*", "x"}, {"*.a.b", "*.b"},
		{"reviews.shop.svc.cluster.local", "reviews"}, {"", "*"}, {"*", "*"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if Matches(a, b) != Matches(b, a) {
			t.Fatalf("Matches(%q, %q) is not symmetric", a, b)
		}
		if SubsetOf(a, b) && !Matches(a, b) {
			t.Fatalf("SubsetOf(%q, %q) without Matches", a, b)
		}
		if !Matches(a, a) || !Matches(a, "*") {
			t.Fatalf("%q does not match itself or *", a)
		}
		if IsWildcard(a) && !IsWildcard(b) && Matches(a, b) {
			suffix := a[1:]
			if !strings.HasSuffix(b, suffix) {
				t.Fatalf("%q matched %q without the suffix %q", a, b, suffix)
			}
		}
		fq := FQDN(a, "ns", "")
		if !strings.Contains(a, ".") && a != "" && a != "*" && fq == a && !isIP(a) {
			t.Fatalf("short name %q was not expanded", a)
		}
		s := ParseScoped(a, "own")
		if s.Namespace == "." {
			t.Fatalf("ParseScoped(%q) kept '.'", a)
		}
	})
}

func isIP(s string) bool { return FQDN(s, "x", "") == s && !strings.Contains(s, ".") }

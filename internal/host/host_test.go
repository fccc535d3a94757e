package host

import "testing"

func TestFQDN(t *testing.T) {
	for _, tc := range []struct {
		host, ns, domain, want string
	}{
		{"reviews", "shop", "", "reviews.shop.svc.cluster.local"},
		{"reviews", "shop", "corp.local", "reviews.shop.svc.corp.local"},
		// A name with a dot is taken literally, even when it looks short.
		{"reviews.shop", "other", "", "reviews.shop"},
		{"reviews.shop.svc.cluster.local", "other", "", "reviews.shop.svc.cluster.local"},
		{"api.example.com", "shop", "", "api.example.com"},
		{"*.example.com", "shop", "", "*.example.com"},
		{"*", "shop", "", "*"},
		{"", "shop", "", ""},
		{"10.0.0.1", "shop", "", "10.0.0.1"},
		{"::1", "shop", "", "::1"},
		{"2001:db8::1", "shop", "", "2001:db8::1"},
	} {
		if got := FQDN(tc.host, tc.ns, tc.domain); got != tc.want {
			t.Errorf("FQDN(%q, %q, %q) = %q, want %q", tc.host, tc.ns, tc.domain, got, tc.want)
		}
	}
}

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"*.example.com", "a.example.com", true},
		{"*.example.com", "a.b.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "badexample.com", false},
		{"*.example.com", "a.example.com.evil", false},
		{"*", "anything.at.all", true},
		{"*", "*.example.com", true},
		{"*", "*", true},
		{"example.com", "example.com", true},
		{"Example.COM", "example.com", false}, // compared with their case, as host.Name.Matches does
		{"example.com", "www.example.com", false},
		{"reviews", "reviews.shop.svc.cluster.local", false},
		// Two wildcards overlap when one's suffix contains the other's.
		{"*.example.com", "*.b.example.com", true},
		{"*.com", "*.example.com", true},
		{"*.example.com", "*.example.org", false},
		{"*.example.com", "*.badexample.com", false},
	} {
		if got := Matches(tc.a, tc.b); got != tc.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := Matches(tc.b, tc.a); got != tc.want {
			t.Errorf("Matches(%q, %q) = %v, want %v (not symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestSubsetOf(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"a.example.com", "*.example.com", true},
		{"a.b.example.com", "*.example.com", true},
		{"example.com", "*.example.com", false},
		{"badexample.com", "*.example.com", false},
		{"*.b.example.com", "*.example.com", true},
		{"*.example.com", "*.b.example.com", false},
		{"*.example.com", "*.example.com", true},
		{"*.example.com", "*", true},
		{"*", "*.example.com", false},
		{"a.example.com", "*", true},
		{"*.example.com", "a.example.com", false},
		{"a.example.com", "a.example.com", true},
		{"a.example.com", "A.Example.com", false},
		{"a.example.com", "b.example.com", false},
	} {
		if got := SubsetOf(tc.a, tc.b); got != tc.want {
			t.Errorf("SubsetOf(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestIsWildcard(t *testing.T) {
	for h, want := range map[string]bool{"*": true, "*.a.com": true, "a.com": false, "": false, "a.*.com": false} {
		if got := IsWildcard(h); got != want {
			t.Errorf("IsWildcard(%q) = %v", h, got)
		}
	}
}

func TestScoped(t *testing.T) {
	for _, tc := range []struct {
		in, own string
		want    Scoped
	}{
		{"shop/reviews.example.com", "gw", Scoped{"shop", "reviews.example.com"}},
		{"./reviews.example.com", "gw", Scoped{"gw", "reviews.example.com"}},
		{"*/reviews.example.com", "gw", Scoped{"*", "reviews.example.com"}},
		{"reviews.example.com", "gw", Scoped{"*", "reviews.example.com"}},
		{"*/*", "gw", Scoped{"*", "*"}},
		{"shop/*.example.com", "gw", Scoped{"shop", "*.example.com"}},
	} {
		if got := ParseScoped(tc.in, tc.own); got != tc.want {
			t.Errorf("ParseScoped(%q, %q) = %+v, want %+v", tc.in, tc.own, got, tc.want)
		}
	}

	for _, tc := range []struct {
		scoped, own, ns, host string
		want                  bool
	}{
		{"shop/reviews.example.com", "gw", "shop", "reviews.example.com", true},
		{"shop/reviews.example.com", "gw", "other", "reviews.example.com", false},
		{"shop/reviews.example.com", "gw", "shop", "ratings.example.com", false},
		{"./reviews.example.com", "gw", "gw", "reviews.example.com", true},
		{"./reviews.example.com", "gw", "shop", "reviews.example.com", false},
		{"*/reviews.example.com", "gw", "anything", "reviews.example.com", true},
		{"reviews.example.com", "gw", "anything", "reviews.example.com", true},
		{"shop/*.example.com", "gw", "shop", "reviews.example.com", true},
		{"shop/*.example.com", "gw", "shop", "example.com", false},
		{"shop/*", "gw", "shop", "reviews.shop.svc.cluster.local", true},
		{"*/*", "gw", "x", "*.example.com", true},
		{"shop/reviews.example.com", "gw", "shop", "*.example.com", true},
	} {
		if got := ParseScoped(tc.scoped, tc.own).Admits(tc.ns, tc.host); got != tc.want {
			t.Errorf("%q (own %s) admits %s/%s = %v, want %v", tc.scoped, tc.own, tc.ns, tc.host, got, tc.want)
		}
	}
}

func TestSidecarImports(t *testing.T) {
	const proxy = "squid.egress.svc.cluster.local"
	for _, c := range []struct {
		entry, own, proxy string
		want              bool
	}{
		{"egress/squid.egress.svc.cluster.local", "shop", proxy, true},
		{"*/squid.egress.svc.cluster.local.", "shop", proxy, true},
		{"./*", "egress", proxy, true},
		{"./*", "shop", proxy, false}, // the Service lives in egress
		{"./*", "", proxy, true},      // the root's default: each proxy's own
		{"shop/*", "shop", proxy, false},
		{"~/*", "shop", proxy, false},
		{"*/*.example.com", "shop", proxy, false},
		{"shop/proxy.example.com", "shop", "proxy.example.com", true}, // a ServiceEntry of any namespace
		{"squid.egress.svc.cluster.local", "shop", proxy, false},      // no namespace part
	} {
		if got := SidecarImports(c.entry, c.own, c.proxy); got != c.want {
			t.Errorf("SidecarImports(%q, %q, %q) = %v, want %v", c.entry, c.own, c.proxy, got, c.want)
		}
	}
}

// Package host implements Istio's host name semantics: short-name expansion,
// wildcard matching on DNS-label boundaries, and the namespace-qualified host
// forms of Gateway servers and Sidecar egress listeners.
package host

import (
	"net/netip"
	"strings"
)

// DefaultDomain is the cluster domain Kubernetes services live under.
const DefaultDomain = "cluster.local"

// FQDN expands a host the way Istio does (ResolveShortnameToFQDN): a name
// without dots is a Service of namespace ns; anything with a dot, an IP
// address and "*" are taken literally. So "reviews" in "shop" is
// "reviews.shop.svc.cluster.local", but "reviews.shop" is left alone.
func FQDN(h, ns, domain string) string {
	if !Expands(h) {
		return h
	}
	if domain == "" {
		domain = DefaultDomain
	}
	return h + "." + ns + ".svc." + domain
}

// Expands reports whether FQDN expands h, a short name, rather than take
// it literally.
func Expands(h string) bool {
	if h == "*" || h == "" || strings.Contains(h, ".") {
		return false
	}
	// Without a dot only an IPv6 address parses, and it has a colon: the
	// check spares the failed parse, and its error, for every short name.
	if strings.Contains(h, ":") {
		if _, err := netip.ParseAddr(h); err == nil {
			return false
		}
	}
	return true
}

// IsWildcard reports whether h starts with "*".
func IsWildcard(h string) bool { return strings.HasPrefix(h, "*") }

// Matches reports whether hosts a and b overlap, as Istio's host.Name.Matches
// does: "*.example.com" matches "a.example.com" and "a.b.example.com" but not
// "example.com" nor "badexample.com"; "*" matches everything; two wildcards
// match when one's suffix contains the other's. Names keep their case, as
// host.Name's do: validation accepts upper-case letters and nothing lowers
// them, so Shop.example.com does not match shop.example.com.
func Matches(a, b string) bool {
	aw, bw := IsWildcard(a), IsWildcard(b)
	switch {
	case aw && bw:
		if len(a) < len(b) {
			return strings.HasSuffix(b[1:], a[1:])
		}
		return strings.HasSuffix(a[1:], b[1:])
	case aw:
		return strings.HasSuffix(b, a[1:])
	case bw:
		return strings.HasSuffix(a, b[1:])
	}
	return a == b
}

// SubsetOf reports whether every host matched by a is matched by b.
func SubsetOf(a, b string) bool {
	if IsWildcard(b) {
		if IsWildcard(a) {
			return strings.HasSuffix(a[1:], b[1:])
		}
		return strings.HasSuffix(a, b[1:])
	}
	return !IsWildcard(a) && a == b
}

// Scoped is a namespace-qualified host, as written in Gateway server hosts
// and Sidecar egress hosts: "ns/host", "./host", "*/host" or plain "host".
type Scoped struct {
	// Namespace is "*" for any namespace, or a namespace name ("." is
	// resolved to the owning object's namespace).
	Namespace string
	Host      string
}

// ParseScoped splits a namespace-qualified host. A plain host means any
// namespace. "." is replaced by ownNS.
func ParseScoped(s, ownNS string) Scoped {
	ns, h, ok := strings.Cut(s, "/")
	if !ok {
		return Scoped{Namespace: "*", Host: s}
	}
	if ns == "." {
		ns = ownNS
	}
	return Scoped{Namespace: ns, Host: h}
}

// Admits reports whether a config of namespace ns with host h is selected
// by the scoped host.
func (s Scoped) Admits(ns, h string) bool {
	return (s.Namespace == "*" || s.Namespace == ns) && Matches(s.Host, h)
}

// SidecarImports reports whether the Sidecar egress host entry ("ns/host")
// imports the egress proxy host proxy. "." is ownNS, which is "" for the
// root namespace's default Sidecar (each proxy's own namespace). A
// Kubernetes Service's host names its namespace; another host may be a
// ServiceEntry's of any namespace.
func SidecarImports(entry, ownNS, proxy string) bool {
	ns, dns, ok := strings.Cut(entry, "/")
	if !ok || strings.HasPrefix(ns, "~") || !Matches(strings.TrimSuffix(dns, "."), proxy) {
		return false
	}
	if ns == "." {
		ns = ownNS
	}
	svcNS := ""
	if parts := strings.Split(proxy, "."); len(parts) > 2 && parts[2] == "svc" {
		svcNS = parts[1]
	}
	return ns == "*" || ns == "" || svcNS == "" || ns == svcNS
}

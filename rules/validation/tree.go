package validation

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The webhook rules read the objects' YAML trees rather than the graph's
// typed specs: they check fields that no other rule reads, and they must see
// objects that the graph left out. A wrong type is MR001's: every accessor
// here treats it as absent, so these rules stay quiet about it.

// node is a YAML node of a spec, which can name its field path for
// messages such as "http[0].route[1].destination.host". The path is found
// only when a message needs it: building it at every step cost more than
// the checks.
type node struct {
	n    *yaml.Node
	root *yaml.Node // the spec
	// An absent node is named by its nearest present ancestor and the
	// path from there ("a.b").
	parent *yaml.Node
	rest   string
}

// specOf returns the spec of o.
func specOf(o *manifest.Object) node {
	n := deref(o.Spec())
	return node{n: n, root: n}
}

func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// ok reports whether the node is present and not null.
func (x node) ok() bool { return x.n != nil && !(x.n.Kind == yaml.ScalarNode && x.n.Tag == "!!null") } //nolint:staticcheck // QF1001: "not a null scalar" reads better than its De Morgan form

func (x node) isMap() bool { return x.n != nil && x.n.Kind == yaml.MappingNode }

// absent returns the absent field key of x.
func (x node) absent(key string) node {
	if x.n == nil {
		return node{root: x.root, parent: x.parent, rest: joinPath(x.rest, key)}
	}
	return node{root: x.root, parent: x.n, rest: key}
}

// get returns the value of key in a mapping; absent otherwise.
func (x node) get(key string) node {
	if !x.isMap() {
		return x.absent(key)
	}
	if _, v := yamlpath.Lookup(x.n, key); v != nil {
		return node{n: v, root: x.root}
	}
	return x.absent(key)
}

// has reports whether key is present with a non-null value.
func (x node) has(key string) bool { return x.get(key).ok() }

// entry is a key of a mapping and its value.
type entry struct {
	key    string
	keyLoc manifest.Loc
	val    node
}

// entries returns the entries of a mapping in order, those that merge keys
// bring in last (yamlpath.Entries).
func (x node) entries() []entry {
	if !x.isMap() {
		return nil
	}
	var out []entry
	for k, v := range yamlpath.Entries(x.n) {
		out = append(out, entry{key: k.Value, keyLoc: manifest.LocOf(k), val: node{n: v, root: x.root}})
	}
	return out
}

// items returns the items of a sequence.
func (x node) items() []node {
	if x.n == nil || x.n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]node, len(x.n.Content))
	for i, c := range x.n.Content {
		out[i] = node{n: deref(c), root: x.root}
	}
	return out
}

// isSeq reports whether the node is a sequence (possibly empty).
func (x node) isSeq() bool { return x.n != nil && x.n.Kind == yaml.SequenceNode }

// str returns a string scalar.
func (x node) str() (string, bool) {
	// A plain yes or off is a boolean to Kubernetes (yamlpath.Bool).
	if _, isBool := yamlpath.YAML11Bool(x.n); x.n == nil || x.n.Kind != yaml.ScalarNode || x.n.ShortTag() != "!!str" || isBool {
		return "", false
	}
	return x.n.Value, true
}

// scalar returns any scalar's text.
func (x node) scalar() (string, bool) {
	if x.n == nil || x.n.Kind != yaml.ScalarNode || x.n.Tag == "!!null" {
		return "", false
	}
	return x.n.Value, true
}

// int returns an integer scalar.
func (x node) int() (int64, bool) {
	if x.n == nil || x.n.Kind != yaml.ScalarNode || x.n.ShortTag() != "!!int" {
		return 0, false
	}
	v, err := strconv.ParseInt(x.n.Value, 0, 64)
	return v, err == nil
}

// num returns an integer or float scalar.
func (x node) num() (float64, bool) {
	if x.n == nil || x.n.Kind != yaml.ScalarNode || (x.n.ShortTag() != "!!int" && x.n.ShortTag() != "!!float") {
		return 0, false
	}
	v, err := strconv.ParseFloat(x.n.Value, 64)
	return v, err == nil
}

// boolean returns a boolean scalar.
func (x node) boolean() (bool, bool) {
	return yamlpath.Bool(x.n)
}

// strs returns the string items of a sequence.
func (x node) strs() []node {
	var out []node
	for _, it := range x.items() {
		if _, ok := it.str(); ok {
			out = append(out, it)
		}
	}
	return out
}

// loc is the node's location; zero for an absent node.
func (x node) loc() manifest.Loc { return manifest.LocOf(x.n) }

// where names the node for messages: its path from the spec.
func (x node) where() string {
	if x.n == nil {
		if x.parent == nil {
			return x.rest
		}
		p, _ := pathTo(x.root, x.parent)
		return joinPath(p, x.rest)
	}
	p, _ := pathTo(x.root, x.n)
	return p
}

// pathTo returns the path from n to target, a node below it, as the keys
// and indexes that lead there.
func pathTo(n, target *yaml.Node) (string, bool) {
	if n == target {
		return "", true
	}
	if n == nil {
		return "", false
	}
	switch n.Kind {
	case yaml.MappingNode:
		for k, v := range yamlpath.Entries(n) {
			if p, ok := pathTo(v, target); ok {
				return joinPath(k.Value, p), true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if p, ok := pathTo(deref(c), target); ok {
				return joinPath("["+strconv.Itoa(i)+"]", p), true
			}
		}
	}
	return "", false
}

// joinPath appends the path rest to the path p.
func joinPath(p, rest string) string {
	switch {
	case p == "":
		return rest
	case rest == "" || rest[0] == '[':
		return p + rest
	}
	return p + "." + rest
}

// objectsOf returns the objects of the given Istio kinds.
func objectsOf(p *rules.Pass, group string, ks ...kinds.Kind) []*manifest.Object {
	var out []*manifest.Object
	for _, o := range p.Graph.Objects {
		if o.Group != group {
			continue
		}
		for _, k := range ks {
			if o.Kind == k {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

// canaryHTTPServices returns the Canaries from which Flagger's IstioRouter
// generates a VirtualService with HTTP routes, with their spec.service:
// it copies the service's timeout, retries, headers and corsPolicy into
// each HTTP route (pkg/router/istio.go), and a TCP service has none.
func canaryHTTPServices(p *rules.Pass) ([]*manifest.Object, []node) {
	var objs []*manifest.Object
	var svcs []node
	for _, o := range objectsOf(p, kinds.GroupFlagger, kinds.Canary) {
		s := specOf(o)
		provider, _ := s.get("provider").str()
		svc := s.get("service")
		if protocol, _ := svc.get("appProtocol").str(); !graph.FlaggerIstio(provider) || strings.EqualFold(protocol, "tcp") {
			continue
		}
		objs, svcs = append(objs, o), append(svcs, svc)
	}
	return objs, svcs
}

// reportAt reports at x, falling back to at (a parent) when x is absent.
func reportAt(p *rules.Pass, o *manifest.Object, x node, fallback node, format string, args ...any) {
	loc := x.loc()
	if loc.IsZero() {
		loc = fallback.loc()
	}
	p.Reportf(o, loc, format, args...)
}

// Istio's name formats (pkg/config/labels, pkg/config/validation).
var (
	dns1123Label   = regexp.MustCompile(`^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$`)
	wildcardPrefix = regexp.MustCompile(`^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$`)
)

// isDNS1123Label reports whether s is a DNS-1123 label as Istio checks it.
func isDNS1123Label(s string) bool { return len(s) <= 63 && dns1123Label.MatchString(s) }

// validateDNS1123Labels is Istio's ValidateDNS1123Labels: dot-separated
// labels, a trailing dot allowed, and a top-level domain that is not all
// digits.
func validateDNS1123Labels(domain string) error {
	parts := strings.Split(domain, ".")
	tld := parts[len(parts)-1]
	if _, err := strconv.Atoi(tld); err == nil {
		return fmt.Errorf("domain name %q is invalid: top-level domain %q cannot be all-numeric", domain, tld)
	}
	for i, l := range parts {
		if i == len(parts)-1 && l == "" {
			return nil
		}
		if !isDNS1123Label(l) {
			return fmt.Errorf("domain name %q is invalid: label %q is not a DNS-1123 label", domain, l)
		}
	}
	return nil
}

// validateWildcardDomain is Istio's ValidateWildcardDomain: a wildcard is
// only allowed in the first label.
func validateWildcardDomain(domain string) error {
	if domain == "" {
		return fmt.Errorf("host is empty")
	}
	if len(domain) > 255 {
		return fmt.Errorf("host %q is longer than 255 characters", domain)
	}
	first, rest, more := strings.Cut(domain, ".")
	if len(first) > 63 || !wildcardPrefix.MatchString(first) {
		if strings.Contains(domain[len(first):], "*") || strings.Contains(first, "*") {
			return fmt.Errorf("host %q is invalid: a wildcard is only allowed as the leftmost label, as in *.example.com", domain)
		}
		return fmt.Errorf("domain name %q is invalid: label %q is not a DNS-1123 label", domain, first)
	}
	if more {
		if strings.Contains(rest, "*") {
			return fmt.Errorf("host %q is invalid: a wildcard is only allowed as the leftmost label, as in *.example.com", domain)
		}
		return validateDNS1123Labels(rest)
	}
	return nil
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// validateCIDR accepts an IP address or a CIDR block, as Istio's
// ValidateIPSubnet does.
func validateCIDR(s string) error {
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("%q is not a valid CIDR block", s)
		}
		_ = pfx
		return nil
	}
	if !isIP(s) {
		return fmt.Errorf("%q is not a valid IP address or CIDR block", s)
	}
	return nil
}

// validPort reports whether n is a port number Istio accepts.
func validPort(n int64) bool { return n >= 1 && n <= 65535 }

// protocols are the port protocols Istio knows (protocol.Parse), upper case.
var protocols = map[string]bool{
	"TCP": true, "UDP": true, "GRPC": true, "GRPC-WEB": true, "HTTP": true, "HTTP_PROXY": true,
	"HTTP2": true, "HTTPS": true, "TLS": true, "MONGO": true, "REDIS": true, "MYSQL": true,
}

// isHTTPProtocol reports whether a protocol is HTTP-family.
func isHTTPProtocol(p string) bool {
	switch strings.ToUpper(p) {
	case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY":
		return true
	}
	return false
}

// keyLoc returns the location of key in a mapping, or the mapping's own
// location when the key is absent.
func (x node) keyLoc(key string) manifest.Loc {
	if x.isMap() {
		if k, _ := yamlpath.Lookup(x.n, key); k != nil {
			return manifest.LocOf(k)
		}
	}
	return x.loc()
}

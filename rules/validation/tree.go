package validation

import (
	"fmt"
	"iter"
	"net/netip"
	"regexp"
	"slices"
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
	// An absent node is named by its nearest present ancestor and the keys
	// from there. They are kept apart and joined only for a message: the
	// rules follow chains of absent fields on every object, such as
	// cp.get("tcp").get("tcpKeepalive").get("time"), and joining the path
	// at each step allocated at each. Keys past the last slot are joined
	// into it.
	parent *yaml.Node
	keys   [4]string
	nkeys  int
}

// specOf returns the spec of o.
func specOf(o *manifest.Object) node {
	// field, not o.Spec(), which looks the key up through yamlpath.Entries
	// (see field).
	n := deref(field(o.Node, "spec"))
	return node{n: n, root: n}
}

// field returns the value of key in mapping n, aliases resolved, as
// yamlpath.Field finds it. The rules look up fields of every object, most
// of them absent: yamlpath.Entries resolves each value it passes, so a
// lookup touched every value of the mapping before it, and looping
// through an iterator cost as much again. A key written in the mapping
// comes before those its merge keys bring in, so only a key not written
// there, in a mapping with a merge key, needs yamlpath.
func field(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	merges := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k.Value != key {
			merges = merges || yamlpath.IsMerge(k)
			continue
		}
		if yamlpath.IsMerge(k) {
			merges = true
			continue
		}
		return deref(n.Content[i+1])
	}
	if merges {
		return yamlpath.Field(n, key)
	}
	return nil
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
	if x.n != nil {
		return node{root: x.root, parent: x.n, keys: [4]string{key}, nkeys: 1}
	}
	y := x
	if y.nkeys < len(y.keys) {
		y.keys[y.nkeys] = key
		y.nkeys++
	} else {
		y.keys[len(y.keys)-1] = joinPath(y.keys[len(y.keys)-1], key)
	}
	return y
}

// get returns the value of key in a mapping; absent otherwise.
func (x node) get(key string) node {
	if !x.isMap() {
		return x.absent(key)
	}
	if v := field(x.n, key); v != nil {
		return node{n: v, root: x.root}
	}
	return x.absent(key)
}

// fields sets out[i] to the value of keys[i] in mapping x, as field finds
// it, or nil, looking at the keys of the mapping once rather than once per
// key: MR015 reads most fields of every traffic policy, and the repeated
// lookups were most of its time. out must be as long as keys. It holds
// nodes of yaml, not of this type: a node is over a hundred bytes, and
// arrays of them made the Local rules' goroutines grow their stacks.
// x.at(keys[i], out[i]) is then x.get(keys[i]).
func (x node) fields(keys []string, out []*yaml.Node) {
	clear(out)
	if !x.isMap() {
		return
	}
	merges := false
	for i := 0; i+1 < len(x.n.Content); i += 2 {
		k := deref(x.n.Content[i])
		if yamlpath.IsMerge(k) {
			merges = true
			continue
		}
		for j, key := range keys {
			if out[j] == nil && k.Value == key {
				out[j] = deref(x.n.Content[i+1])
				break
			}
		}
	}
	if merges {
		for j, key := range keys {
			if out[j] == nil {
				// A key that merge keys bring in: yamlpath knows their
				// order.
				out[j] = field(x.n, key)
			}
		}
	}
}

// present reports whether a value fields found is there and not null, as
// node.ok does.
func present(v *yaml.Node) bool { return node{n: v}.ok() }

// at is the field key of x whose value fields found to be v.
func (x node) at(key string, v *yaml.Node) node {
	if v != nil {
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

// entries yields the entries of a mapping in order, those that merge keys
// bring in last (yamlpath.Entries). It yields rather than returns a slice:
// the rules walk the mappings and sequences of every object, and such
// slices were half of what they allocated. An iterator here must stay
// small enough for the compiler to inline where it is ranged over, or the
// loop's body is moved to the heap, which costs more than the slice did;
// TestWalkDoesNotAllocate checks it.
func (x node) entries() iter.Seq[entry] {
	return func(yield func(entry) bool) {
		if !x.isMap() {
			return
		}
		if x.hasMergeKey() {
			for _, e := range x.mergedEntries() {
				if !yield(e) {
					return
				}
			}
			return
		}
		for i := 0; i+1 < len(x.n.Content); i += 2 {
			k := deref(x.n.Content[i])
			if !yield(entry{key: k.Value, keyLoc: manifest.LocOf(k), val: node{n: deref(x.n.Content[i+1]), root: x.root}}) {
				return
			}
		}
	}
}

// hasMergeKey reports whether a mapping has a merge key, written or
// through an alias, as yamlpath.Entries finds them.
func (x node) hasMergeKey() bool {
	for i := 0; i+1 < len(x.n.Content); i += 2 {
		if yamlpath.IsMerge(deref(x.n.Content[i])) {
			return true
		}
	}
	return false
}

// mergedEntries returns the entries of a mapping that has merge keys, as
// yamlpath.Entries yields them. entries collects them rather than range
// over yamlpath.Entries, which is too large to inline: every loop over
// entries, merge keys or not, would have its body moved to the heap.
func (x node) mergedEntries() []entry {
	var out []entry
	for k, v := range yamlpath.Entries(x.n) {
		out = append(out, entry{key: k.Value, keyLoc: manifest.LocOf(k), val: node{n: v, root: x.root}})
	}
	return out
}

// hasEntries reports whether x is a mapping with at least one entry,
// counting those that merge keys bring in.
func (x node) hasEntries() bool {
	for range x.entries() {
		return true
	}
	return false
}

// items yields the items of a sequence (see entries for why it yields).
func (x node) items() iter.Seq[node] {
	return func(yield func(node) bool) {
		if !x.isSeq() {
			return
		}
		for _, c := range x.n.Content {
			if !yield(node{n: deref(c), root: x.root}) {
				return
			}
		}
	}
}

// len is the number of items of a sequence; 0 for anything else.
func (x node) len() int {
	if !x.isSeq() {
		return 0
	}
	return len(x.n.Content)
}

// item returns the i-th item of a sequence, which must have it.
func (x node) item(i int) node { return node{n: deref(x.n.Content[i]), root: x.root} }

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

// strs yields the string items of a sequence. It loops over the items
// itself: an iterator that ranges over another is too large to inline
// (see entries).
func (x node) strs() iter.Seq[node] {
	return func(yield func(node) bool) {
		if !x.isSeq() {
			return
		}
		for _, c := range x.n.Content {
			it := node{n: deref(c), root: x.root}
			if _, ok := it.str(); ok && !yield(it) {
				return
			}
		}
	}
}

// countStrs is the number of string items of a sequence.
func (x node) countStrs() int {
	n := 0
	for range x.strs() {
		n++
	}
	return n
}

// loc is the node's location; zero for an absent node.
func (x node) loc() manifest.Loc { return manifest.LocOf(x.n) }

// where names the node for messages: its path from the spec.
func (x node) where() string {
	if x.n != nil {
		p, _ := pathTo(x.root, x.n)
		return p
	}
	var p string
	if x.parent != nil {
		p, _ = pathTo(x.root, x.parent)
	}
	for _, k := range x.keys[:x.nkeys] {
		p = joinPath(p, k)
	}
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

// objectsOf yields the objects of the given Istio kinds.
func objectsOf(p *rules.Pass, group string, ks ...kinds.Kind) iter.Seq[*manifest.Object] {
	return func(yield func(*manifest.Object) bool) {
		for _, o := range p.Graph.Objects {
			if o.Group == group && slices.Contains(ks, o.Kind) && !yield(o) {
				return
			}
		}
	}
}

// canaryHTTPServices yields the Canaries from which Flagger's IstioRouter
// generates a VirtualService with HTTP routes, with their spec.service:
// it copies the service's timeout, retries, headers and corsPolicy into
// each HTTP route (pkg/router/istio.go), and a TCP service has none.
func canaryHTTPServices(p *rules.Pass) iter.Seq2[*manifest.Object, node] {
	// As in trafficPolicies, the walk is a function of its own, for the
	// closure to stay small enough to inline (see entries).
	return func(yield func(*manifest.Object, node) bool) { yieldCanaryHTTPServices(p, yield) }
}

func yieldCanaryHTTPServices(p *rules.Pass, yield func(*manifest.Object, node) bool) {
	for o := range objectsOf(p, kinds.GroupFlagger, kinds.Canary) {
		s := specOf(o)
		provider, _ := s.get("provider").str()
		svc := s.get("service")
		if protocol, _ := svc.get("appProtocol").str(); !graph.FlaggerIstio(graph.FlaggerProvider(provider, p.Graph.Mesh)) || strings.EqualFold(protocol, "tcp") {
			continue
		}
		if !yield(o, svc) {
			return
		}
	}
}

// rejectedObject names what Istio rejects for an error of o: o, or for a
// Canary the VirtualService that Flagger generates from it. It is called
// only for a message: the name is allocated, and most checks pass.
func rejectedObject(o *manifest.Object) string {
	if o.Kind == kinds.Canary {
		return "the VirtualService Flagger generates for the Canary"
	}
	return "the " + string(o.Kind)
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
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	if _, numeric := atoi(tld); numeric {
		return fmt.Errorf("domain name %q is invalid: top-level domain %q cannot be all-numeric", domain, tld)
	}
	if domain == "" {
		return nil
	}
	for l := range strings.SplitSeq(strings.TrimSuffix(domain, "."), ".") {
		if !isDNS1123Label(l) {
			return fmt.Errorf("domain name %q is invalid: label %q is not a DNS-1123 label", domain, l)
		}
	}
	return nil
}

// atoi is strconv.Atoi, as Istio calls it, without its error, which is
// allocated: the checks try it on many words, and few are numbers.
func atoi(s string) (int, bool) {
	digits := s
	if digits != "" && (digits[0] == '+' || digits[0] == '-') {
		digits = digits[1:]
	}
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
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

// isIP reports whether s is an IP address. Most of what it is asked about
// are host names, for which netip.ParseAddr would allocate its error, so
// it only parses what could be one: an IPv6 address has a colon, and an
// IPv4 address only digits and dots.
func isIP(s string) bool {
	if !strings.Contains(s, ":") && strings.Trim(s, "0123456789.") != "" {
		return false
	}
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

// Package kubevalid holds the checks of the API server's validation code
// that more than one part of meshlint must apply alike: the graph leaves
// out an object the API server refuses, and MR027 reports why, from the
// same checks, so that the two cannot drift apart.
package kubevalid

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	kvalidation "k8s.io/apimachinery/pkg/util/validation"
)

// The formats in the messages' words: apimachinery's own messages quote
// the regular expressions.
const (
	QualifiedNameText = "a qualified name (an optional DNS-1123 subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', beginning and ending with a letter or digit)"
	LabelValueText    = "a label value (empty, or at most 63 letters, digits, '-', '_' and '.', beginning and ending with a letter or digit)"
)

// Step is one step of a path down a spec: a mapping key, or the index of
// an item of a sequence (Index >= 0).
type Step struct {
	Key   string
	Index int
}

// Problem is one thing the API server refuses in a spec.
type Problem struct {
	// Path leads from the spec to the field at fault. When LabelKey is
	// set it ends with a key of a label map, and the fault is the key
	// rather than its value.
	Path     []Step
	LabelKey bool
	// At is the field's location as far as the typed spec knows it: a
	// label map's entries and a selector requirement's values have none
	// there, and At is then the enclosing selector's or requirement's.
	// A reader of the YAML nodes can follow Path for the exact one.
	At manifest.Loc
	// Why says what is refused, for people, beginning with the field's
	// path from the spec ("ingress[0].ports[1].endPort ...").
	Why string
	// Schema is set when the OpenAPI schema refuses it already (an enum
	// value, a required field), which MR001 reports.
	Schema bool
}

// NetworkPolicy returns what ValidateNetworkPolicySpec
// (k8s.io/kubernetes pkg/apis/networking/validation) refuses in s, for a
// new object: the podSelector and each peer's selectors
// (ValidateLabelSelector of apimachinery's pkg/apis/meta/v1/validation),
// at most two policyTypes, each Ingress or Egress, each port
// (ValidateNetworkPolicyPort), each peer (ValidateNetworkPolicyPeer: one
// field at least, and an ipBlock alone) and each ipBlock
// (ValidateIPBlock), in the order of the YAML, as the release whose gates
// g are validates them. A spec that does not decode is refused before
// validation; MR001 reports it.
func NetworkPolicy(s *spec.NetworkPolicy, g Gates) []Problem {
	c := &checker{gates: g}
	c.path = c.buf[:0]
	if n := len(s.PolicyTypes); n > 2 {
		// ValidateNetworkPolicySpec checks no value then.
		c.push("policyTypes")
		c.at(s.PolicyTypes[0].Loc, false, "policyTypes lists %d types; a NetworkPolicy may list at most two (Ingress and Egress)", n)
		c.pop(1)
	} else {
		for i, t := range s.PolicyTypes {
			if t.V != "Ingress" && t.V != "Egress" {
				c.push("policyTypes")
				c.pushIndex(i)
				c.at(t.Loc, true, "policyTypes[%d] %q is neither Ingress nor Egress", i, t.V)
				c.pop(2)
			}
		}
	}
	c.push("podSelector")
	c.labelSelector(s.PodSelector)
	c.pop(1)
	for _, d := range [...]struct {
		name, peers string
		rules       []spec.NetworkPolicyRule
	}{{"ingress", "from", s.Ingress}, {"egress", "to", s.Egress}} {
		c.push(d.name)
		for i := range d.rules {
			r := &d.rules[i]
			c.pushIndex(i)
			c.push("ports")
			for j := range r.Ports {
				c.pushIndex(j)
				c.port(&r.Ports[j])
				c.pop(1)
			}
			c.pop(1)
			peers := r.From
			if d.name == "egress" {
				peers = r.To
			}
			c.push(d.peers)
			for j := range peers {
				c.pushIndex(j)
				c.peer(&peers[j])
				c.pop(1)
			}
			c.pop(2)
		}
		c.pop(1)
	}
	// In the order of the YAML, so that the first is the first a reader
	// meets.
	slices.SortStableFunc(c.out, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.At.Line, b.At.Line), cmp.Compare(a.At.Col, b.At.Col))
	})
	return c.out
}

// checker walks a spec, keeping the path to where it is.
type checker struct {
	gates Gates
	path  []Step
	out   []Problem
	// buf backs path: paths are a few steps deep, and a policy's checker
	// then allocates once, not at each growth (10,000 policies, twice a
	// run).
	buf [10]Step
}

func (c *checker) push(key string) { c.path = append(c.path, Step{Key: key, Index: -1}) }
func (c *checker) pushIndex(i int) { c.path = append(c.path, Step{Index: i}) }
func (c *checker) pop(n int)       { c.path = c.path[:len(c.path)-n] }
func (c *checker) where() string   { return pathString(c.path) }

// at records a problem at the current path, located at loc, and returns
// it for a caller that refines its path.
func (c *checker) at(loc manifest.Loc, schema bool, format string, args ...any) *Problem {
	c.out = append(c.out, Problem{Path: slices.Clone(c.path), At: loc, Why: fmt.Sprintf(format, args...), Schema: schema})
	return &c.out[len(c.out)-1]
}

// port mirrors ValidateNetworkPolicyPort. Of an endPort both below the
// port and out of range, only the first is said.
func (c *checker) port(p *spec.NetworkPolicyPort) {
	if p.Protocol.Set {
		switch p.Protocol.V {
		case "TCP", "UDP", "SCTP":
		default:
			// A protocol left out defaults to TCP
			// (SetDefaults_NetworkPolicyPort); an explicit "" is refused.
			at := c.where()
			c.push("protocol")
			c.at(p.Protocol.Loc, true, "%s protocol %q is not TCP, UDP or SCTP", at, p.Protocol.V)
			c.pop(1)
		}
	}
	end := p.EndPort
	if !p.Port.Set {
		if end.Set {
			c.push("endPort")
			c.at(end.Loc, false, "%s is set without a port", c.where())
			c.pop(1)
		}
		return
	}
	c.push("port")
	if why := PortNumOrName(c.where, p.Port, false); why != "" {
		c.at(p.Port.Loc, false, "%s", why)
	}
	c.path[len(c.path)-1].Key = "endPort"
	switch {
	case !end.Set:
	case p.Port.IsStr:
		c.at(end.Loc, false, "%s is set beside a named port; a range needs a numeric port", c.where())
	case end.V < p.Port.Int:
		c.at(end.Loc, false, "%s %d is below port %d", c.where(), end.V, p.Port.Int)
	case !ValidPort(end.V):
		c.at(end.Loc, false, "%s %d is not in 1-65535", c.where(), end.V)
	}
	c.pop(1)
}

// ValidPort reports whether n is a port number, 1-65535.
func ValidPort(n int64) bool { return n >= 1 && n <= 65535 }

// PortNumOrName says, after the field's name where() (called only for a
// problem), why ValidatePortNumOrName refuses x, an int-or-string port: a
// number in 1-65535 (or 0 where zeroOK: a Service's targetPort, which
// defaulting sets to the port), or an IANA service name. It returns "" for
// a port it accepts, and for one not set.
func PortNumOrName(where func() string, x spec.IntOrString, zeroOK bool) string {
	switch {
	case !x.Set:
		return ""
	case !x.IsStr:
		if !ValidPort(x.Int) && (!zeroOK || x.Int != 0) {
			return fmt.Sprintf("%s %d is not in 1-65535", where(), x.Int)
		}
		return ""
	case zeroOK && x.Str == "":
		return ""
	case PortName(x.Str):
		return ""
	}
	msgs := kvalidation.IsValidPortName(x.Str)
	if len(msgs) == 0 {
		return ""
	}
	hint := ""
	if _, err := strconv.Atoi(x.Str); err == nil {
		hint = " (a quoted number is a port name: unquote it)"
	}
	return fmt.Sprintf("%s %q is not a port number nor an IANA service name: it %s%s", where(), x.Str, strings.Join(msgs, ", "), hint)
}

// peer mirrors ValidateNetworkPolicyPeer.
func (c *checker) peer(p *spec.NetworkPolicyPeer) {
	if p.IPBlock != nil {
		c.push("ipBlock")
		c.ipBlock(p.IPBlock)
		c.pop(1)
	}
	c.push("podSelector")
	c.labelSelector(p.PodSelector)
	c.path[len(c.path)-1].Key = "namespaceSelector"
	c.labelSelector(p.NamespaceSelector)
	c.pop(1)
	switch sel := p.PodSelector != nil || p.NamespaceSelector != nil; {
	case p.IPBlock == nil && !sel:
		c.at(p.Loc, false, "%s names no peer: it needs a podSelector, a namespaceSelector or an ipBlock", c.where())
	case p.IPBlock != nil && sel:
		c.at(p.Loc, false, "%s has an ipBlock beside a selector; an ipBlock must be the peer's only field", c.where())
	}
}

// ipBlock mirrors ValidateIPBlock: a cidr, and every except entry a strict
// subset of it; each a CIDR as IsValidCIDRForLegacyField reads one, which
// with StrictIPCIDRValidation refuses more (strictCIDR). As there, an
// entry that strict validation refuses is still compared with the cidr.
func (c *checker) ipBlock(b *spec.IPBlock) {
	c.push("cidr")
	if !b.CIDR.Set {
		c.at(b.Loc, true, "%s is required", c.where())
		c.pop(1)
		return
	}
	cidr, err := ParseCIDRSloppy(b.CIDR.V)
	if err != nil {
		c.at(b.CIDR.Loc, false, "%s %q is not a CIDR block", c.where(), b.CIDR.V)
		c.pop(1)
		return
	}
	c.strictCIDR(b.CIDR.V, cidr, b.CIDR.Loc)
	c.path[len(c.path)-1].Key = "except"
	for i, e := range b.Except {
		c.pushIndex(i)
		ex, err := ParseCIDRSloppy(e.V)
		if err != nil {
			c.at(e.Loc, false, "%s %q is not a CIDR block", c.where(), e.V)
			c.pop(1)
			continue
		}
		c.strictCIDR(e.V, ex, e.Loc)
		if !strictSubset(cidr, ex) {
			c.at(e.Loc, false, "%s %q is not a strict subset of cidr %q", c.where(), e.V, b.CIDR.V)
		}
		c.pop(1)
	}
	c.pop(1)
}

// strictCIDR records what StrictIPCIDRValidation refuses in s, read as p,
// when the release turns it on.
func (c *checker) strictCIDR(s string, p netip.Prefix, loc manifest.Loc) {
	if !c.gates.StrictIPCIDR {
		return
	}
	if why := StrictCIDRProblem(s, p); why != "" {
		c.at(loc, false, "%s %q %s", c.where(), s, why)
	}
}

// labelSelector mirrors ValidateLabelSelector for a new object: matchLabels
// as labels; a matchExpressions key a qualified name, its values label
// values, In and NotIn with values, Exists and DoesNotExist without, and
// no other operator.
func (c *checker) labelSelector(sel *spec.LabelSelector) {
	if sel == nil {
		return
	}
	c.push("matchLabels")
	// Paths are spelt out only for a problem: the checks run on every
	// selector of every NetworkPolicy, twice a run (the per-file graph
	// and the whole one).
	n := len(c.path)
	ml := func() string { return pathString(c.path[:n]) }
	if !validLabels(sel.MatchLabels) {
		// Sorted: the problems must not depend on the map's order.
		keys := make([]string, 0, len(sel.MatchLabels))
		for k := range sel.MatchLabels {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			c.push(k)
			if !LabelKey(k) {
				c.at(sel.Loc, false, "%s: key %q is not %s", ml(), k, QualifiedNameText).LabelKey = true
			}
			if v := sel.MatchLabels[k]; !LabelValue(v) {
				c.at(sel.Loc, false, "%s: value %q of %q is not %s", ml(), v, k, LabelValueText)
			}
			c.pop(1)
		}
	}
	c.path[len(c.path)-1].Key = "matchExpressions"
	for i := range sel.MatchExpressions {
		r := &sel.MatchExpressions[i]
		c.pushIndex(i)
		n := len(c.path)
		req := func() string { return pathString(c.path[:n]) }
		c.push("key")
		switch {
		case !r.Key.Set:
			c.at(r.Loc, true, "%s is required", c.where())
		case !LabelKey(r.Key.V):
			c.at(r.Key.Loc, false, "%s %q is not %s", c.where(), r.Key.V, QualifiedNameText)
		}
		c.path[len(c.path)-1].Key = "operator"
		op := r.Operator.V
		switch {
		case !r.Operator.Set:
			c.at(r.Loc, true, "%s is required", c.where())
		case op == "In" || op == "NotIn":
			if len(r.Values) == 0 {
				c.path[len(c.path)-1].Key = "values"
				c.at(r.Loc, false, "%s: operator %s needs values", req(), op)
			}
		case op == "Exists" || op == "DoesNotExist":
			if len(r.Values) > 0 {
				c.path[len(c.path)-1].Key = "values"
				c.at(r.Loc, false, "%s: operator %s takes no values", req(), op)
			}
		default:
			c.at(r.Operator.Loc, false, "%s", SelectorOperatorProblem(c.where(), op))
		}
		c.path[len(c.path)-1].Key = "values"
		for j, v := range r.Values {
			if !LabelValue(v) {
				c.pushIndex(j)
				c.at(r.Loc, false, "%s %q is not %s", c.where(), v, LabelValueText)
				c.pop(1)
			}
		}
		c.pop(2)
	}
	c.pop(1)
}

// ValidSelectorOperator reports whether ValidateLabelSelectorRequirement
// knows op: the OpenAPI schema leaves the operator a free string, so
// nothing before this check refuses another.
func ValidSelectorOperator(op string) bool {
	switch op {
	case "In", "NotIn", "Exists", "DoesNotExist":
		return true
	}
	return false
}

// SelectorOperatorProblem says, after the operator field's name where,
// why ValidateLabelSelectorRequirement refuses op, or "".
func SelectorOperatorProblem(where, op string) string {
	if ValidSelectorOperator(op) {
		return ""
	}
	return fmt.Sprintf("%s %q is not In, NotIn, Exists or DoesNotExist", where, op)
}

// pathString writes a path as the messages name fields:
// "ingress[0].from[1].podSelector".
func pathString(path []Step) string {
	var b strings.Builder
	for _, s := range path {
		if s.Index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.Index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.Key)
	}
	return b.String()
}

// validLabels reports whether every key and value of m is a valid label
// key and value: the common case, checked without sorting the keys.
func validLabels(m map[string]string) bool {
	for k, v := range m {
		if !LabelKey(k) || !LabelValue(v) {
			return false
		}
	}
	return true
}

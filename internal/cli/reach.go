package cli

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"iter"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/netpol"
)

const reachUsage = `Usage: meshlint reach [flags] PATH...

Lists who can connect to whom under the NetworkPolicies, AdminNetworkPolicies,
BaselineAdminNetworkPolicies and ClusterNetworkPolicies of the input, in
np-guard's connlist format:

  <src> => <dst> : <connections>

A workload is namespace/name[Kind], an external range first-last[External],
and the source of Ingress and Route traffic {ingress-controller}.

--from and --to take a workload (ns/name), a namespace (ns/*), a name, an IP
address or CIDR, or ingress-controller; repeat them or separate values with
commas. External IPv6 ranges are listed when a policy names an IPv6 block.

Flags:
`

// reachFormats are the output formats of reach.
var reachFormats = []string{"text", "json", "dot", "mermaid"}

func cmdReach(args []string, env *Env) int {
	fs := flag.NewFlagSet("meshlint reach", flag.ContinueOnError)
	var (
		format   string
		from, to listFlag
		quiet    bool
		// f holds the settings reach shares with lint, merged with the
		// configuration file as lint merges them: the same files are read,
		// in the same namespaces, under the same mesh settings.
		f lintFlags
	)
	fs.StringVar(&format, "format", "text", "output format: "+strings.Join(reachFormats, ", "))
	fs.Var(&from, "from", "list only connections from these sources (repeatable, comma-separated)")
	fs.Var(&to, "to", "list only connections to these destinations (repeatable, comma-separated)")
	fs.StringVar(&f.namespace, "namespace", "default", "namespace of objects that do not set one")
	fs.StringVar(&f.clusterDomain, "cluster-domain", "cluster.local", "Kubernetes cluster domain")
	fs.Int64Var(&f.maxFileSize, "max-file-size", manifest.DefaultMaxFileSize, "largest file read, in bytes")
	fs.BoolVar(&quiet, "q", false, "quiet: do not report on stderr what could not be modelled")
	f.configFlags.register(fs)
	paths, code, ok := parseFlags(fs, args, env, "meshlint reach -h", func(w io.Writer) {
		fmt.Fprint(w, reachUsage)
		printFlags(fs, w)
	})
	if !ok {
		return code
	}
	if !contains(reachFormats, format) {
		fmt.Fprintf(env.Stderr, "meshlint reach: unknown --format %q (want %s)\n", format, strings.Join(reachFormats, ", "))
		return ExitError
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	if code := f.checkLoad(env, "meshlint reach"); code != 0 {
		return code
	}

	if code := f.applyConfig(fs, env); code != 0 {
		return code
	}
	res, g, errs := load(paths, manifest.Options{
		Namespace: f.namespace, MaxFileSize: f.maxFileSize, Stdin: env.Stdin, Dir: env.Dir, Ignore: f.ignore,
	}, f.mesh)
	for _, e := range errs {
		fmt.Fprintf(env.Stderr, "meshlint: %v\n", e)
	}
	warnInput(env, res.Warnings)
	a := netpol.Analyze(g)
	if !quiet {
		for _, w := range a.Warnings() {
			fmt.Fprintf(env.Stderr, "meshlint: warning: %v\n", w)
		}
	}

	v6 := namesIPv6(g)
	var filter netpol.Filter
	for _, fl := range []struct {
		name string
		vals []string
		set  *func(netpol.Endpoint) bool
	}{{"--from", from, &filter.Src}, {"--to", to, &filter.Dst}} {
		if len(fl.vals) == 0 {
			continue
		}
		match, err := endpointMatcher(a, g, fl.vals, v6)
		if err != nil {
			fmt.Fprintf(env.Stderr, "meshlint reach: %s: %v\n", fl.name, err)
			return ExitError
		}
		*fl.set = match
	}

	// w keeps the first write error, for Flush to return.
	w := bufio.NewWriter(env.Stdout)
	conns := a.Each(filter)
	if v6 {
		conns = mergeConnections(conns, ipv6Connections(a, filter))
	}
	switch format {
	case "text":
		writeReachText(w, conns)
	case "json":
		writeReachJSON(w, conns)
	case "dot":
		writeReachDOT(w, slices.Collect(conns))
	case "mermaid":
		writeReachMermaid(w, slices.Collect(conns))
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(env.Stderr, "meshlint reach: write output: %v\n", err)
		return ExitError
	}
	if len(errs) > 0 {
		return ExitError
	}
	return ExitClean
}

// endpointMatcher compiles --from or --to values into a predicate. Each
// value must match some endpoint, so that a typo does not pass for an
// empty answer. v6 tells whether reach lists IPv6 ranges (namesIPv6).
func endpointMatcher(a *netpol.Analysis, g *graph.Graph, vals []string, v6 bool) (func(netpol.Endpoint) bool, error) {
	var preds []func(netpol.Endpoint) bool
	for _, v := range vals {
		p, isV6, err := endpointPredicate(v)
		if err != nil {
			return nil, err
		}
		if isV6 && !v6 {
			return nil, fmt.Errorf("%q: no policy of the input names an IPv6 block, so reach lists IPv4 addresses only", v)
		}
		found := p(netpol.IngressController()) && (len(g.Ingresses) > 0 || len(g.Routes) > 0)
		for _, w := range a.Workloads() {
			if found = found || p(netpol.WorkloadEndpoint(w)); found {
				break
			}
		}
		for _, rs := range [][]netpol.IPRange{a.ExternalSources(), a.ExternalDestinations()} {
			for _, r := range rs {
				found = found || p(netpol.ExternalEndpoint(r))
			}
		}
		for _, rs := range [][]netpol.IPv6Range{a.ExternalSources6(), a.ExternalDestinations6()} {
			for _, r := range rs {
				found = found || (isV6 && p(netpol.ExternalEndpoint6(r)))
			}
		}
		if !found {
			return nil, fmt.Errorf("%q matches no workload of the input", v)
		}
		preds = append(preds, p)
	}
	return func(e netpol.Endpoint) bool {
		for _, p := range preds {
			if p(e) {
				return true
			}
		}
		return false
	}, nil
}

// endpointPredicate reads one --from or --to value: ns/name, ns/*, a
// name, an IP address or CIDR, or ingress-controller. A workload's name is
// the one reach prints (a Pod's owner) or its own; ns/name[Kind] also
// checks the kind. v6 is set for an IPv6 address or CIDR.
func endpointPredicate(v string) (pred func(netpol.Endpoint) bool, v6 bool, err error) {
	if v == "ingress-controller" || v == netpol.IngressControllerName {
		return netpol.Endpoint.IsIngressController, false, nil
	}
	cidr := v
	if ip, err := netip.ParseAddr(v); err == nil {
		cidr = netip.PrefixFrom(ip, ip.BitLen()).String()
	}
	if _, err := netip.ParsePrefix(cidr); err == nil {
		r, v6, err := netpol.ParseCIDR(cidr)
		if err != nil {
			return nil, false, fmt.Errorf("%q: %w", v, err)
		}
		// The families are apart: an IPv4 value matches no IPv6 range,
		// whose IPs are unset (0.0.0.0), and the other way round.
		if !v6 {
			return func(e netpol.Endpoint) bool { return e.External && !e.V6 && e.IPs.Overlaps(r) }, false, nil
		}
		r6, err := netpol.ParseCIDR6(cidr)
		if err != nil {
			return nil, false, fmt.Errorf("%q: %w", v, err)
		}
		return func(e netpol.Endpoint) bool { return e.External && e.V6 && e.IPs6.Overlaps(r6) }, true, nil
	}
	ns, name, scoped := strings.Cut(v, "/")
	if !scoped {
		ns, name = "*", v
	}
	kind := ""
	if i := strings.IndexByte(name, '['); i > 0 && strings.HasSuffix(name, "]") {
		name, kind = name[:i], name[i+1:len(name)-1]
	}
	if ns == "" || name == "" {
		return nil, false, fmt.Errorf("%q: want ns/name, ns/*, a name, an address or ingress-controller", v)
	}
	return func(e netpol.Endpoint) bool {
		w := e.Workload
		if w == nil || (ns != "*" && w.Namespace() != ns) {
			return false
		}
		if name == "*" {
			return true
		}
		full := netpol.WorkloadName(w)
		shown := full[strings.IndexByte(full, '/')+1 : strings.LastIndexByte(full, '[')]
		shownKind := full[strings.LastIndexByte(full, '[')+1 : len(full)-1]
		if kind != "" {
			return shown == name && shownKind == kind
		}
		return shown == name || w.Name() == name
	}, false, nil
}

// namesIPv6 reports whether a policy of the input names an IPv6 block:
// an ipBlock of a NetworkPolicy or a network of an admin policy. Most
// clusters are IPv4-only, and np-guard lists IPv4 ranges only; a policy
// written for IPv6 tells of a dual-stack cluster, where reach lists the
// external IPv6 ranges too.
func namesIPv6(g *graph.Graph) bool {
	admin, ns := g.IPv6Blocks()
	return admin || len(ns) > 0
}

// ipv6Connections lists the connections between the listed workloads and
// the external IPv6 ranges (ExternalSources6, ExternalDestinations6) that
// the filter accepts, sorted as Each sorts: by source name, then
// destination name. The workloads of a group get the same answers, asked
// once per group.
func ipv6Connections(a *netpol.Analysis, f netpol.Filter) []netpol.Connection {
	accept := func(fn func(netpol.Endpoint) bool, e netpol.Endpoint) bool { return fn == nil || fn(e) }
	var srcs, dsts []netpol.Endpoint
	for _, r := range a.ExternalSources6() {
		if e := netpol.ExternalEndpoint6(r); accept(f.Src, e) {
			srcs = append(srcs, e)
		}
	}
	for _, r := range a.ExternalDestinations6() {
		if e := netpol.ExternalEndpoint6(r); accept(f.Dst, e) {
			dsts = append(dsts, e)
		}
	}
	type answers struct{ from, to []netpol.Set }
	byGroup := map[int]*answers{}
	var out []netpol.Connection
	for _, w := range a.Workloads() {
		e := netpol.WorkloadEndpoint(w)
		toW, fromW := accept(f.Dst, e), accept(f.Src, e)
		if !toW && !fromW {
			continue
		}
		grp := a.Group(w)
		ans := byGroup[grp]
		if ans == nil || grp < 0 {
			ans = &answers{}
			for _, x := range srcs {
				ans.from = append(ans.from, a.Allowed(x, e))
			}
			for _, x := range dsts {
				ans.to = append(ans.to, a.Allowed(e, x))
			}
			byGroup[grp] = ans
		}
		for i, x := range srcs {
			if c := ans.from[i]; toW && !c.IsEmpty() {
				out = append(out, netpol.Connection{Src: x, Dst: e, Conns: c})
			}
		}
		for i, x := range dsts {
			if c := ans.to[i]; fromW && !c.IsEmpty() {
				out = append(out, netpol.Connection{Src: e, Dst: x, Conns: c})
			}
		}
	}
	slices.SortStableFunc(out, compareConnections)
	return out
}

// compareConnections orders connections as Each does: by source name, then
// destination name.
func compareConnections(x, y netpol.Connection) int {
	if c := strings.Compare(x.Src.String(), y.Src.String()); c != 0 {
		return c
	}
	return strings.Compare(x.Dst.String(), y.Dst.String())
}

// mergeConnections yields the connections of conns and extra, both sorted
// by compareConnections, in that order: Each's stream is not held in
// memory.
func mergeConnections(conns iter.Seq[netpol.Connection], extra []netpol.Connection) iter.Seq[netpol.Connection] {
	return func(yield func(netpol.Connection) bool) {
		i := 0
		for c := range conns {
			for i < len(extra) && compareConnections(extra[i], c) < 0 {
				if !yield(extra[i]) {
					return
				}
				i++
			}
			if !yield(c) {
				return
			}
		}
		for _, c := range extra[i:] {
			if !yield(c) {
				return
			}
		}
	}
}

func writeReachText(w *bufio.Writer, conns iter.Seq[netpol.Connection]) {
	for c := range conns {
		fmt.Fprintf(w, "%s => %s : %s\n", c.Src, c.Dst, c.Conns)
	}
}

// writeReachJSON writes an array of {"src", "dst", "conn"} objects,
// np-guard's field names, indented as json.MarshalIndent would, one
// connection at a time.
func writeReachJSON(w *bufio.Writer, conns iter.Seq[netpol.Connection]) {
	q := func(s string) string {
		b, _ := json.Marshal(s) // a string always marshals
		return string(b)
	}
	n := 0
	for c := range conns {
		sep := ",\n"
		if n == 0 {
			sep = "[\n"
		}
		n++
		fmt.Fprintf(w, "%s  {\n    \"src\": %s,\n    \"dst\": %s,\n    \"conn\": %s\n  }", sep, q(c.Src.String()), q(c.Dst.String()), q(c.Conns.String()))
	}
	if n == 0 {
		fmt.Fprint(w, "[]\n")
		return
	}
	fmt.Fprint(w, "\n]\n")
}

// reachNode is an endpoint drawn in a graph.
type reachNode struct {
	id, name, label, namespace string
	external                   bool
}

// reachNodes lists the endpoints of the connections, sorted by name, with
// workloads grouped by namespace.
func reachNodes(conns []netpol.Connection) ([]*reachNode, map[string]*reachNode) {
	byName := map[string]*reachNode{}
	var nodes []*reachNode
	add := func(e netpol.Endpoint) {
		name := e.String()
		if byName[name] != nil {
			return
		}
		n := &reachNode{name: name, label: name, external: e.Workload == nil}
		if e.Workload != nil {
			n.namespace = e.Workload.Namespace()
			n.label = name[len(n.namespace)+1:]
		}
		byName[name] = n
		nodes = append(nodes, n)
	}
	for _, c := range conns {
		add(c.Src)
		add(c.Dst)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].name < nodes[j].name })
	for i, n := range nodes {
		n.id = "n" + strconv.Itoa(i)
	}
	return nodes, byName
}

func namespacesOf(nodes []*reachNode) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range nodes {
		if !n.external && !seen[n.namespace] {
			seen[n.namespace] = true
			out = append(out, n.namespace)
		}
	}
	sort.Strings(out)
	return out
}

// writeReachDOT draws the connections for Graphviz, namespaces as
// clusters, as np-guard's dot output does.
func writeReachDOT(w *bufio.Writer, conns []netpol.Connection) {
	nodes, byName := reachNodes(conns)
	q := strconv.Quote
	fmt.Fprintln(w, "digraph {")
	for _, ns := range namespacesOf(nodes) {
		fmt.Fprintf(w, "\tsubgraph %s {\n\t\tcolor=\"black\"\n\t\tfontcolor=\"black\"\n", q("cluster_"+ns))
		for _, n := range nodes {
			if !n.external && n.namespace == ns {
				fmt.Fprintf(w, "\t\t%s [label=%s color=\"blue\" fontcolor=\"blue\"]\n", q(n.name), q(n.label))
			}
		}
		fmt.Fprintf(w, "\t\tlabel=%s\n\t}\n", q(ns))
	}
	for _, n := range nodes {
		if n.external {
			color := "red2"
			if n.name == netpol.IngressControllerName {
				color = "blue"
			}
			fmt.Fprintf(w, "\t%s [label=%s color=%q fontcolor=%q]\n", q(n.name), q(n.label), color, color)
		}
	}
	for _, c := range conns {
		fmt.Fprintf(w, "\t%s -> %s [label=%s color=\"gold2\" fontcolor=\"darkgreen\"]\n",
			q(byName[c.Src.String()].name), q(byName[c.Dst.String()].name), q(c.Conns.String()))
	}
	fmt.Fprintln(w, "}")
}

// writeReachMermaid draws the connections as a Mermaid flowchart,
// namespaces as subgraphs.
func writeReachMermaid(w *bufio.Writer, conns []netpol.Connection) {
	nodes, byName := reachNodes(conns)
	label := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"` }
	fmt.Fprintln(w, "flowchart LR")
	for i, ns := range namespacesOf(nodes) {
		fmt.Fprintf(w, "  subgraph ns%d[%s]\n", i, label(ns))
		for _, n := range nodes {
			if !n.external && n.namespace == ns {
				fmt.Fprintf(w, "    %s[%s]\n", n.id, label(n.label))
			}
		}
		fmt.Fprintln(w, "  end")
	}
	for _, n := range nodes {
		if n.external {
			fmt.Fprintf(w, "  %s{{%s}}\n", n.id, label(n.label))
		}
	}
	for _, c := range conns {
		fmt.Fprintf(w, "  %s -->|%s| %s\n", byName[c.Src.String()].id, label(c.Conns.String()), byName[c.Dst.String()].id)
	}
}

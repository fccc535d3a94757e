package routing

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
)

// l4Route is a tcp or tls route of a VirtualService, reduced to what the
// duplicate checks compare: its match entries, each encoded by l4Key.
type l4Route struct {
	at      spec.Loc
	matches []l4Entry
}

type l4Entry struct {
	key string
	at  spec.Loc
}

// l4Routes returns the tcp and tls routes of vs.
func l4Routes(vs *graph.VirtualService) (tcp, tls []l4Route) {
	tcp = make([]l4Route, len(vs.Spec.TCP))
	for i, r := range vs.Spec.TCP {
		tcp[i].at = r.Loc
		for _, m := range r.Match {
			tcp[i].matches = append(tcp[i].matches, l4Entry{l4Key(nil, m.DestinationSubnets, m.Port, m.SourceLabels, m.Gateways, m.SourceNamespace), m.Loc})
		}
	}
	tls = make([]l4Route, len(vs.Spec.TLS))
	for i, r := range vs.Spec.TLS {
		tls[i].at = r.Loc
		for _, m := range r.Match {
			tls[i].matches = append(tls[i].matches, l4Entry{l4Key(m.SniHosts, m.DestinationSubnets, m.Port, m.SourceLabels, m.Gateways, m.SourceNamespace), m.Loc})
		}
	}
	return tcp, tls
}

// l4Key encodes the conditions of a tcp or tls match entry so that equal
// keys mean equal conditions. The order of the entries of a list does not
// matter, so lists are sorted.
func l4Key(sni, subnets []spec.Str, port spec.Int, labels map[string]string, gateways []spec.Str, sourceNamespace spec.Str) string {
	var b strings.Builder
	list := func(field string, l []spec.Str) {
		if len(l) == 0 {
			return
		}
		vs := make([]string, len(l))
		for i, v := range l {
			vs[i] = strconv.Quote(v.V)
		}
		sort.Strings(vs)
		fmt.Fprintf(&b, "%s:%s;", field, strings.Join(vs, ","))
	}
	list("sniHosts", sni)
	list("destinationSubnets", subnets)
	if port.Set && port.V != 0 {
		fmt.Fprintf(&b, "port:%d;", port.V)
	}
	for _, k := range sortedKeys(labels) {
		fmt.Fprintf(&b, "sourceLabels[%q]:%q;", k, labels[k])
	}
	list("gateways", gateways)
	if sourceNamespace.V != "" {
		fmt.Fprintf(&b, "sourceNamespace:%q;", sourceNamespace.V)
	}
	return b.String()
}

// l4EntryName names kind[route].match[match] for messages.
func l4EntryName(kind string, route, match int) string {
	return fmt.Sprintf("%s[%d].match[%d]", kind, route, match)
}

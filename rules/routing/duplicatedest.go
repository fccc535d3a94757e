package routing

import (
	"fmt"
	"slices"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// DuplicateDestination reports routes that list the same host, subset and
// port twice.
var DuplicateDestination = &rules.Rule{
	ID:      "MR130",
	Name:    "route-duplicate-destination",
	Summary: "a route lists the same destination (host, subset and port) more than once",
	Doc: `Istio adds the weights of destinations that resolve to the same Envoy cluster, so a route
that lists ` + "`reviews/v1`" + ` twice with weights 50 and 30 beside ` + "`reviews/v2`" + ` at 20 sends 80% to v1. It
is almost always a copy-paste slip where one entry should name another subset or host, and the
split written is not the split applied.

Hosts are compared after Istio's short-name expansion (` + "`reviews`" + ` in namespace ` + "`shop`" + ` and
` + "`reviews.shop.svc.cluster.local`" + ` are the same), and the port counts: the same host on two ports is
two destinations. Kiali reports the same (KIA1105) but ignores the port.

Merge the entries into one, or fix the subset or host of the duplicate.`,
	Bad:      reviewsRouteExample(80, "{host: reviews.shop.svc.cluster.local, subset: v1}", 20),
	Good:     reviewsRouteExample(80, "{host: reviews, subset: v2}", 20),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"KIA1105"},
	Deps:     rules.DepNone,
	Run:      runDuplicateDestination,
}

func runDuplicateDestination(p *rules.Pass) error {
	g := p.Graph
	sets := allRouteSets(p)
	var seen destSeen
	for i, vs := range g.VirtualServices {
		for _, rs := range sets[i] {
			if len(rs.Route) < 2 {
				continue // a repeat takes two destinations
			}
			seen.reset(len(rs.Route))
			for j, d := range rs.Route {
				if d.Destination == nil || d.Destination.Host.V == "" {
					continue
				}
				dst := d.Destination
				key := destKeyOf(g, vs.Namespace(), dst)
				first, dup := seen.add(key, j)
				if !dup {
					continue
				}
				name := dst.Host.V
				if dst.Subset.V != "" {
					name += " subset " + dst.Subset.V
				}
				if key.hasPort {
					name += " port " + fmt.Sprint(key.port)
				}
				p.Reportf(vs.Obj, dst.Host.Loc, "%s[%d].route[%d] repeats the destination of route[%d] (%s): Istio adds their weights, so the split written is not the split applied", rs.Kind, rs.Index, j, first, name)
			}
		}
	}
	return nil
}

// destKey is a destination of a route as MR130 compares them: the host
// expanded, the subset and the port, if any.
type destKey struct {
	host, subset string
	port         int64
	hasPort      bool
}

// destSeen holds the destinations of a route met so far, with the
// position of each. The rule reads every route of the input, and most have
// a few destinations: those are compared with each other rather than
// hashed into a map of their own.
type destSeen struct {
	few  []destKey
	at   []int
	many map[destKey]int
}

// reset empties the set for a route of n destinations.
func (s *destSeen) reset(n int) {
	s.few, s.at, s.many = s.few[:0], s.at[:0], nil
	if n > 16 {
		s.many = make(map[destKey]int, n)
	}
}

// add returns the position of the destination k met first, and true, or
// records k at position j.
func (s *destSeen) add(k destKey, j int) (int, bool) {
	if s.many != nil {
		if first, ok := s.many[k]; ok {
			return first, true
		}
		s.many[k] = j
		return j, false
	}
	if i := slices.Index(s.few, k); i >= 0 {
		return s.at[i], true
	}
	s.few, s.at = append(s.few, k), append(s.at, j)
	return j, false
}

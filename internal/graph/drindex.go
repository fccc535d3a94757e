package graph

// indexDRs indexes the DestinationRules of each namespace by host once the
// graph is built (Flagger may rewrite a rule's host while it is), so that a
// lookup costs the rules that may match a host rather than every rule of
// the namespace: with thousands of services in one namespace, resolving
// every route's subsets took a time quadratic in their number.
func (g *Graph) indexDRs() {
	g.drIndex = make(map[string]*hostIndex[*DestinationRule], len(g.drsByNS))
	for ns, drs := range g.drsByNS {
		x := newHostIndex(drs, func(dr *DestinationRule) string { return dr.Host })
		g.drIndex[ns] = &x
	}
}

// drsMayMatch returns, in input order, a superset of the DestinationRules
// of namespace ns whose host matches fqdn (bestDRs decides); before the
// index is built, every rule of ns.
func (g *Graph) drsMayMatch(ns, fqdn string) []*DestinationRule {
	if g.drIndex == nil {
		return g.drsByNS[ns]
	}
	if x := g.drIndex[ns]; x != nil {
		return x.candidates(fqdn)
	}
	return nil
}

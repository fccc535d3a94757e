package graph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/spec"
)

// SEPort is one port of one host of a ServiceEntry.
type SEPort struct {
	Entry *ServiceEntry
	Host  spec.Str
	// Index is the port's index in spec.ports.
	Index int
	// Protocol is upper-cased, "TCP" when unset.
	Protocol string
}

// Port returns the port's spec.
func (p SEPort) Port() *spec.Port { return &p.Entry.Spec.Ports[p.Index] }

// ServiceEntryPorts groups the ports of every ServiceEntry host by
// "host:port" (host lower-cased) and returns the keys sorted.
func (g *Graph) ServiceEntryPorts() (keys []string, groups map[string][]SEPort) {
	groups = map[string][]SEPort{}
	for _, se := range g.ServiceEntries {
		for _, h := range se.Spec.Hosts {
			for i, port := range se.Spec.Ports {
				k := fmt.Sprintf("%s:%d", strings.ToLower(h.V), port.Number.V)
				if _, ok := groups[k]; !ok {
					keys = append(keys, k)
				}
				proto := strings.ToUpper(port.Protocol.V)
				if proto == "" {
					proto = "TCP"
				}
				groups[k] = append(groups[k], SEPort{Entry: se, Host: h, Index: i, Protocol: proto})
			}
		}
	}
	sort.Strings(keys)
	return keys, groups
}

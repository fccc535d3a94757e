package validation

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// PortMTLSWithoutSelector reports PeerAuthentications that set
// portLevelMtls without selecting workloads.
var PortMTLSWithoutSelector = &rules.Rule{
	ID:      "MR011",
	Name:    "peerauth-port-mtls-without-selector",
	Summary: "a PeerAuthentication sets portLevelMtls without a workload selector, or with an empty map",
	Doc: `Port numbers in ` + "`portLevelMtls`" + ` are the ports of the selected workload's containers, so Istio
only accepts them on a PeerAuthentication that selects workloads with
` + "`selector.matchLabels`" + `. A mesh-wide or namespace-wide policy (no selector, or empty
` + "`matchLabels`" + `) with ` + "`portLevelMtls`" + ` is rejected by the webhook and by the CRD's CEL rule, and so is
an empty ` + "`portLevelMtls: {}`" + `.

Add a selector for the workload whose port needs another mode, in a separate policy from the
namespace-wide one.`,
	Bad: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls: {mode: STRICT}
  portLevelMtls:
    "9090": {mode: PERMISSIVE}
`,
	Good: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: metrics-port
  namespace: shop
spec:
  selector: {matchLabels: {app: storefront}}
  mtls: {mode: STRICT}
  portLevelMtls:
    "9090": {mode: PERMISSIVE}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.PeerAuthentication},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runPortMTLSWithoutSelector,
}

func runPortMTLSWithoutSelector(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.PeerAuthentication) {
		s := specOf(o)
		plm := s.get("portLevelMtls")
		if !plm.ok() {
			continue
		}
		if plm.isMap() && !plm.hasEntries() {
			p.Reportf(o, s.keyLoc("portLevelMtls"), "portLevelMtls is empty: remove it or list ports; Istio rejects the PeerAuthentication")
			continue
		}
		if !s.get("selector").get("matchLabels").hasEntries() {
			p.Reportf(o, s.keyLoc("portLevelMtls"), "portLevelMtls needs a selector with matchLabels: a namespace-wide or mesh-wide PeerAuthentication cannot set modes per port; Istio rejects it")
		}
	}
	return nil
}

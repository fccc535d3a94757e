package validation

import (
	"regexp"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// The CRDs' patterns of a policy target reference's group and kind
// (istio.type.v1beta1.PolicyTargetReference): a value they refuse is
// MR001's, and is not reported again.
var (
	crdTargetGroup = regexp.MustCompile(`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	crdTargetKind  = regexp.MustCompile(`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`)
)

// checkTargetKind reports a target reference to a kind that
// validatePolicyTargetReference does not allow (allowedTargetRefs), which
// every policy kind with targetRefs shares; the CRDs take any kind that
// fits their pattern. rejects names the object Istio rejects.
func checkTargetKind(p *rules.Pass, o *manifest.Object, ref node, rejects string) {
	group, gok := ref.get("group").str()
	x := ref.get("kind")
	kind, ok := x.str()
	if !ok || !crdTargetKind.MatchString(kind) || len(kind) > 63 ||
		ref.has("group") && (!gok || !crdTargetGroup.MatchString(group) || len(group) > 253) ||
		targetKindAllowed(group, kind) {
		return
	}
	hint := ""
	switch {
	case kind == "Gateway" && group == kinds.GroupIstioNetworking:
		hint = " (an Istio Gateway cannot be targeted: select its pods with selector instead)"
	case (kind == "Gateway" || kind == "GatewayClass") && group != kinds.GroupGatewayAPI:
		hint = " (set group: " + kinds.GroupGatewayAPI + " for a Gateway API " + kind + "; an Istio Gateway's pods are selected with selector)"
	case kind == "ServiceEntry":
		hint = " (set group: " + kinds.GroupIstioNetworking + ")"
	case kind == "Service":
		hint = " (a Kubernetes Service has group \"\")"
	}
	p.Reportf(o, x.loc(), "%s targets group/kind %q: only a Service, a ServiceEntry (%s), a Gateway or a GatewayClass (%s) can be targeted%s; %s",
		ref.where(), group+"/"+kind, kinds.GroupIstioNetworking, kinds.GroupGatewayAPI, hint, rejects)
}

// targetKindAllowed is validatePolicyTargetReference's allowedTargetRefs,
// matched by kind and canonical group ("core" for the empty group).
func targetKindAllowed(group, kind string) bool {
	switch {
	case (group == "" || group == "core") && kind == "Service",
		group == kinds.GroupIstioNetworking && kind == "ServiceEntry",
		group == kinds.GroupGatewayAPI && (kind == "Gateway" || kind == "GatewayClass"):
		return true
	}
	return false
}

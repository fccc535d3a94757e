package graph

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// Refusal is an object of the input that the API server refuses, so that
// the cluster never holds it: the graph leaves it out of what it models,
// and keeps it here so that the commands that model the cluster can say
// why a policy of the input plays no part.
type Refusal struct {
	Meta
	// Why says what the API server refuses, for people; At is where.
	Why string
	At  manifest.Loc
	// Spec is the refused NetworkPolicy's spec, as written: once
	// corrected it may be the namespace's default deny, which the rules
	// that miss one name.
	Spec *spec.NetworkPolicy
}

// networkPolicyRefusal returns why the API server refuses NetworkPolicy
// spec s, or nil: a policyTypes value other than Ingress and Egress, or a
// port protocol other than TCP, UDP and SCTP, an explicit "" included
// (the field is a pointer: only one left out is defaulted to TCP, by
// SetDefaults_NetworkPolicyPort). Kubernetes' ValidateNetworkPolicySpec
// and ValidateNetworkPolicyPort (pkg/apis/networking/validation) answer
// "Unsupported value" for both, case included; MR001 reports them. Read
// as applied, such a policy would isolate pods, or leave a direction out,
// that the cluster never sees.
func networkPolicyRefusal(m Meta, s *spec.NetworkPolicy) *Refusal {
	refused := func(at manifest.Loc, format string, args ...any) *Refusal {
		return &Refusal{Meta: m, Why: fmt.Sprintf(format, args...), At: at, Spec: s}
	}
	for i, t := range s.PolicyTypes {
		if t.V != "Ingress" && t.V != "Egress" {
			return refused(t.Loc, "policyTypes[%d] %q is neither Ingress nor Egress", i, t.V)
		}
	}
	for _, d := range []struct {
		name  string
		rules []spec.NetworkPolicyRule
	}{{"ingress", s.Ingress}, {"egress", s.Egress}} {
		for i, r := range d.rules {
			for j, p := range r.Ports {
				if !p.Protocol.Set {
					continue
				}
				switch p.Protocol.V {
				case "TCP", "UDP", "SCTP":
				default:
					return refused(p.Protocol.Loc, "%s[%d].ports[%d] protocol %q is not TCP, UDP or SCTP", d.name, i, j, p.Protocol.V)
				}
			}
		}
	}
	return nil
}

package graph

import (
	"github.com/meshlint/meshlint/internal/kubevalid"
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
	// Admin is a refused admin network policy's spec, as written:
	// *spec.AdminNetworkPolicy, *spec.BaselineAdminNetworkPolicy or
	// *spec.ClusterNetworkPolicy (nil for a NetworkPolicy).
	Admin any
	// Problems are all that the API server refuses in a NetworkPolicy,
	// Why and At the first's: MR027 reports them.
	Problems []kubevalid.Problem
}

// networkPolicyRefusal returns why the API server refuses NetworkPolicy
// spec s, or nil: whatever kubevalid.NetworkPolicy finds, the checks of
// Kubernetes' ValidateNetworkPolicySpec (pkg/apis/networking/validation),
// which MR001 (the enums, the required fields) and MR027 (the rest)
// report from the same checks. Read as applied with the refused part
// left out, a policy would isolate pods, or leave a direction out, that
// the cluster never sees: a deny-all-but-one-peer policy whose peer is
// refused would isolate its pods in the model only. The API server is
// that of Kubernetes 1.minor (config.Mesh.Kubernetes), whose feature gates
// decide some refusals: an ipBlock with host bits set is refused by 1.36
// and later only.
func networkPolicyRefusal(m Meta, s *spec.NetworkPolicy, minor int) *Refusal {
	problems := kubevalid.NetworkPolicy(s, kubevalid.GatesFor(minor))
	if len(problems) == 0 {
		return nil
	}
	return &Refusal{Meta: m, Why: problems[0].Why, At: problems[0].At, Spec: s, Problems: problems}
}

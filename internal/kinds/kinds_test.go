package kinds

import (
	"slices"
	"testing"
)

// TestWorkloads checks that Workloads lists exactly the modelled kinds
// IsWorkload accepts: rules declare their inputs from the one, the graph
// reads pod templates by the other.
func TestWorkloads(t *testing.T) {
	ws := Workloads()
	for _, k := range ws {
		found := false
		for group, ks := range modelled {
			found = found || ks[k] && IsWorkload(group, k)
		}
		if !found {
			t.Errorf("Workloads lists %s, which IsWorkload rejects in every group that models it", k)
		}
	}
	for group, ks := range modelled {
		for k := range ks {
			if IsWorkload(group, k) && !slices.Contains(ws, k) {
				t.Errorf("IsWorkload accepts %s (group %q), which Workloads does not list", k, group)
			}
		}
	}
}

// TestGenericWorkload checks which kinds may be generic workloads: the
// unmodelled kinds of the groups that are not checked strictly, whatever
// their name, never a modelled kind nor a kind of a strict group.
func TestGenericWorkload(t *testing.T) {
	for _, c := range []struct {
		group string
		kind  Kind
		want  bool
	}{
		{"apps.kruise.io", "CloneSet", true},
		{"apps.kruise.io", StatefulSet, true}, // Advanced StatefulSet
		{"apps.kruise.io", DaemonSet, true},   // Advanced DaemonSet
		{GroupKnativeServing, Service, true},
		{GroupCore, "ReplicationController", true},
		{"extensions", Deployment, true},
		{GroupApps, "Deploymnet", false}, // strict: a typo, reported as unknown
		{GroupApps, StatefulSet, false},
		{GroupCore, Service, false},
		{GroupCore, Pod, false},
		{GroupArgo, Rollout, false},
		{GroupFlagger, Canary, false},
		{GroupK8sNetworking, "IPAddress", false},  // strict: served, not modelled
		{GroupIstioNetworking, "CloneSet", false}, // strict: unknown
		{GroupGatewayAPI, "BackendTLSPolicy", false},
		{GroupAPIExtensions, CustomResourceDefinition, false}, // modelled, with no pod template
	} {
		if got := GenericWorkload(c.group, c.kind); got != c.want {
			t.Errorf("GenericWorkload(%q, %s) = %v, want %v", c.group, c.kind, got, c.want)
		}
		if got := IsWorkload(c.group, c.kind); c.want && !got {
			t.Errorf("IsWorkload(%q, %s) = false for a generic workload", c.group, c.kind)
		}
		if c.want && !Known(c.group, c.kind) {
			t.Errorf("GenericWorkload accepts %s of %q, which Known rejects", c.kind, c.group)
		}
	}
	for group, ks := range groupKinds {
		for k := range ks {
			if GenericWorkload(group, k) && (group != GroupCore || k != ReplicationController) {
				t.Errorf("GenericWorkload accepts %s of the strict group %q", k, group)
			}
		}
	}
	// A Knative Service is a workload; a Service is not.
	if IsWorkload(GroupCore, Service) || !IsWorkload(GroupKnativeServing, Service) {
		t.Errorf("IsWorkload tells Services apart by kind only")
	}
}

func TestQualified(t *testing.T) {
	for _, c := range []struct {
		group string
		kind  Kind
		want  string
	}{
		{GroupKnativeServing, Service, "Service.serving.knative.dev"},
		{"apps.kruise.io", StatefulSet, "StatefulSet.apps.kruise.io"},
		{"apps.kruise.io", "CloneSet", "CloneSet"},
		{GroupCore, Service, "Service"},
		{GroupApps, StatefulSet, "StatefulSet"},
		{GroupCore, "ReplicationController", "ReplicationController"},
	} {
		if got := Qualified(c.group, c.kind); got != c.want {
			t.Errorf("Qualified(%q, %s) = %q, want %q", c.group, c.kind, got, c.want)
		}
	}
}

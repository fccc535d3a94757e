package routing

import (
	"fmt"
	"iter"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/rules"
)

// SubsetSelectsNoWorkload reports DestinationRule subsets whose labels match
// none of the workloads behind the host's Service.
var SubsetSelectsNoWorkload = &rules.Rule{
	ID:      "MR104",
	Name:    "subset-selects-no-workload",
	Summary: "destination rule subset selects no workload of the host's service",
	Doc: `A subset is the set of the host's endpoints whose pod labels include the subset's labels. When
no pod of the Service carries them, the subset's cluster has no endpoints, and every request
routed to it fails with 503 (response flag UH, "no healthy upstream"). It usually comes from a
typo in a label value, or a version label that the Deployments do not set on their pod
template (labels on the Deployment itself are not pod labels).

The rule only runs when the host is a Service of the input with workloads, or, with the
closed-world setting, any Service of the input; a Service whose pods are not in the input, a
ServiceEntry and a wildcard host are left alone, and so are subset labels that Kubernetes or
Istio add to pods at run time (pod-template-hash, the StatefulSet pod name, non-empty topology
labels, which Istio copies from the node). Fix the subset's labels, or the pod template labels of the workload meant to
serve it.`,
	Bad:      subsetNoWorkloadExample("v2"),
	Good:     subsetNoWorkloadExample("v1"),
	Severity: rules.Warning,
	Inputs:   append([]kinds.Kind{kinds.DestinationRule, kinds.Service, kinds.ServiceEntry}, kinds.Workloads()...),
	Related:  []string{"IST0173", "KIA0203"},
	Deps:     rules.DepHOST | rules.DepTGT,
	Run:      runSubsetSelectsNoWorkload,
}

// subsetNoWorkloadExample is a DestinationRule for shop/reviews with subset
// version, and the Service, whose only workload is version v1: the
// examples of MR104.
func subsetNoWorkloadExample(version string) string {
	return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews
  subsets:
  - name: ` + version + `
    labels: {version: ` + version + `}
---
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
spec:
  selector: {app: reviews}
  ports:
  - name: http
    port: 9080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v1
  namespace: shop
spec:
  selector:
    matchLabels: {app: reviews, version: v1}
  template:
    metadata:
      labels: {app: reviews, version: v1}
    spec:
      containers:
      - name: reviews
        image: reviews:1
`
}

func runSubsetSelectsNoWorkload(p *rules.Pass) error {
	g := p.Graph
	for _, dr := range g.DestinationRules {
		if host.IsWildcard(dr.Host) || len(dr.Spec.Subsets) == 0 {
			continue
		}
		svcs, ok := servicesWithWorkloads(g.HostTargets(dr.Host, dr.Namespace()))
		if !ok && (!g.Mesh.ClosedWorld || len(svcs) == 0) {
			continue
		}
		for i := range dr.Spec.Subsets {
			s := &dr.Spec.Subsets[i]
			if len(s.Labels) == 0 || hasRuntimeLabel(s.Labels) || selectsAny(svcs, s.Labels) {
				continue
			}
			at := s.Name.Loc
			if at.IsZero() {
				at = s.Loc
			}
			f := p.Reportf(dr.Obj, at, "subset %q of DestinationRule %s/%s selects no workload of %s: no pod template has labels %s (%s)",
				s.Name.V, dr.Namespace(), dr.Name(), serviceNames(svcs), labels.String(s.Labels), labelsSeen(svcs, s.Labels))
			for _, svc := range svcs {
				f.Relate(svc.Obj, svc.Obj.NameLoc, "the Service of host %s", dr.Host)
			}
		}
	}
	return nil
}

// servicesWithWorkloads returns the Services among the targets, and whether
// the rule can judge them: every target is a Service and some Service has
// workloads in the input. A ServiceEntry's endpoints, and the pods of a
// Service none of whose workloads are in the input, cannot be seen.
func servicesWithWorkloads(targets iter.Seq[graph.HostTarget]) ([]*graph.Service, bool) {
	var svcs []*graph.Service
	seen := false
	for t := range targets {
		if t.Service == nil {
			return nil, false
		}
		svcs = append(svcs, t.Service)
		seen = seen || len(t.Service.Workloads) > 0
	}
	// Two definitions of one Service are one Service, which MR017
	// reports.
	return graph.Distinct(svcs), seen
}

func selectsAny(svcs []*graph.Service, want map[string]string) bool {
	for _, svc := range svcs {
		for _, w := range svc.Workloads {
			if labels.SubsetOf(want, w.Labels) {
				return true
			}
		}
	}
	return false
}

// hasRuntimeLabel reports whether a label set uses a key that pods get at
// run time rather than from their template: controller hashes and pod
// names (Argo Rollouts adds its hash to the canary and stable Services'
// selectors and DestinationRule subsets too), the node's topology labels
// that Istio copies onto endpoints, the labels the sidecar injector adds,
// and those Knative gives the pods of a Revision. None of them is ever
// empty: Istio copies only the parts of a node's locality that are set
// (AugmentLabels in pilot's serviceregistry/util/label), so a subset that
// asks for an empty one selects nothing, unless a template sets it so.
func hasRuntimeLabel(l map[string]string) bool {
	for k, v := range l {
		if v == "" {
			continue
		}
		if knativeRevisionLabels[k] {
			return true
		}
		switch k {
		case "pod-template-hash", "rollouts-pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name",
			"apps.kubernetes.io/pod-index", "job-name", "controller-uid", "kubernetes.io/hostname":
			return true
		}
		for _, prefix := range []string{
			"batch.kubernetes.io/", "topology.kubernetes.io/", "failure-domain.beta.kubernetes.io/",
			"topology.istio.io/", "security.istio.io/", "service.istio.io/",
		} {
			if strings.HasPrefix(k, prefix) {
				return true
			}
		}
	}
	return false
}

func serviceNames(svcs []*graph.Service) string {
	names := make([]string, len(svcs))
	for i, s := range svcs {
		names[i] = "Service " + s.Namespace() + "/" + s.Name()
	}
	return strings.Join(names, " or ")
}

// labelsSeen describes the values the services' workloads have for the
// subset's label keys, e.g. "its workloads have version=v1, version=v2".
func labelsSeen(svcs []*graph.Service, want map[string]string) string {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var seen []string
	n := 0
	for _, k := range keys {
		vals := map[string]bool{}
		for _, svc := range svcs {
			for _, w := range svc.Workloads {
				if v, ok := w.Labels[k]; ok {
					vals[k+"="+v] = true
				}
			}
		}
		for kv := range vals {
			seen = append(seen, kv)
		}
		n += len(vals)
	}
	sort.Strings(seen)
	workloads := 0
	for _, svc := range svcs {
		workloads += len(graph.Distinct(svc.Workloads)) // each copy of a workload selected
	}
	switch {
	case workloads == 0:
		return "it has no workload in the input at all"
	case workloads == 1 && n == 0:
		return fmt.Sprintf("its only workload in the input has no label %s", strings.Join(keys, " or "))
	case workloads == 1:
		return fmt.Sprintf("its only workload in the input has %s", strings.Join(seen, ", "))
	case n == 0:
		return fmt.Sprintf("none of its %d workloads in the input has the label %s", workloads, strings.Join(keys, " or "))
	}
	return fmt.Sprintf("its %d workloads in the input have %s", workloads, strings.Join(seen, ", "))
}

package security

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// AuthzNoWorkload reports AuthorizationPolicies that apply to no proxy.
var AuthzNoWorkload = &rules.Rule{
	ID:      "MR310",
	Name:    "authz-policy-no-workload",
	Summary: "authorization policy applies to no workload of the mesh",
	Doc: `An AuthorizationPolicy is enforced by the proxies of the workloads it selects: the pods of
its namespace that carry every label of ` + "`selector.matchLabels`" + ` (any namespace for a policy in
the root namespace), or every pod of its namespace when it has no selector. Pods without a
sidecar (and not in ambient mode) enforce nothing. A policy that selects no workload of the
mesh protects nothing: a DENY rule denies nothing, and the intended access control is
missing.

Fix the selector to the pod template labels of the workload (not the Deployment's own labels),
or enable sidecar injection for the workloads. A dry-run policy (annotation
` + "`istio.io/dry-run: \"true\"`" + `) is reported too, marked (dry-run): it enforces nothing anyway, but
its shadow rules log nothing either, and it will apply nowhere once turned on.

The rule judges a namespace only when the input holds workloads of it (for the root
namespace: any workload), or with the closed-world setting. A policy with ` + "`targetRef`" + ` or
` + "`targetRefs`" + ` is left alone. Unlike istioctl analyze, injection by an ` + "`istio.io/rev`" + ` label
counts as being in the mesh.`,
	Bad: authzWorkloadExample(`  selector: {matchLabels: {app: reviews-v1}}
  template:
    metadata: {labels: {app: reviews-v1}, annotations: {sidecar.istio.io/inject: "true"}}
`),
	Good: authzWorkloadExample(`  selector: {matchLabels: {app: reviews}}
  template:
    metadata: {labels: {app: reviews, sidecar.istio.io/inject: "true"}}
`),
	Severity: rules.Warning,
	Inputs:   append([]kinds.Kind{kinds.AuthorizationPolicy, kinds.Namespace}, kinds.Workloads()...),
	Related:  []string{"IST0127", "KIA0004"},
	Deps:     rules.DepINJ | rules.DepWIDE | rules.DepPRES | rules.DepOrder,
	Run:      runAuthzNoWorkload,
}

// authzWorkloadExample is Deployment shop/reviews, whose selector and pod
// template metadata are pods, and an ALLOW policy that selects
// app: reviews: the examples of MR310.
func authzWorkloadExample(pods string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews, namespace: shop, labels: {app: reviews}}
spec:
` + pods + `    spec:
      containers: [{name: app, image: reviews}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  action: ALLOW
  rules:
  - from: [{source: {namespaces: [shop]}}]
`
}

func runAuthzNoWorkload(p *rules.Pass) error {
	g := p.Graph
	selected := authorizationWorkloads(p)
	for i, ap := range g.AuthorizationPolicies {
		if ap.Spec.TargetRef != nil || len(ap.Spec.TargetRefs) > 0 {
			continue
		}
		var sel map[string]string
		if ap.Spec.Selector != nil {
			sel = ap.Spec.Selector.MatchLabels
		}
		root := ap.Namespace() == g.Mesh.RootNamespace
		scope := ap.Namespace()
		switch {
		case root && len(sel) == 0:
			continue // mesh-wide
		case root:
			scope = ""
		}
		if !g.WorkloadsKnown(scope) {
			continue
		}
		// The selection of AuthorizationWorkloads, which picks by the same
		// scope and selector.
		picked := selected[i].ws
		var inMesh int
		for _, w := range picked {
			if g.InMesh(w) {
				inMesh++
			}
		}
		if inMesh > 0 {
			continue
		}
		// Each workload named once, whatever the copies of it the input
		// defines (MR017 reports them).
		picked = rules.Distinct(p, picked)
		where := "namespace " + ap.Namespace()
		if scope == "" {
			where = "any namespace"
		}
		what, selects := "selector "+labels.String(sel), "selects"
		at := ap.Obj.NameLoc
		if len(sel) == 0 {
			what, selects = fmt.Sprintf("AuthorizationPolicy %s/%s", ap.Namespace(), ap.Name()), "has no selector and applies to"
		} else {
			at = ap.Spec.Selector.Loc
		}
		nowhere := fmt.Sprintf("AuthorizationPolicy %s/%s %s", ap.Namespace(), ap.Name(), enforcedNowhere(ap))
		var msg string
		switch {
		case len(picked) == 0:
			msg = fmt.Sprintf("%s matches no workload of %s: %s", what, where, nowhere)
		case len(sel) == 0:
			msg = fmt.Sprintf("%s %s %s, which %s: the policy %s; %s",
				what, selects, workloadNames(picked), noProxy(len(picked)), enforcedNowhere(ap), meshThem(len(picked)))
		default:
			msg = fmt.Sprintf("%s %s %s, which %s: %s; %s",
				what, selects, workloadNames(picked), noProxy(len(picked)), nowhere, meshThem(len(picked)))
		}
		f := p.Reportf(ap.Obj, at, "%s", msg)
		for _, w := range picked {
			f.Relate(w.Obj, w.Obj.NameLoc, "selected, but without a proxy")
		}
		if ap.DryRun() {
			f.Relate(ap.Obj, ap.DryRunLoc(), "dry-run here")
		}
	}
	return nil
}

// enforcedNowhere says that ap, which applies to no proxy, is enforced
// nowhere. A dry-run policy is enforced nowhere anyway, but its selector is
// as wrong: its shadow rules log nothing to check before it is turned on.
func enforcedNowhere(ap *graph.AuthorizationPolicy) string {
	if ap.DryRun() {
		return "(dry-run) logs nothing, and will be enforced nowhere once istio.io/dry-run is removed"
	}
	return "is enforced nowhere"
}

// noProxy says that n workloads have no proxy to enforce a policy.
func noProxy(n int) string {
	return wording.Plural(n, "has no sidecar and is not in ambient mode", "have no sidecar and are not in ambient mode")
}

// meshThem is the next step for n workloads without a proxy.
func meshThem(n int) string {
	return wording.Plural(n, "inject a sidecar into it or put it in ambient mode", "inject sidecars into them or put them in ambient mode")
}

func workloadNames(ws []*graph.Workload) string {
	var names []string
	for i, w := range ws {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(ws)-3))
			break
		}
		names = append(names, fmt.Sprintf("%s %s/%s", w.Obj.Kind, w.Namespace(), w.Name()))
	}
	return strings.Join(names, ", ")
}

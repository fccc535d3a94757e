package workload

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// TelemetrySelectorNoWorkload reports Telemetry selectors that pick nothing.
var TelemetrySelectorNoWorkload = &rules.Rule{
	ID:      "MR705",
	Name:    "telemetry-selector-no-workload",
	Summary: "telemetry selector matches no workload of its namespace",
	Doc: `A Telemetry with ` + "`selector.matchLabels`" + ` configures the metrics, logs and traces of the pods of
its namespace that carry those labels. When none does, it configures nothing.

Fix the labels to the pod template labels of the workload. The rule judges a namespace only when
the input holds workloads of it, or with the closed-world setting. Telemetry with ` + "`targetRefs`" + `
is left alone.`,
	Bad:      reviewsLogs("review"),
	Good:     reviewsLogs("reviews"),
	Severity: rules.Error,
	Inputs:   withPods(kinds.Telemetry),
	Related:  []string{"IST0101"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		reportNoWorkload(p, telemetryPolicies(p.Graph), "the Telemetry configures nothing")
		return nil
	},
}

// reviewsLogs is Deployment shop/reviews and a Telemetry for access logs
// whose selector asks for the label app=app: the examples of MR705.
func reviewsLogs(app string) string {
	return reviewsDeployment("app: reviews") + `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: reviews-logs, namespace: shop}
spec:
  selector: {matchLabels: {app: ` + app + `}}
  accessLogging: [{providers: [{name: envoy}]}]
`
}

// TelemetrySelectorConflict reports workloads selected by several Telemetry
// objects.
var TelemetrySelectorConflict = &rules.Rule{
	ID:      "MR706",
	Name:    "telemetry-selector-conflict",
	Summary: "several telemetry objects with a selector select the same workload",
	Doc: `Istio applies one workload-level Telemetry per pod. When the selectors of several Telemetry objects
of a namespace pick the same pod, the oldest wins and the others are ignored for it.

Make the selectors disjoint, or merge the objects.`,
	Bad: reviewsBackendLogs() + `---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: backend, namespace: shop}
spec:
  selector: {matchLabels: {tier: backend}}
  tracing: [{randomSamplingPercentage: 10}]
`,
	Good:     reviewsBackendLogs() + "  tracing: [{randomSamplingPercentage: 10}]\n",
	Severity: rules.Error,
	Inputs:   withPods(kinds.Telemetry),
	Related:  []string{"IST0159"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		reportConflicts(p, telemetryPolicies(p.Graph), nil, "only the oldest of them applies to it", "each such workload gets only the oldest Telemetry that selects it", "Telemetry objects")
		return nil
	},
}

// reviewsBackendLogs is Deployment shop/reviews, whose pods are in the
// backend tier, and Telemetry shop/reviews, which selects them by app for
// access logs: the examples of MR706.
func reviewsBackendLogs() string {
	return reviewsDeployment("app: reviews, tier: backend") + `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: reviews, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  accessLogging: [{providers: [{name: envoy}]}]
`
}

// TelemetryMultipleDefault reports namespaces with several selector-less
// Telemetry objects.
var TelemetryMultipleDefault = &rules.Rule{
	ID:      "MR707",
	Name:    "telemetry-multiple-default",
	Summary: "namespace has several telemetry objects without a selector",
	Doc: `A Telemetry without ` + "`selector`" + ` (and without ` + "`targetRefs`" + `) is the default of its namespace (of
the mesh, in the root namespace). With several, Istio uses the oldest and ignores the others.

Merge them into one.`,
	Bad: `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: logs, namespace: shop}
spec:
  accessLogging: [{providers: [{name: envoy}]}]
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: traces, namespace: shop}
spec:
  tracing: [{randomSamplingPercentage: 10}]
`,
	Good: `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: default, namespace: shop}
spec:
  accessLogging: [{providers: [{name: envoy}]}]
  tracing: [{randomSamplingPercentage: 10}]
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Telemetry},
	Related:  []string{"IST0160"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		reportDefaults(p, telemetryPolicies(p.Graph), nil, "Istio uses only the oldest")
		return nil
	},
}

// TelemetryAccessLogNoProvider reports access logging without a provider.
var TelemetryAccessLogNoProvider = &rules.Rule{
	ID:      "MR708",
	Name:    "telemetry-access-log-no-provider",
	Summary: "telemetry access logging names no provider, and the mesh has no default one",
	Doc: `An ` + "`accessLogging`" + ` entry without ` + "`providers`" + ` uses MeshConfig
` + "`defaultProviders.accessLogging`" + `, which Istio leaves empty by default: the entry then logs
nothing.

Name a provider (` + "`envoy`" + ` is built in). The rule assumes Istio's default MeshConfig unless one is
given with ` + "`--mesh-config`" + ` (or ` + "`mesh-config`" + ` in .meshlint.yaml): one that sets
` + "`defaultProviders.accessLogging`" + ` quiets it.`,
	Bad: `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: logs, namespace: shop}
spec:
  accessLogging: [{}]
`,
	Good: `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: logs, namespace: shop}
spec:
  accessLogging: [{providers: [{name: envoy}]}]
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.Telemetry},
	Related:  []string{"IST0157"},
	Deps:     rules.DepNone,
	Run:      runTelemetryAccessLogNoProvider,
}

func runTelemetryAccessLogNoProvider(p *rules.Pass) error {
	if len(p.Graph.Mesh.DefaultProviders.AccessLogging) > 0 {
		return nil
	}
	for _, t := range p.Graph.Telemetries {
		for i, a := range t.Spec.AccessLogging {
			if a.Disabled.V || len(a.Providers) > 0 {
				continue
			}
			p.Reportf(t.Obj, a.Loc, "accessLogging[%d] of Telemetry %s/%s names no provider and the mesh has no default access log provider: nothing is logged",
				i, t.Namespace(), t.Name())
		}
	}
	return nil
}

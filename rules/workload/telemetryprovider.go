package workload

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// TelemetryProviderUnknown reports Telemetry providers that Istio cannot
// use where they are named.
var TelemetryProviderUnknown = &rules.Rule{
	ID:      "MR722",
	Name:    "telemetry-provider-unknown",
	Summary: "telemetry names a provider the mesh does not define, or one of the wrong type",
	Doc: `Each provider a Telemetry names must be an extension provider of the mesh (MeshConfig
` + "`extensionProviders`" + `, plus Istio's built-in ` + "`prometheus`" + `, ` + "`stackdriver`" + ` and ` + "`envoy`" + `) of a type that
serves the section naming it: access log providers (` + "`envoyFileAccessLog`" + `, ` + "`envoyHttpAls`" + `,
` + "`envoyTcpAls`" + `, ` + "`envoyOtelAls`" + `) under ` + "`accessLogging`" + `, tracing providers (` + "`opentelemetry`" + `, ` + "`zipkin`" + `,
` + "`datadog`" + `, ` + "`skywalking`" + `) under ` + "`tracing`" + `, ` + "`prometheus`" + ` under ` + "`metrics`" + `. The types
` + "`stackdriver`" + ` (the built-in provider of that name included), ` + "`opencensus`" + ` and ` + "`lightstep`" + ` serve
nothing: MeshConfig still accepts them, but Istio no longer builds any configuration for them.
Istio skips any other name without an error (it matches names regardless of case): the
logs, traces or metrics the entry was written for are never produced. A ` + "`tracing`" + ` entry also uses
only its first provider.

Name a provider the MeshConfig defines, or add it to ` + "`extensionProviders`" + `. The rule knows the
mesh's providers only from the MeshConfig given with ` + "`--mesh-config`" + ` (or ` + "`mesh-config`" + ` in
.meshlint.yaml); without one it checks only the built-in names' types and the extra tracing
providers.`,
	Bad: `# fixture: providers=otel:opentelemetry
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: mesh-default, namespace: istio-system}
spec:
  tracing:
  - providers: [{name: otel-collector}]
  accessLogging:
  - providers: [{name: otel}]
`,
	Good: `# fixture: providers=otel:opentelemetry,otel-logs:envoy_otel_als
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: mesh-default, namespace: istio-system}
spec:
  tracing:
  - providers: [{name: otel}]
  accessLogging:
  - providers: [{name: otel-logs}, {name: envoy}]
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.Telemetry},
	Deps:     rules.DepNone,
	Run:      runTelemetryProviderUnknown,
}

// providerUses are the provider types that serve each Telemetry section,
// as pilot's model/telemetry.go builds them: access logs
// (telemetryAccessLog), tracing (the tracing providers of
// networking/core/tracing.go) and metrics (buildHTTPTelemetryFilter).
// Stackdriver serves all three.
var providerUses = map[string][]string{
	"accessLogging": {"envoy_file_access_log", "envoy_http_als", "envoy_tcp_als", "envoy_otel_als"},
	"tracing":       {"zipkin", "datadog", "skywalking", "opentelemetry"},
	"metrics":       {"prometheus"},
}

// retiredTypes are provider types MeshConfig still accepts but for which
// Istio builds nothing in any section: telemetryAccessLog
// (pilot/pkg/model/telemetry_logging.go) returns no access log for
// stackdriver, buildHTTPTelemetryFilter and buildTCPTelemetryFilter
// (telemetry.go) build metrics for prometheus only, and
// configureFromProviderConfig (pilot/pkg/networking/core/tracing.go)
// configures no tracer for stackdriver, opencensus or lightstep.
var retiredTypes = map[string]bool{"stackdriver": true, "opencensus": true, "lightstep": true}

// providerWhat says what a section's providers do, for messages.
var providerWhat = map[string]string{
	"accessLogging": "access log",
	"tracing":       "tracing",
	"metrics":       "metrics",
}

func runTelemetryProviderUnknown(p *rules.Pass) error {
	m := p.Graph.Mesh
	for _, t := range p.Graph.Telemetries {
		for i, a := range t.Spec.AccessLogging {
			checkProviders(p, m, t, fmt.Sprintf("accessLogging[%d]", i), "accessLogging", a.Providers)
		}
		for i, tr := range t.Spec.Tracing {
			where := fmt.Sprintf("tracing[%d]", i)
			checkProviders(p, m, t, where, "tracing", tr.Providers)
			for j := 1; j < len(tr.Providers); j++ {
				p.Reportf(t.Obj, tr.Providers[j].Loc, "%s.providers[%d] %q of Telemetry %s/%s is ignored: Istio uses only the first provider of a tracing entry (%q)",
					where, j, tr.Providers[j].Name.V, t.Namespace(), t.Name(), tr.Providers[0].Name.V)
			}
		}
		for i, mt := range t.Spec.Metrics {
			checkProviders(p, m, t, fmt.Sprintf("metrics[%d]", i), "metrics", mt.Providers)
		}
	}
	return nil
}

func checkProviders(p *rules.Pass, m config.Mesh, t *graph.Telemetry, where, section string, ps []spec.TelemetryProvider) {
	for j, ref := range ps {
		name := ref.Name.V
		if name == "" {
			continue
		}
		at := ref.Name.Loc
		if at.IsZero() {
			at = ref.Loc
		}
		prov, ok := m.Provider(name, true)
		switch {
		case !ok && m.ProvidersKnown:
			p.Reportf(t.Obj, at, "%s.providers[%d] of Telemetry %s/%s names %q, which is not an extension provider of the mesh (it has %s): Istio skips it, and this entry produces no %s",
				where, j, t.Namespace(), t.Name(), name, quoteAll(m.ProviderNames()), providerWhat[section])
		case ok && retiredTypes[prov.Type]:
			p.Reportf(t.Obj, at, "%s.providers[%d] of Telemetry %s/%s names %q, a provider of type %s, which Istio no longer implements: it produces no %s",
				where, j, t.Namespace(), t.Name(), name, prov.TypeName(), providerWhat[section])
		case ok && !slices.Contains(providerUses[section], prov.Type):
			p.Reportf(t.Obj, at, "%s.providers[%d] of Telemetry %s/%s names %q, a provider of type %s, which cannot serve %s: Istio skips it here",
				where, j, t.Namespace(), t.Name(), name, prov.TypeName(), section)
		}
	}
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

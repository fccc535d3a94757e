package validation

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// TelemetryInvalid reports Telemetry objects that Istio's webhook rejects
// for a reason that the CRD's schema and CEL rules (MR001) do not see.
var TelemetryInvalid = &rules.Rule{
	ID:      "MR025",
	Name:    "telemetry-invalid",
	Summary: "a Telemetry has an access log filter, a tag or a target reference that Istio rejects",
	Doc: `Istio's webhook (ValidateTelemetry) rejects a Telemetry, where the CRD lets it through, when:

- an access log ` + "`filter`" + `'s ` + "`expression`" + ` is not a CEL expression that parses, or is empty (a
  ` + "`filter: {}`" + ` included): ` + "`response.code = 500`" + ` (CEL compares with ` + "`==`" + `), ` + "`and`" + ` for ` + "`&&`" + `, an
  unbalanced parenthesis or quote, ` + "`has(x)`" + ` on a plain name. Only the syntax is checked, as the
  webhook does: an attribute Envoy does not know passes, and matches nothing;
- a metrics tag override has no ` + "`operation`" + ` and no ` + "`value`" + ` (or an empty one): the operation
  defaults to ` + "`UPSERT`" + `, which needs a value. The CRD's CEL rule checks the value only when
  ` + "`operation: UPSERT`" + ` is written;
- a tracing custom tag has an empty name (` + "`\"\": {literal: {value: x}}`" + `);
- a ` + "`targetRef`" + ` or ` + "`targetRefs`" + ` entry names anything but a Service (group ` + "`\"\"`" + `), a ServiceEntry
  (` + "`networking.istio.io`" + `), a Gateway or a GatewayClass (` + "`gateway.networking.k8s.io`" + `): an Istio
  Gateway or a Deployment cannot be targeted (select the pods with ` + "`selector`" + ` instead).

What the CRD refuses is MR001's: a sampling percentage outside 0-100, empty provider names, an
empty literal value or header or environment name of a custom tag, ` + "`operation: UPSERT`" + ` without a
value or ` + "`REMOVE`" + ` with one, an empty ` + "`customMetric`" + `, ` + "`reportingInterval`" + ` under 1ms, ` + "`selector`" + `
labels with ` + "`*`" + ` or an empty key, a target reference with a namespace, and more than one of
` + "`selector`" + `, ` + "`targetRef`" + ` and ` + "`targetRefs`" + `. Provider names the mesh does not define are MR722's,
since they depend on the MeshConfig. What the webhook accepts with a warning (a tag override without
a name, tracing entries that override one another, an empty selector) is MR016's.`,
	Bad:      errorLogs(`response.code = 500`),
	Good:     errorLogs(`response.code >= 500`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Telemetry},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runTelemetryInvalid,
}

// errorLogs is Telemetry shop/error-logs, which logs the requests that
// match the filter: the examples of MR025.
func errorLogs(filter string) string {
	return `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: error-logs, namespace: shop}
spec:
  accessLogging:
  - providers: [{name: envoy}]
    filter:
      expression: "` + filter + `"
`
}

func runTelemetryInvalid(p *rules.Pass) error {
	const rejects = "Istio's webhook rejects the Telemetry"
	for o := range objectsOf(p, kinds.GroupIstioTelemetry, kinds.Telemetry) {
		s := specOf(o)
		if s.has("targetRef") {
			checkTargetKind(p, o, s.get("targetRef"), rejects)
		}
		for ref := range s.get("targetRefs").items() {
			checkTargetKind(p, o, ref, rejects)
		}
		for al := range s.get("accessLogging").items() {
			f := al.get("filter")
			if !f.isMap() {
				continue
			}
			// validateTelemetryFilter parses the expression with cel-go,
			// and an empty one does not parse.
			x := f.get("expression")
			v, isStr := x.str()
			switch {
			case !x.ok():
				p.Reportf(o, al.keyLoc("filter"), "%s has no expression: an empty expression is not valid CEL; %s (write the condition of the requests to log, such as response.code >= 400, or remove the filter)", f.where(), rejects)
			case !isStr:
				// A wrong type is MR001's.
			case v == "":
				p.Reportf(o, x.loc(), "%s is empty, which is not valid CEL; %s (write the condition of the requests to log, such as response.code >= 400, or remove the filter)", x.where(), rejects)
			default:
				if err := celSyntaxError(v); err != "" {
					p.Reportf(o, x.loc(), "%s %q is not a valid CEL expression (%s); %s", x.where(), v, err, rejects)
				}
			}
		}
		for m := range s.get("metrics").items() {
			for ov := range m.get("overrides").items() {
				for e := range ov.get("tagOverrides").entries() {
					checkTagOverride(p, o, e, rejects)
				}
			}
		}
		for tr := range s.get("tracing").items() {
			for e := range tr.get("customTags").entries() {
				if e.key == "" {
					p.Reportf(o, e.keyLoc, "%s has a tag with an empty name; %s", tr.get("customTags").where(), rejects)
				}
			}
		}
	}
	return nil
}

// checkTagOverride reports a tag override that validateTelemetryMetrics
// refuses and the CRD's CEL rules let through: one without an operation,
// which is then UPSERT (the enum's zero), and without a value. The CEL
// rule checks the value only when UPSERT is written; that case, and a
// value beside REMOVE, are MR001's.
func checkTagOverride(p *rules.Pass, o *manifest.Object, e entry, rejects string) {
	to := e.val
	if !to.isMap() || to.has("operation") {
		return
	}
	x := to.get("value")
	if v, ok := x.str(); x.ok() && (!ok || v != "") {
		return
	}
	at := e.keyLoc
	if x.ok() {
		at = x.loc()
	}
	p.Reportf(o, at, "%s has no value, and its operation defaults to UPSERT, which needs one: %s (give the value, an expression over the request's attributes, or write operation: REMOVE to drop the tag)", to.where(), rejects)
}

package validation

import (
	"regexp"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// WorkloadGroupInvalid reports WorkloadGroups that Istio's webhook rejects
// for a reason that the CRD's schema does not see.
var WorkloadGroupInvalid = &rules.Rule{
	ID:      "MR023",
	Name:    "workloadgroup-invalid",
	Summary: "a WorkloadGroup has a label or a readiness probe that Istio rejects",
	Doc: `Istio's webhook (ValidateWorkloadGroup) rejects a WorkloadGroup when:

- a key of ` + "`spec.metadata.labels`" + ` (the labels of every WorkloadEntry made from the group) is not a label
  name (an optional DNS prefix and ` + "`/`" + `, then letters, digits, ` + "`-`" + `, ` + "`_`" + ` and ` + "`.`" + `, beginning and
  ending with a letter or digit), or a value is neither empty nor made of those characters;
- a header of its ` + "`httpGet`" + ` readiness probe has no name, or a name with a ` + "`_`" + `, which the CRD's
  pattern allows and the webhook does not (letters, digits and ` + "`-`" + ` only);
- its ` + "`httpGet`" + ` probe's ` + "`scheme`" + ` is neither ` + "`HTTP`" + ` nor ` + "`HTTPS`" + ` (the CRD's CEL rule refuses it too);
- its ` + "`probe`" + ` has no method (` + "`httpGet`" + `, ` + "`tcpSocket`" + ` or ` + "`exec`" + `), an ` + "`exec`" + ` with an empty ` + "`command`" + `, or
  uses ` + "`grpc`" + `, which the CRD and the proxy's agent support but the webhook's check
  (validateReadinessProbe) does not know yet: use ` + "`tcpSocket`" + `, or ` + "`exec`" + ` with a gRPC health probe
  command.

A missing ` + "`template`" + `, negative probe settings, probe ports and the other CEL rules of the template
and the probe are MR001's and MR003's. The webhook does not check ` + "`template.labels`" + `; the
WorkloadEntries made from the group carry them too, so they should be valid labels as well.`,
	Bad:      vmGroup("owner: reviews@example.com"),
	Good:     vmGroup("owner: reviews"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.WorkloadGroup},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runWorkloadGroupInvalid,
}

// vmGroup is WorkloadGroup shop/reviews-vms with the label given: the
// examples of MR023.
func vmGroup(label string) string {
	return `apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata:
  name: reviews-vms
  namespace: shop
spec:
  metadata:
    labels:
      ` + label + `
  template:
    serviceAccount: reviews
    network: vm-net
  probe:
    httpGet: {path: /ready, port: 8080}
`
}

// probeHeader is validProbeHeaderNameRegex (pkg/config/validation),
// stricter than the CRD's pattern for the same names, ^[-_A-Za-z0-9]+$,
// which MR001 applies.
var (
	probeHeader    = regexp.MustCompile(`^[-A-Za-z0-9]+$`)
	crdProbeHeader = regexp.MustCompile(`^[-_A-Za-z0-9]+$`)
)

func runWorkloadGroupInvalid(p *rules.Pass) error {
	const rejects = "Istio rejects the WorkloadGroup"
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.WorkloadGroup) {
		s := specOf(o)
		// labels.Instance.Validate, as for a WorkloadEntry's labels. The
		// path is written from the object's root: a spec-relative
		// metadata.labels reads as the group's own labels.
		checkLabelsAt(p, o, s.get("metadata"), "spec.", rejects)
		checkProbeMethod(p, o, s, rejects)
		// validateReadinessProbe; the CRD's CEL rule refuses the same.
		if x := s.get("probe").get("httpGet").get("scheme"); x.ok() {
			if v, ok := x.str(); ok && v != "" && v != "HTTP" && v != "HTTPS" {
				p.Reportf(o, x.loc(), "%s %q is not HTTP or HTTPS (in capitals); %s", x.where(), v, rejects)
			}
		}
		for h := range s.get("probe").get("httpGet").get("httpHeaders").items() {
			if !h.isMap() {
				continue
			}
			x := h.get("name")
			if !x.ok() {
				p.Reportf(o, h.loc(), "%s has no name: %s", h.where(), rejects)
				continue
			}
			if v, ok := x.str(); ok && crdProbeHeader.MatchString(v) && !probeHeader.MatchString(v) {
				p.Reportf(o, x.loc(), "%s: probe header name %q may only hold letters, digits and -; %s", x.where(), v, rejects)
			}
		}
	}
	return nil
}

// checkProbeMethod reports a probe that validateReadinessProbe refuses
// for its method, which the CRD allows: none (the webhook wants one), a
// grpc one, which the agent runs (pkg/istio-agent/health) but the
// webhook's switch does not know yet, and exec without a command. Two
// methods at once are MR001's (the CRD's oneOf).
func checkProbeMethod(p *rules.Pass, o *manifest.Object, spec node, rejects string) {
	probe := spec.get("probe")
	if !probe.isMap() {
		return
	}
	methods := 0
	for _, m := range []string{"httpGet", "tcpSocket", "exec", "grpc"} {
		if probe.get(m).ok() {
			methods++
		}
	}
	switch {
	case methods == 0:
		p.Reportf(o, spec.keyLoc("probe"), "%s has none of httpGet, tcpSocket and exec: Istio's webhook needs a health check method; %s", probe.where(), rejects)
	case methods == 1 && probe.get("grpc").ok():
		p.Reportf(o, probe.keyLoc("grpc"), "%s: Istio's webhook does not accept a grpc probe yet (only httpGet, tcpSocket and exec), although the proxy could run it; %s (use tcpSocket, or exec with a gRPC health probe command)", probe.where(), rejects)
	}
	if x := probe.get("exec"); x.isMap() && x.has("command") && x.get("command").len() == 0 {
		p.Reportf(o, x.keyLoc("command"), "%s: exec.command is empty, and is required; %s", probe.where(), rejects)
	}
}

package validation

import (
	"regexp"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// WorkloadGroupInvalid reports WorkloadGroups that Istio's webhook rejects
// for a reason that the CRD's schema does not see.
var WorkloadGroupInvalid = &rules.Rule{
	ID:      "MR023",
	Name:    "workloadgroup-invalid",
	Summary: "a WorkloadGroup has a label or a probe header name that Istio rejects",
	Doc: `Istio's webhook (ValidateWorkloadGroup) rejects a WorkloadGroup when:

- a key of ` + "`metadata.labels`" + ` (the labels of every WorkloadEntry made from the group) is not a label
  name (an optional DNS prefix and ` + "`/`" + `, then letters, digits, ` + "`-`" + `, ` + "`_`" + ` and ` + "`.`" + `, beginning and
  ending with a letter or digit), or a value is neither empty nor made of those characters;
- a header of its ` + "`httpGet`" + ` readiness probe has no name, or a name with a ` + "`_`" + `, which the CRD's
  pattern allows and the webhook does not (letters, digits and ` + "`-`" + ` only).

A missing ` + "`template`" + `, negative probe settings, probe ports and the CEL rules of the template and
the probe are MR001's and MR003's. The webhook does not check ` + "`template.labels`" + `; the
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
		// labels.Instance.Validate, as for a WorkloadEntry's labels.
		checkWorkloadLabels(p, o, s.get("metadata"), rejects)
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
